// Package live owns the reveal: the deck generated from an event, where the
// presenter is in it (persisted, so a restart or a second instance keeps
// it), what phones following along may see of it, and the Hub that fans
// every change out to them.
package live

import (
	"context"
	"fmt"
	"unicode/utf8"

	"retreat/models"
)

// Kind says what a slide shows.
type Kind string

// Slide kinds. Phones and the presenter show a kind they do not know by
// its Title.
const (
	KindCover  Kind = "cover"  // the event's title slide
	KindPrompt Kind = "prompt" // a prompt's title slide
	KindPhoto  Kind = "photo"  // one photo answer, full screen
	KindText   Kind = "text"   // one text answer, in big type
	KindScores Kind = "scores" // a leaderboard, revealed one row at a time
	// KindAward is one award (most reactions, most votes in a prompt, the
	// organizer's pick, best guessers). Its winners are worked out when
	// the presenter first reaches it (Decided), since votes and guesses
	// come in during the reveal: Rows holds them (Points is the count),
	// and a winning photo fills SubmissionID, PhotoKey, Version, Width,
	// Height and Caption as on a photo slide.
	KindAward Kind = "award"
	// KindMosaic is one screen of a prompt's answers that have no slide
	// of their own: a grid of Tiles, so everyone's answer is on screen at
	// least once without a slide each. A prompt with more answers than a
	// screen holds gets several (Page of Pages).
	KindMosaic Kind = "mosaic"
)

// Slide is one screen of the deck: pure data, computed from the database.
type Slide struct {
	// Key names the slide stably across rebuilds ("sub-42"), so the
	// presenter keeps their place and "shown" survives new answers.
	Key  string `json:"key"`
	Kind Kind   `json:"kind"`
	// Title is the big line: the event's or prompt's title, a board's name.
	Title    string `json:"title,omitempty"`
	Subtitle string `json:"subtitle,omitempty"`
	// PromptID, Number and Of place an answer or prompt slide: prompt
	// Number of Of, or answer Number of Of within its prompt.
	PromptID    uint   `json:"prompt_id,omitempty"`
	PromptTitle string `json:"prompt,omitempty"`
	Number      int    `json:"number,omitempty"`
	Of          int    `json:"of,omitempty"`
	// Answers counts a prompt's answers in the deck (prompt slides).
	Answers int `json:"answers,omitempty"`
	// SubmissionID, PhotoKey (media folder), Version and the size are set
	// on photo slides; Text on text slides.
	SubmissionID uint   `json:"submission_id,omitempty"`
	PhotoKey     string `json:"photo_key,omitempty"`
	Version      string `json:"version,omitempty"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	Caption      string `json:"caption,omitempty"`
	Text         string `json:"text,omitempty"`
	// Fit is a size class for long words: "s", "m", "l" or "xl" (shortest
	// text is biggest), worked out once here for every screen.
	Fit     string `json:"fit,omitempty"`
	Starred bool   `json:"starred,omitempty"`
	// Author is who sent the answer (a team prompt's team); AuthorDetail
	// their team, or who sent a team's answer. Never sent to phones before
	// the presenter reveals it.
	Author       string `json:"author,omitempty"`
	AuthorDetail string `json:"author_detail,omitempty"`
	// AuthorID is the author's participant id (the team's, for a team
	// prompt's answer): what a guess names.
	AuthorID uint `json:"author_id,omitempty"`
	// Board, Rows and Revealed describe a scores slide: Rows best first,
	// the last Revealed of them on screen (revealed from the bottom up).
	Board    string     `json:"board,omitempty"`
	Rows     []ScoreRow `json:"rows,omitempty"`
	Revealed int        `json:"revealed,omitempty"`
	// Award names what an award slide is for ("reactions", "votes",
	// "pick", "guessers"); Decided says its Rows are final.
	Award   string `json:"award,omitempty"`
	Decided bool   `json:"decided,omitempty"`
	// Unit names an award's Points ("votes", "reactions", "right").
	Unit string `json:"unit,omitempty"`
	// TeamAnswer says guesses at the author name a team (a team prompt's
	// answer), not a person.
	TeamAnswer bool `json:"team_answer,omitempty"`
	// GuessRight of Guesses phones guessed the author; counted when the
	// presenter reveals the name.
	GuessRight int `json:"guess_right,omitempty"`
	Guesses    int `json:"guesses,omitempty"`
	// Tiles are a mosaic's answers, Page of Pages its place among its
	// prompt's mosaic screens.
	Tiles []Tile `json:"tiles,omitempty"`
	Page  int    `json:"page,omitempty"`
	Pages int    `json:"pages,omitempty"`
	// Seconds is how long the show plan gives this slide on screen: the
	// presenter's clock adds them up, and a timer may advance by them.
	Seconds int `json:"seconds,omitempty"`
}

// Tile is one answer on a mosaic: a photo (PhotoKey, Version, size) or a
// text, with its caption and who sent it. A mosaic names its senders
// outright: it is where everyone finds their own answer, not a guessing
// game (spotlights are).
type Tile struct {
	SubmissionID uint   `json:"submission_id"`
	PhotoKey     string `json:"photo_key,omitempty"`
	Version      string `json:"version,omitempty"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	Caption      string `json:"caption,omitempty"`
	Text         string `json:"text,omitempty"`
	Author       string `json:"author,omitempty"`
	AuthorDetail string `json:"author_detail,omitempty"`
}

