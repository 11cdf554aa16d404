package live

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
)

// Phones following the reveal. They see the slide on screen, and earlier
// slides that were shown, never one still to come; a photo loads only for
// a slide already shown, or one of the next few while the reveal is live
// (phones preload them); an author's name only once the presenter
// revealed it. Before the reveal starts there is nothing to see.

type followerPage struct {
	web.Page
	Event *models.Event
	// Status is "idle", "live" or "ended".
	Status string
	Slide  *slideView
	Seq    int64
	Index  int
	Total  int
	// Planned is when the reveal is planned, in the phone's zone.
	Planned   string
	StreamURL string
	SlidesURL string
	BackURL   string
	// Base is the live page's URL; reactions, votes and guesses post
	// under it. Ballot is what the phone votes and guesses with; Action
	// is what the current slide lets this phone do (for the page without
	// its script).
	Base   string
	Ballot *phoneBallot
	Action slideAction
}

// slideAction is what a phone may do on the slide on screen.
type slideAction struct {
	SubmissionID uint
	Vote         bool // vote for it (voting open, not their own)
	Voted        bool // it is already their favourite in its prompt
	Guess        bool // guess whose it is (name hidden, not their own)
	GuessTeam    bool // the guess names a team
	Guessed      uint // their guess so far
	// Result is how their guess went once the name is out ("right",
	// "wrong"; "" if they did not guess), GuessedName whom they named.
	Result      string
	GuessedName string
}

// actionFor works out what pa may do on slide f, from the ballot.
func actionFor(f *live.FollowerSlide, named bool, b *phoneBallot) slideAction {
	if f == nil || f.SubmissionID == 0 || f.Kind == live.KindAward {
		return slideAction{}
	}
	for _, id := range b.Own {
		if id == f.SubmissionID {
			return slideAction{}
		}
	}
	key := strconv.FormatUint(uint64(f.SubmissionID), 10)
	a := slideAction{SubmissionID: f.SubmissionID, Vote: f.VotingOpen, Guess: f.HasAuthor && !named,
		GuessTeam: f.TeamAnswer, Guessed: b.Guesses[key]}
	for _, sub := range b.Votes {
		if sub == f.SubmissionID {
			a.Voted = true
		}
	}
	if right, ok := b.Results[key]; ok && named && f.HasAuthor {
		a.Result, a.GuessedName = "wrong", b.name(a.Guessed, f.TeamAnswer)
		if right {
			a.Result = "right"
		}
	}
	return a
}

func (h *Handler) showFollower(c echo.Context) error {
	ev, pa := h.follower(c)
	msg, err := h.live.Current(c.Request().Context(), ev.ID)
	if err != nil {
		return err
	}
	var fs live.FollowerState
	if err := json.Unmarshal(msg.Data, &fs); err != nil {
		return fmt.Errorf("decode follower state of event %d: %w", ev.ID, err)
	}
	base := fmt.Sprintf("/e/%d/live", ev.ID)
	page := followerPage{Page: h.web.NewPage(c, h.sessions, "participant", "Live · "+ev.Name), Event: ev,
		Status: statusName(fs.Status), Slide: newSlideView(fs.Slide, fs.Named), Seq: fs.Seq, Index: fs.Index, Total: fs.Total,
		StreamURL: base + "/stream", SlidesURL: base + "/slides/", BackURL: fmt.Sprintf("/e/%d", ev.ID), Base: base}
	page.Slide.forPhone()
	if page.Ballot, err = h.loadBallot(c, ev, pa); err != nil {
		return err
	}
	if fs.Status == models.RevealLive {
		page.Action = actionFor(fs.Slide, fs.Named, page.Ballot)
	}
	if ev.RevealAt != nil {
		page.Planned = web.When(*ev.RevealAt, pa.Location(), ev.Location(), h.store.Now())
	}
	return web.HTML(c, http.StatusOK, "live/follower", page)
}

func (h *Handler) streamFollower(c echo.Context) error {
	ev, _ := h.follower(c)
	return h.stream(c, ev.ID)
}

// showFollowerState is the current state as JSON, for a phone without
// EventSource (it polls) and for tests.
func (h *Handler) showFollowerState(c echo.Context) error {
	ev, _ := h.follower(c)
	msg, err := h.live.Current(c.Request().Context(), ev.ID)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSONBlob(http.StatusOK, msg.Data)
}

// showFollowerSlide is an earlier slide, for a phone paging back through
// what was shown. A slide not shown yet does not exist for phones.
func (h *Handler) showFollowerSlide(c echo.Context) error {
	ev, _ := h.follower(c)
	i, err := strconv.Atoi(c.Param("index"))
	if err != nil {
		return web.NewError(http.StatusNotFound, "No such slide.", err)
	}
	sl, err := h.live.FollowerSlide(c.Request().Context(), ev.ID, i)
	if errors.Is(err, models.ErrNotFound) {
		return web.NewError(http.StatusNotFound, "That slide hasn't been shown yet.", err)
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, sl)
}

