package live

import (
	"encoding/json"
	"fmt"

	"retreat/models"
)

// FollowerState is what phones get: where the reveal is and the current
// slide, cut down to what has been shown. It is also the presenter's sync
// message (Index, Named, DeckVersion), so every change is encoded once.
type FollowerState struct {
	Seq         int64               `json:"seq"`
	Status      models.RevealStatus `json:"status"`
	Index       int                 `json:"index"`
	Total       int                 `json:"total"`
	DeckVersion int                 `json:"deck"`
	// Named says the current slide's author is revealed.
	Named bool           `json:"named"`
	Slide *FollowerSlide `json:"slide,omitempty"`
	// Preload lists the photo URLs of the slides coming up, nearest
	// first, for phones to fetch ahead (see preload.go).
	Preload []string `json:"preload,omitempty"`
}

// FollowerSlide is a slide as a phone may see it: no author before the
// presenter reveals it, leaderboard rows only once revealed, photos by a
// URL that works only for slides already shown.
type FollowerSlide struct {
	Index       int    `json:"index"`
	Key         string `json:"key"`
	Kind        Kind   `json:"kind"`
	Title       string `json:"title,omitempty"`
	Subtitle    string `json:"subtitle,omitempty"`
	PromptTitle string `json:"prompt,omitempty"`
	Number      int    `json:"number,omitempty"`
	Of          int    `json:"of,omitempty"`
	Answers     int    `json:"answers,omitempty"`
	Photo       string `json:"photo,omitempty"`
	Width       int    `json:"width,omitempty"`
	Height      int    `json:"height,omitempty"`
	Caption     string `json:"caption,omitempty"`
	Text        string `json:"text,omitempty"`
	Fit         string `json:"fit,omitempty"`
	Starred     bool   `json:"starred,omitempty"`
	HasAuthor   bool   `json:"has_author,omitempty"`
	Author      string `json:"author,omitempty"`
	Detail      string `json:"author_detail,omitempty"`
	// AuthorID comes out with the name: a phone compares its guess to it.
	AuthorID uint       `json:"author_id,omitempty"`
	Board    string     `json:"board,omitempty"`
	Rows     []ScoreRow `json:"rows,omitempty"`
	Hidden   int        `json:"hidden_rows,omitempty"`
	// SubmissionID names an answer (phones vote and guess on it; their
	// own they skip). Award slides name their winning answer.
	SubmissionID uint `json:"submission_id,omitempty"`
	// TeamAnswer: a guess at the author names a team.
	TeamAnswer bool `json:"team_answer,omitempty"`
	// VotingOpen says the answer's prompt still takes votes.
	VotingOpen bool `json:"voting_open,omitempty"`
	// GuessRight of Guesses guessed the author (once named).
	GuessRight int `json:"guess_right,omitempty"`
	Guesses    int `json:"guesses,omitempty"`
	// Award, Decided and Unit describe an award slide.
	Award   string `json:"award,omitempty"`
	Decided bool   `json:"decided,omitempty"`
	Unit    string `json:"unit,omitempty"`
	// Tiles, Page and Pages describe a mosaic; Seconds is the slide's
	// time in the show plan.
	Tiles   []FollowerTile `json:"tiles,omitempty"`
	Page    int            `json:"page,omitempty"`
	Pages   int            `json:"pages,omitempty"`
	Seconds int            `json:"seconds,omitempty"`
}

// FollowerTile is a mosaic's answer as a phone may see it: Photo is the
// URL of its photo (a phone-sized rendition, for a tile opened larger) and
// Thumb the small one the grid shows; both "" for a text answer.
type FollowerTile struct {
	SubmissionID uint   `json:"submission_id"`
	Photo        string `json:"photo,omitempty"`
	Thumb        string `json:"thumb,omitempty"`
	Width        int    `json:"width,omitempty"`
	Height       int    `json:"height,omitempty"`
	Caption      string `json:"caption,omitempty"`
	Text         string `json:"text,omitempty"`
	Author       string `json:"author,omitempty"`
	Detail       string `json:"author_detail,omitempty"`
}

// FollowerPhotoURL is where a phone loads a shown slide's photo.
func FollowerPhotoURL(eventID, submissionID uint, version string) string {
	return fmt.Sprintf("/e/%d/live/photos/%d?v=%s", eventID, submissionID, version)
}

