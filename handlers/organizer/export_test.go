package organizer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestExportZipMatchesTheDatabase uploads real photos through the real
// pipeline, with names and captions chosen to trip the naming (a path in a
// name, two names that clean up the same, a formula in a caption, letters
// outside ASCII), then unzips the export and checks every original byte for
// byte and every CSV row against the database.
func TestExportZipMatchesTheDatabase(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("owner@example.com", "Olga")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	swing := app.Prompt(ev, models.KindPhoto, "A picture of you on a swing!", nil, nil)
	dup := app.Prompt(ev, models.KindPhoto, "A picture of you on a swing?", nil, nil)
	joke := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	type upload struct {
		name, caption, file string
		prompt              *models.Prompt
	}
	uploads := []upload{
		{"Ana B", "Sintra, day one", "orient-6.jpg", swing},
		{"Ana-B", "Sintra, day one", "photo.webp", swing},
		{"../../etc/passwd", "=HYPERLINK(\"http://evil\")", "still.gif", swing},
		{"Zoë 山田", "", "photo-alpha.png", dup},
	}
	clients := map[string]*handlertest.Client{}
	for _, u := range uploads {
		c := clients[u.name]
		if c == nil {
			c = app.Client()
			c.Join(ev, u.name)
			clients[u.name] = c
		}
		if rec := c.Upload(handlertest.AnswerPath(ev, u.prompt), u.caption, handlertest.PhotoPath(t, u.file)); rec.Code != http.StatusSeeOther {
			t.Fatalf("upload %s as %s: %d\n%s", u.file, u.name, rec.Code, rec.Body.String())
		}
	}
	if rec := clients["Ana B"].PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"-1 points for puns"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("text answer: %d", rec.Code)
	}

	owner := app.Client()
	owner.SignIn("owner@example.com")
	rec := owner.Get(fmt.Sprintf("/dashboard/events/%d/export.zip", ev.ID))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %q\n%s", rec.Code, rec.Header().Get("Content-Type"), rec.Body.String())
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != `attachment; filename=Spring-hunt-2026-12-02.zip` {
		t.Errorf("Content-Disposition %q", cd)
	}
	zr, err := zip.NewReader(bytes.NewReader(rec.Body.Bytes()), int64(rec.Body.Len()))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	files := map[string][]byte{}
	var names []string
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "/") || strings.Contains(f.Name, "..") || strings.Contains(f.Name, "\\") || path.Clean(f.Name) != f.Name {
			t.Errorf("unsafe name in the zip: %q", f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("open %s: %v", f.Name, err)
		}
		data, err := io.ReadAll(rc) // checks the CRC too
		rc.Close()
		if err != nil {
			t.Fatalf("read %s: %v", f.Name, err)
		}
		files[f.Name] = data
		names = append(names, f.Name)
	}
	sort.Strings(names)
	wantNames := []string{
		"A-picture-of-you-on-a-swing-2/Zoë-山田.png",
		"A-picture-of-you-on-a-swing/Ana-B-Sintra-day-one-2.webp",
		"A-picture-of-you-on-a-swing/Ana-B-Sintra-day-one.jpg",
		"A-picture-of-you-on-a-swing/etc-passwd-HYPERLINK-http-evil.gif",
		"submissions.csv",
	}
	if strings.Join(names, "\n") != strings.Join(wantNames, "\n") {
		t.Errorf("zip holds\n%s\nwant\n%s", strings.Join(names, "\n"), strings.Join(wantNames, "\n"))
	}

	subs, err := app.Store.EventSubmissions(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files["submissions.csv"], []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatalf("submissions.csv: %v", err)
	}
	if len(rows) != len(subs)+1 {
		t.Fatalf("CSV has %d rows, want a header and %d answers", len(rows), len(subs))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[col["submission_id"]]] = r
	}
	prompts := map[uint]*models.Prompt{swing.ID: swing, dup.ID: dup, joke.ID: joke}
	for _, s := range subs {
		r := byID[strconv.FormatUint(uint64(s.ID), 10)]
		if r == nil {
			t.Errorf("submission %d is not in the CSV", s.ID)
			continue
		}
		p := prompts[s.PromptID]
		want := map[string]string{
			"prompt": p.Title, "participant": s.ParticipantName, "caption": s.Caption, "text": s.Text,
			"points": "10", "bonus": "0", "total": "10", "late": "false", "hidden": "false", "starred": "false",
			"submitted_at": s.UpdatedAt.UTC().Format(time.RFC3339), "kind": string(p.Kind),
		}
		// Typed values a spreadsheet would run as formulas are quoted.
		for k, v := range want {
			if v != "" && strings.ContainsRune("=+-@", rune(v[0])) && k != "points" {
				want[k] = "'" + v
			}
		}
		for k, v := range want {
			if got := r[col[k]]; got != v {
				t.Errorf("submission %d column %s: got %q, want %q", s.ID, k, got, v)
			}
		}
		file := r[col["photo_file"]]
		if !s.HasPhoto() {
			if file != "" {
				t.Errorf("text answer %d names a photo %q", s.ID, file)
			}
			continue
		}
		rc, err := app.Photos.Open(context.Background(), models.OriginalFile(s.PhotoKey, s.PhotoFormat))
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(rc)
		rc.Close()
		if got, ok := files[file]; !ok || !bytes.Equal(got, stored) {
			t.Errorf("submission %d: zip entry %q (%d bytes) differs from the stored original (%d bytes)", s.ID, file, len(got), len(stored))
		}
	}
}

