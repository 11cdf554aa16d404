package organizer

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// feedSize is how many answers the activity feed shows at first.
const feedSize = 20

type progressPage struct {
	web.Page
	Nav      eventNav
	Event    *models.OrganizerEvent
	ZoneNote string
	// ViewerZone is the zone times are in (zone.js reloads if the browser's differs).
	ViewerZone string
	Prompts    []progressPrompt
	Rows       []progressRow
	// Totals.
	People   int
	Answers  int
	Pending  int
	Feed     []feedItem
	FeedURL  string
	LastID   uint
	ReviewTo string
}

type progressPrompt struct {
	ID      uint
	Title   string
	Team    bool
	Answers int
	URL     string
}

type progressRow struct {
	Name     string
	Team     string
	Cells    []progressCell
	Done     int
	Points   int
	Activity string
}

// progressCell is one person's answer to one prompt, or nothing.
type progressCell struct {
	Done     bool
	ThumbURL string
	// Label describes the cell for screen readers and the tooltip.
	Label   string
	URL     string
	Hidden  bool
	Starred bool
	// ViaTeam: a teammate answered this team prompt for the team.
	ViaTeam bool
	// LateNote says what a late answer earns ("" if on time).
	LateNote string
}

// feedItem is one new answer in the live activity feed (also its JSON).
type feedItem struct {
	ID       uint   `json:"id"`
	Name     string `json:"name"`
	Prompt   string `json:"prompt"`
	ThumbURL string `json:"thumb_url,omitempty"`
	Text     string `json:"text,omitempty"`
	When     string `json:"when"`
	Hidden   bool   `json:"hidden"`
	URL      string `json:"url"`
	// Late: sent in the grace window after the prompt closed; LateNote
	// says what it earns.
	Late     bool   `json:"late"`
	LateNote string `json:"late_note,omitempty"`
}

type feedResponse struct {
	Items  []feedItem `json:"items"`
	LastID uint       `json:"last_id"`
}

func (h *Handler) showProgress(c echo.Context) error {
	ctx := c.Request().Context()
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	prompts, err := h.store.Prompts(ctx, ev.ID)
	if err != nil {
		return err
	}
	people, err := h.store.Participants(ctx, ev.ID)
	if err != nil {
		return err
	}
	subs, err := h.store.EventSubmissions(ctx, ev.ID)
	if err != nil {
		return err
	}
	board, err := h.store.Leaderboard(ctx, ev.ID, nil)
	if err != nil {
		return err
	}
	counts, err := h.store.ReviewCounts(ctx, ev.ID, models.ReviewFilter{})
	if err != nil {
		return err
	}
	feed, err := h.store.FeedAfter(ctx, ev.ID, 0, feedSize)
	if err != nil {
		return err
	}
	teams, err := h.store.Teams(ctx, ev.ID)
	if err != nil {
		return err
	}
	now, viewer := h.store.Now(), viewerZone(c, &ev.Event)
	page := progressPage{
		Page: h.page(c, "Progress · "+ev.Name), Nav: navFor(ev, "progress"), Event: ev,
		ZoneNote: zoneNote(viewer, &ev.Event), ViewerZone: viewer.String(),
		People: len(people), Answers: counts.Total, Pending: counts.Pending,
		FeedURL:  fmt.Sprintf("/dashboard/events/%d/progress/feed", ev.ID),
		ReviewTo: fmt.Sprintf("/dashboard/events/%d/review?state=%s", ev.ID, models.ReviewPending),
	}
	teamNames := map[uint]string{}
	for _, t := range teams {
		teamNames[t.ID] = t.Name
	}

	// Who answered what: a person's own answers by prompt, and team
	// answers by team, shown on every member's row.
	type key struct{ owner, prompt uint }
	own, byTeam := map[key]*models.SubmissionWithName{}, map[key]*models.SubmissionWithName{}
	latest := map[uint]time.Time{}
	perPrompt := map[uint]int{}
	for i := range subs {
		s := &subs[i]
		perPrompt[s.PromptID]++
		own[key{s.ParticipantID, s.PromptID}] = s
		if s.TeamID != nil && strings.HasPrefix(s.OwnerKey, "t") {
			byTeam[key{*s.TeamID, s.PromptID}] = s
		}
		if s.UpdatedAt.After(latest[s.ParticipantID]) {
			latest[s.ParticipantID] = s.UpdatedAt
		}
	}
	points := map[uint]int{}
	for _, st := range board.People {
		points[st.ID] = st.Points
	}
	for _, p := range prompts {
		page.Prompts = append(page.Prompts, progressPrompt{ID: p.ID, Title: p.Title, Team: p.TeamPrompt, Answers: perPrompt[p.ID],
			URL: fmt.Sprintf("/dashboard/events/%d/review?prompt=%d&view=grid", ev.ID, p.ID)})
	}
	for _, pa := range people {
		row := progressRow{Name: pa.Name, Points: points[pa.ID]}
		if pa.TeamID != nil {
			row.Team = teamNames[*pa.TeamID]
		}
		for _, p := range prompts {
			s := own[key{pa.ID, p.ID}]
			via := false
			if p.TeamPrompt && pa.TeamID != nil {
				s = byTeam[key{*pa.TeamID, p.ID}]
				via = s != nil && s.ParticipantID != pa.ID
			}
			row.Cells = append(row.Cells, h.progressCell(ev, &pa, &p, s, via))
			if s != nil {
				row.Done++
			}
		}
		last := pa.LastSeenAt
		if latest[pa.ID].After(last) {
			last = latest[pa.ID]
		}
		row.Activity = web.When(last, viewer, ev.Location(), now)
		page.Rows = append(page.Rows, row)
	}
	for _, it := range feed {
		page.Feed = append(page.Feed, h.feedItem(ev, &it, viewer, now))
	}
	if len(feed) > 0 {
		page.LastID = feed[0].ID
	}
	return web.HTML(c, http.StatusOK, "organizer/progress", page)
}

