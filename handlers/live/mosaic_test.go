package live_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/html"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
)

// mosaics is a deck section for tests that need mosaics of a given size
// (the show plan sizes its own): each prompt's answers as mosaic pages of
// perPage tiles.
func mosaics(perPage int) live.Section {
	return mosaicsBy(func(uint) int { return perPage })
}

// mosaicsBy is mosaics with each prompt's own page size.
func mosaicsBy(pageSize func(promptID uint) int) live.Section {
	return func(_ context.Context, src *live.Source) ([]live.Slide, error) {
		var out []live.Slide
		for _, p := range src.Prompts {
			perPage := pageSize(p.ID)
			var tiles []live.Tile
			for _, s := range src.Submissions {
				if s.PromptID != p.ID {
					continue
				}
				t := live.Tile{SubmissionID: s.ID, Caption: s.Caption, Text: s.Text, Author: s.ParticipantName, AuthorDetail: s.TeamName}
				if s.HasPhoto() {
					t.PhotoKey, t.Version, t.Width, t.Height = s.PhotoKey, live.PhotoVersion(s.PhotoKey), s.PhotoWidth, s.PhotoHeight
				}
				tiles = append(tiles, t)
			}
			pages := (len(tiles) + perPage - 1) / perPage
			for pg := 1; pg <= pages; pg++ {
				out = append(out, live.Slide{Key: live.MosaicKey(p.ID, pg), Kind: live.KindMosaic, PromptID: p.ID,
					PromptTitle: p.Title, Title: p.Title, Tiles: tiles[(pg-1)*perPage : min(pg*perPage, len(tiles))],
					Page: pg, Pages: pages, Seconds: 20})
			}
		}
		return out, nil
	}
}

// useMosaics makes the app's reveal a cover and then mosaics.
func useMosaics(app *handlertest.App, perPage int) {
	app.Server.Live().Builder = live.Builder{Sections: []live.Section{live.Cover, mosaics(perPage)}}
}