func TestModeratorsCannotExport(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("owner@example.com", "Olga")
	ev := app.Event(o, "Spring hunt", "UTC")
	mod := app.Organizer("mo@example.com", "Mo")
	if err := app.Store.DB().Create(&models.EventOrganizer{EventID: ev.ID, OrganizerID: mod.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	c.SignIn("mo@example.com")
	if rec := c.Get(fmt.Sprintf("/dashboard/events/%d/export.zip", ev.ID)); rec.Code != http.StatusForbidden {
		t.Fatalf("moderator export: %d, want 403", rec.Code)
	}
	stranger := app.Client()
	app.Organizer("eve@example.com", "Eve")
	stranger.SignIn("eve@example.com")
	if rec := stranger.Get(fmt.Sprintf("/dashboard/events/%d/export.zip", ev.ID)); rec.Code != http.StatusNotFound {
		t.Fatalf("someone else's export: %d, want 404", rec.Code)
	}
}

// TestExportStreamsInConstantMemory exports 200 photos of 1 MiB each over a
// real HTTP connection while sampling the heap, and checks the heap never
// grows by more than a small fraction of what is streamed.
func TestExportStreamsInConstantMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 200 MiB of photos")
	}
	const photos, size = 200, 1 << 20
	app := handlertest.New(t)
	o := app.Organizer("owner@example.com", "Olga")
	ev := app.Event(o, "Big hunt", "UTC")
	prompt := app.Prompt(ev, models.KindPhoto, "Your desk", nil, nil)
	ctx := context.Background()
	chunk := make([]byte, size)
	for i := range photos {
		pa, err := app.Store.Join(ctx, ev, models.JoinInput{Name: fmt.Sprintf("Person %03d", i)})
		if err != nil {
			t.Fatal(err)
		}
		rand.Read(chunk)
		key := models.NewPhotoKey(ev.ID)
		if err := app.Photos.Put(ctx, models.OriginalFile(key, "jpeg"), bytes.NewReader(chunk)); err != nil {
			t.Fatal(err)
		}
		if _, _, err := app.Store.SavePhotoAnswer(ctx, ev, prompt, pa, "", models.PhotoMeta{Key: key, Format: "jpeg", Bytes: size}); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	owner := app.Client()
	owner.SignIn("owner@example.com")
	req, _ := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/dashboard/events/%d/export.zip", srv.URL, ev.ID), nil)
	for _, ck := range owner.Cookies() {
		req.AddCookie(ck)
	}

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	close(stop)
	wg.Wait()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d, read %d bytes: %v", resp.StatusCode, n, err)
	}
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	grow := int64(peak.Load()) - int64(base.HeapInuse)
	t.Logf("exported %d photos, %.1f MiB in %v; heap in use before %.1f MiB, peak %.1f MiB (+%.1f MiB); allocated during export %.1f MiB",
		photos, float64(n)/(1<<20), time.Since(start).Round(time.Millisecond), float64(base.HeapInuse)/(1<<20),
		float64(peak.Load())/(1<<20), float64(grow)/(1<<20), float64(end.TotalAlloc-base.TotalAlloc)/(1<<20))
	if n < photos*size {
		t.Fatalf("streamed %d bytes, want at least %d", n, photos*size)
	}
	if grow > 24<<20 {
		t.Errorf("heap grew by %.1f MiB while streaming %.0f MiB: the export is buffering", float64(grow)/(1<<20), float64(n)/(1<<20))
	}
}
