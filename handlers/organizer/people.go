package organizer

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// registerPeople adds the People section: participants, teams and who runs
// the event. d already requires a signed-in organizer.
func (h *Handler) registerPeople(d *echo.Group) {
	d.GET("/events/:event/people", h.showPeople)
	d.POST("/events/:event/people/:participant", h.renameParticipant)
	d.POST("/events/:event/people/:participant/team", h.moveParticipant)
	d.POST("/events/:event/people/:participant/remove", h.removeParticipant)

	d.POST("/events/:event/teams", h.createTeam)
	d.POST("/events/:event/teams/:team", h.renameTeam)
	d.POST("/events/:event/teams/:team/delete", h.deleteTeam)

	d.POST("/events/:event/invites", h.createInvite)
	d.POST("/events/:event/invites/:invite/revoke", h.revokeInvite)
	d.POST("/events/:event/organizers/:organizer/remove", h.removeCoOrganizer)
}

type peoplePage struct {
	web.Page
	Nav     eventNav
	Event   *models.OrganizerEvent
	CanEdit bool
	// ZoneNote says which zone the times are in; ViewerZone names it for
	// zone.js, which reloads the page once if the browser's differs.
	ZoneNote     string
	ViewerZone   string
	TeamsEnabled bool
	SettingsURL  string
	Teams        []teamRow
	NewTeam      fieldValue
	// TeamError is a refusal about a team as a whole (deleting one with answers).
	TeamError    string
	Participants []participantRow
	Organizers   []organizerRow
	Invites      []inviteRow
	InviteForm   inviteForm
}

// fieldValue is one typed value and the message about it.
type fieldValue struct {
	Value string
	Error string
}

type teamRow struct {
	ID      uint
	Name    string
	Members int
	Answers int
	Rename  fieldValue
	// DeleteConfirm is the question asked before deleting.
	DeleteConfirm string
}

type teamOption struct {
	ID       uint
	Name     string
	Selected bool
}

type participantRow struct {
	ID        uint
	Name      string
	TeamName  string
	Joined    string
	LastSeen  string
	Answers   int
	ReturnURL string
	Rename    fieldValue
	TeamError string
	Teams     []teamOption
	// RemoveConfirm is the question asked before removing.
	RemoveConfirm string
}

// absURL makes a link for sharing: on the configured public address, or
// the one the request came in on.
func (h *Handler) absURL(c echo.Context, path string) string {
	base := h.baseURL
	if base == "" {
		base = c.Scheme() + "://" + c.Request().Host
	}
	return strings.TrimRight(base, "/") + path
}

