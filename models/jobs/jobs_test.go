package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/jobs"
	"retreat/models/nudge"
)

const base = "https://retreat.example.com"

// reminderWorld is an event whose photo prompt closes Thu 3 Dec 12:00 UTC
// with a reminder 3 hours before, and participants in Tokyo and New York
// with an email, one in London without, and one in Lisbon who answered.
type reminderWorld struct {
	app    *handlertest.App
	smtp   *handlertest.SMTPServer
	ev     *models.Event
	prompt *models.Prompt
	people map[string]*models.Participant
}

func newReminderWorld(t *testing.T) *reminderWorld {
	t.Helper()
	w := &reminderWorld{smtp: handlertest.StartSMTP(t), people: map[string]*models.Participant{}}
	w.app = handlertest.New(t, handlertest.Options{Mailer: w.smtp.Mailer(t), BaseURL: base})
	o := w.app.Organizer("owner@example.com", "Olga")
	w.ev = w.app.Event(o, "Spring hunt", "UTC")
	ctx := context.Background()
	closes := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	var err error
	w.prompt, err = w.app.Store.CreatePrompt(ctx, w.ev, models.PromptInput{Kind: models.KindText, Title: "Your best joke",
		Points: 10, ClosesAt: &closes, RemindMinutes: 180})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ name, email, zone string }{
		{"Tomo", "tomo@example.com", "Asia/Tokyo"},
		{"Nina", "nina@example.com", "America/New_York"},
		{"Lou", "", "Europe/London"},
		{"Rita", "rita@example.com", "Europe/Lisbon"},
	} {
		pa, err := w.app.Store.Join(ctx, w.ev, models.JoinInput{Name: p.name, Email: p.email, TimeZone: p.zone})
		if err != nil {
			t.Fatal(err)
		}
		w.people[p.name] = pa
	}
	if _, _, err := w.app.Store.SaveTextAnswer(ctx, w.ev, w.prompt, w.people["Rita"], "Knock knock"); err != nil {
		t.Fatal(err)
	}
	return w
}

// runAt pins the clock and runs the background jobs once.
func (w *reminderWorld) runAt(t *testing.T, r *jobs.Runner, at time.Time) bool {
	t.Helper()
	w.app.Clock.Set(at)
	ran, err := r.RunOnce(context.Background())
	if err != nil {
		t.Fatalf("run at %v: %v", at, err)
	}
	return ran
}

func (w *reminderWorld) recipients() []string {
	var to []string
	for _, m := range w.smtp.Messages() {
		to = append(to, m.To...)
	}
	return to
}

func TestScheduledRemindersWaitForEachPersonsDaytime(t *testing.T) {
	w := newReminderWorld(t)
	r := w.app.Server.Jobs()
	utc := func(day, h, m int) time.Time { return time.Date(2026, 12, day, h, m, 0, 0, time.UTC) }
	for _, step := range []struct {
		at   time.Time
		want string // recipients so far
		why  string
	}{
		{utc(2, 12, 0), "", "a day before the close nobody is due"},
		{utc(3, 1, 29), "", "New York's reminder is at 20:30 there, not yet"},
		// 3 h before the close is 04:00 in New York, and 08:00 there is after
		// the close: so New York is reminded at 20:30 the evening before.
		{utc(3, 1, 30), "nina@example.com", "20:30 in New York"},
		{utc(3, 2, 0), "nina@example.com", "no second reminder"},
		{utc(3, 8, 59), "nina@example.com", "Tokyo's reminder is at 18:00 there"},
		{utc(3, 9, 0), "nina@example.com tomo@example.com", "18:00 in Tokyo: 3 h before the close"},
		{utc(3, 11, 0), "nina@example.com tomo@example.com", "each reminded once; Lou has no email, Rita answered"},
	} {
		w.runAt(t, r, step.at)
		if got := strings.Join(w.recipients(), " "); got != step.want {
			t.Fatalf("at %s (%s): reminded %q, want %q", step.at.Format("Jan 2 15:04"), step.why, got, step.want)
		}
	}
	for _, m := range w.smtp.Messages() {
		e := handlertest.ParseEmail(t, m)
		pa := w.people["Tomo"]
		if m.To[0] == "nina@example.com" {
			pa = w.people["Nina"]
		}
		link := base + "/r/" + pa.ReturnToken
		if !strings.Contains(e.Text, link) || !strings.Contains(e.HTML, `href="`+link+`"`) || !strings.Contains(e.Subject, "Your best joke") {
			t.Errorf("reminder to %s: subject %q, link %s missing\n%s", m.To[0], e.Subject, link, e.Text)
		}
	}
	var kinds []string
	if err := w.app.Store.DB().Model(&models.Nudge{}).Order("id").Pluck("kind", &kinds).Error; err != nil {
		t.Fatal(err)
	}
	if strings.Join(kinds, ",") != "scheduled,scheduled" {
		t.Errorf("recorded nudges %v, want two scheduled ones", kinds)
	}
}