func (h *Handler) progressCell(ev *models.OrganizerEvent, pa *models.Participant, p *models.Prompt, s *models.SubmissionWithName, via bool) progressCell {
	if s == nil {
		return progressCell{Label: pa.Name + ": no answer to " + p.Title}
	}
	cell := progressCell{Done: true, Hidden: s.Hidden, Starred: s.Starred, ViaTeam: via,
		URL:   fmt.Sprintf("/dashboard/events/%d/review?prompt=%d#sub-%d", ev.ID, p.ID, s.ID),
		Label: pa.Name + " answered " + p.Title}
	if via {
		cell.Label = s.ParticipantName + " answered " + p.Title + " for the team"
	}
	if s.HasPhoto() {
		cell.ThumbURL = fmt.Sprintf("/dashboard/events/%d/photos/%d/%s", ev.ID, s.ID, media.Thumb)
	} else if s.Text != "" {
		cell.Label += ": " + clipText(s.Text, 120)
	}
	if s.Late {
		cell.LateNote = lateNote(p.LatePercent)
		cell.Label += " (" + cell.LateNote + ")"
	}
	if s.Hidden {
		cell.Label += " (hidden)"
	}
	return cell
}

// feedItem makes a feed row ready to print.
func (h *Handler) feedItem(ev *models.OrganizerEvent, it *models.FeedItem, viewer *time.Location, now time.Time) feedItem {
	f := feedItem{ID: it.ID, Name: it.ParticipantName, Prompt: it.PromptTitle, Hidden: it.Hidden, Late: it.Late,
		When: web.When(it.CreatedAt, viewer, ev.Location(), now),
		URL:  fmt.Sprintf("/dashboard/events/%d/review?prompt=%d#sub-%d", ev.ID, it.PromptID, it.ID)}
	if it.Late {
		f.LateNote = lateNote(it.LatePercent)
	}
	if it.HasPhoto() {
		f.ThumbURL = fmt.Sprintf("/dashboard/events/%d/photos/%d/%s", ev.ID, it.ID, media.Thumb)
		f.Text = clipText(it.Caption, 140)
	} else {
		f.Text = clipText(it.Text, 140)
	}
	return f
}

// showFeed answers the activity feed's poll: the answers newer than
// ?after=<id>, newest first. Polling the database (rather than holding a
// stream open) keeps working when several app instances share it.
func (h *Handler) showFeed(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	var after uint64
	if s := c.QueryParam("after"); s != "" {
		if after, err = strconv.ParseUint(s, 10, 32); err != nil {
			return web.NewError(http.StatusBadRequest, "after must be an answer id.", err)
		}
	}
	list, err := h.store.FeedAfter(c.Request().Context(), ev.ID, uint(after), models.MaxFeedItems)
	if err != nil {
		return err
	}
	now, viewer := h.store.Now(), viewerZone(c, &ev.Event)
	res := feedResponse{Items: []feedItem{}, LastID: uint(after)}
	for _, it := range list {
		res.Items = append(res.Items, h.feedItem(ev, &it, viewer, now))
	}
	if len(list) > 0 {
		res.LastID = list[0].ID
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, res)
}

// clipText shortens s to at most n characters, marking the cut.
func clipText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