// MosaicKey names page (1-based) of a prompt's mosaic.
func MosaicKey(promptID uint, page int) string { return fmt.Sprintf("mosaic-%d-%d", promptID, page) }

// ScoreRow is one line of a leaderboard slide.
type ScoreRow struct {
	Rank   int    `json:"rank"`
	Name   string `json:"name"`
	Detail string `json:"detail,omitempty"`
	Points int    `json:"points"`
	Tied   bool   `json:"tied,omitempty"`
}

// HasAuthor reports whether the slide hides a name until the presenter
// reveals it.
func (s *Slide) HasAuthor() bool { return s.Author != "" }

// Deck is the whole slideshow of an event, in order.
type Deck struct {
	EventID uint    `json:"event_id"`
	Slides  []Slide `json:"slides"`
	// VotingClosed lists the prompts whose "most votes" award came up
	// with no votes: it was taken out of the deck, and their voting is
	// closed as if it had been shown.
	VotingClosed []uint `json:"voting_closed,omitempty"`
}

// Index returns the position of the slide with key, or -1.
func (d *Deck) Index(key string) int {
	for i := range d.Slides {
		if d.Slides[i].Key == key {
			return i
		}
	}
	return -1
}

// Source is what sections build slides from, loaded once per build.
type Source struct {
	Event       *models.Event
	Prompts     []models.Prompt
	Submissions []models.RevealSubmission
	Board       *models.Leaderboard

	plan *Plan
}

// Section adds the slides of one part of the show.
type Section func(ctx context.Context, src *Source) ([]Slide, error)

// DefaultSections are the parts of the show, in order.
func DefaultSections() []Section {
	return []Section{Cover, Prompts, Awards, Scores}
}

// Builder builds decks from a list of sections.
type Builder struct {
	Sections []Section
}

// BuildDeck generates the event's deck from the database with the default
// sections.
func BuildDeck(ctx context.Context, store *models.Store, eventID uint) (Deck, error) {
	return Builder{Sections: DefaultSections()}.Build(ctx, store, eventID)
}

// Build loads what the sections need and runs them in order.
func (b Builder) Build(ctx context.Context, store *models.Store, eventID uint) (Deck, error) {
	src, err := LoadSource(ctx, store, eventID)
	if err != nil {
		return Deck{}, err
	}
	d := Deck{EventID: eventID}
	for _, sec := range b.Sections {
		slides, err := sec(ctx, src)
		if err != nil {
			return Deck{}, fmt.Errorf("build deck of event %d: %w", eventID, err)
		}
		d.Slides = append(d.Slides, slides...)
	}
	for i := range d.Slides {
		if d.Slides[i].Seconds == 0 { // a section may plan its own
			d.Slides[i].Seconds = PlannedSeconds(&d.Slides[i])
		}
	}
	return d, nil
}

