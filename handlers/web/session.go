package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/alexedwards/scs/gormstore"
	"github.com/alexedwards/scs/v2"
	"github.com/labstack/echo/v4"
	"gorm.io/gorm"
)

// Sessions keeps who a browser is (an organizer, a participant per event) in
// server-side sessions stored in the database, so any instance can serve any
// request and a stolen cookie can be revoked.
type Sessions struct {
	sm      *scs.SessionManager
	store   *gormstore.GORMStore
	db      *gorm.DB
	cleanup time.Duration
}

// SessionOptions configures the session cookie.
type SessionOptions struct {
	// Secure marks the cookie Secure (served over TLS or behind a TLS proxy).
	Secure bool
	// CleanupInterval is how often expired sessions are purged (0: never, for tests).
	CleanupInterval time.Duration
}

// NewSessions builds the session manager on the application database.
func NewSessions(db *gorm.DB, opts SessionOptions) (*Sessions, error) {
	if db.Dialector.Name() == "postgres" {
		// The store creates its table when it is missing. Instances starting
		// together on a new database would each try (all but one then fail
		// with "relation already exists"): they take turns, and the first
		// creates it (DDL is transactional on PostgreSQL) while the others
		// wait, then find it.
		err := db.Transaction(func(tx *gorm.DB) error {
			if err := tx.Exec("SELECT pg_advisory_xact_lock(hashtextextended('retreat:sessions-table', 0))").Error; err != nil {
				return err
			}
			_, err := gormstore.NewWithCleanupInterval(tx, 0)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("session store: %w", err)
		}
	}
	// The store's own cleanup goroutine is not used: StopCleanup races with
	// it (a data race under -race), and purging belongs to the server's
	// background work anyway (RunCleanup).
	store, err := gormstore.NewWithCleanupInterval(db, 0)
	if err != nil {
		return nil, fmt.Errorf("session store: %w", err)
	}
	sm := scs.New()
	sm.Store = store
	// Participants come back over the days of a retreat; a month covers it.
	sm.Lifetime = 30 * 24 * time.Hour
	sm.IdleTimeout = 14 * 24 * time.Hour
	sm.Cookie.Name = "retreat_session"
	sm.Cookie.HttpOnly = true
	sm.Cookie.SameSite = http.SameSiteLaxMode
	sm.Cookie.Secure = opts.Secure
	sm.Cookie.Persist = true
	return &Sessions{sm: sm, store: store, db: db, cleanup: opts.CleanupInterval}, nil
}

// Close stops the background cleanup.
func (s *Sessions) Close() {}

// RunCleanup purges expired sessions every CleanupInterval until ctx ends
// (never when the interval is 0).
func (s *Sessions) RunCleanup(ctx context.Context) {
	if s.cleanup <= 0 {
		return
	}
	t := time.NewTicker(s.cleanup)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// gormstore's table is "sessions" with an "expiry" column.
			if err := s.db.WithContext(ctx).Exec("DELETE FROM sessions WHERE expiry < ?", time.Now()).Error; err != nil && ctx.Err() == nil {
				slog.Warn("purge expired sessions", "err", err)
			}
		}
	}
}

// Middleware loads the session before the handler and commits it just
// before the response header is written. Errors are handled inside, so the
// error page is written while the session is still loaded.
func (s *Sessions) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			var token string
			if ck, err := c.Cookie(s.sm.Cookie.Name); err == nil {
				token = ck.Value
			}
			ctx, err := s.sm.Load(c.Request().Context(), token)
			if err != nil {
				return fmt.Errorf("load session: %w", err)
			}
			c.SetRequest(c.Request().WithContext(context.WithValue(ctx, sessionLoaded{}, true)))
			s.loadCSRF(c)
			res := c.Response()
			res.Header().Add("Vary", "Cookie")
			res.Before(func() {
				s.saveCSRF(c, s.sm.Status(ctx) == scs.Modified)
				switch s.sm.Status(ctx) {
				case scs.Modified:
					tok, expiry, err := s.sm.Commit(ctx)
					if err != nil {
						c.Logger().Errorf("commit session: %v", err)
						return
					}
					s.sm.WriteSessionCookie(ctx, res, tok, expiry)
				case scs.Destroyed:
					s.sm.WriteSessionCookie(ctx, res, "", time.Time{})
				}
			})
			if err := next(c); err != nil {
				c.Error(err)
			}
			if !res.Committed {
				// Nothing was written (a handler returning nil silently):
				// still commit so the cookie is set.
				return c.NoContent(http.StatusNoContent)
			}
			return nil
		}
	}
}

// sessionLoaded marks a request context the middleware loaded a session into.
type sessionLoaded struct{}

const (
	keyOrganizer = "organizer_id"
	keyFlash     = "flash"
)

const participantPrefix = "participant:"

func participantKey(eventID uint) string { return fmt.Sprintf("%s%d", participantPrefix, eventID) }

