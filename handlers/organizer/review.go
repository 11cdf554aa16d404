package organizer

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// registerModeration adds progress, the review queue with its moderation
// actions, and the scores. Moderators may use all of them: they review and
// award, they do not change the event.
func (h *Handler) registerModeration(d *echo.Group) {
	d.GET("/events/:event/progress", h.showProgress)
	d.GET("/events/:event/progress/feed", h.showFeed)
	d.GET("/events/:event/scores", h.showScores)

	d.GET("/events/:event/review", h.showReview)
	s := "/events/:event/submissions/:submission"
	d.POST(s+"/hide", h.hideAnswer)
	d.POST(s+"/unhide", h.unhideAnswer)
	d.POST(s+"/star", h.starAnswer)
	d.POST(s+"/unstar", h.unstarAnswer)
	d.POST(s+"/out-of-show", h.keepOutOfShow)
	d.POST(s+"/in-show", h.putBackInShow)
	d.POST(s+"/reviewed", h.markAnswerReviewed)
	d.POST(s+"/bonus", h.awardBonus)
	d.POST(s+"/delete", h.deleteAnswer)
}

// Page sizes of the review queue: big photos, or a grid of thumbnails.
const (
	reviewPageSize = 40
	gridPageSize   = 120
)

// reviewQuery is the review queue's filter as it appears in the URL.
type reviewQuery struct {
	State    string
	PromptID uint
	Grid     bool
	Page     int
}

func readReviewQuery(q url.Values) reviewQuery {
	rq := reviewQuery{State: q.Get("state"), Grid: q.Get("view") == "grid", Page: 1}
	switch rq.State {
	case models.ReviewPending, models.ReviewStarred, models.ReviewHidden:
	default:
		rq.State = models.ReviewAll
	}
	if n, err := strconv.ParseUint(q.Get("prompt"), 10, 32); err == nil {
		rq.PromptID = uint(n)
	}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 1 && n < 10000 {
		rq.Page = n
	}
	return rq
}

func (rq reviewQuery) size() int {
	if rq.Grid {
		return gridPageSize
	}
	return reviewPageSize
}

// url is the queue's address with rq's filter, changed by edit.
func (rq reviewQuery) url(eventID uint, edit func(*reviewQuery)) string {
	if edit != nil {
		edit(&rq)
	}
	v := url.Values{}
	if rq.State != models.ReviewAll {
		v.Set("state", rq.State)
	}
	if rq.PromptID != 0 {
		v.Set("prompt", strconv.FormatUint(uint64(rq.PromptID), 10))
	}
	if rq.Grid {
		v.Set("view", "grid")
	}
	if rq.Page > 1 {
		v.Set("page", strconv.Itoa(rq.Page))
	}
	u := fmt.Sprintf("/dashboard/events/%d/review", eventID)
	if len(v) > 0 {
		u += "?" + v.Encode()
	}
	return u
}

type reviewPage struct {
	web.Page
	Nav     eventNav
	Event   *models.OrganizerEvent
	Filters []filterLink
	Views   []filterLink
	Prompts []promptOption
	// PromptID is the prompt filter (0: all), kept by the prompt picker.
	PromptID uint
	State    string
	Grid     bool
	Items    []reviewItem
	// Here is this page's address, which forms return to.
	Here     string
	Prev     string
	Next     string
	Empty    string
	Error    string
	ZoneNote string
	// ViewerZone is the zone times are in (zone.js reloads if the browser's differs).
	ViewerZone string
	MaxBonus   int
	ReasonMax  int
}

type filterLink struct {
	// Key names the filter for review.js, which updates its count.
	Key     string
	Label   string
	Count   int
	URL     string
	Current bool
}

type promptOption struct {
	ID       uint
	Title    string
	Selected bool
}

// reviewItem is one answer in the queue, ready to print.
type reviewItem struct {
	ID          uint
	Name        string
	Team        string
	Prompt      string
	PhotoURL    string
	ThumbURL    string
	OriginalURL string
	Text        string
	Caption     string
	When        string
	Late        string
	Hidden      bool
	Starred     bool
	OutOfShow   bool
	Reviewed    bool
	Points      string
	Bonus       string
	// ActionURL is the base the moderation forms post to (+ "/hide" …).
	ActionURL string
	// Taken is the photo's EXIF capture time ("" when it has none).
	Taken string
	// BonusValue, ReasonValue and BonusError re-fill a refused bonus form.
	BonusValue  string
	ReasonValue string
	BonusError  string
}

// bonusRetry is a refused bonus form to show again with its message.
type bonusRetry struct {
	ID     uint
	Points string
	Reason string
	Error  string
}

