package organizer_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// TestCaptureTimeStoredShownAndExported uploads phone-12mp.jpg, whose EXIF
// says it was taken 2026-06-14 17:03:22 (no UTC offset: the clock of the
// sender's phone, read in her zone, Tokyo: 08:03:22 UTC), and
// still.gif, which has no EXIF, through the real router; then checks the
// capture time is stored, shown to the sender and to organizers in each
// viewer's zone (with the event's beside it, as every time is), and
// exported; the GIF shows and exports none.
func TestCaptureTimeStoredShownAndExported(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("owner@example.com", "Olga")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	view := app.Prompt(ev, models.KindPhoto, "Your view", nil, nil)
	desk := app.Prompt(ev, models.KindPhoto, "Your desk", nil, nil)
	ana := app.Client()
	ana.Join(ev, "Ana") // in Asia/Tokyo
	for p, file := range map[*models.Prompt]string{view: "phone-12mp.jpg", desk: "still.gif"} {
		if rec := ana.Upload(handlertest.AnswerPath(ev, p), "", handlertest.PhotoPath(t, file)); rec.Code != http.StatusSeeOther {
			t.Fatalf("upload %s: %d\n%s", file, rec.Code, rec.Body.String())
		}
	}

	taken := time.Date(2026, 6, 14, 8, 3, 22, 0, time.UTC)
	subs, err := app.Store.EventSubmissions(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[uint]uint{} // prompt -> submission
	for _, s := range subs {
		ids[s.PromptID] = s.ID
		switch s.PromptID {
		case view.ID:
			if s.TakenAt == nil || !s.TakenAt.Equal(taken) {
				t.Errorf("phone-12mp.jpg stored TakenAt = %v, want %v", s.TakenAt, taken)
			}
		case desk.ID:
			if s.TakenAt != nil {
				t.Errorf("still.gif (no EXIF) stored TakenAt = %v, want none", s.TakenAt)
			}
		}
	}

	// The sender, in Tokyo, sees her camera's time; Lisbon's beside it.
	page := func(p *models.Prompt) string {
		rec := ana.Get(fmt.Sprintf("/e/%d/prompts/%d", ev.ID, p.ID))
		if rec.Code != http.StatusOK {
			t.Fatalf("prompt page: %d", rec.Code)
		}
		return rec.Body.String()
	}
	if body, want := page(view), `<p class="meta taken">Taken Sun 14 Jun 17:03 · 09:03 in Lisbon</p>`; !strings.Contains(body, want) {
		t.Errorf("the sender's answer page lacks %s\n%s", want, bodyBetween(t, body, `<section class="current">`, "</section>"))
	}
	if body := page(desk); strings.Contains(body, "Taken") {
		t.Errorf("an answer without a capture time says when it was taken:\n%s", bodyBetween(t, body, `<section class="current">`, "</section>"))
	}

	// Organizers: in the event's zone without a browser zone, else in theirs.
	owner := app.Client()
	owner.SignIn("owner@example.com")
	get := func(path, zone string) string {
		req, _ := http.NewRequest(http.MethodGet, path, nil)
		if zone != "" {
			req.AddCookie(&http.Cookie{Name: "tz", Value: zone})
		}
		rec := owner.Do(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	overview := fmt.Sprintf("/dashboard/events/%d", ev.ID)
	review := fmt.Sprintf("/dashboard/events/%d/review", ev.ID)
	for _, tc := range []struct{ path, zone, want string }{
		{overview, "", " · taken Sun 14 Jun 09:03 · "},
		{overview, "America/New_York", " · taken Sun 14 Jun 04:03 · 09:03 in Lisbon · "},
		{review, "", " · taken Sun 14 Jun 09:03 · "},
		{review, "Asia/Tokyo", " · taken Sun 14 Jun 17:03 · 09:03 in Lisbon · "},
	} {
		body := get(tc.path, tc.zone)
		if !strings.Contains(body, tc.want) {
			t.Errorf("%s in %q lacks %q", tc.path, tc.zone, tc.want)
		}
		if n := strings.Count(body, "taken "); n != 1 {
			t.Errorf("%s in %q says \"taken\" %d times, want once (the GIF has no capture time)", tc.path, tc.zone, n)
		}
	}

	rec := owner.Get(fmt.Sprintf("/dashboard/events/%d/export.zip", ev.ID))
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d", rec.Code)
	}
	rows := exportedCSV(t, rec.Body.Bytes())
	col := -1
	for i, h := range rows[0] {
		if h == "taken_at" {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("submissions.csv has no taken_at column: %q", rows[0])
	}
	want := map[string]string{
		fmt.Sprint(ids[view.ID]): "2026-06-14T08:03:22Z",
		fmt.Sprint(ids[desk.ID]): "",
	}
	for _, r := range rows[1:] {
		w, ok := want[r[0]]
		if !ok {
			t.Errorf("unexpected row %q", r)
			continue
		}
		if r[col] != w {
			t.Errorf("submission %s taken_at = %q, want %q", r[0], r[col], w)
		}
		delete(want, r[0])
	}
	if len(want) != 0 {
		t.Errorf("submissions missing from the CSV: %v", want)
	}
}

// exportedCSV reads submissions.csv out of an export zip.
func exportedCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("the export is not a zip: %v", err)
	}
	f, err := zr.Open("submissions.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil || len(rows) == 0 {
		t.Fatalf("submissions.csv: %d rows, %v", len(rows), err)
	}
	return rows
}
