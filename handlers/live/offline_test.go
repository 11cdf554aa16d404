package live_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"image/jpeg"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
	"retreat/static"
)

func offlinePath(ev *models.Event) string {
	return fmt.Sprintf("/dashboard/events/%d/reveal/offline.zip", ev.ID)
}

// unzip reads every file of a zip into memory (a test's small deck).
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("open the zip: %v", err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if !filepath.IsLocal(f.Name) {
			t.Errorf("zip entry %q would land outside the folder it is unzipped in", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		files[f.Name] = data
	}
	return files
}

var (
	deckScript   = regexp.MustCompile(`(?s)<script type="application/json" id="deck">(.*?)</script>`)
	moduleScript = regexp.MustCompile(`(?s)<script type="module">(.*?)</script>`)
	cspScript    = regexp.MustCompile(`script-src '(sha256-[^']+)'`)
)

const quinnCaption = "From the very top </script><b>bold</b> <!-- &amp;"

// offlineDeckJSON is the deck index.html carries.
type offlineDeckJSON struct {
	Event  string               `json:"event"`
	Slides []live.FollowerSlide `json:"slides"`
}

func TestOfflineDeckZip(t *testing.T) {
	s := newShow(t)
	// A real 12-megapixel phone photo with GPS in its EXIF: its full-screen
	// rendition (1536x2048) is not the phone one, and its original must
	// not travel. Its caption tries to end the script the deck is in.
	quinn := s.app.Client()
	quinn.Join(s.ev, "Quinn")
	if rec := quinn.Upload(handlertest.AnswerPath(s.ev, s.swing), quinnCaption, handlertest.PhotoPath(t, "phone-12mp.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Quinn's upload: %d %s", rec.Code, rec.Body.String())
	}
	// A photo the organizer hid.
	hal := s.app.Client()
	hal.Join(s.ev, "Hal")
	if rec := hal.Upload(handlertest.AnswerPath(s.ev, s.swing), "Hidden swing", handlertest.PhotoPath(t, "grayscale.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("Hal's upload: %d %s", rec.Code, rec.Body.String())
	}
	subs, err := s.app.Store.EventSubmissions(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var halSub, quinnSub models.Submission
	for _, sub := range subs {
		switch sub.ParticipantName {
		case "Hal":
			halSub = sub.Submission
		case "Quinn":
			quinnSub = sub.Submission
		}
	}
	if _, err := s.app.Store.SetHidden(t.Context(), s.ev.ID, halSub.ID, true); err != nil {
		t.Fatal(err)
	}

	rec := s.ana.Get(offlinePath(s.ev))
	if rec.Code != http.StatusOK {
		t.Fatalf("download: %d %s", rec.Code, rec.Body.String())
	}
	h := rec.Header()
	if ct := h.Get("Content-Type"); ct != "application/zip" {
		t.Errorf("Content-Type %q", ct)
	}
	if cc := h.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	disp, params, err := mime.ParseMediaType(h.Get("Content-Disposition"))
	if err != nil || disp != "attachment" || params["filename"] != "Spring-hunt-reveal.zip" {
		t.Errorf("Content-Disposition %q: %v", h.Get("Content-Disposition"), err)
	}
	files := unzip(t, rec.Body.Bytes())

	// One photo per photo slide, numbered by slide, and the page's files.
	// The copy's deck: awards decided now, those nobody won left out.
	deck, err := s.app.Server.Live().OfflineDeck(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"css/live.css", "index.html", "js/offline.js", "js/slide.js"}
	photoSlides := map[string]live.Slide{} // by file name in the zip
	photoFile := map[int]string{}          // slide index → its photo's file
	byKey := map[string]string{}
	answerPhotos := 0
	for i, sl := range deck.Slides {
		// Answers' photos, and any other slide the presenter shows a
		// photo on (a decided award's winner): one file per photo, named
		// after the first slide that shows it.
		if deck.ForFollower(i, true).Photo != "" {
			if byKey[sl.PhotoKey] == "" {
				byKey[sl.PhotoKey] = fmt.Sprintf("photos/%03d.jpg", i+1)
				want = append(want, byKey[sl.PhotoKey])
				photoSlides[byKey[sl.PhotoKey]] = sl
			}
			photoFile[i] = byKey[sl.PhotoKey]
		}
		if sl.Kind == live.KindPhoto {
			answerPhotos++
		}
	}
	if answerPhotos != 3 {
		t.Fatalf("the deck has %d photo answers, want Dee's, Bea's and Quinn's", answerPhotos)
	}
	var got []string
	for name := range files {
		got = append(got, name)
	}
	sort.Strings(got)
	sort.Strings(want)
	if !slices.Equal(got, want) {
		t.Fatalf("zip holds\n %v\nwant\n %v", got, want)
	}

	// Each photo is the full-screen rendition, byte for byte, without EXIF
	// (originals keep GPS); none is an original.
	for name, sl := range photoSlides {
		b := files[name]
		full, err := s.app.ReadMedia(models.PhotoFile(sl.PhotoKey, media.Full))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, full) {
			t.Errorf("%s (%s) is not its full-screen rendition", name, sl.Author)
		}
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Errorf("%s is not a JPEG: %v", name, err)
			continue
		}
		wantW, wantH := 480, 320
		if sl.SubmissionID == quinnSub.ID {
			wantW, wantH = 1536, 2048
		}
		if cfg.Width != wantW || cfg.Height != wantH {
			t.Errorf("%s (%s) is %dx%d, want the full-screen %dx%d", name, sl.Author, cfg.Width, cfg.Height, wantW, wantH)
		}
		if bytes.Contains(b, []byte("Exif\x00\x00")) {
			t.Errorf("%s (%s) carries EXIF", name, sl.Author)
		}
	}
	original, err := s.app.ReadMedia(models.OriginalFile(quinnSub.PhotoKey, quinnSub.PhotoFormat))
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if bytes.Equal(b, original) || bytes.Contains(b, []byte("Exif\x00\x00")) {
			t.Errorf("%s is an original or carries EXIF", name)
		}
	}

	if css, _ := fs.ReadFile(static.FS, "css/live.css"); !bytes.Equal(files["css/live.css"], css) {
		t.Error("css/live.css is not static/css/live.css")
	}

	// index.html: the deck as JSON, photos at their files in the zip,
	// authors there for R but nowhere in the markup; no hidden or kept-out
	// answer anywhere.
	index := string(files["index.html"])
	m := deckScript.FindStringSubmatch(index)
	if m == nil {
		t.Fatalf("no deck JSON in index.html:\n%s", index)
	}
	var dj offlineDeckJSON
	if err := json.Unmarshal([]byte(m[1]), &dj); err != nil {
		t.Fatalf("deck JSON: %v", err)
	}
	if dj.Event != "Spring hunt" || len(dj.Slides) != len(deck.Slides) {
		t.Fatalf("deck JSON: event %q, %d slides, want %d", dj.Event, len(dj.Slides), len(deck.Slides))
	}
	authors := map[string]bool{}
	for i, sl := range dj.Slides {
		if sl.Key != deck.Slides[i].Key {
			t.Errorf("slide %d is %s, want %s", i+1, sl.Key, deck.Slides[i].Key)
		}
		if wantPhoto := photoFile[i]; sl.Photo != wantPhoto {
			t.Errorf("slide %d's photo is %q, want %q", i+1, sl.Photo, wantPhoto)
		}
		if sl.HasAuthor {
			authors[sl.Author] = true
		}
	}
	for _, name := range []string{"Bea", "Dee", "Quinn"} {
		if !authors[name] {
			t.Errorf("%s's name is not in the deck for R to reveal (authors %v)", name, authors)
		}
		if strings.Contains(strings.Replace(index, m[1], "", 1), name) {
			t.Errorf("%s's name is in index.html outside the deck data", name)
		}
	}
	if !strings.Contains(m[1], "Higher!") {
		t.Error("Dee's caption is not in the deck")
	}
	if strings.Contains(index, "</script><b>") {
		t.Error("Quinn's caption is in index.html as markup")
	}
	captions := map[string]bool{}
	for _, sl := range dj.Slides {
		captions[sl.Caption] = true
	}
	if !captions[quinnCaption] {
		t.Errorf("Quinn's caption did not come through the deck JSON intact: %v", captions)
	}
	for _, text := range []string{"Not this one", "A joke about Cy", "Hidden swing"} {
		if strings.Contains(index, text) {
			t.Errorf("index.html holds %q, an answer kept out of the live call or hidden", text)
		}
	}
	for _, net := range []string{"http://", "https://", "fetch(", "EventSource", "/dashboard/", "/static/"} {
		if strings.Contains(index, net) {
			t.Errorf("index.html mentions %q: the offline copy must not reach a server", net)
		}
	}

	// The script is slide.js and offline.js inline, and the page's CSP
	// lets exactly it run.
	sm := moduleScript.FindStringSubmatch(index)
	if sm == nil {
		t.Fatal("no inline module script in index.html")
	}
	if !strings.Contains(sm[1], string(files["js/slide.js"])) || !strings.Contains(sm[1], string(files["js/offline.js"])) {
		t.Error("the inline script is not slide.js and offline.js")
	}
	sum := sha256.Sum256([]byte(sm[1]))
	if c := cspScript.FindStringSubmatch(html.UnescapeString(index)); c == nil || c[1] != "sha256-"+base64.StdEncoding.EncodeToString(sum[:]) {
		t.Errorf("the CSP's script hash %v does not match the inline script", c)
	}
}

