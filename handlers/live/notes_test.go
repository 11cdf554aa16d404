package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
)

// plannedDeck lays an event out as a show plan does: for each prompt its
// title slide, its first answer as a spotlight, then every answer again
// on mosaic pages of one tile each; the scores after. Each slide gets
// the seconds secs gives its kind (0: no plan).
func plannedDeck(secs map[live.Kind]int) live.Builder {
	plan := func(_ context.Context, src *live.Source) ([]live.Slide, error) {
		out := []live.Slide{{Key: "cover", Kind: live.KindCover, Title: src.Event.Name, Subtitle: "The reveal", Seconds: secs[live.KindCover]}}
		for i, p := range src.Prompts {
			var subs []models.RevealSubmission
			for _, s := range src.Submissions {
				if s.PromptID == p.ID {
					subs = append(subs, s)
				}
			}
			out = append(out, live.Slide{Key: fmt.Sprintf("prompt-%d", p.ID), Kind: live.KindPrompt, Title: p.Title, PromptID: p.ID,
				Number: i + 1, Of: len(src.Prompts), Answers: len(subs), Fit: "m", Seconds: secs[live.KindPrompt]})
			for j, s := range subs {
				if j == 0 {
					out = append(out, spotlight(&p, &s, len(subs), secs))
				}
				tile := live.Tile{SubmissionID: s.ID, Caption: s.Caption, Text: s.Text, Author: s.ParticipantName}
				if s.HasPhoto() {
					tile.PhotoKey, tile.Version, tile.Width, tile.Height = s.PhotoKey, live.PhotoVersion(s.PhotoKey), s.PhotoWidth, s.PhotoHeight
				}
				out = append(out, live.Slide{Key: live.MosaicKey(p.ID, j+1), Kind: live.KindMosaic, PromptID: p.ID, PromptTitle: p.Title,
					Tiles: []live.Tile{tile}, Page: j + 1, Pages: len(subs), Seconds: secs[live.KindMosaic]})
			}
		}
		return out, nil
	}
	return live.Builder{Sections: []live.Section{plan, live.Scores}}
}

func spotlight(p *models.Prompt, s *models.RevealSubmission, of int, secs map[live.Kind]int) live.Slide {
	sl := live.Slide{Key: live.SubmissionKey(s.ID), Kind: live.KindText, PromptID: p.ID, PromptTitle: p.Title, Number: 1, Of: of,
		SubmissionID: s.ID, Caption: s.Caption, Text: s.Text, Author: s.ParticipantName, Fit: "m"}
	if s.HasPhoto() {
		sl.Kind, sl.PhotoKey, sl.Version, sl.Width, sl.Height = live.KindPhoto, s.PhotoKey, live.PhotoVersion(s.PhotoKey), s.PhotoWidth, s.PhotoHeight
	}
	sl.Seconds = secs[sl.Kind]
	return sl
}

// presenterDeck is deck.json as the presenter's scripts read it.
type presenterDeck struct {
	Version   int        `json:"version"`
	StartedAt *time.Time `json:"started_at"`
	Now       time.Time  `json:"now"`
	Slides    []struct {
		Key     string `json:"key"`
		Kind    string `json:"kind"`
		Photo   string `json:"photo"`
		Thumb   string `json:"thumb"`
		Seconds int    `json:"seconds"`
		Page    int    `json:"page"`
		Pages   int    `json:"pages"`
	} `json:"slides"`
}

func (s *show) presenterDeck(t *testing.T) presenterDeck {
	t.Helper()
	code, body := getJSON(s.ana, s.presenter()+"/deck.json")
	if code != http.StatusOK {
		t.Fatalf("deck.json: got %d\n%s", code, body)
	}
	var d presenterDeck
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("deck.json: %v\n%s", err, body)
	}
	return d
}