// loadPeople builds the People page; callers then mark the row a refused
// form belongs to.
func (h *Handler) loadPeople(c echo.Context, ev *models.OrganizerEvent) (*peoplePage, error) {
	ctx := c.Request().Context()
	roster, err := h.store.Roster(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	teams, err := h.store.TeamSummaries(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	orgs, err := h.store.EventOrganizers(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	canEdit := ev.Role.CanEdit()
	now := h.store.Now()
	viewer, home := viewerZone(c, &ev.Event), ev.Location()
	p := &peoplePage{
		Page: h.page(c, "People · "+ev.Name), Nav: navFor(ev, "people"), Event: ev, CanEdit: canEdit,
		ZoneNote: "Times are in " + viewer.String() + ".", ViewerZone: viewer.String(),
		TeamsEnabled: ev.TeamsEnabled, SettingsURL: fmt.Sprintf("/dashboard/events/%d/edit", ev.ID),
		InviteForm: inviteForm{Role: string(models.RoleModerator)},
	}
	for _, t := range teams {
		p.Teams = append(p.Teams, teamRow{ID: t.ID, Name: t.Name, Members: t.Members, Answers: t.Answers,
			Rename: fieldValue{Value: t.Name}, DeleteConfirm: deleteTeamQuestion(t)})
	}
	for _, r := range roster {
		row := participantRow{
			ID: r.ID, Name: r.Name, TeamName: r.TeamName, Answers: r.Answers,
			Joined:   web.When(r.CreatedAt, viewer, home, now),
			LastSeen: web.When(r.LastSeenAt, viewer, home, now),
			Rename:   fieldValue{Value: r.Name},
			RemoveConfirm: fmt.Sprintf("Remove %s from the event? Their %s and photos are deleted for good; team answers they sent stay with their team.",
				r.Name, howMany(r.Answers, "answer", "answers")),
		}
		if canEdit {
			// A personal link lets its holder act as the participant, so
			// only people who may change the event see it.
			row.ReturnURL = h.absURL(c, "/r/"+r.ReturnToken)
			for _, t := range teams {
				row.Teams = append(row.Teams, teamOption{ID: t.ID, Name: t.Name, Selected: r.TeamID != nil && *r.TeamID == t.ID})
			}
		}
		p.Participants = append(p.Participants, row)
	}
	for _, o := range orgs {
		p.Organizers = append(p.Organizers, organizerRow{ID: o.OrganizerID, Name: o.Name, Email: o.Email,
			Role: string(o.Role), Removable: canEdit && o.Role != models.RoleOwner,
			RemoveConfirm: fmt.Sprintf("Take %s off this event? They will no longer see it.", o.Name)})
	}
	if canEdit {
		if p.Invites, err = h.inviteRows(c, ev, viewer, now); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// howMany counts things in words: "1 answer", "3 answers".
func howMany(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func deleteTeamQuestion(t models.TeamSummary) string {
	if t.Members == 0 {
		return fmt.Sprintf("Delete the team %s?", t.Name)
	}
	return fmt.Sprintf("Delete the team %s? Its %s will have no team until they pick or are given another.",
		t.Name, howMany(t.Members, "member", "members"))
}

func (h *Handler) showPeople(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	p, err := h.loadPeople(c, ev)
	if err != nil {
		return err
	}
	return web.HTML(c, http.StatusOK, "organizer/people", p)
}

// refusePeople shows the People page again with a message put in place by
// mark, with status.
func (h *Handler) refusePeople(c echo.Context, ev *models.OrganizerEvent, status int, mark func(*peoplePage)) error {
	p, err := h.loadPeople(c, ev)
	if err != nil {
		return err
	}
	mark(p)
	return web.HTML(c, status, "organizer/people", p)
}

func (h *Handler) peopleURL(ev *models.OrganizerEvent, anchor string) string {
	return fmt.Sprintf("/dashboard/events/%d/people#%s", ev.ID, anchor)
}

// eventParticipant loads the participant in the URL, from this event only.
func (h *Handler) eventParticipant(c echo.Context, ev *models.OrganizerEvent) (*models.Participant, error) {
	id, err := idParam(c, "participant")
	if err != nil {
		return nil, err
	}
	return h.store.EventParticipant(c.Request().Context(), ev.ID, id)
}

// validationMessage is the message of a validation error for field, or
// its first message.
func validationMessage(err error, field string) (string, bool) {
	var ve *models.ValidationError
	if !errors.As(err, &ve) {
		return "", false
	}
	if m, ok := ve.Fields[field]; ok {
		return m, true
	}
	_, m := web.Describe(err)
	return m, true
}

func (h *Handler) renameParticipant(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	pa, err := h.eventParticipant(c, ev)
	if err != nil {
		return err
	}
	typed := c.FormValue("name")
	old := pa.Name
	err = h.store.RenameParticipant(c.Request().Context(), pa, typed)
	if msg, ok := validationMessage(err, "name"); ok {
		return h.refusePeople(c, ev, http.StatusUnprocessableEntity, func(p *peoplePage) {
			for i := range p.Participants {
				if p.Participants[i].ID == pa.ID {
					p.Participants[i].Rename = fieldValue{Value: typed, Error: msg}
				}
			}
		})
	}
	if err != nil {
		return err
	}
	h.sessions.Flash(c, fmt.Sprintf("%s is now called %s.", old, pa.Name))
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, fmt.Sprintf("participant-%d", pa.ID)))
}

func (h *Handler) moveParticipant(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	pa, err := h.eventParticipant(c, ev)
	if err != nil {
		return err
	}
	var teamID uint
	if v := c.FormValue("team"); v != "" {
		n, perr := strconv.ParseUint(v, 10, 32)
		if perr != nil {
			return web.NewError(http.StatusNotFound, "We couldn't find that team.", perr)
		}
		teamID = uint(n)
	}
	err = h.store.SetParticipantTeam(c.Request().Context(), &ev.Event, pa, teamID)
	if msg, ok := validationMessage(err, "team"); ok {
		return h.refusePeople(c, ev, http.StatusUnprocessableEntity, func(p *peoplePage) {
			for i := range p.Participants {
				if p.Participants[i].ID == pa.ID {
					p.Participants[i].TeamError = msg
				}
			}
		})
	}
	if errors.Is(err, models.ErrNotFound) {
		return web.NewError(http.StatusNotFound, "We couldn't find that team.", err)
	}
	if err != nil {
		return err
	}
	msg := pa.Name + " has no team now."
	if pa.TeamID != nil {
		t, err := h.store.EventTeam(c.Request().Context(), ev.ID, *pa.TeamID)
		if err != nil {
			return err
		}
		msg = pa.Name + " is now in " + t.Name + "."
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, fmt.Sprintf("participant-%d", pa.ID)))
}

func (h *Handler) removeParticipant(c echo.Context) error {
	ev, err := h.editableEvent(c)
	if err != nil {
		return err
	}
	pa, err := h.eventParticipant(c, ev)
	if err != nil {
		return err
	}
	r, err := h.store.RemoveParticipant(c.Request().Context(), h.photos, pa)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("%s was removed with %s.", r.Name, howMany(r.Deleted, "answer", "answers"))
	if r.KeptForTeam > 0 {
		msg += fmt.Sprintf(" %s they sent stayed with their team.", howMany(r.KeptForTeam, "team answer", "team answers"))
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, h.peopleURL(ev, "participants"))
}
