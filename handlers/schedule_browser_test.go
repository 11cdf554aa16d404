package handlers_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// promptTitles is the event's prompt titles in their stored order.
func promptTitles(t *testing.T, app *handlertest.App, ev *models.Event) string {
	t.Helper()
	list, err := app.Store.Prompts(context.Background(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var s []string
	for _, p := range list {
		s = append(s, p.Title)
	}
	return strings.Join(s, ", ")
}

// waitOrder waits up to 5 s for the stored prompt order to become want.
func waitOrder(t *testing.T, app *handlertest.App, ev *models.Event, what, want string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for promptTitles(t, app, ev) != want && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if got := promptTitles(t, app, ev); got != want {
		t.Errorf("%s: order %s, want %s", what, got, want)
	}
}

// shown says whether the element matching sel is rendered (not hidden).
func shown(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	var ok bool
	run(t, ctx, "check "+sel, chromedp.Evaluate(fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.offsetHeight > 0; })()`, sel), &ok))
	return ok
}

// TestBrowserPromptSchedules walks an organizer in New York through the
// prompt tools of an event in Lisbon: the overview in their own zone (the
// zone script), the schedule form with and without scripts, reordering by
// arrows and by drag and drop, the import page with a refused line, and the
// settings; then a participant in Tokyo sees daily and late prompts.
func TestBrowserPromptSchedules(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring retreat", "Europe/Lisbon")
	ctxb := context.Background()
	opens := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	closes := opens.Add(9 * time.Hour)
	app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", &opens, &closes)
	mustPrompt := func(in models.PromptInput) {
		t.Helper()
		if _, err := app.Store.CreatePrompt(ctxb, ev, in); err != nil {
			t.Fatal(err)
		}
	}
	mustPrompt(models.PromptInput{Kind: models.KindPhoto, Title: "Your breakfast, wherever you are", Points: 5,
		Schedule: models.ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1, GraceMinutes: 120, LatePercent: 50})
	lateCloses := app.Clock.Now().Add(-30 * time.Minute)
	lateOpens := lateCloses.Add(-24 * time.Hour)
	mustPrompt(models.PromptInput{Kind: models.KindText, Title: "Your desk right now", Points: 10,
		OpensAt: &lateOpens, ClosesAt: &lateCloses, GraceMinutes: 60, LatePercent: 50, RemindMinutes: 60})
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	base := fmt.Sprintf("%s/dashboard/events/%d", srv.URL, ev.ID)

	ctx := browsertest.New(t)
	laptop := browsertest.Laptop
	run(t, ctx, "sign in",
		browsertest.TimeZone("America/New_York"),
		chromedp.ActionFunc(laptop),
		chromedp.Navigate(srv.URL+"/login"),
		chromedp.WaitVisible(`form[action="/login"]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=email]`, "ana@example.com", chromedp.ByQuery),
		chromedp.SendKeys(`input[name=password]`, handlertest.Password, chromedp.ByQuery),
		chromedp.Click(`form[action="/login"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topnav`, chromedp.ByQuery),
	)
	// zone.js stores the browser's zone and reloads a page printed in another.
	var note string
	run(t, ctx, "open the overview",
		chromedp.Navigate(base),
		chromedp.Poll(`(() => { const n = document.querySelector("[data-viewer-zone]"); return n && n.dataset.viewerZone === "America/New_York" ? n.textContent : ""; })()`,
			&note, chromedp.WithPollingTimeout(10*time.Second)),
	)
	wantContains(t, "zone note", note, "New York")
	wantContains(t, "window line", text(t, ctx, ".window-line"), "04:00 · 09:00 in Lisbon")
	shoot(t, ctx, "01-overview", laptop)

	// Arrows: plain forms, which post and come back to the overview.
	run(t, ctx, "move the desk prompt up",
		browsertest.ClickToLoad(`article.prompt-admin:nth-of-type(3) [data-move-up]`),
		chromedp.WaitVisible(`[data-drag-handle]`, chromedp.ByQuery),
	)
	const afterArrow = "A picture of you on a swing, Your desk right now, Your breakfast, wherever you are"
	waitOrder(t, app, ev, "after the arrow", afterArrow)
	var shownOrder string
	run(t, ctx, "read the order shown", chromedp.Evaluate(`[...document.querySelectorAll("[data-reorder-item] h3")].map((h) => h.firstChild.textContent.trim()).join(", ")`, &shownOrder))
	if shownOrder != afterArrow {
		t.Errorf("after the arrow the overview shows %q, want %q", shownOrder, afterArrow)
	}
	// Drag and drop: the swing prompt dragged below the last one.
	var dropped bool
	run(t, ctx, "drag the first prompt to the end", chromedp.Evaluate(`(() => {
		const items = [...document.querySelectorAll("[data-reorder-item]")];
		const first = items[0], last = items[items.length - 1];
		const handle = first.querySelector("[data-drag-handle]");
		if (handle.hidden) return false;
		handle.dispatchEvent(new PointerEvent("pointerdown", {bubbles: true}));
		const dt = new DataTransfer();
		first.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
		const box = last.getBoundingClientRect();
		last.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt, clientY: box.bottom - 2}));
		last.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		first.dispatchEvent(new DragEvent("dragend", {bubbles: true, dataTransfer: dt}));
		return true;
	})()`, &dropped))
	if !dropped {
		t.Fatal("the drag handle is not shown")
	}
	waitOrder(t, app, ev, "after the drop", "Your desk right now, Your breakfast, wherever you are, A picture of you on a swing")
	var upDisabled bool
	run(t, ctx, "read the arrows", chromedp.Evaluate(`document.querySelector("[data-reorder-item] [data-move-up]").disabled`, &upDisabled))
	if !upDisabled {
		t.Error("after the drop the new first prompt's up arrow is enabled")
	}

	// The prompt form shows only the chosen schedule's fields.
	run(t, ctx, "open the prompt form",
		chromedp.Navigate(base+"/prompts/new"),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
	)
	if shown(t, ctx, `[data-schedule-fields=window]`) || shown(t, ctx, `[data-schedule-fields=daily]`) {
		t.Error("whole event chosen, but window or daily fields show")
	}
	run(t, ctx, "choose daily",
		chromedp.Click(`input[name=schedule][value=daily]`, chromedp.ByQuery),
		chromedp.WaitVisible(`select[name=daily_day]`, chromedp.ByQuery),
	)
	if shown(t, ctx, `[data-schedule-fields=window]`) {
		t.Error("daily chosen, but window fields show")
	}
	run(t, ctx, "fill a daily prompt",
		chromedp.SendKeys(`input[name=title]`, "Your view at lunch", chromedp.ByQuery),
		chromedp.SetValue(`select[name=daily_day]`, "3", chromedp.ByQuery),
		chromedp.SetValue(`input[name=daily_time]`, "12:30", chromedp.ByQuery),
	)
	shoot(t, ctx, "02-prompt-form-daily", laptop)
	run(t, ctx, "save it",
		chromedp.Click(`form.prompt-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	list, _ := app.Store.Prompts(ctxb, ev.ID)
	if p := list[len(list)-1]; p.Title != "Your view at lunch" || p.Schedule != models.ScheduleDaily || p.DailyDay != 3 || p.DailyMinute != 12*60+30 {
		t.Errorf("daily prompt from the browser stored as %+v", p)
	}
	run(t, ctx, "scroll to the top", chromedp.Evaluate(`window.scrollTo(0, 0)`, nil))
	shoot(t, ctx, "03-overview-reordered", laptop)

	// A refused window: the message and what was typed come back.
	run(t, ctx, "refuse closes before opens",
		chromedp.Navigate(base+"/prompts/new"),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=title]`, "Backwards", chromedp.ByQuery),
		chromedp.Click(`input[name=schedule][value=window]`, chromedp.ByQuery),
		chromedp.SetValue(`input[name=opens_at]`, "2026-12-04T10:00", chromedp.ByQuery),
		chromedp.SetValue(`input[name=closes_at]`, "2026-12-03T10:00", chromedp.ByQuery),
		chromedp.Click(`form.prompt-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.field-error`, chromedp.ByQuery),
	)
	wantContains(t, "refusal", text(t, ctx, ".field-error"), "must close after it opens")
	if !shown(t, ctx, `[data-schedule-fields=window]`) {
		t.Error("the refused window's fields are hidden")
	}
	shoot(t, ctx, "04-prompt-form-refused", laptop)

	// Without scripts every schedule's fields show.
	run(t, ctx, "scripts off", browsertest.NoScript(true),
		chromedp.Navigate(base+"/prompts/new"),
		chromedp.WaitVisible(`input[name=title]`, chromedp.ByQuery),
	)
	if !shown(t, ctx, `[data-schedule-fields=window]`) || !shown(t, ctx, `[data-schedule-fields=daily]`) {
		t.Error("without scripts the schedule fields are hidden")
	}
	shoot(t, ctx, "05-prompt-form-noscript", laptop)
	run(t, ctx, "scripts on", browsertest.NoScript(false))

	run(t, ctx, "import with a bad line",
		chromedp.Navigate(base+"/prompts/import"),
		chromedp.WaitVisible(`textarea[name=list]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=list]`, "A picture of you at age 8 | 20\nYour pet | lots\nYour favourite mug", chromedp.ByQuery),
		chromedp.Click(`input[name=daily]`, chromedp.ByQuery),
		chromedp.Click(`form.import-form button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.line-errors`, chromedp.ByQuery),
	)
	wantContains(t, "import refusal", text(t, ctx, ".line-errors"), "Line 2")
	shoot(t, ctx, "06-import-refused", laptop)

	run(t, ctx, "open the settings",
		chromedp.Navigate(base+"/edit"),
		chromedp.WaitVisible(`input[name=freeze_at]`, chromedp.ByQuery),
	)
	shoot(t, ctx, "07-settings", laptop)

	// A participant in Tokyo: the daily prompt is open at their breakfast,
	// the desk prompt is in its late window.
	phone := browsertest.NewWindow(t, ctx)
	run(t, phone, "join in Tokyo",
		browsertest.TimeZone("Asia/Tokyo"),
		chromedp.ActionFunc(browsertest.Phone),
		chromedp.Navigate(srv.URL+"/j/"+ev.JoinToken),
		chromedp.WaitVisible(`input[name=name]`, chromedp.ByQuery),
		chromedp.SendKeys(`input[name=name]`, "Kenji", chromedp.ByQuery),
		chromedp.Click(`form[action^="/j/"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-list`, chromedp.ByQuery),
	)
	wantContains(t, "open now", text(t, phone, "main section .prompt-list"), "Your breakfast")
	wantContains(t, "late badge", strings.ToLower(text(t, phone, "main section .prompt-list .badge.late")), "late · 50%")
	shoot(t, phone, "08-participant-list", browsertest.Phone)
	run(t, phone, "open the late prompt",
		chromedp.Click(`a.prompt-card.late`, chromedp.ByQuery),
		chromedp.WaitVisible(`textarea[name=text]`, chromedp.ByQuery),
		chromedp.SendKeys(`textarea[name=text]`, "Two screens and a cold coffee", chromedp.ByQuery),
		chromedp.Click(`form.stack button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	shoot(t, phone, "09-participant-late-answer", browsertest.Phone)
	run(t, phone, "open it again",
		chromedp.Click(`a.prompt-card.late`, chromedp.ByQuery),
		chromedp.WaitVisible(`.prompt-page`, chromedp.ByQuery),
	)
	wantContains(t, "late answer note", text(t, phone, ".prompt-page .current"), "counts for 50%")
	shoot(t, phone, "10-participant-late-prompt", browsertest.Phone)
}