func TestAServerDownAtTheReminderDoesNotCatchUpAtNight(t *testing.T) {
	w := newReminderWorld(t)
	// Nina's reminder was due at 20:30 New York time; at 21:10 it is night.
	w.runAt(t, w.app.Server.Jobs(), time.Date(2026, 12, 3, 2, 10, 0, 0, time.UTC))
	if got := w.recipients(); len(got) != 0 {
		t.Fatalf("reminded %v during the quiet hours", got)
	}
}

func TestOnlyTheRunnerHoldingTheLeaseWorks(t *testing.T) {
	w := newReminderWorld(t)
	first := w.app.Server.Jobs()
	second := jobs.New(w.app.Store, nudge.New(w.app.Store, w.smtp.Mailer(t), base, nil), w.app.Photos, nil)
	if first.Holder == second.Holder {
		t.Fatal("two runners share a holder name")
	}
	// The first instance takes the lease (for 5 minutes) before anything is due.
	if !w.runAt(t, first, time.Date(2026, 12, 3, 1, 28, 0, 0, time.UTC)) {
		t.Fatal("the first runner did not get the free lease")
	}
	// Nina's reminder is due; the second instance must not send it.
	if w.runAt(t, second, time.Date(2026, 12, 3, 1, 30, 0, 0, time.UTC)) {
		t.Fatal("the second runner ran while the first holds the lease")
	}
	if got := w.recipients(); len(got) != 0 {
		t.Fatalf("the blocked runner sent %v", got)
	}
	if !w.runAt(t, first, time.Date(2026, 12, 3, 1, 31, 0, 0, time.UTC)) || len(w.recipients()) != 1 {
		t.Fatalf("the lease holder did not send the due reminder: %v", w.recipients())
	}
	// The first instance dies; once its lease expires the second takes over.
	if w.runAt(t, second, time.Date(2026, 12, 3, 1, 35, 0, 0, time.UTC)) {
		t.Fatal("the second runner took an unexpired lease")
	}
	if !w.runAt(t, second, time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)) {
		t.Fatal("the second runner did not take over an expired lease")
	}
	if got := strings.Join(w.recipients(), " "); got != "nina@example.com tomo@example.com" {
		t.Fatalf("after the takeover: %q", got)
	}
}

func TestRunnersRacingSendEachReminderOnce(t *testing.T) {
	w := newReminderWorld(t)
	w.app.Clock.Set(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)) // Tokyo due; New York at night
	var wg sync.WaitGroup
	for range 4 {
		r := jobs.New(w.app.Store, nudge.New(w.app.Store, w.smtp.Mailer(t), base, nil), w.app.Photos, nil)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.RunOnce(context.Background()); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := w.recipients(); len(got) != 1 || got[0] != "tomo@example.com" {
		t.Fatalf("four racing runners sent %v, want Tokyo's reminder once", got)
	}
}

