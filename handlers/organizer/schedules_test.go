package organizer_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// lisbonHunt is an app with Ana signed in and her event in Lisbon time,
// running Tue 1 Dec 12:00 to Sat 5 Dec 12:00 (the clock is Wed 2 Dec 12:00 UTC,
// which is 12:00 in Lisbon too).
func lisbonHunt(t *testing.T) (*handlertest.App, *handlertest.Client, *models.Organizer, *models.Event, string) {
	t.Helper()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	c := app.Client()
	c.SignIn("ana@example.com")
	return app, c, o, ev, fmt.Sprintf("/dashboard/events/%d", ev.ID)
}

func promptCount(t *testing.T, app *handlertest.App, ev *models.Event) int {
	t.Helper()
	list, err := app.Store.Prompts(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// wantResponse checks a response's status and that its body has every string.
func wantResponse(t *testing.T, what string, rec *httptest.ResponseRecorder, status int, has ...string) {
	t.Helper()
	if rec.Code != status {
		t.Errorf("%s: status %d, want %d\n%s", what, rec.Code, status, rec.Body.String())
		return
	}
	for _, s := range has {
		if !strings.Contains(rec.Body.String(), s) {
			t.Errorf("%s: body does not contain %q", what, s)
		}
	}
}

func TestPromptFormSavesEachSchedule(t *testing.T) {
	app, c, _, ev, base := lisbonHunt(t)

	rec := c.Get(base + "/prompts/new")
	wantResponse(t, "new prompt form", rec, http.StatusOK,
		`name="schedule" value="event"`, `name="schedule" value="window"`, `name="schedule" value="daily"`,
		`<option value="2">Day 2 · Wed 2 Dec</option>`, `<option value="5">Day 5 · Sat 5 Dec</option>`,
		`type="time" name="daily_time" value="09:00"`, `name="grace_minutes"`, `name="late_percent" value="50"`, `name="remind_minutes"`)
	if strings.Contains(rec.Body.String(), `name="team_prompt"`) {
		t.Error("the team prompt box is offered although the event has no teams")
	}

	form := func(kv ...string) url.Values {
		v := url.Values{"kind": {"photo"}, "title": {"Breakfast"}, "points": {"10"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	// Daily, with a time as a browser with seconds sends it.
	rec = c.PostForm(base+"/prompts", form("schedule", "daily", "daily_day", "2", "daily_time", "08:30:00", "daily_days", "2",
		"grace_minutes", "60", "late_percent", "50", "remind_minutes", "30",
		"opens_at", "not looked at: the schedule is daily"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("daily prompt: status %d\n%s", rec.Code, rec.Body.String())
	}
	// A fixed window in the event's zone, and one open all event.
	rec = c.PostForm(base+"/prompts", form("title", "Window", "schedule", "window", "opens_at", "2026-12-03T09:00", "closes_at", "2026-12-03T18:00"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("window prompt: status %d\n%s", rec.Code, rec.Body.String())
	}
	rec = c.PostForm(base+"/prompts", form("title", "Hunt", "schedule", "event", "opens_at", "2026-12-03T09:00", "daily_time", "99:99"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("whole-event prompt (other schedules' fields ignored): status %d\n%s", rec.Code, rec.Body.String())
	}
	list, _ := app.Store.Prompts(t.Context(), ev.ID)
	if len(list) != 3 {
		t.Fatalf("prompts: %d, want 3", len(list))
	}
	if p := list[0]; p.Schedule != models.ScheduleDaily || p.DailyDay != 2 || p.DailyMinute != 8*60+30 || p.DailyDays != 2 ||
		p.GraceMinutes != 60 || p.LatePercent != 50 || p.RemindMinutes != 30 || p.OpensAt != nil {
		t.Errorf("daily prompt stored as %+v", p)
	}
	if p := list[1]; p.Schedule != models.ScheduleWindow || p.OpensAt == nil || p.OpensAt.UTC().Format("02 15:04") != "03 09:00" ||
		p.ClosesAt == nil || p.ClosesAt.UTC().Format("02 15:04") != "03 18:00" {
		t.Errorf("window prompt stored as %+v", p)
	}
	if p := list[2]; p.Schedule != models.ScheduleEvent || p.OpensAt != nil {
		t.Errorf("whole-event prompt stored as %+v", p)
	}

	// The edit form shows what is stored.
	rec = c.Get(fmt.Sprintf("%s/prompts/%d/edit", base, list[0].ID))
	wantResponse(t, "edit daily prompt", rec, http.StatusOK, `value="daily" data-schedule-choice checked`,
		`<option value="2" selected>Day 2 · Wed 2 Dec</option>`, `value="08:30"`, `name="daily_days" value="2"`, `name="grace_minutes" value="60"`)

	// Switching the daily prompt to a fixed window clears its daily fields.
	rec = c.PostForm(fmt.Sprintf("%s/prompts/%d", base, list[0].ID), form("schedule", "window", "closes_at", "2026-12-04T10:00"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("update to window: status %d\n%s", rec.Code, rec.Body.String())
	}
	p, _ := app.Store.EventPrompt(t.Context(), ev.ID, list[0].ID)
	if p.Schedule != models.ScheduleWindow || p.DailyDay != 0 || p.OpensAt != nil || p.ClosesAt == nil {
		t.Errorf("after the switch: %+v", p)
	}
}

func TestPromptFormRefusesBadSchedules(t *testing.T) {
	app, c, _, ev, base := lisbonHunt(t)
	for name, tc := range map[string]struct {
		form url.Values
		msg  string
		kept string
	}{
		"closes before opens": {url.Values{"schedule": {"window"}, "opens_at": {"2026-12-03T09:00"}, "closes_at": {"2026-12-02T09:00"}},
			"must close after it opens", `value="2026-12-02T09:00"`},
		"garbage date": {url.Values{"schedule": {"window"}, "opens_at": {"soon"}}, "Enter the opening as a date and time", `value="soon"`},
		"daily time 25:00": {url.Values{"schedule": {"daily"}, "daily_day": {"1"}, "daily_time": {"25:00"}, "daily_days": {"1"}},
			"between 00:00 and 23:59", `value="25:00"`},
		"daily time words": {url.Values{"schedule": {"daily"}, "daily_day": {"1"}, "daily_time": {"breakfast"}, "daily_days": {"1"}},
			"between 00:00 and 23:59", `value="breakfast"`},
		"day out of range": {url.Values{"schedule": {"daily"}, "daily_day": {"9"}, "daily_time": {"08:00"}, "daily_days": {"1"}},
			"Pick a day of the event, from 1 to 5", `value="08:00"`},
		"zero days open": {url.Values{"schedule": {"daily"}, "daily_day": {"1"}, "daily_time": {"08:00"}, "daily_days": {"0"}},
			"stays open from 1 to 31 days", `name="daily_days" value="0"`},
		"unknown schedule": {url.Values{"schedule": {"weekly"}}, "Choose when the prompt is open", `value="Swing"`},
		"late share 150":   {url.Values{"late_percent": {"150"}}, "between 0 and 100", `name="late_percent" value="150"`},
		"grace not a number": {url.Values{"grace_minutes": {"an hour"}}, "late window in whole minutes",
			`name="grace_minutes" value="an hour"`},
		"grace over a week":         {url.Values{"grace_minutes": {"20000"}}, "up to a week", `value="20000"`},
		"remind negative":           {url.Values{"remind_minutes": {"-5"}}, "Remind at most a week", `value="-5"`},
		"team prompt without teams": {url.Values{"team_prompt": {"on"}}, "Turn teams on for the event", `value="Swing"`},
	} {
		t.Run(name, func(t *testing.T) {
			tc.form.Set("kind", "photo")
			tc.form.Set("title", "Swing")
			rec := c.PostForm(base+"/prompts", tc.form)
			wantResponse(t, name, rec, http.StatusUnprocessableEntity, tc.msg, tc.kept)
			if n := promptCount(t, app, ev); n != 0 {
				t.Errorf("%d prompts stored after a refusal", n)
			}
		})
	}
}

func TestEventSettingsSaveAndRefuse(t *testing.T) {
	app, c, _, ev, base := lisbonHunt(t)
	rec := c.Get(base + "/edit")
	wantResponse(t, "settings page", rec, http.StatusOK, `name="teams_enabled"`, `name="freeze_at"`, `name="reveal_at"`,
		`name="retention_days" value="0"`, `aria-current="page">Settings`)

	good := func() url.Values {
		return url.Values{"name": {"Spring hunt"}, "time_zone": {"Asia/Tokyo"}, "starts_at": {"2026-12-01T09:00"},
			"ends_at": {"2026-12-05T18:00"}, "teams_enabled": {"on"}, "freeze_at": {"2026-12-05T17:00"},
			"reveal_at": {"2026-12-05T18:00"}, "retention_days": {"30"}}
	}
	for name, tc := range map[string]struct {
		change func(url.Values)
		msg    string
		kept   string
	}{
		"unknown zone":        {func(v url.Values) { v.Set("time_zone", "Mars/Olympus") }, "Pick a time zone", `value="2026-12-05T17:00"`},
		"freeze after reveal": {func(v url.Values) { v.Set("freeze_at", "2026-12-05T19:00") }, "Freeze the leaderboard before the reveal", `value="2026-12-05T19:00"`},
		"freeze garbage":      {func(v url.Values) { v.Set("freeze_at", "at the end") }, "Enter the freeze as a date and time", `value="at the end"`},
		"reveal garbage":      {func(v url.Values) { v.Set("reveal_at", "friday") }, "Enter the reveal as a date and time", `value="friday"`},
		"retention too long":  {func(v url.Values) { v.Set("retention_days", "5000") }, "0 (until deleted) to 3650 days", `value="5000"`},
		"retention words":     {func(v url.Values) { v.Set("retention_days", "a month") }, "as a whole number", `value="a month"`},
		"ends before starts":  {func(v url.Values) { v.Set("ends_at", "2026-11-30T09:00") }, "must end after it starts", `value="2026-11-30T09:00"`},
	} {
		t.Run(name, func(t *testing.T) {
			form := good()
			tc.change(form)
			wantResponse(t, name, c.PostForm(base, form), http.StatusUnprocessableEntity, tc.msg, tc.kept, `name="teams_enabled" checked`)
			stored, _ := app.Store.Event(t.Context(), ev.ID)
			if stored.TimeZone != "Europe/Lisbon" || stored.TeamsEnabled || stored.FreezeAt != nil || stored.RetentionDays != 0 {
				t.Errorf("a refused form changed the event: %+v", stored)
			}
		})
	}

	rec = c.PostForm(base, good())
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("save settings: status %d\n%s", rec.Code, rec.Body.String())
	}
	stored, _ := app.Store.Event(t.Context(), ev.ID)
	// 17:00 in Tokyo is 08:00 UTC.
	if !stored.TeamsEnabled || stored.FreezeAt == nil || stored.FreezeAt.UTC().Format("02 15:04") != "05 08:00" ||
		stored.RevealAt == nil || stored.RevealAt.UTC().Format("02 15:04") != "05 09:00" || stored.RetentionDays != 30 {
		t.Errorf("settings stored as %+v", stored)
	}
	wantResponse(t, "settings after saving", c.Get(base+"/edit"), http.StatusOK, `name="teams_enabled" checked`,
		`name="freeze_at" value="2026-12-05T17:00"`, `name="reveal_at" value="2026-12-05T18:00"`, `name="retention_days" value="30"`)

	// Blank freeze and reveal clear them.
	form := good()
	form.Set("freeze_at", "")
	form.Set("reveal_at", "")
	if rec := c.PostForm(base, form); rec.Code != http.StatusSeeOther {
		t.Fatalf("clear freeze: status %d", rec.Code)
	}
	if stored, _ := app.Store.Event(t.Context(), ev.ID); stored.FreezeAt != nil || stored.RevealAt != nil {
		t.Errorf("freeze %v reveal %v after clearing, want none", stored.FreezeAt, stored.RevealAt)
	}

	// With teams on, prompts can be team prompts; then teams cannot be
	// turned off under them.
	wantResponse(t, "prompt form with teams", c.Get(base+"/prompts/new"), http.StatusOK, `name="team_prompt"`)
	rec = c.PostForm(base+"/prompts", url.Values{"kind": {"photo"}, "title": {"Team pyramid"}, "team_prompt": {"on"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("team prompt: status %d\n%s", rec.Code, rec.Body.String())
	}
	form.Del("teams_enabled")
	wantResponse(t, "teams off under a team prompt", c.PostForm(base, form), http.StatusUnprocessableEntity, "1 prompt is a team prompt")
	if stored, _ := app.Store.Event(t.Context(), ev.ID); !stored.TeamsEnabled {
		t.Error("teams were turned off under a team prompt")
	}
}

func TestReorderPrompts(t *testing.T) {
	app, c, _, ev, base := lisbonHunt(t)
	var ids []uint
	for _, title := range []string{"A", "B", "C"} {
		ids = append(ids, app.Prompt(ev, models.KindPhoto, title, nil, nil).ID)
	}
	order := func() string {
		list, _ := app.Store.Prompts(t.Context(), ev.ID)
		var s []string
		for _, p := range list {
			s = append(s, p.Title)
		}
		return strings.Join(s, "")
	}
	move := func(id uint) string { return fmt.Sprintf("%s/prompts/%d/move", base, id) }

	rec := c.Get(base)
	wantResponse(t, "overview", rec, http.StatusOK, `action="`+move(ids[0])+`"`, `data-reorder`)
	if !strings.Contains(rec.Body.String(), `aria-label="Move up" title="Move up" disabled`) {
		t.Error("the first prompt's up arrow is not disabled")
	}
	rec = c.PostForm(move(ids[2]), url.Values{"direction": {"up"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("%s#prompt-%d", base, ids[2]) {
		t.Fatalf("move up: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if got := order(); got != "ACB" {
		t.Errorf("after moving C up: %s, want ACB", got)
	}
	c.PostForm(move(ids[0]), url.Values{"direction": {"down"}})
	if got := order(); got != "CAB" {
		t.Errorf("after moving A down: %s, want CAB", got)
	}
	// The drag-and-drop script posts the same form with a place, as JSON.
	form := url.Values{"to": {"0"}, "_csrf": {c.CSRF()}}
	req := httptest.NewRequest(http.MethodPost, move(ids[1]), strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if rec := c.Do(req); rec.Code != http.StatusNoContent {
		t.Fatalf("drop: status %d", rec.Code)
	}
	if got := order(); got != "BCA" {
		t.Errorf("after dropping B first: %s, want BCA", got)
	}
	for name, form := range map[string]url.Values{
		"no direction":  {},
		"sideways":      {"direction": {"left"}},
		"bad place":     {"to": {"first"}},
		"negative spot": {"to": {"-1"}},
	} {
		if rec := c.PostForm(move(ids[0]), form); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", name, rec.Code)
		}
	}
	if got := order(); got != "BCA" {
		t.Errorf("refused moves changed the order: %s", got)
	}

	// Another organizer's event, or a prompt of another event: 404.
	bo := app.Organizer("bo@example.com", "Bo")
	boEv := app.Event(bo, "Bo's hunt", "UTC")
	boPrompt := app.Prompt(boEv, models.KindPhoto, "Bo's", nil, nil)
	if rec := c.PostForm(fmt.Sprintf("%s/prompts/%d/move", base, boPrompt.ID), url.Values{"direction": {"up"}}); rec.Code != http.StatusNotFound {
		t.Errorf("moving another event's prompt through mine: %d, want 404", rec.Code)
	}
	if rec := c.PostForm(fmt.Sprintf("/dashboard/events/%d/prompts/%d/move", boEv.ID, boPrompt.ID), url.Values{"direction": {"up"}}); rec.Code != http.StatusNotFound {
		t.Errorf("reordering another organizer's event: %d, want 404", rec.Code)
	}
}

func TestModeratorCannotChangePromptsOrEvent(t *testing.T) {
	app, _, _, ev, base := lisbonHunt(t)
	p := app.Prompt(ev, models.KindPhoto, "Swing", nil, nil)
	app.Prompt(ev, models.KindPhoto, "Desk", nil, nil)
	mo := app.Organizer("mo@example.com", "Mo")
	if err := app.Store.DB().Create(&models.EventOrganizer{EventID: ev.ID, OrganizerID: mo.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	c := app.Client()
	c.SignIn("mo@example.com")
	rec := c.Get(base)
	wantResponse(t, "overview as moderator", rec, http.StatusOK, "Swing")
	for _, s := range []string{"/move", "/prompts/new", "/prompts/import", "/duplicate", "Edit event"} {
		if strings.Contains(rec.Body.String(), s) {
			t.Errorf("the moderator's overview offers %q", s)
		}
	}
	pp := fmt.Sprintf("%s/prompts/%d", base, p.ID)
	for _, path := range []string{base + "/edit", base + "/prompts/new", base + "/prompts/import", pp + "/edit"} {
		if rec := c.Get(path); rec.Code != http.StatusForbidden {
			t.Errorf("GET %s as moderator: %d, want 403", path, rec.Code)
		}
	}
	for path, form := range map[string]url.Values{
		base + "/prompts":        {"kind": {"photo"}, "title": {"Sneaky"}},
		pp:                       {"kind": {"photo"}, "title": {"Renamed"}},
		pp + "/delete":           {},
		pp + "/move":             {"direction": {"down"}},
		base + "/prompts/import": {"kind": {"photo"}, "list": {"Sneaky"}},
		base + "/duplicate":      {},
		base:                     {"name": {"Renamed"}, "time_zone": {"UTC"}, "starts_at": {"2026-12-01T09:00"}, "ends_at": {"2026-12-05T09:00"}},
	} {
		rec := c.PostForm(path, form)
		wantResponse(t, "POST "+path+" as moderator", rec, http.StatusForbidden, "Moderators can review submissions but not change the event")
	}
	list, _ := app.Store.Prompts(t.Context(), ev.ID)
	if len(list) != 2 || list[0].Title != "Swing" {
		t.Errorf("prompts after the moderator's attempts: %+v", list)
	}
	if events, _ := app.Store.EventsForOrganizer(t.Context(), mo.ID); len(events) != 1 {
		t.Errorf("the moderator has %d events, want only the one moderated (no copy)", len(events))
	}
	if stored, _ := app.Store.Event(t.Context(), ev.ID); stored.Name != "Spring hunt" {
		t.Errorf("the moderator renamed the event to %q", stored.Name)
	}
}

func TestImportPromptsFromAPastedList(t *testing.T) {
	app, c, _, ev, base := lisbonHunt(t)
	wantResponse(t, "import page", c.Get(base+"/prompts/import"), http.StatusOK, `name="list"`, `name="daily"`, "The event has 5 days")

	bad := "A picture of you on a swing | 10\nYou at age 8 | lots\n\n" + strings.Repeat("long ", 50)
	rec := c.PostForm(base+"/prompts/import", url.Values{"list": {bad}, "kind": {"photo"}, "points": {"5"}})
	wantResponse(t, "a list with bad lines", rec, http.StatusUnprocessableEntity, "Line 2: after | put the points", "Line 4 is too long",
		"You at age 8 | lots")
	if n := promptCount(t, app, ev); n != 0 {
		t.Fatalf("%d prompts stored from a refused list, want none", n)
	}
	rec = c.PostForm(base+"/prompts/import", url.Values{"list": {"x"}, "kind": {"video"}})
	wantResponse(t, "unknown kind", rec, http.StatusUnprocessableEntity, "Choose photo or text")
	rec = c.PostForm(base+"/prompts/import", url.Values{"list": {"x"}, "kind": {"photo"}, "daily": {"daily"}, "daily_time": {"25:00"}, "daily_days": {"1"}})
	wantResponse(t, "daily at 25:00", rec, http.StatusUnprocessableEntity, "between 00:00 and 23:59", `value="25:00"`)
	six := "1\n2\n3\n4\n5\n6"
	rec = c.PostForm(base+"/prompts/import", url.Values{"list": {six}, "kind": {"photo"}, "daily": {"daily"}, "daily_time": {"08:00"}, "daily_days": {"1"}})
	wantResponse(t, "daily list longer than the event", rec, http.StatusUnprocessableEntity, "Line 6: the event has 5 days")
	if n := promptCount(t, app, ev); n != 0 {
		t.Fatalf("%d prompts stored from refused lists, want none", n)
	}

	app.Prompt(ev, models.KindText, "Already there", nil, nil)
	rec = c.PostForm(base+"/prompts/import", url.Values{"list": {"Swing | 10\r\n\r\nDesk\r\nAge 8 | 20"}, "kind": {"photo"}, "points": {"5"},
		"daily": {"daily"}, "daily_time": {"7:30"}, "daily_days": {"1"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("import: status %d\n%s", rec.Code, rec.Body.String())
	}
	wantResponse(t, "overview after import", c.Get(base), http.StatusOK, "Added 3 prompts.", "Day 3 (Thu 3 Dec) at 07:30")
	list, _ := app.Store.Prompts(t.Context(), ev.ID)
	var got []string
	for _, p := range list {
		got = append(got, fmt.Sprintf("%s/%d/%s/%d", p.Title, p.Points, p.Schedule, p.DailyDay))
	}
	if want := "Already there/10/event/0 Swing/10/daily/1 Desk/5/daily/2 Age 8/20/daily/3"; strings.Join(got, " ") != want {
		t.Errorf("prompts: %s, want %s", strings.Join(got, " "), want)
	}
}

func TestDuplicateEventCopiesPromptsNotPeople(t *testing.T) {
	app, c, o, ev, base := lisbonHunt(t)
	app.Prompt(ev, models.KindPhoto, "Swing", nil, nil)
	app.Prompt(ev, models.KindText, "Joke", nil, nil)
	app.Client().Join(ev, "Bea")

	rec := c.PostForm(base+"/duplicate", nil)
	if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "/edit") {
		t.Fatalf("duplicate: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	events, _ := app.Store.EventsForOrganizer(t.Context(), o.ID)
	if len(events) != 2 {
		t.Fatalf("events: %d, want 2", len(events))
	}
	var cp models.OrganizerEvent
	for _, e := range events {
		if e.ID != ev.ID {
			cp = e
		}
	}
	if rec.Header().Get("Location") != fmt.Sprintf("/dashboard/events/%d/edit", cp.ID) {
		t.Errorf("redirected to %q, want the copy's settings", rec.Header().Get("Location"))
	}
	wantResponse(t, "the copy's settings", c.Get(rec.Header().Get("Location")), http.StatusOK,
		`value="Copy of Spring hunt"`, "a copy of &#34;Spring hunt&#34; with its prompts")
	if cp.Name != "Copy of Spring hunt" || cp.JoinToken == ev.JoinToken || !cp.StartsAt.Equal(ev.StartsAt) || cp.TimeZone != ev.TimeZone {
		t.Errorf("copy: %+v", cp)
	}
	if n := promptCount(t, app, &cp.Event); n != 2 {
		t.Errorf("the copy has %d prompts, want 2", n)
	}
	if people, _ := app.Store.Participants(t.Context(), cp.ID); len(people) != 0 {
		t.Errorf("the copy has %d participants, want none", len(people))
	}
	if people, _ := app.Store.Participants(t.Context(), ev.ID); len(people) != 1 {
		t.Errorf("the original has %d participants, want Bea", len(people))
	}
	// Nobody can duplicate an event they do not organize.
	app.Organizer("bo@example.com", "Bo")
	bo := app.Client()
	bo.SignIn("bo@example.com")
	if rec := bo.PostForm(base+"/duplicate", nil); rec.Code != http.StatusNotFound {
		t.Errorf("duplicate another organizer's event: %d, want 404", rec.Code)
	}
}

func TestDashboardShowsTimesInTheOrganizersZone(t *testing.T) {
	app, c, _, ev, base := lisbonHunt(t)
	opens := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) // 09:00 in Lisbon, 04:00 in New York
	closes := opens.Add(9 * time.Hour)
	app.Prompt(ev, models.KindPhoto, "Window", &opens, &closes)
	if _, err := app.Store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindPhoto, Title: "Daily",
		Schedule: models.ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1, GraceMinutes: 90, LatePercent: 50}); err != nil {
		t.Fatal(err)
	}
	get := func(zone string) string {
		req := httptest.NewRequest(http.MethodGet, base, nil)
		if zone != "" {
			req.AddCookie(&http.Cookie{Name: "tz", Value: zone})
		}
		rec := c.Do(req)
		if rec.Code != http.StatusOK {
			t.Fatalf("overview with tz %q: %d", zone, rec.Code)
		}
		return rec.Body.String()
	}
	body := get("America/New_York")
	for _, want := range []string{
		"Opens tomorrow 04:00 · 09:00 in Lisbon</li>", "Closes tomorrow 13:00 · 18:00 in Lisbon</li>",
		"First opens yesterday 13:00 · 18:00 in Lisbon (earliest zone)",
		"Day 2 (Wed 2 Dec) at 08:00 in each participant&#39;s zone", "Late answers count 50% for 1 h 30 min after each close",
		`data-viewer-zone="America/New_York"`, "Times are in your zone (New York)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("overview in New York: missing %q", want)
		}
	}
	// No cookie (first visit, scripts off) or a zone nobody knows: the event's.
	for _, zone := range []string{"", "Mars/Olympus"} {
		body := get(zone)
		if !strings.Contains(body, "Opens tomorrow 09:00</li>") || strings.Contains(body, "09:00 in Lisbon") {
			t.Errorf("overview with tz %q: want Lisbon times without a second zone", zone)
		}
		if !strings.Contains(body, `data-viewer-zone="Europe/Lisbon"`) {
			t.Errorf("overview with tz %q: viewer zone is not the event's", zone)
		}
	}
}
