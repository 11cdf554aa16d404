package live

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
)

// Votes and guesses from phones during the reveal. A vote picks a
// favourite answer in a prompt (one per person per prompt, moved by voting
// again) until the prompt's "audience favourite" award comes on screen; a
// guess says whose an answer is, until the presenter reveals the name.
// Both are for answers already shown, never one's own.

// voteAnswer records the phone's vote for an answer shown in the reveal.
func (h *Handler) voteAnswer(c echo.Context) error {
	ev, pa := h.follower(c)
	subID, err := formID(c, "submission", "Pick an answer to vote for.")
	if err != nil {
		return err
	}
	v, err := h.live.Vote(c.Request().Context(), pa, subID)
	if err != nil {
		return voteError(err, "vote for")
	}
	msg := "Vote saved: that's your favourite for this prompt. Change it any time until the award comes up."
	if web.WantsJSON(c) {
		return c.JSON(http.StatusOK, map[string]any{"prompt_id": v.PromptID, "submission_id": v.SubmissionID, "message": msg})
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d/live", ev.ID))
}

// guessAuthor records the phone's guess at whose an answer is: a person,
// or a team for a team prompt's answer.
func (h *Handler) guessAuthor(c echo.Context) error {
	ev, pa := h.follower(c)
	subID, err := formID(c, "submission", "Pick an answer to guess on.")
	if err != nil {
		return err
	}
	person, err := optionalID(c, "person")
	if err != nil {
		return err
	}
	team, err := optionalID(c, "team")
	if err != nil {
		return err
	}
	g, err := h.live.Guess(c.Request().Context(), pa, subID, person, team)
	if err != nil {
		return voteError(err, "guess on")
	}
	msg := "Guess saved. We'll see when the name comes out!"
	if web.WantsJSON(c) {
		out := map[string]any{"submission_id": g.SubmissionID, "message": msg}
		if g.GuessedParticipantID != nil {
			out["person"] = *g.GuessedParticipantID
		}
		if g.GuessedTeamID != nil {
			out["team"] = *g.GuessedTeamID
		}
		return c.JSON(http.StatusOK, out)
	}
	h.sessions.Flash(c, msg)
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d/live", ev.ID))
}

// voteError turns a refused vote or guess into what the phone shows.
func voteError(err error, verb string) error {
	switch {
	case errors.Is(err, models.ErrOwnAnswer):
		return web.NewError(http.StatusUnprocessableEntity, "That one is yours: you can't "+verb+" your own answer.", err)
	case errors.Is(err, models.ErrVotingClosed):
		return web.NewError(http.StatusConflict, "Voting on this prompt has closed: its award is on screen.", err)
	case errors.Is(err, models.ErrGuessClosed):
		return web.NewError(http.StatusConflict, "Too late: the name is out, so guessing on this one has closed.", err)
	case errors.Is(err, live.ErrNotShown), errors.Is(err, models.ErrNotFound):
		return web.NewError(http.StatusNotFound, "That answer isn't on screen yet. Wait for it in the reveal.", err)
	}
	return err
}

// formID reads a required id from the form; a missing or malformed one is
// a 422 with msg.
func formID(c echo.Context, name, msg string) (uint, error) {
	n, err := strconv.ParseUint(c.FormValue(name), 10, 32)
	if err != nil || n == 0 {
		return 0, web.NewError(http.StatusUnprocessableEntity, msg, err)
	}
	return uint(n), nil
}

// optionalID reads an id that may be left out (0).
func optionalID(c echo.Context, name string) (uint, error) {
	v := c.FormValue(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 32)
	if err != nil {
		return 0, web.NewError(http.StatusUnprocessableEntity, "Pick someone from the list.", err)
	}
	return uint(n), nil
}

// phoneBallot is what a phone needs to vote and guess without asking the
// server each slide: who may be guessed, which answers are its own, and
// its votes and guesses so far.
type phoneBallot struct {
	Me      uint            `json:"me"`
	People  []ballotName    `json:"people"`
	Teams   []ballotName    `json:"teams"`
	Own     []uint          `json:"own"`
	Votes   map[string]uint `json:"votes"`   // prompt id → answer
	Guesses map[string]uint `json:"guesses"` // answer id → person or team
	// Results say whether each guess was right, for the answers whose
	// names are out (none other: that would tell who sent them). A phone
	// open as a name comes out works it out from the slide's author.
	Results map[string]bool `json:"results"`
	// Emoji are the reactions, in button order.
	Emoji []live.Reaction `json:"emoji"`
}

type ballotName struct {
	ID   uint   `json:"id"`
	Name string `json:"name"`
}

// loadBallot reads the phone's ballot: the event's people (everyone but
// the phone's owner) and teams, and what the phone did so far.
func (h *Handler) loadBallot(c echo.Context, ev *models.Event, pa *models.Participant) (*phoneBallot, error) {
	ctx := c.Request().Context()
	b := &phoneBallot{Me: pa.ID, People: []ballotName{}, Teams: []ballotName{}, Own: []uint{},
		Votes: map[string]uint{}, Guesses: map[string]uint{}, Results: map[string]bool{}, Emoji: live.Reactions}
	people, err := h.store.Participants(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range people {
		if p.ID != pa.ID {
			b.People = append(b.People, ballotName{ID: p.ID, Name: p.Name})
		}
	}
	if ev.TeamsEnabled {
		teams, err := h.store.Teams(ctx, ev.ID)
		if err != nil {
			return nil, err
		}
		for _, t := range teams {
			b.Teams = append(b.Teams, ballotName{ID: t.ID, Name: t.Name})
		}
	}
	own, err := h.store.ParticipantSubmissions(ctx, pa.ID)
	if err != nil {
		return nil, err
	}
	for _, s := range own {
		b.Own = append(b.Own, s.ID)
	}
	votes, err := h.store.ParticipantVotes(ctx, pa.ID)
	if err != nil {
		return nil, err
	}
	for prompt, sub := range votes {
		b.Votes[strconv.FormatUint(uint64(prompt), 10)] = sub
	}
	guesses, err := h.store.ParticipantGuesses(ctx, pa.ID)
	if err != nil {
		return nil, err
	}
	for sub, g := range guesses {
		var who uint
		if g.GuessedParticipantID != nil {
			who = *g.GuessedParticipantID
		} else if g.GuessedTeamID != nil {
			who = *g.GuessedTeamID
		}
		b.Guesses[strconv.FormatUint(uint64(sub), 10)] = who
	}
	if len(guesses) > 0 {
		results, err := h.live.GuessResults(ctx, pa)
		if err != nil {
			return nil, err
		}
		for sub, right := range results {
			b.Results[strconv.FormatUint(uint64(sub), 10)] = right
		}
	}
	return b, nil
}

// name is the person's (or the team's) name on the ballot, "" if not there.
func (b *phoneBallot) name(id uint, team bool) string {
	list := b.People
	if team {
		list = b.Teams
	}
	for _, n := range list {
		if n.ID == id {
			return n.Name
		}
	}
	return ""
}