// TestRetentionDeletesPhotosNDaysAfterTheEnd uploads real photos, then runs
// the jobs just before and at the end of the retention period.
func TestRetentionDeletesPhotosNDaysAfterTheEnd(t *testing.T) {
	var logs bytes.Buffer
	var mu sync.Mutex
	app := handlertest.New(t, handlertest.Options{Log: slog.New(slog.NewTextHandler(&lockedWriter{w: &logs, mu: &mu}, nil))})
	o := app.Organizer("owner@example.com", "Olga")
	ctx := context.Background()
	kept := app.Event(o, "Keeps photos", "UTC")
	ev := app.Event(o, "Spring hunt", "UTC")
	if err := app.Store.DB().Model(ev).Update("retention_days", 3).Error; err != nil {
		t.Fatal(err)
	}
	for _, e := range []*models.Event{ev, kept} {
		photo := app.Prompt(e, models.KindPhoto, "Swing", nil, nil)
		text := app.Prompt(e, models.KindText, "Joke", nil, nil)
		for i, file := range []string{"orient-6.jpg", "photo.webp"} {
			c := app.Client()
			c.Join(e, fmt.Sprintf("Person %d", i))
			if rec := c.Upload(handlertest.AnswerPath(e, photo), "hi", handlertest.PhotoPath(t, file)); rec.Code != http.StatusSeeOther {
				t.Fatalf("upload: %d %s", rec.Code, rec.Body.String())
			}
			if rec := c.PostForm(handlertest.AnswerPath(e, text), url.Values{"text": {"joke"}}); rec.Code != http.StatusSeeOther {
				t.Fatalf("text answer: %d", rec.Code)
			}
		}
	}
	countFiles := func(e *models.Event) int {
		n := 0
		for _, f := range app.MediaFiles() {
			if strings.HasPrefix(f, fmt.Sprintf("events/%d/", e.ID)) {
				n++
			}
		}
		return n
	}
	answers := func(e *models.Event, photos bool) int64 {
		var n int64
		q := app.Store.DB().Model(&models.Submission{}).Where("event_id = ?", e.ID)
		if photos {
			q = q.Where("photo_key <> ''")
		} else {
			q = q.Where("photo_key = ''")
		}
		if err := q.Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		return n
	}
	files := countFiles(ev)
	if files == 0 || answers(ev, true) != 2 || countFiles(kept) == 0 {
		t.Fatalf("setup: %d files, %d photo answers", files, answers(ev, true))
	}
	r := app.Server.Jobs()
	run := func(at time.Time) {
		t.Helper()
		app.Clock.Set(at)
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	expires := ev.EndsAt.Add(3 * 24 * time.Hour)
	run(expires.Add(-time.Minute))
	if countFiles(ev) != files || answers(ev, true) != 2 {
		t.Fatalf("a minute before the retention ends: %d files, %d photo answers left", countFiles(ev), answers(ev, true))
	}
	run(expires)
	if n := countFiles(ev); n != 0 {
		t.Errorf("%d photo files left after the retention ended: %v", n, app.MediaFiles())
	}
	if n := answers(ev, true); n != 0 {
		t.Errorf("%d photo answers left after the retention ended", n)
	}
	if n := answers(ev, false); n != 2 {
		t.Errorf("text answers: %d, want both kept", n)
	}
	if countFiles(kept) == 0 || answers(kept, true) != 2 {
		t.Errorf("the event without retention lost its photos")
	}
	audit, err := app.Store.AuditEntries(ctx, ev.ID)
	if err != nil || len(audit) != 1 || audit[0].Action != "retention.photos_deleted" || audit[0].Actor != models.ActorSystem ||
		!strings.Contains(audit[0].Detail, fmt.Sprintf("Deleted 2 photo answers (%d files) 3 days after the event ended", files)) {
		t.Fatalf("audit after deletion: %+v %v", audit, err)
	}
	mu.Lock()
	logged := logs.String()
	mu.Unlock()
	if !strings.Contains(logged, "retention: deleted photos") || !strings.Contains(logged, fmt.Sprintf("event=%d answers=2 files=%d", ev.ID, files)) {
		t.Errorf("log lacks the deletion:\n%s", logged)
	}
	// A second pass has nothing to do and records nothing.
	run(expires.Add(time.Hour))
	if audit, _ := app.Store.AuditEntries(ctx, ev.ID); len(audit) != 1 {
		t.Errorf("a second pass wrote %d audit entries", len(audit))
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func TestStoppingTheRunnerHandsTheLeaseOver(t *testing.T) {
	w := newReminderWorld(t)
	r := w.app.Server.Jobs()
	ctx, cancel := context.WithCancel(context.Background())
	go r.Run(ctx, time.Hour)
	other := jobs.New(w.app.Store, nudge.New(w.app.Store, nil, base, nil), w.app.Photos, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		// Wait until the first round has taken the lease.
		var l models.Lease
		if err := w.app.Store.DB().Where("name = ?", jobs.LeaseName).Take(&l).Error; err == nil && l.Holder == r.Holder {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the runner never took the lease")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if ok, _ := other.RunOnce(context.Background()); ok {
		t.Fatal("another runner took the lease while the first runs")
	}
	cancel()
	r.Wait(5 * time.Second)
	if ok, err := other.RunOnce(context.Background()); err != nil || !ok {
		t.Fatalf("after the runner stopped, another could not take the lease at once: %v %v", ok, err)
	}
}