// TestMosaicLosesAnswersWithdrawnOrHidden: an answer whose sender keeps
// it out of the live call leaves the mosaic on screen at once; one hidden
// since the deck was built is gone from its mosaic when that comes up.
func TestMosaicLosesAnswersWithdrawnOrHidden(t *testing.T) {
	s := newShow(t)
	if _, err := s.app.Store.SetHidden(t.Context(), s.ev.ID, s.cyJoke, false); err != nil {
		t.Fatal(err)
	}
	useMosaics(s.app, 10) // the swing: Dee and Bea; the jokes: Bea and Cy
	tiles := func(st live.FollowerState) []string {
		var names []string
		for _, tile := range st.Slide.Tiles {
			names = append(names, tile.Author)
		}
		return names
	}
	s.act(t, s.ana, "start", nil)
	st := s.act(t, s.ana, "next", nil)
	if got := tiles(st); st.Slide.Kind != live.KindMosaic || !slices.Equal(got, []string{"Bea", "Dee"}) && !slices.Equal(got, []string{"Dee", "Bea"}) {
		t.Fatalf("the swing's mosaic: %s %v", st.Slide.Kind, got)
	}
	rec := s.bea.PostForm(fmt.Sprintf("/e/%d/prompts/%d/live-consent", s.ev.ID, s.swing.ID), url.Values{"not_for_live": {"1"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("withdraw: %d %s", rec.Code, rec.Body.String())
	}
	st, body := s.followerState(t, s.dee)
	if got := tiles(st); !slices.Equal(got, []string{"Dee"}) || strings.Contains(body, "Wheee") {
		t.Errorf("after Bea kept hers out, the mosaic on screen holds %v:\n%s", got, body)
	}
	if _, err := s.app.Store.SetHidden(t.Context(), s.ev.ID, s.beaJoke, true); err != nil {
		t.Fatal(err)
	}
	st = s.act(t, s.ana, "next", nil)
	if got := tiles(st); st.Slide.PromptTitle != s.joke.Title || !slices.Equal(got, []string{"Cy"}) {
		t.Errorf("the jokes' mosaic after Bea's was hidden: %v", got)
	}
}

// TestMosaicTilePhotosOnlyOnceShown: a phone may load a tile's photo (its
// thumbnail and its larger rendition) once the mosaic holding it has been
// on screen or is coming up next (preloading), never before the start, and
// never once the answer is hidden.
func TestMosaicTilePhotosOnlyOnceShown(t *testing.T) {
	s := newShow(t)
	useMosaics(s.app, 1) // one tile a page: Dee's (starred) on page 1, Bea's on page 2
	phone := s.cy
	tile := func(id uint, size string) int {
		p := fmt.Sprintf("%s/photos/%d?v=x", s.live(), id)
		if size != "" {
			p += "&size=" + size
		}
		return phone.Get(p).Code
	}
	for _, id := range []uint{s.deePhoto, s.beaPhoto} {
		for _, size := range []string{"", "thumb"} {
			if code := tile(id, size); code != http.StatusNotFound {
				t.Errorf("tile %d (%q) before the start: got %d, want 404", id, size, code)
			}
		}
	}
	s.act(t, s.ana, "start", nil)

	st := s.goTo(t, live.MosaicKey(s.swing.ID, 1))
	f := st.Slide
	if f == nil || f.Kind != live.KindMosaic || f.Page != 1 || f.Pages != 2 || len(f.Tiles) != 1 {
		t.Fatalf("page 1 of the swing mosaic on phones: %+v", f)
	}
	dee := f.Tiles[0]
	if dee.SubmissionID != s.deePhoto || dee.Author != "Dee" || dee.Caption != "Higher!" ||
		dee.Photo != live.FollowerPhotoURL(s.ev.ID, s.deePhoto, live.PhotoVersion(mustPhotoKey(t, s, s.deePhoto))) ||
		dee.Thumb != dee.Photo+"&size=thumb" {
		t.Fatalf("Dee's tile: %+v", dee)
	}
	for _, u := range []string{dee.Photo, dee.Thumb} {
		rec := phone.Get(u)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
			t.Errorf("%s once its mosaic was shown: got %d %s", u, rec.Code, rec.Header().Get("Content-Type"))
		}
	}
	if code := tile(s.deePhoto, "full"); code != http.StatusNotFound {
		t.Errorf("a phone asking for the full-size rendition: got %d, want 404", code)
	}
	// Page 2 is next: phones may preload its first screenful.
	time.Sleep(20 * time.Millisecond) // the preload gate reads the state again after 10 ms
	if code := tile(s.beaPhoto, "thumb"); code != http.StatusOK {
		t.Errorf("Bea's tile, on page 2, coming up next: got %d, want 200 (preloaded)", code)
	}
	s.goTo(t, live.MosaicKey(s.swing.ID, 2))
	if code := tile(s.beaPhoto, "thumb"); code != http.StatusOK {
		t.Errorf("Bea's tile once page 2 was shown: got %d", code)
	}
	// Page 1 stays seen after the presenter moves on; Cy's answer, kept
	// out of the live call, was never on a mosaic.
	if code := tile(s.deePhoto, "thumb"); code != http.StatusOK {
		t.Errorf("Dee's tile after moving on: got %d", code)
	}
	if code := tile(s.cyPhoto, "thumb"); code != http.StatusNotFound {
		t.Errorf("Cy's photo, kept out of the live call: got %d, want 404", code)
	}

	// The organizer hides Dee's photo: her tile is never served again,
	// though its mosaic was shown.
	if _, err := s.app.Store.SetHidden(t.Context(), s.ev.ID, s.deePhoto, true); err != nil {
		t.Fatal(err)
	}
	for _, size := range []string{"", "thumb"} {
		if code := tile(s.deePhoto, size); code != http.StatusNotFound {
			t.Errorf("a hidden answer's tile (%q): got %d, want 404", size, code)
		}
	}
	if code := tile(s.beaPhoto, ""); code != http.StatusOK {
		t.Errorf("Bea's tile next to a hidden one: got %d", code)
	}
}

// TestMosaicTilesAfterARebuild: a refreshed deck that puts new tiles on a
// mosaic already shown lets phones load them (they see that slide as it is
// now), and a tile that moved to a later page stays loadable.
func TestMosaicTilesAfterARebuild(t *testing.T) {
	s := newShow(t)
	useMosaics(s.app, 1)
	s.act(t, s.ana, "start", nil)
	s.goTo(t, live.MosaicKey(s.swing.ID, 1)) // Dee's
	thumb := func(id uint) int {
		return s.bea.Get(live.FollowerThumbURL(s.ev.ID, id, "x")).Code
	}
	if code := thumb(s.deePhoto); code != http.StatusOK {
		t.Fatalf("Dee's tile: got %d", code)
	}
	// Dee's photo loses its star: the rebuilt page 1 holds Bea's instead.
	if _, err := s.app.Store.SetStarred(t.Context(), s.ev.ID, s.deePhoto, false); err != nil {
		t.Fatal(err)
	}
	st := s.act(t, s.ana, "refresh", nil)
	if st.Slide.Key != live.MosaicKey(s.swing.ID, 1) || st.Slide.Tiles[0].SubmissionID != s.beaPhoto {
		t.Fatalf("after the refresh the phones show %+v", st.Slide)
	}
	if code := thumb(s.beaPhoto); code != http.StatusOK {
		t.Errorf("Bea's tile, now on the page on screen: got %d", code)
	}
	if code := thumb(s.deePhoto); code != http.StatusOK {
		t.Errorf("Dee's tile, shown before the rebuild moved it: got %d", code)
	}
}

// TestPresenterMosaicTileRenditions: the presenter's tiles load through
// the dashboard's photo route, as phone renditions on a mosaic of a few
// and thumbnails on one of many; phones get thumbnails for the grid and
// the phone rendition to open one larger.
func TestPresenterMosaicTileRenditions(t *testing.T) {
	for _, tc := range []struct {
		name  string
		crowd int
		grid  string
	}{
		{"a few tiles", 0, "phone"}, // Dee's and Bea's
		{"many tiles", 20, "thumb"}, // and twenty more
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newShow(t)
			dee, err := s.app.Store.EventSubmission(t.Context(), s.ev.ID, s.deePhoto)
			if err != nil {
				t.Fatal(err)
			}
			crowd(t, s.app, s.ev, s.swing, tc.crowd, []*models.Submission{dee}, nil)
			useMosaics(s.app, 100)
			s.act(t, s.ana, "start", nil)
			key := live.MosaicKey(s.swing.ID, 1)
			s.goTo(t, key)
			var m *live.FollowerSlide
			for _, sl := range presenterSlides(t, s) {
				if sl.Key == key {
					m = sl
				}
			}
			if m == nil || len(m.Tiles) != 2+tc.crowd {
				t.Fatalf("the presenter's mosaic: %+v", m)
			}
			for _, tile := range m.Tiles {
				phone := fmt.Sprintf("/dashboard/events/%d/photos/%d/phone?v=", s.ev.ID, tile.SubmissionID)
				grid := tile.Thumb
				if grid == "" {
					grid = tile.Photo
				}
				if !strings.HasPrefix(tile.Photo, phone) || !strings.Contains(grid, fmt.Sprintf("/%d/%s?v=", tile.SubmissionID, tc.grid)) {
					t.Fatalf("tile %d: photo %q thumb %q, want the grid to show %s", tile.SubmissionID, tile.Photo, tile.Thumb, tc.grid)
				}
				if rec := s.ana.Get(grid); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
					t.Errorf("the presenter's tile %s: got %d", grid, rec.Code)
				}
				// A phone never gets in through the dashboard's route.
				if code := s.bea.Get(grid).Code; code == http.StatusOK {
					t.Errorf("a phone loaded the dashboard's %s", grid)
				}
			}
			// Phones: thumbnails in the grid whatever the count.
			st, _ := s.followerState(t, s.bea)
			if th := st.Slide.Tiles[0].Thumb; !strings.HasSuffix(th, "&size=thumb") || s.bea.Get(th).Code != http.StatusOK {
				t.Errorf("a phone's tile thumbnail %q", th)
			}
		})
	}
}

