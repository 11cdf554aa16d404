package organizer

import (
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// registerInvites adds the public invite pages: someone opening an invite
// link may not have an account yet.
func (h *Handler) registerInvites(g *echo.Group) {
	g.GET("/invite/:token", h.showInvite)
	g.POST("/invite/:token", h.acceptInvite)
	g.POST("/invite/:token/account", h.acceptInviteWithAccount)
}

type organizerRow struct {
	ID            uint
	Name          string
	Email         string
	Role          string
	Removable     bool
	RemoveConfirm string
}

type inviteRow struct {
	ID      uint
	Email   string
	Role    string
	URL     string
	Expires string
	Expired bool
}

type inviteForm struct {
	Email  string
	Role   string
	Errors map[string]string
}

func (h *Handler) inviteRows(c echo.Context, ev *models.OrganizerEvent, viewer *time.Location, now time.Time) ([]inviteRow, error) {
	list, err := h.store.PendingInvites(c.Request().Context(), ev.ID)
	if err != nil {
		return nil, err
	}
	rows := make([]inviteRow, 0, len(list))
	for _, in := range list {
		r := inviteRow{ID: in.ID, Email: in.Email, Role: string(in.Role), URL: h.absURL(c, in.Path()),
			Expired: !now.Before(in.ExpiresAt)}
		r.Expires = "works until " + web.When(in.ExpiresAt, viewer, ev.Location(), now)
		if r.Expired {
			r.Expires = "expired " + web.When(in.ExpiresAt, viewer, ev.Location(), now)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func (h *Handler) createInvite(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	f := inviteForm{Email: c.FormValue("email"), Role: c.FormValue("role")}
	inv, err := h.store.CreateInvite(c.Request().Context(), &ev.Event, h.organizer(c).ID,
		models.InviteInput{Email: f.Email, Role: models.Role(f.Role)})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		return h.refusePeople(c, ev, http.StatusUnprocessableEntity, func(p *peoplePage) {
			f.Errors = ve.Fields
			p.InviteForm = f
		})
	}
	if err != nil {
		return err
	}
	h.sessions.Flash(c, fmt.Sprintf("Invitation for %s created. Copy its link below and send it to them; it works for 7 days.", inv.Email))
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, "organizers"))
}

func (h *Handler) revokeInvite(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "invite")
	if err != nil {
		return err
	}
	if err := h.store.RevokeInvite(c.Request().Context(), ev.ID, id); err != nil {
		return err
	}
	h.sessions.Flash(c, "Invitation withdrawn. Its link no longer works.")
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, "organizers"))
}

func (h *Handler) removeCoOrganizer(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "organizer")
	if err != nil {
		return err
	}
	err = h.store.RemoveEventOrganizer(c.Request().Context(), ev.ID, id)
	if errors.Is(err, models.ErrOwnerStays) {
		return web.NewError(http.StatusForbidden, "The event's owner can't be removed from it.", err)
	}
	if err != nil {
		return err
	}
	if id == h.organizer(c).ID {
		h.sessions.Flash(c, "You left "+ev.Name+".")
		return c.Redirect(http.StatusSeeOther, "/dashboard")
	}
	h.sessions.Flash(c, "Removed from the event. They can no longer open it.")
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, "organizers"))
}

// invitePage is the page an invite link opens.
type invitePage struct {
	web.Page
	Token     string
	EventName string
	RoleLabel string
	RoleNote  string
	Email     string
	InvitedBy string
	// Expires is in the browser's zone (ViewerZone, for zone.js).
	Expires    string
	ViewerZone string
	// SignedInAs is the signed-in account ("Bo (bo@example.com)"), if any.
	SignedInAs   string
	EmailDiffers bool
	// HasAccount: the invited email has an account, so signing in is the way.
	HasAccount bool
	LoginURL   string
	Form       accountForm
	Errors     map[string]string
}

// inviteError turns a stale or wrong invite into the page its holder sees.
func inviteError(err error) error {
	switch {
	case errors.Is(err, models.ErrInviteExpired):
		return web.NewError(http.StatusGone, "This invitation has expired (invitations work for 7 days). Ask the organizer who sent it for a new one.", err)
	case errors.Is(err, models.ErrInviteUsed):
		return web.NewError(http.StatusGone, "This invitation was already used. Sign in to open the event, or ask for a new invitation.", err)
	case errors.Is(err, models.ErrNotFound):
		return web.NewError(http.StatusNotFound, "This invitation link doesn't work. It may have been withdrawn or replaced by a newer one: ask the organizer who sent it.", err)
	}
	return err
}