func (h *Handler) showReview(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	return h.renderReview(c, http.StatusOK, ev, readReviewQuery(c.QueryParams()), nil)
}

func (h *Handler) renderReview(c echo.Context, status int, ev *models.OrganizerEvent, rq reviewQuery, retry *bonusRetry) error {
	ctx := c.Request().Context()
	prompts, err := h.store.Prompts(ctx, ev.ID)
	if err != nil {
		return err
	}
	known := rq.PromptID == 0
	for _, p := range prompts {
		known = known || p.ID == rq.PromptID
	}
	if !known {
		rq.PromptID = 0 // a prompt of another event, or deleted: show all
	}
	filter := models.ReviewFilter{State: rq.State, PromptID: rq.PromptID, Limit: rq.size() + 1, Offset: (rq.Page - 1) * rq.size()}
	list, err := h.store.ReviewQueue(ctx, ev.ID, filter)
	if err != nil {
		return err
	}
	counts, err := h.store.ReviewCounts(ctx, ev.ID, filter)
	if err != nil {
		return err
	}
	page := reviewPage{
		Page: h.page(c, "Review · "+ev.Name), Nav: navFor(ev, "review"), Event: ev,
		PromptID: rq.PromptID, State: rq.State, Grid: rq.Grid, Here: rq.url(ev.ID, nil),
		MaxBonus: models.MaxBonus, ReasonMax: models.MaxBonusReason,
	}
	for _, f := range []struct {
		state, label string
		n            int
	}{
		{models.ReviewAll, "All", counts.Total}, {models.ReviewPending, "Not yet reviewed", counts.Pending},
		{models.ReviewStarred, "Starred", counts.Starred}, {models.ReviewHidden, "Hidden", counts.Hidden},
	} {
		page.Filters = append(page.Filters, filterLink{Key: f.state, Label: f.label, Count: f.n, Current: rq.State == f.state,
			URL: rq.url(ev.ID, func(q *reviewQuery) { q.State, q.Page = f.state, 1 })})
	}
	page.Views = []filterLink{
		{Label: "Queue", Current: !rq.Grid, URL: rq.url(ev.ID, func(q *reviewQuery) { q.Grid, q.Page = false, 1 })},
		{Label: "Grid", Current: rq.Grid, URL: rq.url(ev.ID, func(q *reviewQuery) { q.Grid, q.Page = true, 1 })},
	}
	for _, p := range prompts {
		page.Prompts = append(page.Prompts, promptOption{ID: p.ID, Title: p.Title, Selected: p.ID == rq.PromptID})
	}
	if len(list) > rq.size() {
		list = list[:rq.size()]
		page.Next = rq.url(ev.ID, func(q *reviewQuery) { q.Page++ })
	}
	if rq.Page > 1 {
		page.Prev = rq.url(ev.ID, func(q *reviewQuery) { q.Page-- })
	}
	now, viewer := h.store.Now(), viewerZone(c, &ev.Event)
	page.ZoneNote, page.ViewerZone = zoneNote(viewer, &ev.Event), viewer.String()
	for i := range list {
		item := h.reviewItem(ev, &list[i], viewer, now)
		if retry != nil && retry.ID == item.ID {
			item.BonusValue, item.ReasonValue, item.BonusError = retry.Points, retry.Reason, retry.Error
		}
		page.Items = append(page.Items, item)
	}
	if retry != nil {
		page.Error = "The bonus was not saved: " + retry.Error
	}
	if len(page.Items) == 0 {
		page.Empty = emptyQueueMessage(rq.State)
	}
	return web.HTML(c, status, "organizer/review", page)
}

func emptyQueueMessage(state string) string {
	switch state {
	case models.ReviewPending:
		return "All caught up: every answer has been reviewed."
	case models.ReviewStarred:
		return "Nothing starred yet. Star the answers you want to show off at the reveal."
	case models.ReviewHidden:
		return "Nothing is hidden."
	}
	return "No answers yet. They show up here as soon as participants send them."
}

