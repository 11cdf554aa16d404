package live

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
	"retreat/static"
	"retreat/templates"
)

// downloadOfflineDeck streams the offline copy of the reveal, for when the
// call's network fails: a zip of an index.html that presents a deck built
// now with the presenter's keys from disk, without any network, the
// full-screen rendition of every photo in it, and the CSS and scripts.
// Owners and organizers only, like presenting: it holds every author's name.
func (h *Handler) downloadOfflineDeck(c echo.Context) error {
	ev, err := h.presentingEvent(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	assets, err := loadOfflineAssets()
	if err != nil {
		return err
	}
	// A fresh deck, so every section comes along (hidden answers and those
	// kept out of the live call are not in it), with its awards decided.
	deck, err := h.live.OfflineDeck(ctx, ev.ID)
	if err != nil {
		return err
	}
	slides, photos := offlineSlides(&deck)
	now := h.store.Now()
	// index.html is rendered before anything is sent, so a failure is a
	// clean error page rather than a broken zip.
	index, err := assets.index(&ev.Event, slides, now)
	if err != nil {
		return err
	}

	resp := c.Response()
	name := web.SafeName(ev.Name, 60, "event") + "-reveal.zip"
	resp.Header().Set(echo.HeaderContentType, "application/zip")
	resp.Header().Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	resp.Header().Set("Cache-Control", "no-store")
	resp.WriteHeader(http.StatusOK)
	if err := h.writeOfflineDeck(ctx, resp, index, assets.files, photos, now); err != nil {
		// The status is sent: the client sees a truncated zip, which no
		// unzip tool accepts, and the cause goes to the log.
		h.log.Error("offline deck interrupted", "event", ev.ID, "err", err)
	}
	return nil
}

// offlinePhoto is one photo of the offline deck.
type offlinePhoto struct {
	name string // in the zip: "photos/003.jpg" for slide 3
	key  string // in the media store: the full-screen rendition
}

// offlineSlides is every slide as the presenter's script gets it (authors
// included, shown only once revealed) with each photo pointing at its file
// in the zip, and the photos to put there: one file per photo, named after
// the first slide that shows it (an award repeats its winner's photo). A
// mosaic's tiles get the rendition the live presenter shows them in, named
// after the slide and the tile.
func offlineSlides(d *live.Deck) ([]*live.FollowerSlide, []offlinePhoto) {
	slides := make([]*live.FollowerSlide, len(d.Slides))
	var photos []offlinePhoto
	names := map[string]string{} // media key → name in the zip
	file := func(key, name string) string {
		if names[key] == "" {
			names[key] = name
			photos = append(photos, offlinePhoto{name: name, key: key})
		}
		return names[key]
	}
	for i := range d.Slides {
		f := presenterSlide(d, i)
		s := &d.Slides[i]
		if f.Photo != "" && s.PhotoKey != "" {
			f.Photo = file(models.PhotoFile(s.PhotoKey, media.Full), fmt.Sprintf("photos/%03d.jpg", i+1))
		} else {
			// Anything else would be a server URL: a request that fails.
			f.Photo = ""
		}
		size := tileRendition(len(f.Tiles))
		for j := range f.Tiles {
			t := &f.Tiles[j]
			t.Thumb = ""
			if t.Photo == "" || s.Tiles[j].PhotoKey == "" {
				t.Photo = ""
				continue
			}
			t.Photo = file(models.PhotoFile(s.Tiles[j].PhotoKey, size), fmt.Sprintf("photos/%03d-%03d.jpg", i+1, j+1))
		}
		slides[i] = f
	}
	return slides, photos
}

// writeOfflineDeck writes the zip to w: index.html and the static files
// first, then the photos, each streamed from the store on its own.
func (h *Handler) writeOfflineDeck(ctx context.Context, w io.Writer, index []byte, files []offlineFile, photos []offlinePhoto, now time.Time) error {
	zw := zip.NewWriter(w)
	if err := addOfflineFile(zw, offlineFile{name: "index.html", data: index}, now); err != nil {
		return err
	}
	for _, f := range files {
		if err := addOfflineFile(zw, f, now); err != nil {
			return err
		}
	}
	for _, p := range photos {
		err := copyOfflinePhoto(ctx, zw, h.photos, p, now)
		if errors.Is(err, media.ErrNotExist) {
			// Gone since the deck was built (a photo replaced meanwhile):
			// its slide shows the caption, the image's alt text, instead.
			h.log.Warn("offline deck: photo missing", "key", p.key)
			continue
		}
		if err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("finish offline deck: %w", err)
	}
	return nil
}

func addOfflineFile(zw *zip.Writer, f offlineFile, now time.Time) error {
	w, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: zip.Deflate, Modified: now})
	if err != nil {
		return fmt.Errorf("add %s: %w", f.name, err)
	}
	if _, err := w.Write(f.data); err != nil {
		return fmt.Errorf("add %s: %w", f.name, err)
	}
	return nil
}

