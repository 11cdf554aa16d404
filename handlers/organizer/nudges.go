package organizer

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/nudge"
)

// SetNudges gives the dashboard what it needs to send nudges; without it
// the nudges page still lists who has not answered, with links for chat.
func (h *Handler) SetNudges(n *nudge.Sender) { h.nudges = n }

// registerNudges adds the Nudges section. Everyone who manages the event
// may see who has not answered an open prompt; only owners and organizers
// see personal links and send email, because a personal link signs in as
// that participant, which a moderator should not be able to do.
func (h *Handler) registerNudges(d *echo.Group) {
	d.GET("/events/:event/nudges", h.showNudges)
	d.POST("/events/:event/nudges", h.sendNudges)
}

type nudgesPage struct {
	web.Page
	Nav   eventNav
	Event *models.OrganizerEvent
	// CanSend: owner or organizer (links and email).
	CanSend bool
	EmailOn bool
	From    string
	Error   string
	Prompts []nudgePrompt
	// Missing counts (prompt, person) pairs; Sendable those an email
	// nudge can go to now.
	Missing  int
	Sendable int
}

type nudgePrompt struct {
	ID      uint
	Title   string
	Closes  string
	Daily   bool
	People  []nudgePerson
	Emails  int
	Chat    string
	ChatRow int // textarea height
}

type nudgePerson struct {
	// Key is the checkbox value, "<prompt>:<participant>".
	Key       string
	Name      string
	Team      string
	HasEmail  bool
	LocalTime string
	Night     bool
	Closes    string
	// Nudged says when the last nudge went ("" if none in 12 h); such a
	// person cannot be nudged again about this prompt yet.
	Nudged  string
	Checked bool
	Link    string
}

func (h *Handler) showNudges(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	p, err := h.loadNudges(c, ev)
	if err != nil {
		return err
	}
	return web.HTML(c, http.StatusOK, "organizer/nudges", p)
}

func (h *Handler) loadNudges(c echo.Context, ev *models.OrganizerEvent) (*nudgesPage, error) {
	ctx := c.Request().Context()
	now := h.store.Now()
	gaps, err := h.store.Unanswered(ctx, &ev.Event, now)
	if err != nil {
		return nil, err
	}
	recent, err := h.store.LastNudges(ctx, ev.ID, now.Add(-models.NudgeQuietPeriod))
	if err != nil {
		return nil, err
	}
	teams, err := h.store.Teams(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	teamNames := make(map[uint]string, len(teams))
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}
	p := &nudgesPage{
		Page: h.page(c, "Nudges · "+ev.Name), Nav: navFor(ev, "nudges"), Event: ev,
		CanSend: ev.Role.CanEdit(), EmailOn: h.nudges.EmailEnabled(), From: h.nudges.From(),
	}
	viewer, home := viewerZone(c, &ev.Event), ev.Location()
	for _, g := range gaps {
		// Gaps come prompt by prompt, so a new prompt starts a new group.
		if n := len(p.Prompts); n == 0 || p.Prompts[n-1].ID != g.Prompt.ID {
			p.Prompts = append(p.Prompts, nudgePrompt{ID: g.Prompt.ID, Title: g.Prompt.Title,
				Daily: g.Prompt.Schedule == models.ScheduleDaily, Closes: web.When(g.Closes, viewer, home, now)})
		}
		np := &p.Prompts[len(p.Prompts)-1]
		pa := g.Participant
		zone := pa.Location()
		person := nudgePerson{
			Key: fmt.Sprintf("%d:%d", g.Prompt.ID, pa.ID), Name: pa.Name, HasEmail: pa.Email != "",
			LocalTime: now.In(zone).Format("15:04") + " in " + models.ZoneCity(pa.TimeZone),
			Night:     nudge.Quiet(now, zone), Closes: "closes " + web.Until(g.Closes, now),
		}
		if pa.TeamID != nil {
			person.Team = teamNames[*pa.TeamID]
		}
		if at, ok := recent[models.NudgeKey{PromptID: g.Prompt.ID, ParticipantID: pa.ID}]; ok {
			person.Nudged = "emailed " + ago(now.Sub(at))
		}
		if p.CanSend {
			person.Link = h.absURL(c, "/r/"+pa.ReturnToken)
		}
		person.Checked = p.EmailOn && p.CanSend && person.HasEmail && person.Nudged == ""
		if person.Checked {
			np.Emails++
			p.Sendable++
		}
		np.People = append(np.People, person)
		p.Missing++
	}
	for i := range p.Prompts {
		np := &p.Prompts[i]
		var b strings.Builder
		fmt.Fprintf(&b, "%q is still open for you. Answer it with your personal link:\n", np.Title)
		for _, person := range np.People {
			fmt.Fprintf(&b, "%s — %s\n", person.Name, person.Link)
		}
		np.Chat = strings.TrimRight(b.String(), "\n")
		np.ChatRow = min(len(np.People)+1, 8)
	}
	return p, nil
}