func (h *Handler) reviewItem(ev *models.OrganizerEvent, it *models.ReviewItem, viewer *time.Location, now time.Time) reviewItem {
	sc := models.ScoreOf(it.ScoringPrompt(), &it.Submission, nil)
	item := reviewItem{
		ID: it.ID, Name: it.ParticipantName, Team: it.TeamName, Prompt: it.PromptTitle,
		Text: it.Text, Caption: it.Caption, When: web.When(it.UpdatedAt, viewer, ev.Location(), now),
		Hidden: it.Hidden, Starred: it.Starred, OutOfShow: it.OutOfShow, Reviewed: it.Reviewed(),
		Points: pointsText(sc), Bonus: bonusText(it.BonusPoints, it.BonusReason),
		ActionURL: fmt.Sprintf("/dashboard/events/%d/submissions/%d", ev.ID, it.ID),
	}
	if it.BonusPoints != 0 {
		item.BonusValue, item.ReasonValue = strconv.Itoa(it.BonusPoints), it.BonusReason
	}
	if it.Late {
		item.Late = lateNote(it.PromptLate)
	}
	if it.TakenAt != nil {
		item.Taken = web.When(*it.TakenAt, viewer, ev.Location(), now)
	}
	if it.HasPhoto() {
		base := fmt.Sprintf("/dashboard/events/%d/photos/%d/", ev.ID, it.ID)
		item.PhotoURL, item.ThumbURL = base+string(media.Phone), base+string(media.Thumb)
		if ev.Role.CanEdit() { // originals keep their location data: not for moderators
			item.OriginalURL = base + "original"
		}
	}
	return item
}

// lateNote says what a late answer earns. Whether an answer is late is
// decided once, when it is sent (models.Submission.Late: it came in the
// prompt's grace window after the close), so every page reads that flag.
func lateNote(percent int) string {
	return fmt.Sprintf("late: %d%% of the points", percent)
}

// pointsText says what an answer earns as the organizer sees it.
func pointsText(sc models.Score) string {
	if sc.Hidden {
		return "0 points (hidden)"
	}
	return fmt.Sprintf("%d %s", sc.Total, pointWord(sc.Total))
}

func bonusText(points int, reason string) string {
	if points == 0 {
		return ""
	}
	s := fmt.Sprintf("%+d bonus", points)
	if reason != "" {
		s += ": " + reason
	}
	return s
}

func pointWord(n int) string {
	if n == 1 || n == -1 {
		return "point"
	}
	return "points"
}

// moderationResult is what script callers get back from an action.
type moderationResult struct {
	ID          uint   `json:"id"`
	Hidden      bool   `json:"hidden"`
	Starred     bool   `json:"starred"`
	OutOfShow   bool   `json:"out_of_show"`
	Reviewed    bool   `json:"reviewed"`
	BonusPoints int    `json:"bonus_points"`
	BonusReason string `json:"bonus_reason"`
	Bonus       string `json:"bonus"`
	Points      string `json:"points"`
	Deleted     bool   `json:"deleted,omitempty"`
	Message     string `json:"message"`
	// Counts are the queue filters' sizes after the action, every prompt.
	Counts map[string]int `json:"counts"`
}

// queueCounts are the filter sizes script callers redraw after an action.
func (h *Handler) queueCounts(c echo.Context, eventID uint) (map[string]int, error) {
	n, err := h.store.ReviewCounts(c.Request().Context(), eventID, models.ReviewFilter{})
	if err != nil {
		return nil, err
	}
	return map[string]int{models.ReviewAll: n.Total, models.ReviewPending: n.Pending, models.ReviewStarred: n.Starred, models.ReviewHidden: n.Hidden}, nil
}

// moderate runs one action on the submission named in the URL and answers
// with JSON for scripts or a redirect back to the page the form was on.
func (h *Handler) moderate(c echo.Context, msg string, act func(ev *models.OrganizerEvent, id uint) (*models.Submission, error)) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "submission")
	if err != nil {
		return err
	}
	sub, err := act(ev, id)
	if err != nil {
		return err
	}
	if web.WantsJSON(c) {
		p, err := h.store.EventPrompt(c.Request().Context(), ev.ID, sub.PromptID)
		if err != nil {
			return err
		}
		counts, err := h.queueCounts(c, ev.ID)
		if err != nil {
			return err
		}
		sc := models.ScoreOf(p, sub, nil)
		return c.JSON(http.StatusOK, moderationResult{
			ID: sub.ID, Hidden: sub.Hidden, Starred: sub.Starred, OutOfShow: sub.OutOfShow, Reviewed: sub.Reviewed(),
			BonusPoints: sub.BonusPoints, BonusReason: sub.BonusReason, Bonus: bonusText(sub.BonusPoints, sub.BonusReason),
			Points: pointsText(sc), Message: msg, Counts: counts,
		})
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, h.backTo(c, ev.ID)+fmt.Sprintf("#sub-%d", sub.ID))
}

// backTo is the page a moderation form came from ("next"), if it is one of
// this event's dashboard pages; the review queue otherwise.
func (h *Handler) backTo(c echo.Context, eventID uint) string {
	next := c.FormValue("next")
	prefix := fmt.Sprintf("/dashboard/events/%d", eventID)
	if next == prefix || (strings.HasPrefix(next, prefix+"/") || strings.HasPrefix(next, prefix+"?")) &&
		!strings.ContainsAny(next, "\\\r\n#") {
		return next
	}
	return prefix + "/review"
}