// TestDeckTimesTheShow: deck.json says when the reveal started and what
// the server's clock says now (the scripts count by it, not the laptop's),
// each slide's planned seconds, and a thumbnail for each photo slide.
func TestDeckTimesTheShow(t *testing.T) {
	s := newShow(t)
	s.app.Server.Live().Builder = plannedDeck(map[live.Kind]int{live.KindCover: 10, live.KindPrompt: 20, live.KindPhoto: 30, live.KindMosaic: 40})
	if d := s.presenterDeck(t); d.StartedAt != nil {
		t.Errorf("before the start: started_at %v, want none", d.StartedAt)
	}
	started := s.app.Clock.Now()
	s.act(t, s.ana, "start", nil)
	s.app.Clock.Advance(7*time.Minute + 42*time.Second)
	d := s.presenterDeck(t)
	if d.StartedAt == nil || !d.StartedAt.Equal(started) || !d.Now.Equal(started.Add(7*time.Minute+42*time.Second)) {
		t.Errorf("started_at %v now %v, want %v and 7m42s later", d.StartedAt, d.Now, started)
	}
	var mosaics, thumbs int
	for _, sl := range d.Slides {
		// The kinds this deck plans keep their time; the builder gives the
		// others the show plan's (a text slide 20 s, a score row 4 s).
		want, ok := map[string]int{"cover": 10, "prompt": 20, "photo": 30, "mosaic": 40}[sl.Kind]
		if !ok {
			want = map[string]int{"text": 20, "scores": 4, "award": 12}[sl.Kind]
		}
		if sl.Seconds != want {
			t.Errorf("%s: seconds %d, want %d", sl.Key, sl.Seconds, want)
		}
		if sl.Kind == "mosaic" {
			mosaics++
		}
		if sl.Kind == "photo" {
			thumbs++
			wantThumb := strings.Replace(strings.Split(sl.Photo, "?")[0], "/full", "/thumb", 1)
			if !strings.HasPrefix(sl.Thumb, wantThumb+"?v=") {
				t.Errorf("%s: thumb %q, want the thumbnail of %q", sl.Key, sl.Thumb, sl.Photo)
			}
			if code := s.ana.Get(sl.Thumb).Code; code != http.StatusOK {
				t.Errorf("%s: thumbnail: got %d", sl.Key, code)
			}
		} else if sl.Thumb != "" {
			t.Errorf("%s (%s) has a thumb %q", sl.Key, sl.Kind, sl.Thumb)
		}
	}
	if mosaics == 0 || thumbs == 0 {
		t.Fatalf("the planned deck has %d mosaics and %d photos", mosaics, thumbs)
	}
}

var notesText = regexp.MustCompile(`(?s)data-note-(now|next)>([^<]*)<`)

// notes reads the notes window as a browser without its script sees it.
func (s *show) notes(t *testing.T, c *handlertest.Client) map[string]string {
	t.Helper()
	rec := c.Get(s.presenter() + "/notes")
	if rec.Code != http.StatusOK {
		t.Fatalf("notes: got %d\n%s", rec.Code, rec.Body.String())
	}
	out := map[string]string{}
	for _, m := range notesText.FindAllStringSubmatch(rec.Body.String(), -1) {
		out[m[1]] = strings.TrimSpace(m[2])
	}
	return out
}

// TestNotesWindowWithoutItsScript: the notes page says what is on screen
// and what comes next (a mosaic by its page and size), and its forms come
// back to it.
func TestNotesWindowWithoutItsScript(t *testing.T) {
	s := newShow(t)
	s.app.Server.Live().Builder = plannedDeck(nil)
	if n := s.notes(t, s.ana); n["now"] != "The reveal has not started." {
		t.Errorf("before the start the notes say %q", n["now"])
	}
	s.act(t, s.ana, "start", nil)
	s.act(t, s.ana, "goto", url.Values{"index": {"2"}}) // Dee's photo (starred), the spotlight
	n := s.notes(t, s.ana)
	if n["now"] != "Photo by Dee" || n["next"] != "Mosaic: A picture of you on a swing, page 1 of 2 (1 answer)" {
		t.Errorf("notes: %q", n)
	}

	rec := s.ana.PostForm(s.presenter()+"/next", url.Values{"return": {"notes"}})
	if loc := rec.Header().Get("Location"); rec.Code != http.StatusSeeOther || loc != s.presenter()+"/notes" {
		t.Errorf("next from the notes window's form: %d to %q, want back to the notes", rec.Code, loc)
	}
	if st, _ := s.followerState(t, s.bea); st.Index != 3 || st.Slide.Kind != live.KindMosaic {
		t.Errorf("phones after the notes window's next: %+v", st)
	}
	rec = s.ana.PostForm(s.presenter()+"/next", url.Values{"return": {"https://elsewhere.example"}})
	if loc := rec.Header().Get("Location"); loc != s.presenter() {
		t.Errorf("next with a strange return: to %q, want the presenter", loc)
	}

	// Only organizers: a participant's phone gets nothing.
	if code := s.bea.Get(s.presenter() + "/notes").Code; code != http.StatusNotFound && code != http.StatusSeeOther {
		t.Errorf("a participant asking for the notes: got %d", code)
	}
}