// photoReaders is how many photo requests may read the database at once.
// When a photo slide comes up, every phone asks for it in the same
// instant: a thousand requests of three reads each would fill the
// database pool, and the presenter's next move would queue behind them.
// Gated, they queue here instead (in memory, cheaply) and leave the rest of
// the pool free; each takes about a millisecond of reads.
const photoReaders = 3

// showFollowerPhoto serves the phone rendition of an answer that has been
// on screen (and that may still be: not hidden or withdrawn since), or
// with ?size=thumb its thumbnail, for a mosaic's tile.
//
// It runs outside the session middleware (see Register), which would save
// each phone's session on each photo: it reads the session itself, and
// loads only the participant.
func (h *Handler) showFollowerPhoto(c echo.Context) error {
	eventID, err := idParam(c, "event")
	if err != nil {
		return err
	}
	id, err := idParam(c, "submission")
	if err != nil {
		return err
	}
	size := media.Phone
	switch c.QueryParam("size") {
	case "":
	case string(media.Thumb):
		size = media.Thumb
	default:
		return web.NewError(http.StatusNotFound, "No such photo size.", nil)
	}
	ctx := c.Request().Context()
	select {
	case h.photoGate <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	sub, err := h.followerPhoto(c, eventID, id)
	<-h.photoGate
	if err != nil {
		return err
	}
	if v := c.QueryParam("v"); v != "" && v == live.PhotoVersion(sub.PhotoKey) {
		// The URL names this very version (a new photo gets a new one),
		// so a phone keeps it for good: a preloaded photo is never asked
		// for again when its slide shows.
		c.Response().Header().Set("Cache-Control", "private, max-age=31536000, immutable")
	}
	return web.ServeRendition(c, h.photos, sub, string(size))
}

// followerPhoto authorises a phone's photo request: a participant of the
// event, an answer coming up (the preload window) or already on screen
// (its own slide or a mosaic's tile), still allowed there.
func (h *Handler) followerPhoto(c echo.Context, eventID, submissionID uint) (*models.Submission, error) {
	ctx := c.Request().Context()
	gone := web.NewError(http.StatusNotFound, "We couldn't find that photo.", nil)
	// Who the phone is, remembered a while (see viewers.go).
	joined, err := h.viewers.participant(ctx, c.Request(), eventID, func(ctx context.Context) (bool, error) {
		pid, err := h.sessions.PeekParticipantID(c.Request(), eventID)
		if err != nil || pid == 0 {
			return false, err
		}
		_, err = h.store.EventParticipant(ctx, eventID, pid)
		return err == nil, nil
	})
	if err != nil {
		return nil, err
	}
	if !joined {
		return nil, gone
	}
	// Coming up, or on screen: phones preload the next few slides' photos
	// while the reveal is live (see models/live/preload.go). Asked first:
	// it answers from memory, where Shown may read the database for an
	// answer not shown yet.
	shown, err := h.preload.MayPreload(ctx, eventID, submissionID)
	if err != nil {
		return nil, err
	}
	if !shown {
		if shown, err = h.shown.Shown(ctx, eventID, submissionID); err != nil {
			return nil, err
		}
	}
	if !shown {
		return nil, gone
	}
	// Read through the store's short memory of answers: every phone asks
	// for the same few (models/answercache.go).
	sub, err := h.store.RevealSubmission(ctx, eventID, submissionID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, gone
	}
	if err != nil {
		return nil, err
	}
	if !sub.MayReveal() {
		return nil, gone
	}
	return sub, nil
}

// saveConsent records a participant's "keep it out of the live call" (or
// their change of mind) for their answer to a prompt, at any time; while
// the reveal runs the answer leaves the deck at once.
func (h *Handler) saveConsent(c echo.Context) error {
	ev, pa := h.follower(c)
	promptID, err := idParam(c, "prompt")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	out := c.FormValue("not_for_live") != ""
	sub, err := h.store.SetNotForLive(ctx, pa, promptID, out)
	if err != nil {
		return err
	}
	msg := "Your answer can be shown in the live reveal."
	if out {
		msg = "Your answer stays out of the live reveal. The organizers still see it."
		if err := h.live.Withdraw(detached(c), ev.ID, sub.ID); err != nil {
			return err
		}
	}
	if web.WantsJSON(c) {
		return c.JSON(http.StatusOK, map[string]any{"not_for_live": out, "message": msg})
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d/prompts/%d", ev.ID, promptID))
}