// ago says how long ago something was, roughly: "5 min ago", "3 h ago".
func ago(d time.Duration) string {
	switch {
	case d.Minutes() < 1:
		return "just now"
	case d.Hours() < 1:
		return strconv.Itoa(int(d.Minutes())) + " min ago"
	default:
		return strconv.Itoa(int(d.Hours())) + " h ago"
	}
}

func (h *Handler) sendNudges(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	if !ev.Role.CanEdit() {
		return web.NewError(http.StatusForbidden, "Moderators can see who hasn't answered, but only owners and organizers send nudges: they carry personal links.", nil)
	}
	form, err := c.FormParams()
	if err != nil {
		return web.NewError(http.StatusBadRequest, "We couldn't read that form.", err)
	}
	var picks []models.NudgeKey
	for _, v := range form["nudge"] {
		var k models.NudgeKey
		if _, err := fmt.Sscanf(v, "%d:%d", &k.PromptID, &k.ParticipantID); err == nil {
			picks = append(picks, k)
		}
	}
	refuse := func(msg string) error {
		p, err := h.loadNudges(c, ev)
		if err != nil {
			return err
		}
		p.Error = msg
		return web.HTML(c, http.StatusUnprocessableEntity, "organizer/nudges", p)
	}
	if !h.nudges.EmailEnabled() {
		return refuse("Email is not set up on this server (RETREAT_SMTP_HOST), so nudges can't be emailed. Copy the links below into your chat instead.")
	}
	if len(picks) == 0 {
		return refuse("Tick at least one person to nudge.")
	}
	out, err := h.nudges.SendPicks(c.Request().Context(), &ev.Event, picks, h.absURL(c, ""), h.organizer(c).ID)
	if errors.Is(err, nudge.ErrEmailOff) {
		return refuse("Email is not set up on this server, so nudges can't be emailed.")
	}
	if err != nil {
		return err
	}
	h.sessions.Flash(c, nudgeSummary(out))
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/dashboard/events/%d/nudges", ev.ID))
}

// nudgeSummary tells the organizer what happened, in one line.
func nudgeSummary(o nudge.Outcome) string {
	var parts []string
	if o.Sent > 0 {
		parts = append(parts, fmt.Sprintf("Sent %d %s in %d %s.", o.Sent, countWord(o.Sent, "reminder", "reminders"), o.Emails, countWord(o.Emails, "email", "emails")))
	} else {
		parts = append(parts, "No email was sent.")
	}
	if o.Failed > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be sent: the mail server refused or could not be reached (see the server log).", o.Failed))
	}
	if o.Recent > 0 {
		parts = append(parts, fmt.Sprintf("%d %s nudged about that prompt in the last 12 hours, so %s skipped.", o.Recent, countWord(o.Recent, "was", "were"), countWord(o.Recent, "it was", "they were")))
	}
	if o.NoEmail > 0 {
		parts = append(parts, fmt.Sprintf("%d %s no email: copy %s link into chat.", o.NoEmail, countWord(o.NoEmail, "person has", "people have"), countWord(o.NoEmail, "their", "their")))
	}
	if o.Answered > 0 {
		parts = append(parts, fmt.Sprintf("%d answered or closed meanwhile.", o.Answered))
	}
	return strings.Join(parts, " ")
}

func countWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
