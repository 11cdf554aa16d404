package participant

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// answerScore is what an answer earns, in words, as its sender sees it. It
// follows the freeze: after Event.FreezeAt a participant sees no score move.
type answerScore struct {
	// Short is the line on the prompt list ("5 pts · late").
	Short string
	// Points ("5 points (late: half points)"), Bonus ("+3 bonus: great
	// angle"), Hidden and Frozen are the prompt page's lines.
	Points string
	Bonus  string
	Hidden string
	Frozen string
}

func scoreOfAnswer(ev *models.Event, p *models.Prompt, sub *models.Submission, now time.Time) answerScore {
	sc := models.ScoreOf(p, sub, ev.ScoreCutoff(now))
	var a answerScore
	switch {
	case sc.AfterFreeze:
		a.Frozen = "Scores are frozen until the reveal: this answer's points will count then."
		a.Short = "points at the reveal"
		return a
	case sc.Hidden:
		a.Hidden = "Hidden by the organizer: the others can't see it and it doesn't score."
		a.Short = "hidden by the organizer"
		a.Points = "0 points"
		return a
	}
	a.Points = fmt.Sprintf("%d %s", sc.Total, pointWord(sc.Total))
	a.Short = fmt.Sprintf("%d pts", sc.Total)
	if sc.Late {
		a.Points += " (" + lateNote(sc.LatePercent) + ")"
		a.Short += " · late"
	}
	if sc.Bonus != 0 {
		a.Bonus = fmt.Sprintf("%+d bonus", sc.Bonus)
		if sc.BonusReason != "" {
			a.Bonus += ": " + sc.BonusReason
		}
		a.Short += fmt.Sprintf(" · %+d bonus", sc.Bonus)
	}
	return a
}

// lateNote says what a late answer keeps of the points.
func lateNote(percent int) string {
	switch percent {
	case 0:
		return "late: no points"
	case 50:
		return "late: half points"
	case 100:
		return "late, still full points"
	}
	return fmt.Sprintf("late: %d%% of the points", percent)
}

func pointWord(n int) string {
	if n == 1 || n == -1 {
		return "point"
	}
	return "points"
}

type scoresPage struct {
	web.Page
	Event       *models.Event
	Participant *models.Participant
	// FrozenNote explains that the standings stopped moving.
	FrozenNote string
	Summary    string
	People     web.Standings
	Teams      web.Standings
	GalleryURL string
}

// showScores shows the leaderboards as of the freeze once it has passed,
// live before.
func (h *Handler) showScores(c echo.Context) error {
	ev, pa := h.current(c)
	now := h.store.Now()
	cutoff := ev.ScoreCutoff(now)
	board, err := h.store.Leaderboard(c.Request().Context(), ev.ID, cutoff)
	if err != nil {
		return err
	}
	page := scoresPage{Page: h.page(c, "Scores"), Event: ev, Participant: pa,
		People: web.NewStandings(board.People, false, pa.ID)}
	if pa.TeamID != nil {
		page.Teams = web.NewStandings(board.Teams, true, *pa.TeamID)
	} else {
		page.Teams = web.NewStandings(board.Teams, true, 0)
	}
	if cutoff != nil {
		page.FrozenNote = "Scores are frozen until the reveal. These are the standings of " +
			web.When(*cutoff, pa.Location(), ev.Location(), now) + "."
	}
	for _, st := range board.People {
		if st.ID == pa.ID {
			page.Summary = fmt.Sprintf("You are %s of %d with %d %s.", placeName(st.Rank, st.Tied), len(board.People), st.Points, pointWord(st.Points))
		}
	}
	if ev.GalleryOpen {
		page.GalleryURL = fmt.Sprintf("/e/%d/gallery", ev.ID)
	}
	return web.HTML(c, http.StatusOK, "participant/scores", page)
}

// placeName says a rank in words: "3rd", "joint 2nd".
func placeName(rank int, tied bool) string {
	suffix := "th"
	if rank%100 < 11 || rank%100 > 13 {
		switch rank % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	s := strconv.Itoa(rank) + suffix
	if tied {
		s = "joint " + s
	}
	return s
}

// gallerySize is how many photos one gallery page shows.
const gallerySize = 48

type galleryPage struct {
	web.Page
	Event   *models.Event
	Prompts []galleryFilter
	Photos  []galleryPhoto
	Empty   string
	More    string
}

type galleryFilter struct {
	Title   string
	URL     string
	Current bool
}

type galleryPhoto struct {
	ThumbURL string
	PhoneURL string
	Alt      string
	Name     string
	Team     string
	Prompt   string
	Caption  string
	Mine     bool
}

// showGallery lists the others' photos, only when the organizer opened the
// gallery before the reveal; otherwise there is no such page (404).
func (h *Handler) showGallery(c echo.Context) error {
	ev, pa := h.current(c)
	if !ev.GalleryOpen {
		return web.NewError(http.StatusNotFound, "The gallery is not open. You'll see everyone's photos at the reveal.", nil)
	}
	ctx := c.Request().Context()
	f := models.GalleryFilter{Limit: gallerySize + 1}
	if n, err := strconv.ParseUint(c.QueryParam("prompt"), 10, 32); err == nil {
		f.PromptID = uint(n)
	}
	if n, err := strconv.ParseUint(c.QueryParam("before"), 10, 32); err == nil {
		f.BeforeID = uint(n)
	}
	prompts, err := h.store.Prompts(ctx, ev.ID)
	if err != nil {
		return err
	}
	list, err := h.store.GalleryPhotos(ctx, ev.ID, f)
	if err != nil {
		return err
	}
	base := fmt.Sprintf("/e/%d/gallery", ev.ID)
	page := galleryPage{Page: h.page(c, "Gallery"), Event: ev}
	page.Prompts = append(page.Prompts, galleryFilter{Title: "All", URL: base, Current: f.PromptID == 0})
	for _, p := range prompts {
		if p.Kind == models.KindPhoto {
			page.Prompts = append(page.Prompts, galleryFilter{Title: p.Title, URL: fmt.Sprintf("%s?prompt=%d", base, p.ID), Current: p.ID == f.PromptID})
		}
	}
	if len(list) > gallerySize {
		list = list[:gallerySize]
		q := url.Values{"before": {strconv.FormatUint(uint64(list[len(list)-1].ID), 10)}}
		if f.PromptID != 0 {
			q.Set("prompt", strconv.FormatUint(uint64(f.PromptID), 10))
		}
		page.More = base + "?" + q.Encode()
	}
	for i := range list {
		it := &list[i]
		if !it.MayParticipantSee(ev, pa) {
			continue
		}
		page.Photos = append(page.Photos, galleryPhoto{
			ThumbURL: h.photoURL(ev, &it.Submission, media.Thumb), PhoneURL: h.photoURL(ev, &it.Submission, media.Phone),
			Alt: "Photo by " + it.ParticipantName + " for " + it.PromptTitle, Name: it.ParticipantName, Team: it.TeamName,
			Prompt: it.PromptTitle, Caption: it.Caption, Mine: it.ParticipantID == pa.ID,
		})
	}
	if len(page.Photos) == 0 {
		page.Empty = "No photos here yet."
	}
	return web.HTML(c, http.StatusOK, "participant/gallery", page)
}