// crowdNames are first names for crowd; with an initial each, 26 times as
// many people.
var crowdNames = strings.Fields(`Ada Bruno Chloé Dmitri Elif Farid Greta Hiro Ines Jonas Kavya Luca Mei Nadia Omar Priya
	Quentin Rosa Sami Tomás Uma Viktor Wen Ximena Yusuf Zoe Amara Bjorn Carmen Dario`)

// crowd adds n people to the event, each with an answer to p: a copy of
// one of the photos like (the same stored files, so a crowd costs no
// uploads) or, for a text prompt, one of texts. Names are unique, as in
// any event. It returns the answers' ids.
func crowd(t testing.TB, app *handlertest.App, ev *models.Event, p *models.Prompt, n int, like []*models.Submission, texts []string) []uint {
	t.Helper()
	return crowdFrom(t, app, ev, p, 0, n, like, texts)
}

// crowdFrom is crowd naming people from the from'th name on, so that two
// crowds in one event are different people.
func crowdFrom(t testing.TB, app *handlertest.App, ev *models.Event, p *models.Prompt, from, n int, like []*models.Submission, texts []string) []uint {
	t.Helper()
	ctx := t.Context()
	ids := make([]uint, 0, n)
	for i := from; i < from+n; i++ {
		name := fmt.Sprintf("%s %c.", crowdNames[i%len(crowdNames)], 'A'+rune(i/len(crowdNames)%26))
		pa, err := app.Store.Join(ctx, ev, models.JoinInput{Name: name, TimeZone: ev.TimeZone})
		if err != nil {
			t.Fatalf("join %s: %v", name, err)
		}
		sub := models.Submission{EventID: ev.ID, PromptID: p.ID, OwnerKey: fmt.Sprintf("p%d", pa.ID), ParticipantID: pa.ID,
			CreatedAt: app.Clock.Now(), UpdatedAt: app.Clock.Now()}
		if len(texts) > 0 {
			sub.Text = texts[(i-from)%len(texts)]
		} else {
			l := like[(i-from)%len(like)]
			sub.PhotoKey, sub.PhotoFormat, sub.PhotoWidth, sub.PhotoHeight, sub.PhotoBytes = l.PhotoKey, l.PhotoFormat, l.PhotoWidth, l.PhotoHeight, l.PhotoBytes
			if i%3 == 0 {
				sub.Caption = fmt.Sprintf("Take %d", i+1)
			}
		}
		if err := app.Store.DB().Omit("Event", "Prompt", "Participant", "Team").Create(&sub).Error; err != nil {
			t.Fatalf("answer of %s: %v", name, err)
		}
		ids = append(ids, sub.ID)
	}
	return ids
}