func (h *Handler) hideAnswer(c echo.Context) error {
	return h.moderate(c, "Hidden: participants no longer see it, and it scores nothing.", func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		return h.store.SetHidden(c.Request().Context(), ev.ID, id, true)
	})
}

func (h *Handler) unhideAnswer(c echo.Context) error {
	return h.moderate(c, "Shown again.", func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		return h.store.SetHidden(c.Request().Context(), ev.ID, id, false)
	})
}

func (h *Handler) starAnswer(c echo.Context) error {
	return h.moderate(c, "Starred.", func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		return h.store.SetStarred(c.Request().Context(), ev.ID, id, true)
	})
}

func (h *Handler) unstarAnswer(c echo.Context) error {
	return h.moderate(c, "Star removed.", func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		return h.store.SetStarred(c.Request().Context(), ev.ID, id, false)
	})
}

// keepOutOfShow keeps an answer out of the reveal's deck: unlike hiding,
// its points and its place in the gallery stay.
func (h *Handler) keepOutOfShow(c echo.Context) error {
	return h.moderate(c, "Kept out of the show: it keeps its points and stays in the gallery.", func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		return h.store.SetOutOfShow(c.Request().Context(), ev.ID, id, true)
	})
}

func (h *Handler) putBackInShow(c echo.Context) error {
	return h.moderate(c, "Back in the show.", func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		return h.store.SetOutOfShow(c.Request().Context(), ev.ID, id, false)
	})
}

func (h *Handler) markAnswerReviewed(c echo.Context) error {
	return h.moderate(c, "Marked as reviewed.", func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		return h.store.MarkReviewed(c.Request().Context(), ev.ID, id)
	})
}

// bonusForm is the bonus form as typed.
type bonusForm struct {
	Points string
	Reason string
}

func (f bonusForm) bonus() (models.Bonus, error) {
	s := strings.TrimSpace(f.Points)
	n, err := strconv.Atoi(strings.TrimPrefix(s, "+"))
	if s == "" || err != nil {
		return models.Bonus{}, &models.ValidationError{Fields: map[string]string{"points": "Type the bonus as a whole number of points (0 removes it)."}}
	}
	b := models.Bonus{Points: n, Reason: f.Reason}
	return b, b.Validate()
}

func (h *Handler) awardBonus(c echo.Context) error {
	f := bonusForm{Points: c.FormValue("points"), Reason: c.FormValue("reason")}
	b, ferr := f.bonus()
	if ferr != nil && !web.WantsJSON(c) {
		// Re-show the queue the form came from, with the message and the
		// typed values on that answer.
		ev, err := h.event(c)
		if err != nil {
			return err
		}
		id, err := idParam(c, "submission")
		if err != nil {
			return err
		}
		if _, err := h.store.EventSubmission(c.Request().Context(), ev.ID, id); err != nil {
			return err
		}
		_, msg := web.Describe(ferr)
		rq := reviewQuery{State: models.ReviewAll, Page: 1}
		if u, err := url.Parse(h.backTo(c, ev.ID)); err == nil && strings.HasSuffix(u.Path, "/review") {
			rq = readReviewQuery(u.Query())
		}
		return h.renderReview(c, http.StatusUnprocessableEntity, ev, rq, &bonusRetry{ID: id, Points: f.Points, Reason: f.Reason, Error: msg})
	}
	msg := fmt.Sprintf("Bonus of %+d points awarded.", b.Points)
	if b.Points == 0 {
		msg = "Bonus removed."
	}
	return h.moderate(c, msg, func(ev *models.OrganizerEvent, id uint) (*models.Submission, error) {
		if ferr != nil {
			return nil, ferr
		}
		return h.store.AwardBonus(c.Request().Context(), ev.ID, id, b)
	})
}

func (h *Handler) deleteAnswer(c echo.Context) error {
	ev, err := h.event(c)
	if err != nil {
		return err
	}
	id, err := idParam(c, "submission")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	folder, err := h.store.DeleteSubmission(ctx, ev.ID, id)
	if err != nil {
		return err
	}
	if err := models.DeletePhotoFolder(ctx, h.photos, folder); err != nil {
		h.log.Warn("remove photo of deleted answer", "err", err)
	}
	msg := "Answer deleted."
	if web.WantsJSON(c) {
		counts, err := h.queueCounts(c, ev.ID)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, moderationResult{ID: id, Deleted: true, Message: msg, Counts: counts})
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, h.backTo(c, ev.ID))
}