// OrganizerID returns the signed-in organizer, 0 if none.
func (s *Sessions) OrganizerID(c echo.Context) uint {
	return uint(s.sm.GetInt64(c.Request().Context(), keyOrganizer))
}

// SignInOrganizer records an organizer login under a new session token, so
// a token planted before login (session fixation) is worthless after it.
func (s *Sessions) SignInOrganizer(c echo.Context, id uint) error {
	ctx := c.Request().Context()
	if err := s.sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session token: %w", err)
	}
	s.sm.Put(ctx, keyOrganizer, int64(id))
	s.rotateCSRF(c)
	return nil
}

// SignOutOrganizer forgets the organizer but keeps participant identities
// the same browser may hold.
func (s *Sessions) SignOutOrganizer(c echo.Context) error {
	ctx := c.Request().Context()
	s.sm.Remove(ctx, keyOrganizer)
	if err := s.sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session token: %w", err)
	}
	return nil
}

// ParticipantID returns the participant this browser is in the event, 0 if none.
func (s *Sessions) ParticipantID(c echo.Context, eventID uint) uint {
	return uint(s.sm.GetInt64(c.Request().Context(), participantKey(eventID)))
}

// PeekParticipantID reads which participant the request's session is in
// the event without taking part in the session: nothing is saved back. It
// is for hot read-only routes outside the session middleware (the reveal's
// photos, a thousand phones at once), where saving every session on every
// request would queue a database write per phone.
func (s *Sessions) PeekParticipantID(r *http.Request, eventID uint) (uint, error) {
	ck, err := r.Cookie(s.sm.Cookie.Name)
	if err != nil {
		return 0, nil
	}
	ctx, err := s.sm.Load(r.Context(), ck.Value)
	if err != nil {
		return 0, fmt.Errorf("load session: %w", err)
	}
	return uint(s.sm.GetInt64(ctx, participantKey(eventID))), nil
}

// RefuseParticipant answers 404 to a browser that has joined an event and
// is not signed in as an organizer, when it asks for an event's dashboard
// pages (the URL has :event): a phone of event B asking for event A's
// photos, originals, export or reveal learns nothing, not even that the
// page wants a sign-in, and a phone of A is no different, so its answer
// does not depend on whose the event is. (The error page offers the
// sign-in, for an organizer who joined their own event from this
// browser.) It returns nil for everyone else.
func (s *Sessions) RefuseParticipant(c echo.Context) error {
	if c.Param("event") == "" || s.OrganizerID(c) != 0 || len(s.JoinedEvents(c)) == 0 {
		return nil
	}
	return NewError(http.StatusNotFound, "We couldn't find that page. If you organize this event, sign in first.", nil)
}

// JoinedEvents returns the events this browser has joined, as event id to
// participant id.
func (s *Sessions) JoinedEvents(c echo.Context) map[uint]uint {
	ctx := c.Request().Context()
	joined := map[uint]uint{}
	for _, k := range s.sm.Keys(ctx) {
		rest, ok := strings.CutPrefix(k, participantPrefix)
		if !ok {
			continue
		}
		ev, err := strconv.ParseUint(rest, 10, 32)
		if pid := s.sm.GetInt64(ctx, k); err == nil && pid > 0 {
			joined[uint(ev)] = uint(pid)
		}
	}
	return joined
}

// SignInParticipant remembers that this browser is the participant in the event.
func (s *Sessions) SignInParticipant(c echo.Context, eventID, participantID uint) error {
	ctx := c.Request().Context()
	if err := s.sm.RenewToken(ctx); err != nil {
		return fmt.Errorf("renew session token: %w", err)
	}
	s.sm.Put(ctx, participantKey(eventID), int64(participantID))
	s.rotateCSRF(c)
	return nil
}

// ForgetParticipant removes the participant identity for an event (the
// participant was removed, or the event is gone).
func (s *Sessions) ForgetParticipant(c echo.Context, eventID uint) {
	s.sm.Remove(c.Request().Context(), participantKey(eventID))
}

// Flash stores a one-time notice shown on the next page.
func (s *Sessions) Flash(c echo.Context, msg string) {
	s.FlashContext(c.Request().Context(), msg)
}

// FlashContext is Flash for code that holds only the request's context
// (the resumable-upload hooks); the session is saved when the response
// header is written.
func (s *Sessions) FlashContext(ctx context.Context, msg string) {
	s.sm.Put(ctx, keyFlash, msg)
}

// PopFlash takes the waiting notice, if any.
//
// Requests outside the session middleware (static files, the reveal's
// photos) have no session and so no notice: their error pages must still
// render.
func (s *Sessions) PopFlash(c echo.Context) string {
	if c.Request().Context().Value(sessionLoaded{}) == nil {
		return ""
	}
	return s.sm.PopString(c.Request().Context(), keyFlash)
}
