package organizer

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// homePage is the landing page at /.
type homePage struct {
	web.Page
	SignedIn bool
	// Joined are the events this phone has joined: a participant who
	// lost their tab finds their prompts here.
	Joined []models.JoinedEvent
}

// showHome sends a fresh install to setup; otherwise it explains where
// participants and organizers go.
func (h *Handler) showHome(c echo.Context) error {
	n, err := h.store.OrganizerCount(c.Request().Context())
	if err != nil {
		return err
	}
	if n == 0 {
		return c.Redirect(http.StatusSeeOther, "/setup")
	}
	p := homePage{Page: h.web.NewPage(c, h.sessions, "public", "Retreat"), SignedIn: h.sessions.OrganizerID(c) != 0}
	if p.Joined, err = h.store.JoinedEvents(c.Request().Context(), h.sessions.JoinedEvents(c)); err != nil {
		return err
	}
	return web.HTML(c, http.StatusOK, "public/home", p)
}

// accountForm is the setup and login form.
type accountForm struct {
	Email    string
	Name     string
	Password string
	Next     string
}

type setupPage struct {
	web.Page
	Form   accountForm
	Errors map[string]string
}

func (h *Handler) setupDone(c echo.Context) (bool, error) {
	n, err := h.store.OrganizerCount(c.Request().Context())
	return n > 0, err
}

// showSetup offers to create the first organizer, only while there is none.
func (h *Handler) showSetup(c echo.Context) error {
	done, err := h.setupDone(c)
	if err != nil {
		return err
	}
	if done {
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	return web.HTML(c, http.StatusOK, "organizer/setup", setupPage{Page: h.page(c, "Set up Retreat")})
}

func (h *Handler) saveSetup(c echo.Context) error {
	done, err := h.setupDone(c)
	if err != nil {
		return err
	}
	if done {
		return web.NewError(http.StatusForbidden, "Retreat is already set up. Sign in, or ask an organizer to invite you.", nil)
	}
	f := accountForm{Email: c.FormValue("email"), Name: c.FormValue("name"), Password: c.FormValue("password")}
	o, err := h.store.CreateFirstOrganizer(c.Request().Context(), models.NewOrganizer{Email: f.Email, Name: f.Name, Password: f.Password})
	var ve *models.ValidationError
	switch {
	case errors.As(err, &ve):
		f.Password = ""
		return web.HTML(c, http.StatusUnprocessableEntity, "organizer/setup", setupPage{Page: h.page(c, "Set up Retreat"), Form: f, Errors: ve.Fields})
	case errors.Is(err, models.ErrNotAllowed):
		return web.NewError(http.StatusForbidden, "Retreat is already set up. Sign in, or ask an organizer to invite you.", err)
	case err != nil:
		return err
	}
	if err := h.sessions.SignInOrganizer(c, o.ID); err != nil {
		return err
	}
	h.sessions.Flash(c, "Welcome, "+o.Name+". Create your first event.")
	return c.Redirect(http.StatusSeeOther, "/dashboard/events/new")
}

type loginPage struct {
	web.Page
	Form  accountForm
	Error string
}

func (h *Handler) showLogin(c echo.Context) error {
	if h.sessions.OrganizerID(c) != 0 {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	p := loginPage{Page: h.page(c, "Sign in"), Form: accountForm{Next: c.QueryParam("next")}}
	return web.HTML(c, http.StatusOK, "organizer/login", p)
}

func (h *Handler) login(c echo.Context) error {
	f := accountForm{Email: c.FormValue("email"), Password: c.FormValue("password"), Next: c.FormValue("next")}
	// Over the limit, even the right password is refused: otherwise a
	// guesser would learn which guess was right.
	// The attempt is counted before the password is checked, so parallel
	// guesses cannot all get in under the limit.
	attempt, err := h.limiter.Begin(c, f.Email)
	if err != nil {
		var we *web.Error
		if !errors.As(err, &we) {
			return err
		}
		f.Password = ""
		p := loginPage{Page: h.page(c, "Sign in"), Form: f, Error: we.Message}
		return web.HTML(c, we.Status, "organizer/login", p)
	}
	o, err := h.store.Authenticate(c.Request().Context(), f.Email, f.Password)
	switch {
	case errors.Is(err, models.ErrBadCredentials):
		// The attempt stays counted: that is the failure.
		f.Password = ""
		p := loginPage{Page: h.page(c, "Sign in"), Form: f, Error: "That email and password don't match an organizer account."}
		return web.HTML(c, http.StatusUnauthorized, "organizer/login", p)
	case errors.Is(err, models.ErrBusy):
		// No password was checked, so nothing failed: the attempt is
		// taken back and the form comes back to be sent again.
		if err := attempt.Abandon(); err != nil {
			return err
		}
		c.Response().Header().Set("Retry-After", web.BusyRetryAfter)
		f.Password = ""
		p := loginPage{Page: h.page(c, "Sign in"), Form: f, Error: web.BusyMessage}
		return web.HTML(c, http.StatusServiceUnavailable, "organizer/login", p)
	case err != nil:
		return err
	}
	if err := attempt.Succeeded(o.ID); err != nil {
		return err
	}
	if err := h.sessions.SignInOrganizer(c, o.ID); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, safeNext(f.Next))
}

func (h *Handler) logout(c echo.Context) error {
	if err := h.sessions.SignOutOrganizer(c); err != nil {
		return err
	}
	h.sessions.Flash(c, "You are signed out.")
	return c.Redirect(http.StatusSeeOther, "/login")
}

// safeNext keeps post-login redirects on this site: only a local path is
// followed. Browsers read "//evil.example" and "/\evil" as another host,
// and drop tabs and newlines anywhere in a URL ("/\t/evil.example" is
// "//evil.example" to them), so any control character, space or backslash
// is refused outright before the rest is parsed.
func safeNext(next string) string {
	const home = "/dashboard"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return home
	}
	for _, r := range next {
		if r <= ' ' || r == 0x7f || r == '\\' {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return home
	}
	return next
}