// FollowerThumbURL is where a phone loads the thumbnail of a shown
// answer's photo (square, a few hundred pixels: a mosaic's tile).
func FollowerThumbURL(eventID, submissionID uint, version string) string {
	return FollowerPhotoURL(eventID, submissionID, version) + "&size=thumb"
}

// ForFollower cuts slide i of the deck down to what phones may see, named
// saying whether its author has been revealed. Callers check the slide was
// shown.
func (d *Deck) ForFollower(i int, named bool) *FollowerSlide {
	if i < 0 || i >= len(d.Slides) {
		return nil
	}
	s := &d.Slides[i]
	f := &FollowerSlide{Index: i, Key: s.Key, Kind: s.Kind, Title: s.Title, Subtitle: s.Subtitle,
		PromptTitle: s.PromptTitle, Number: s.Number, Of: s.Of, Answers: s.Answers, Caption: s.Caption, Text: s.Text, Fit: s.Fit,
		Starred: s.Starred, HasAuthor: s.HasAuthor(), Board: s.Board, Page: s.Page, Pages: s.Pages, Seconds: s.Seconds}
	if s.Kind == KindMosaic {
		f.PromptTitle = s.PromptTitle
		f.Tiles = make([]FollowerTile, len(s.Tiles))
		for j := range s.Tiles {
			t := &s.Tiles[j]
			f.Tiles[j] = FollowerTile{SubmissionID: t.SubmissionID, Width: t.Width, Height: t.Height,
				Caption: t.Caption, Text: t.Text, Author: t.Author, Detail: t.AuthorDetail}
			if t.PhotoKey != "" {
				f.Tiles[j].Photo = FollowerPhotoURL(d.EventID, t.SubmissionID, t.Version)
				f.Tiles[j].Thumb = FollowerThumbURL(d.EventID, t.SubmissionID, t.Version)
			}
		}
	}
	if s.PhotoKey != "" && (s.Kind == KindPhoto || s.Kind == KindAward) {
		f.Photo = FollowerPhotoURL(d.EventID, s.SubmissionID, s.Version)
		f.Width, f.Height = s.Width, s.Height
	}
	if s.Kind == KindPhoto || s.Kind == KindText {
		f.SubmissionID, f.TeamAnswer = s.SubmissionID, s.TeamAnswer
	}
	if named && s.HasAuthor() {
		f.Author, f.Detail, f.AuthorID = s.Author, s.AuthorDetail, s.AuthorID
		f.GuessRight, f.Guesses = s.GuessRight, s.Guesses
	}
	if s.Kind == KindAward {
		// Winners are the point of an award: named as soon as decided,
		// nothing before.
		f.Award, f.Decided, f.Unit, f.PromptTitle = s.Award, s.Decided, s.Unit, s.PromptTitle
		if s.Decided {
			f.Rows = append([]ScoreRow(nil), s.Rows...)
			f.SubmissionID = s.SubmissionID
		} else {
			f.Photo, f.Caption, f.Text = "", "", ""
		}
	}
	if s.Kind == KindScores {
		// Only the bottom Revealed rows; the others are counted, not named.
		from := len(s.Rows) - s.Revealed
		from = max(0, min(from, len(s.Rows)))
		f.Rows = append([]ScoreRow(nil), s.Rows[from:]...)
		f.Hidden = from
	}
	return f
}

// encodeFollower builds the message for a state, once per change.
func encodeFollower(st *State) (Message, error) {
	fs := FollowerState{Seq: st.Seq, Status: st.Status, Index: st.Index, Total: len(st.Deck.Slides),
		DeckVersion: st.DeckVersion}
	if st.Status == models.RevealLive {
		if sl := st.Current(); sl != nil {
			fs.Named = st.Named[sl.Key]
			fs.Slide = st.Deck.ForFollower(st.Index, fs.Named)
			fs.Preload = st.Deck.PreloadURLs(st.Index)
			if fs.Slide.SubmissionID != 0 && sl.Kind != KindAward {
				fs.Slide.VotingOpen = st.VotingOpen(sl.PromptID)
			}
		}
	}
	b, err := json.Marshal(fs)
	if err != nil {
		return Message{}, fmt.Errorf("encode follower state: %w", err)
	}
	return Message{Type: TypeSlide, Seq: st.Seq, Data: b}, nil
}
