package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/models"
	"retreat/models/media"
)

// Error is an error with a status and a message that is safe to show the
// user; the wrapped cause goes to the log only.
type Error struct {
	Status  int
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%d %s: %v", e.Status, e.Message, e.Err)
	}
	return fmt.Sprintf("%d %s", e.Status, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// NewError builds an Error.
func NewError(status int, message string, cause error) *Error {
	return &Error{Status: status, Message: message, Err: cause}
}

// Describe maps an error to the status and safe message a user gets. It is
// the one place that knows how domain errors look over HTTP.
func Describe(err error) (status int, message string) {
	var (
		we  *Error
		he  *echo.HTTPError
		ve  *models.ValidationError
		ref *media.Refusal
	)
	switch {
	case errors.As(err, &we):
		return we.Status, we.Message
	case errors.As(err, &ref):
		return refusalStatus(ref), ref.Message
	case errors.As(err, &ve):
		return http.StatusUnprocessableEntity, firstMessage(ve)
	case errors.Is(err, models.ErrNotFound):
		return http.StatusNotFound, "We couldn't find that. The link may be wrong or out of date."
	case errors.Is(err, models.ErrPromptClosed):
		return http.StatusConflict, "This prompt has closed, so answers can no longer be sent or changed."
	case errors.Is(err, models.ErrNotOpenYet):
		return http.StatusConflict, "This prompt is not open yet. Come back when it opens."
	case errors.Is(err, models.ErrNotAllowed):
		return http.StatusForbidden, "You are not allowed to do that."
	case errors.As(err, &he):
		msg, ok := he.Message.(string)
		if !ok || he.Code >= 500 {
			msg = http.StatusText(he.Code)
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			msg = "That upload is too large."
		}
		if he.Code == http.StatusNotFound && msg == "Not Found" {
			msg = "We couldn't find that page. The link may be wrong or out of date."
		}
		return he.Code, msg
	case errors.Is(err, models.ErrBusy):
		return http.StatusServiceUnavailable, BusyMessage
	case errors.Is(err, context.Canceled):
		return 499, "The request was cancelled."
	}
	return http.StatusInternalServerError, "Something went wrong on our side. Please try again in a moment."
}

func refusalStatus(r *media.Refusal) int {
	switch r.Reason {
	case "too-large":
		return http.StatusRequestEntityTooLarge
	case "not-image", "svg", "unsupported-format":
		return http.StatusUnsupportedMediaType
	}
	return http.StatusUnprocessableEntity
}

func firstMessage(ve *models.ValidationError) string {
	// Prefer a stable order so the same input always gives the same message.
	for _, k := range []string{"name", "email", "password", "title", "kind", "text", "caption", "time_zone", "starts_at", "ends_at", "closes_at", "points"} {
		if m, ok := ve.Fields[k]; ok {
			return m
		}
	}
	for _, m := range ve.Fields {
		return m
	}
	return "Please check what you entered."
}

// WantsJSON reports whether the client asked for JSON (fetch/XHR callers)
// rather than a page.
func WantsJSON(c echo.Context) bool {
	accept := c.Request().Header.Get(echo.HeaderAccept)
	return strings.Contains(accept, echo.MIMEApplicationJSON) && !strings.Contains(accept, echo.MIMETextHTML)
}

// ErrorPage is the data of the error page.
type ErrorPage struct {
	Page
	Status  int
	Message string
	// SignInURL is set on a dashboard error seen by someone not signed
	// in: the way back is to sign in and return to this page.
	SignInURL string
	// Joined lists the events this phone has joined, where a participant
	// who followed a dead link can go instead.
	Joined []models.JoinedEvent
}

// ErrorHandler returns Echo's HTTPErrorHandler: JSON {"error": ...} for API
// callers, an HTML page for browsers; the cause is logged, never shown.
func ErrorHandler(r *Renderer, s *Sessions, log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			log.Warn("error after response was written", "err", err, "path", c.Path())
			return
		}
		status, msg := Describe(err)
		if errors.Is(err, models.ErrBusy) {
			c.Response().Header().Set("Retry-After", BusyRetryAfter)
		}
		if status >= 500 {
			log.Error("request failed", "err", err, "method", c.Request().Method, "path", c.Request().URL.Path,
				"request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		} else {
			log.Debug("request refused", "status", status, "err", err)
		}
		if status == 499 {
			return // the client is gone
		}
		var werr error
		switch {
		case c.Request().Method == http.MethodHead:
			werr = c.NoContent(status)
		case WantsJSON(c):
			werr = c.JSON(status, map[string]string{"error": msg})
		default:
			face := "public"
			p := ErrorPage{Status: status, Message: msg}
			if strings.HasPrefix(c.Request().URL.Path, "/dashboard") {
				face = "organizer"
				if c.Request().Context().Value(sessionLoaded{}) != nil && s.OrganizerID(c) == 0 && c.Request().Method == http.MethodGet {
					p.SignInURL = "/login?next=" + url.QueryEscape(c.Request().URL.RequestURI())
				}
			}
			p.Page = r.NewPage(c, s, face, StatusText(status))
			werr = HTML(c, status, "public/error", p)
		}
		if werr != nil {
			log.Error("write error response", "err", werr)
		}
	}
}