// LoadSource reads the event, its prompts, the answers that may be shown
// and the live (unfrozen) leaderboard: the reveal is where the final
// scores come out.
func LoadSource(ctx context.Context, store *models.Store, eventID uint) (*Source, error) {
	ev, err := store.Event(ctx, eventID)
	if err != nil {
		return nil, err
	}
	prompts, err := store.Prompts(ctx, eventID)
	if err != nil {
		return nil, err
	}
	subs, err := store.RevealSubmissions(ctx, eventID)
	if err != nil {
		return nil, err
	}
	board, err := store.Leaderboard(ctx, eventID, nil)
	if err != nil {
		return nil, err
	}
	return &Source{Event: ev, Prompts: prompts, Submissions: subs, Board: board}, nil
}

// Cover is the title slide.
func Cover(_ context.Context, src *Source) ([]Slide, error) {
	return []Slide{{Key: "cover", Kind: KindCover, Title: src.Event.Name, Subtitle: "The reveal"}}, nil
}

// Prompts is, for each prompt in the show, its title slide, its
// spotlights and its mosaic screens, as the show plan has them (plan.go).
// Hidden answers, those kept out of the live call or out of the show, and
// prompts left out never appear (RevealSubmissions leaves them out).
func Prompts(ctx context.Context, src *Source) ([]Slide, error) {
	plan, err := src.Plan(ctx)
	if err != nil {
		return nil, err
	}
	var out []Slide
	number, of := 0, 0
	for i := range plan.Prompts {
		if !plan.Prompts[i].Out {
			of++
		}
	}
	for i := range plan.Prompts {
		pp := &plan.Prompts[i]
		if pp.Out {
			continue
		}
		p := pp.Prompt
		number++
		out = append(out, Slide{Key: fmt.Sprintf("prompt-%d", p.ID), Kind: KindPrompt, Title: p.Title, Subtitle: p.Description,
			PromptID: p.ID, Number: number, Of: of, Answers: pp.Answers, Fit: fitFor(p.Title, titleFits)})
		for j, s := range pp.Spotlights {
			out = append(out, answerSlide(p, s, j+1, len(pp.Spotlights)))
		}
		for j, page := range pp.Mosaic {
			out = append(out, mosaicSlide(p, page, j+1, len(pp.Mosaic)))
		}
	}
	return out, nil
}

// Plan plans the show from the source (once; later calls return the same
// plan). The cover, awards and scores are what the prompts' time is
// planned around.
func (src *Source) Plan(ctx context.Context) (*Plan, error) {
	if src.plan != nil {
		return src.plan, nil
	}
	var fixed []Slide
	for _, sec := range []Section{Cover, Awards, Scores} {
		slides, err := sec(ctx, src)
		if err != nil {
			return nil, err
		}
		fixed = append(fixed, slides...)
	}
	src.plan = PlanShow(src, fixed)
	return src.plan, nil
}

// mosaicSlide is page n of of of a prompt's mosaic.
func mosaicSlide(p *models.Prompt, subs []*models.RevealSubmission, n, of int) Slide {
	sl := Slide{Key: MosaicKey(p.ID, n), Kind: KindMosaic, Title: p.Title, PromptID: p.ID, PromptTitle: p.Title,
		Page: n, Pages: of, Answers: len(subs), Fit: fitFor(p.Title, titleFits), Tiles: make([]Tile, len(subs))}
	for i, s := range subs {
		a := answerSlide(p, s, 0, 0)
		sl.Tiles[i] = Tile{SubmissionID: s.ID, PhotoKey: a.PhotoKey, Version: a.Version, Width: a.Width, Height: a.Height,
			Caption: a.Caption, Text: a.Text, Author: a.Author, AuthorDetail: a.AuthorDetail}
	}
	return sl
}