// copyOfflinePhoto adds one photo to the zip, streamed from the store.
// JPEGs are compressed already, so they are stored as they are.
func copyOfflinePhoto(ctx context.Context, zw *zip.Writer, photos media.Store, p offlinePhoto, now time.Time) error {
	rc, err := photos.Open(ctx, p.key)
	if err != nil {
		return fmt.Errorf("open %s: %w", p.key, err)
	}
	defer rc.Close()
	w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store, Modified: now})
	if err != nil {
		return fmt.Errorf("add %s: %w", p.name, err)
	}
	if _, err := io.Copy(w, rc); err != nil {
		return fmt.Errorf("add %s from %s: %w", p.name, p.key, err)
	}
	return nil
}

// offlineFile is a file of the zip that is the same in every offline deck.
type offlineFile struct {
	name string
	data []byte
}

// offlineAssets is what every offline deck takes from the binary.
type offlineAssets struct {
	page *template.Template
	// script is slide.js and then offline.js, one inline module: Chromium
	// refuses module scripts (and imports) from file://, inline ones run.
	script template.JS
	// hash is the script's CSP source ("sha256-…"), the only script the
	// page's policy lets run.
	hash  string
	files []offlineFile
}

// loadOfflineAssets reads and parses them once, on the first download.
var loadOfflineAssets = sync.OnceValues(func() (*offlineAssets, error) {
	page, err := template.ParseFS(templates.Offline, "offline/index.html")
	if err != nil {
		return nil, fmt.Errorf("parse offline deck page: %w", err)
	}
	a := &offlineAssets{page: page}
	var script strings.Builder
	for _, f := range []struct{ src, name string }{
		{"css/live.css", "css/live.css"},
		{"js/live/slide.js", "js/slide.js"},
		{"js/live/offline.js", "js/offline.js"},
	} {
		b, err := fs.ReadFile(static.FS, f.src)
		if err != nil {
			return nil, fmt.Errorf("read %s for the offline deck: %w", f.src, err)
		}
		a.files = append(a.files, offlineFile{name: f.name, data: b})
		if strings.HasSuffix(f.src, ".js") {
			script.Write(b)
			script.WriteString("\n")
		}
	}
	// The script goes into the page as it is: a "</script" or "<!--" in it
	// would end or confuse the element.
	if low := strings.ToLower(script.String()); strings.Contains(low, "</script") || strings.Contains(low, "<!--") {
		return nil, errors.New("offline deck script contains </script or <!--")
	}
	a.script = template.JS(script.String())
	sum := sha256.Sum256([]byte(script.String()))
	a.hash = "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
	return a, nil
})

// offlineDeck is the deck as index.html carries it.
type offlineDeck struct {
	Event  string                `json:"event"`
	Slides []*live.FollowerSlide `json:"slides"`
}

// offlinePage is index.html's data.
type offlinePage struct {
	Event, Saved string
	Script, Deck template.JS
	ScriptHash   string
}

// index renders the zip's index.html for the slides.
func (a *offlineAssets) index(ev *models.Event, slides []*live.FollowerSlide, now time.Time) ([]byte, error) {
	// json.Marshal escapes <, > and & in strings, so no caption can end
	// the script element the deck sits in.
	deck, err := json.Marshal(offlineDeck{Event: ev.Name, Slides: slides})
	if err != nil {
		return nil, fmt.Errorf("encode offline deck of event %d: %w", ev.ID, err)
	}
	var buf bytes.Buffer
	err = a.page.Execute(&buf, offlinePage{Event: ev.Name, Saved: now.In(ev.Location()).Format("2 January 2006 at 15:04"),
		Script: a.script, Deck: template.JS(deck), ScriptHash: a.hash})
	if err != nil {
		return nil, fmt.Errorf("render offline deck of event %d: %w", ev.ID, err)
	}
	return buf.Bytes(), nil
}