func TestOfflineDeckIsForThoseWhoPresent(t *testing.T) {
	s := newShow(t)
	mo := s.app.Organizer("mo@example.com", "Mo")
	if err := s.app.Store.DB().Create(&models.EventOrganizer{EventID: s.ev.ID, OrganizerID: mo.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	moc := s.app.Client()
	moc.SignIn("mo@example.com")
	s.app.Organizer("zed@example.com", "Zed")
	zed := s.app.Client()
	zed.SignIn("zed@example.com")
	for _, c := range []struct {
		who    string
		client *handlertest.Client
		code   int
	}{
		{"a moderator", moc, http.StatusForbidden},
		{"another event's organizer", zed, http.StatusNotFound},
		// A participant's phone finds no event dashboard page at all.
		{"a participant", s.bea, http.StatusNotFound},
		{"nobody signed in", s.app.Client(), http.StatusSeeOther},
	} {
		rec := c.client.Get(offlinePath(s.ev))
		if rec.Code != c.code {
			t.Errorf("%s: got %d, want %d", c.who, rec.Code, c.code)
		}
		if rec.Header().Get("Content-Type") == "application/zip" || strings.Contains(rec.Body.String(), "Higher!") {
			t.Errorf("%s got the deck", c.who)
		}
		if c.code == http.StatusSeeOther && !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("%s: sent to %q, want the sign-in page", c.who, rec.Header().Get("Location"))
		}
	}
	if page := s.ana.Get(s.presenter()).Body.String(); !strings.Contains(page, offlinePath(s.ev)) {
		t.Error("no offline download on the presenter page")
	}
	if page := moc.Get(s.presenter()).Body.String(); strings.Contains(page, offlinePath(s.ev)) {
		t.Error("a moderator's presenter page offers the offline download")
	}
	overview := fmt.Sprintf("/dashboard/events/%d", s.ev.ID)
	if page := s.ana.Get(overview).Body.String(); !strings.Contains(page, offlinePath(s.ev)) {
		t.Error("no offline download on the event's overview")
	}
	if page := moc.Get(overview).Body.String(); strings.Contains(page, offlinePath(s.ev)) {
		t.Error("a moderator's overview offers the offline download")
	}
}

// A photo gone from the store since the deck was built (replaced
// meanwhile) leaves its slide without a file; the zip is still whole.
func TestOfflineDeckWithAPhotoMissing(t *testing.T) {
	s := newShow(t)
	deck, err := live.BuildDeck(t.Context(), s.app.Store, s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	missing := ""
	for i, sl := range deck.Slides {
		if sl.SubmissionID == s.beaPhoto {
			missing = fmt.Sprintf("photos/%03d.jpg", i+1)
			if err := s.app.Photos.Delete(t.Context(), models.PhotoFile(sl.PhotoKey, media.Full)); err != nil {
				t.Fatal(err)
			}
		}
	}
	rec := s.ana.Get(offlinePath(s.ev))
	if rec.Code != http.StatusOK {
		t.Fatalf("download: %d", rec.Code)
	}
	files := unzip(t, rec.Body.Bytes())
	if _, ok := files[missing]; ok || missing == "" {
		t.Errorf("Bea's missing photo %q is in the zip", missing)
	}
	if _, ok := files["index.html"]; !ok {
		t.Error("no index.html in the zip")
	}
	if len(files) < 5 {
		t.Errorf("zip without Bea's photo holds %d files, want index, CSS, two scripts and Dee's photo at least", len(files))
	}
}
