package handlers_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/labstack/echo/v4"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// logBuffer collects the app's JSON log lines; safe for concurrent writes.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// take returns the lines written so far and forgets them.
func (l *logBuffer) take(t *testing.T) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var lines []map[string]any
	sc := bufio.NewScanner(&l.b)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %v\n%s", err, sc.Text())
		}
		lines = append(lines, m)
	}
	l.b.Reset()
	return lines
}

// TestEveryRequestWritesOneStructuredLogLine sends requests that succeed,
// redirect and are refused in several ways through the real router, and
// checks each leaves exactly one "request" line with its method, path, the
// status the client really got, and the request id the client was sent.
func TestEveryRequestWritesOneStructuredLogLine(t *testing.T) {
	logs := &logBuffer{}
	app := handlertest.New(t, handlertest.Options{Log: slog.New(slog.NewJSONHandler(logs, nil))})
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "UTC")
	p := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	c := app.Client()
	c.Join(ev, "Bea")
	logs.take(t)

	// A handler that panics, behind the real middleware.
	app.Echo.GET("/test/panic", func(echo.Context) error { panic("boom") })

	answer := handlertest.AnswerPath(ev, p)
	for _, tc := range []struct {
		name   string
		send   func() (method, path string, code int, requestID string)
		status int
	}{
		{"ok", get(c, "/healthz"), http.StatusOK},
		{"redirect", get(c, "/dashboard"), http.StatusSeeOther},
		{"unknown join link", get(c, "/j/not-a-token"), http.StatusNotFound},
		{"no route", get(c, "/no/such/page"), http.StatusNotFound},
		// Outside the session middleware, which answers errors itself.
		{"no such reveal photo", get(app.Client(), fmt.Sprintf("/e/%d/live/photos/999", ev.ID)), http.StatusNotFound},
		{"no such static file", get(c, "/static/0/nope.js"), http.StatusNotFound},
		{"panic", get(c, "/test/panic"), http.StatusInternalServerError},
		{"no CSRF token", func() (string, string, int, string) {
			rec := c.PostRaw(answer, "application/x-www-form-urlencoded", strings.NewReader("text=hi"))
			return http.MethodPost, answer, rec.Code, rec.Header().Get(echo.HeaderXRequestID)
		}, http.StatusForbidden},
		{"invalid form", func() (string, string, int, string) {
			rec := c.PostForm(answer, url.Values{"text": {"   "}})
			return http.MethodPost, answer, rec.Code, rec.Header().Get(echo.HeaderXRequestID)
		}, http.StatusUnprocessableEntity},
		{"saved", func() (string, string, int, string) {
			rec := c.PostForm(answer, url.Values{"text": {"A good one"}})
			return http.MethodPost, answer, rec.Code, rec.Header().Get(echo.HeaderXRequestID)
		}, http.StatusSeeOther},
	} {
		t.Run(tc.name, func(t *testing.T) {
			method, path, code, id := tc.send()
			if code != tc.status {
				t.Fatalf("%s %s: got %d, want %d", method, path, code, tc.status)
			}
			if id == "" {
				t.Fatalf("%s %s: no %s header", method, path, echo.HeaderXRequestID)
			}
			var requests []map[string]any
			for _, l := range logs.take(t) {
				if l["msg"] == "request" {
					requests = append(requests, l)
				}
			}
			if len(requests) != 1 {
				t.Fatalf("%s %s wrote %d request lines, want 1: %v", method, path, len(requests), requests)
			}
			l := requests[0]
			level := "INFO"
			if code >= 500 {
				level = "ERROR"
			}
			want := map[string]any{"level": level, "method": method, "path": path, "status": float64(code), "request_id": id}
			for k, v := range want {
				if l[k] != v {
					t.Errorf("log %s = %v, want %v (line %v)", k, l[k], v, l)
				}
			}
			for _, k := range []string{"latency", "ip", "time"} {
				if _, ok := l[k]; !ok {
					t.Errorf("log line has no %s: %v", k, l)
				}
			}
		})
	}
}

// get sends a GET and reports what the log line should say about it.
func get(c *handlertest.Client, path string) func() (string, string, int, string) {
	return func() (string, string, int, string) {
		rec := c.Get(path)
		return http.MethodGet, path, rec.Code, rec.Header().Get(echo.HeaderXRequestID)
	}
}