func answerSlide(p *models.Prompt, s *models.RevealSubmission, n, of int) Slide {
	sl := Slide{Key: fmt.Sprintf("sub-%d", s.ID), PromptID: p.ID, PromptTitle: p.Title, Number: n, Of: of,
		SubmissionID: s.ID, Caption: s.Caption, Starred: s.Starred, Author: s.ParticipantName, AuthorDetail: s.TeamName,
		AuthorID: s.ParticipantID}
	if p.TeamPrompt && s.TeamName != "" && s.TeamID != nil {
		sl.Author, sl.AuthorDetail, sl.AuthorID = s.TeamName, "sent by "+s.ParticipantName, *s.TeamID
		sl.TeamAnswer = true
	}
	if s.HasPhoto() {
		sl.Kind, sl.PhotoKey, sl.Version = KindPhoto, s.PhotoKey, PhotoVersion(s.PhotoKey)
		sl.Width, sl.Height = s.PhotoWidth, s.PhotoHeight
		sl.Fit = fitFor(s.Caption, captionFits)
		return sl
	}
	sl.Kind, sl.Text = KindText, s.Text
	sl.Fit = fitFor(s.Text, textFits)
	return sl
}

// PhotoVersion is a short name for one stored photo (its folder is new for
// every upload), to make URLs change when a photo is replaced.
func PhotoVersion(key string) string {
	for i := len(key) - 1; i >= 0; i-- {
		if key[i] == '/' {
			v := key[i+1:]
			if len(v) > 8 {
				v = v[:8]
			}
			return v
		}
	}
	return "0"
}

// Size classes by length in characters: the shorter, the bigger the type.
var (
	titleFits   = []int{30, 70, 140}
	captionFits = []int{60, 140, 220}
	textFits    = []int{40, 120, 400}
)

func fitFor(s string, limits []int) string {
	n := utf8.RuneCountInString(s)
	for i, l := range limits {
		if n <= l {
			return []string{"s", "m", "l"}[i]
		}
	}
	return "xl"
}

// Leaderboard slides show at most this many rows (more on ties for the
// last place): a room reads ten names, not two hundred.
const maxBoardRows = 10

// Scores reveals the team board (when the event uses teams) and then the
// individual board, each from the bottom up: one slide per row, so every
// press of "next" brings one more name.
func Scores(_ context.Context, src *Source) ([]Slide, error) {
	var out []Slide
	if src.Event.TeamsEnabled && len(src.Board.Teams) > 0 {
		out = append(out, boardSlides("teams", "Team scores", src.Board.Teams, false)...)
	}
	if len(src.Board.People) > 0 {
		out = append(out, boardSlides("people", "Individual scores", src.Board.People, true)...)
	}
	return out, nil
}

func boardSlides(board, title string, standings []models.Standing, people bool) []Slide {
	var rows []ScoreRow
	for _, st := range standings {
		if len(rows) >= maxBoardRows && st.Rank > rows[len(rows)-1].Rank {
			break
		}
		if len(rows) >= maxBoardRows+5 {
			break // a tie across many rows: the slide must still fit
		}
		r := ScoreRow{Rank: st.Rank, Name: st.Name, Points: st.Points, Tied: st.Tied}
		if people {
			r.Detail = st.TeamName
		} else if st.Members > 0 {
			r.Detail = fmt.Sprintf("%d %s", st.Members, plural(st.Members, "member", "members"))
		}
		rows = append(rows, r)
	}
	subtitle := ""
	if len(standings) > len(rows) {
		subtitle = fmt.Sprintf("Top %d of %d", len(rows), len(standings))
	}
	out := make([]Slide, 0, len(rows)+1)
	for shown := 0; shown <= len(rows); shown++ {
		out = append(out, Slide{Key: fmt.Sprintf("scores-%s-%d", board, shown), Kind: KindScores, Title: title,
			Subtitle: subtitle, Board: board, Rows: rows, Revealed: shown})
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