// presenterSlides are the slides of the presenter's deck.json, whole.
func presenterSlides(t *testing.T, s *show) []*live.FollowerSlide {
	t.Helper()
	code, body := getJSON(s.ana, s.presenter()+"/deck.json")
	if code != http.StatusOK {
		t.Fatalf("deck.json: got %d\n%s", code, body)
	}
	var d struct{ Slides []*live.FollowerSlide }
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	return d.Slides
}

func mustPhotoKey(t *testing.T, s *show, id uint) string {
	t.Helper()
	sub, err := s.app.Store.EventSubmission(t.Context(), s.ev.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	return sub.PhotoKey
}

// TestFollowerPageShowsAMosaicWithoutScript: the phone's page as the
// server paints it has the mosaic, each photo tile a link to the larger
// photo, the first screenful loaded at once and the rest as scrolled to.
func TestFollowerPageShowsAMosaicWithoutScript(t *testing.T) {
	s := newShow(t)
	useMosaics(s.app, 50)
	s.act(t, s.ana, "start", nil)
	s.goTo(t, live.MosaicKey(s.joke.ID, 1))
	doc := parsePage(t, s.dee, s.live())
	grid := findAll(doc, func(n *html.Node) bool { return hasAttr(n, "data-mosaic") })
	if len(grid) != 1 {
		t.Fatalf("the page has %d mosaics, want 1", len(grid))
	}
	// The joke prompt: Bea's text (Cy's is hidden, so not in the deck).
	texts := findAll(grid[0], func(n *html.Node) bool { return hasClass(n, "tile-quote") })
	if len(texts) != 1 || textOf(texts[0]) != "Knock knock" {
		t.Fatalf("text tiles: %d", len(texts))
	}
	if names := findAll(grid[0], func(n *html.Node) bool { return hasClass(n, "tile-name") }); len(names) != 1 || textOf(names[0]) != "Bea" {
		t.Fatalf("a mosaic names its senders: %v", names)
	}

	s.goTo(t, live.MosaicKey(s.swing.ID, 1))
	doc = parsePage(t, s.dee, s.live())
	links := findAll(doc, func(n *html.Node) bool { return n.Data == "a" && hasAttr(n, "data-tile") })
	if len(links) != 2 {
		t.Fatalf("photo tiles as links: got %d, want 2 (Dee's and Bea's)", len(links))
	}
	for i, a := range links {
		img := findAll(a, func(n *html.Node) bool { return n.Data == "img" })
		if len(img) != 1 {
			t.Fatalf("tile %d has no image", i)
		}
		href, src := attr(a, "href"), attr(img[0], "src")
		if !strings.Contains(href, "/live/photos/") || src != href+"&size=thumb" {
			t.Errorf("tile %d: links to %q, shows %q", i, href, src)
		}
		for _, u := range []string{href, src} {
			if code := s.dee.Get(u).Code; code != http.StatusOK {
				t.Errorf("tile %d: %s got %d", i, u, code)
			}
		}
	}
	if got := attr(links[0], "data-author"); got != "Dee" {
		t.Errorf("first tile by %q, want Dee (starred first)", got)
	}
}

// TestGuessResultsOnlyOnceNamed: a phone that guessed learns whether it
// was right when the name comes out, and not before; on a reload too.
func TestGuessResultsOnlyOnceNamed(t *testing.T) {
	s := newShow(t)
	people, err := s.app.Store.Participants(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := map[string]string{}
	for _, p := range people {
		id[p.Name] = strconv.FormatUint(uint64(p.ID), 10)
	}
	eve := s.app.Client()
	eve.Join(s.ev, "Eve") // follows along without guessing
	s.act(t, s.ana, "start", nil)
	s.goTo(t, live.SubmissionKey(s.beaPhoto))
	guess := func(c *handlertest.Client, person string) {
		t.Helper()
		form := sub(s.beaPhoto)
		form.Set("person", id[person])
		if code, out := s.phonePost(t, c, "guess", form); code != http.StatusOK {
			t.Fatalf("guess %s: got %d %v", person, code, out)
		}
	}
	guess(s.cy, "Bea")
	guess(s.dee, "Cy")
	key := strconv.FormatUint(uint64(s.beaPhoto), 10)

	// Before the name: no result anywhere, in the ballot or on the page.
	for name, c := range map[string]*handlertest.Client{"Cy": s.cy, "Dee": s.dee} {
		doc := parsePage(t, c, s.live())
		if r := findAll(doc, func(n *html.Node) bool { return hasAttr(n, "data-guess-result") }); len(r) != 0 {
			t.Errorf("%s's page shows a result before the name: %s", name, textOf(r[0]))
		}
		b := ballotOf(t, doc)
		if _, ok := b.Results[key]; ok {
			t.Errorf("%s's ballot tells the result before the name: %v", name, b.Results)
		}
		if b.Guesses[key] == 0 {
			t.Errorf("%s's ballot lost the guess: %v", name, b.Guesses)
		}
	}

	st := s.act(t, s.ana, "name", url.Values{"named": {"1"}})
	if st.Slide.Author != "Bea" {
		t.Fatalf("the name on phones: %+v", st.Slide)
	}
	for _, tc := range []struct {
		name   string
		c      *handlertest.Client
		result string // "" for none
		text   string
		right  *bool
	}{
		{"Cy", s.cy, "right", "You guessed right!", ptr(true)},
		{"Dee", s.dee, "wrong", "Not this time — you guessed Cy", ptr(false)},
		{"Eve", eve, "", "", nil},
		{"Bea", s.bea, "", "", nil}, // her own
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := parsePage(t, tc.c, s.live())
			r := findAll(doc, func(n *html.Node) bool { return hasAttr(n, "data-guess-result") })
			switch {
			case tc.result == "" && len(r) != 0:
				t.Errorf("a result on a phone that did not guess: %q", textOf(r[0]))
			case tc.result != "" && (len(r) != 1 || attr(r[0], "data-guess-result") != tc.result || textOf(r[0]) != tc.text):
				t.Errorf("result: got %d elements %v, want %q", len(r), r, tc.text)
			}
			b := ballotOf(t, doc)
			got, ok := b.Results[key]
			if (tc.right == nil) != !ok || (ok && got != *tc.right) {
				t.Errorf("ballot results: %v, want %v", b.Results, tc.right)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// ballot is the part of the phone's ballot these tests read.
type ballot struct {
	Guesses map[string]uint `json:"guesses"`
	Results map[string]bool `json:"results"`
}

func ballotOf(t *testing.T, doc *html.Node) ballot {
	t.Helper()
	el := findAll(doc, func(n *html.Node) bool { return n.Data == "script" && attr(n, "id") == "ballot" })
	if len(el) != 1 {
		t.Fatal("no ballot on the page")
	}
	var b ballot
	if err := json.Unmarshal([]byte(textOf(el[0])), &b); err != nil {
		t.Fatalf("ballot: %v", err)
	}
	return b
}

// parsePage GETs path as c and parses the page.
func parsePage(t *testing.T, c *handlertest.Client, path string) *html.Node {
	t.Helper()
	rec := c.Get(path)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	doc, err := html.Parse(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.TrimSpace(b.String())
}

// TestOfflineDeckCarriesMosaicTiles: the offline copy shows a mosaic's
// photos from files in the zip (the rendition the live presenter shows),
// never from the server.
func TestOfflineDeckCarriesMosaicTiles(t *testing.T) {
	s := newShow(t)
	useMosaics(s.app, 1)
	rec := s.ana.Get(offlinePath(s.ev))
	if rec.Code != http.StatusOK {
		t.Fatalf("download: %d %s", rec.Code, rec.Body.String())
	}
	files := unzip(t, rec.Body.Bytes())
	m := deckScript.FindSubmatch(files["index.html"])
	if m == nil {
		t.Fatal("index.html carries no deck")
	}
	var deck offlineDeckJSON
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &deck); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(m[1]), "/dashboard/") || strings.Contains(string(m[1]), "/live/photos/") {
		t.Error("the offline deck points at the server")
	}
	tiles := 0
	for _, sl := range deck.Slides {
		for _, tile := range sl.Tiles {
			if tile.Photo == "" {
				continue // a text
			}
			tiles++
			sub, err := s.app.Store.EventSubmission(t.Context(), s.ev.ID, tile.SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			want, err := s.app.ReadMedia(models.PhotoFile(sub.PhotoKey, media.Phone))
			if err != nil {
				t.Fatal(err)
			}
			if got, ok := files[tile.Photo]; !ok || !bytes.Equal(got, want) || tile.Thumb != "" {
				t.Errorf("tile %d of %s: %q (thumb %q) is not its phone rendition in the zip", tile.SubmissionID, sl.Key, tile.Photo, tile.Thumb)
			}
		}
	}
	if tiles != 2 {
		t.Errorf("%d photo tiles in the offline deck, want Dee's and Bea's", tiles)
	}
}

// TestMosaicTilesAllAtOnce: when a mosaic comes up every phone asks for
// its tiles in the same moment; all of them are served (the deck is read
// once for them, see live.ShownAnswers), and so are the next mosaic's
// first screenful (preloaded), but not its other tiles, in the same burst.
func TestMosaicTilesAllAtOnce(t *testing.T) {
	s := newShow(t)
	dee, err := s.app.Store.EventSubmission(t.Context(), s.ev.ID, s.deePhoto)
	if err != nil {
		t.Fatal(err)
	}
	ids := crowd(t, s.app, s.ev, s.swing, 30, []*models.Submission{dee}, nil)
	useMosaics(s.app, 16) // page 1: Dee's, Bea's and 14 of the crowd
	s.act(t, s.ana, "start", nil)
	s.goTo(t, live.MosaicKey(s.swing.ID, 1))
	// Page 2 is next: its first screenful may be preloaded, the rest not.
	onPage1 := append([]uint{s.deePhoto, s.beaPhoto}, ids[:14]...)
	ahead := ids[14 : 14+live.PreloadTiles]
	later := ids[14+live.PreloadTiles:]
	codes := make(chan string, len(onPage1)+len(ahead)+len(later))
	var wg sync.WaitGroup
	for _, batch := range []struct {
		ids  []uint
		want int
	}{{onPage1, http.StatusOK}, {ahead, http.StatusOK}, {later, http.StatusNotFound}} {
		for _, id := range batch.ids {
			wg.Go(func() {
				if code := s.cy.Get(live.FollowerThumbURL(s.ev.ID, id, "x")).Code; code != batch.want {
					codes <- fmt.Sprintf("tile %d: got %d, want %d", id, code, batch.want)
				}
			})
		}
	}
	wg.Wait()
	close(codes)
	for msg := range codes {
		t.Error(msg)
	}
}
