package handlers

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"retreat/handlers/web"
)

// requestLogger writes one structured line per request.
func requestLogger(log *slog.Logger) echo.MiddlewareFunc {
	return middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true,
		LogRequestID: true, LogRemoteIP: true, LogResponseSize: true, LogError: true,
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			status := v.Status
			if v.Error != nil && !c.Response().Committed {
				// The error handler writes this response after the line
				// is logged (outside the session middleware, which
				// answers errors itself, or after a panic): log the
				// status it will send, not the 200 not yet written.
				status, _ = web.Describe(v.Error)
			}
			level := slog.LevelInfo
			if status >= 500 {
				level = slog.LevelError
			}
			log.LogAttrs(c.Request().Context(), level, "request",
				slog.String("method", v.Method), slog.String("path", v.URIPath),
				slog.Int("status", status), slog.Duration("latency", v.Latency),
				slog.Int64("bytes", v.ResponseSize), slog.String("ip", v.RemoteIP),
				slog.String("request_id", v.RequestID))
			return nil
		},
	})
}

// recoverer turns a panic into a 500 and a log line with the stack, so one
// bad request never takes the server down.
func recoverer(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				r := recover()
				if r == nil || r == http.ErrAbortHandler {
					if r != nil {
						panic(r)
					}
					return
				}
				buf := make([]byte, 8<<10)
				buf = buf[:runtime.Stack(buf, false)]
				log.Error("panic serving request", "panic", fmt.Sprint(r), "path", c.Request().URL.Path, "stack", string(buf))
				err = fmt.Errorf("panic: %v", r)
			}()
			return next(c)
		}
	}
}

// securityHeaders sets a strict CSP (no inline script anywhere) and the
// other headers OWASP asks for; with an https base URL, HSTS too, so a
// browser that has been here once never asks over plain http again.
func securityHeaders(hsts bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			// A route that must be embeddable (the reveal) overrides
			// frame-ancestors with web.AllowFraming.
			h := c.Response().Header()
			web.SetSecurityHeaders(h)
			if hsts {
				h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			return next(c)
		}
	}
}