// signedInOrganizer returns the signed-in organizer outside the dashboard
// group (nil if none), and makes the page chrome show them.
func (h *Handler) signedInOrganizer(c echo.Context) *models.Organizer {
	id := h.sessions.OrganizerID(c)
	if id == 0 {
		return nil
	}
	o, err := h.store.Organizer(c.Request().Context(), id)
	if err != nil {
		return nil
	}
	c.Set(keyOrganizer, o)
	return o
}

func roleText(r models.Role) (label, note string) {
	if r == models.RoleOrganizer {
		return "an organizer", "Organizers change the event, its prompts and its people, review answers and export."
	}
	return "a moderator", "Moderators review answers and award points, but don't change the event or export it."
}

func (h *Handler) renderInvite(c echo.Context, status int, d *models.InviteDetail, f accountForm, errs map[string]string) error {
	ctx := c.Request().Context()
	ev, err := h.store.Event(ctx, d.EventID)
	if err != nil {
		return err
	}
	p := invitePage{Token: d.Token, EventName: d.EventName, Email: d.Email, InvitedBy: d.InvitedByName,
		LoginURL: "/login?next=" + urlQueryEscape(d.Path()), Form: f, Errors: errs}
	p.RoleLabel, p.RoleNote = roleText(d.Role)
	o := h.signedInOrganizer(c)
	p.Page = h.page(c, "Invitation to "+d.EventName)
	viewer := viewerZone(c, ev)
	// The person invited may be anywhere: name the zone the time is in.
	p.Expires = web.When(d.ExpiresAt, viewer, viewer, h.store.Now()) + ", " + models.ZoneCity(viewer.String()) + " time"
	p.ViewerZone = viewer.String()
	if o != nil {
		p.SignedInAs = fmt.Sprintf("%s (%s)", o.Name, o.Email)
		p.EmailDiffers = o.Email != d.Email
	} else if _, err := h.store.OrganizerByEmail(ctx, d.Email); err == nil {
		p.HasAccount = true
	} else if !errors.Is(err, models.ErrNotFound) {
		return err
	}
	return web.HTML(c, status, "organizer/invite", p)
}

func (h *Handler) showInvite(c echo.Context) error {
	d, err := h.store.InviteByToken(c.Request().Context(), c.Param("token"))
	if err != nil {
		return inviteError(err)
	}
	return h.renderInvite(c, http.StatusOK, d, accountForm{}, nil)
}

// acceptInvite adds the signed-in organizer to the event.
func (h *Handler) acceptInvite(c echo.Context) error {
	o := h.signedInOrganizer(c)
	if o == nil {
		return c.Redirect(http.StatusSeeOther, "/login?next="+urlQueryEscape("/invite/"+c.Param("token")))
	}
	inv, err := h.store.AcceptInvite(c.Request().Context(), c.Param("token"), o.ID)
	if err != nil {
		return inviteError(err)
	}
	return h.welcomeToEvent(c, inv)
}

func (h *Handler) welcomeToEvent(c echo.Context, inv *models.Invite) error {
	ev, err := h.store.EventForOrganizer(c.Request().Context(), *inv.AcceptedByID, inv.EventID)
	if err != nil {
		return err
	}
	label, _ := roleText(ev.Role)
	if ev.Role == models.RoleOwner {
		label = "its owner"
	}
	h.sessions.Flash(c, fmt.Sprintf("You help run %s as %s.", ev.Name, label))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d", ev.ID))
}

// acceptInviteWithAccount creates an account for the invited email, signs
// it in and adds it to the event.
func (h *Handler) acceptInviteWithAccount(c echo.Context) error {
	ctx := c.Request().Context()
	token := c.Param("token")
	f := accountForm{Name: c.FormValue("name"), Password: c.FormValue("password")}
	o, inv, err := h.store.AcceptInviteWithAccount(ctx, token, models.NewOrganizer{Name: f.Name, Password: f.Password})
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		d, derr := h.store.InviteByToken(ctx, token)
		if derr != nil {
			return inviteError(derr)
		}
		f.Password = ""
		return h.renderInvite(c, http.StatusUnprocessableEntity, d, f, ve.Fields)
	}
	if err != nil {
		return inviteError(err)
	}
	if err := h.sessions.SignInOrganizer(c, o.ID); err != nil {
		return err
	}
	return h.welcomeToEvent(c, inv)
}
