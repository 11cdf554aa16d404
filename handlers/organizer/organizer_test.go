package organizer_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
)

func TestFirstStartGoesToSetupThenSetupCloses(t *testing.T) {
	app := handlertest.New(t)
	c := app.Client()

	rec := c.Get("/")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/setup" {
		t.Fatalf("GET / on a fresh install: got %d %q, want 303 to /setup", rec.Code, rec.Header().Get("Location"))
	}
	if rec := c.Get("/setup"); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Create account") {
		t.Fatalf("GET /setup: got %d", rec.Code)
	}
	// A short password is refused with the message and the typed values kept.
	rec = c.PostForm("/setup", url.Values{"email": {"ana@example.com"}, "name": {"Ana"}, "password": {"short"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "at least 10 characters") || !strings.Contains(rec.Body.String(), `value="ana@example.com"`) {
		t.Fatalf("short password: got %d\n%s", rec.Code, rec.Body.String())
	}
	rec = c.PostForm("/setup", url.Values{"email": {"Ana@Example.com"}, "name": {"Ana"}, "password": {handlertest.Password}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dashboard/events/new" {
		t.Fatalf("setup: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if rec := c.Get("/dashboard"); rec.Code != http.StatusOK {
		t.Fatalf("dashboard after setup: got %d", rec.Code)
	}
	// Setup is closed for good once an organizer exists.
	other := app.Client()
	if rec := other.Get("/setup"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/login" {
		t.Fatalf("GET /setup after setup: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = other.PostForm("/setup", url.Values{"email": {"eve@example.com"}, "name": {"Eve"}, "password": {handlertest.Password}})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("second setup: got %d, want 403", rec.Code)
	}
	if n, _ := app.Store.OrganizerCount(t.Context()); n != 1 {
		t.Fatalf("organizers = %d, want 1", n)
	}
	// The email was normalised, so login works in any case.
	other.SignIn("ana@example.com")
}

func TestLoginRefusesWrongPasswordAndDashboardNeedsLogin(t *testing.T) {
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	c := app.Client()
	rec := c.Get("/dashboard/events/new")
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login?next=") {
		t.Fatalf("dashboard without login: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	rec = c.PostForm("/login", url.Values{"email": {"ana@example.com"}, "password": {"wrong password"}})
	if rec.Code != http.StatusUnauthorized || !strings.Contains(rec.Body.String(), "don&#39;t match") {
		t.Fatalf("wrong password: got %d\n%s", rec.Code, rec.Body.String())
	}
	// A successful login goes back where the organizer was headed, but
	// never off-site.
	rec = c.PostForm("/login", url.Values{"email": {"ana@example.com"}, "password": {handlertest.Password}, "next": {"//evil.example/x"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/dashboard" {
		t.Fatalf("login with off-site next: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestPostWithoutCSRFTokenIsRefused(t *testing.T) {
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	c := app.Client()
	c.SignIn("ana@example.com")
	rec := c.PostRaw("/dashboard/events", "application/x-www-form-urlencoded", strings.NewReader("name=X&time_zone=UTC&starts_at=2026-12-03T09:00&ends_at=2026-12-04T09:00"))
	if rec.Code != http.StatusForbidden {
		t.Fatalf("POST without token: got %d, want 403", rec.Code)
	}
	list, _ := app.Store.EventsForOrganizer(t.Context(), 1)
	if len(list) != 0 {
		t.Fatalf("an event was created without a CSRF token")
	}
}

func TestOrganizerCreatesEventAndPromptsAndSeesJoinLink(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	c := app.Client()
	c.SignIn("ana@example.com")

	// Bad dates are refused with the message and the typed values kept.
	rec := c.PostForm("/dashboard/events", url.Values{"name": {"Spring hunt"}, "time_zone": {"Asia/Tokyo"},
		"starts_at": {"2026-12-05T09:00"}, "ends_at": {"2026-12-04T09:00"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "must end after it starts") || !strings.Contains(rec.Body.String(), `value="Spring hunt"`) {
		t.Fatalf("end before start: got %d\n%s", rec.Code, rec.Body.String())
	}
	rec = c.PostForm("/dashboard/events", url.Values{"name": {"Spring hunt"}, "time_zone": {"Mars/Olympus"},
		"starts_at": {"2026-12-01T09:00"}, "ends_at": {"2026-12-04T09:00"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Pick a time zone") {
		t.Fatalf("unknown zone: got %d", rec.Code)
	}
	rec = c.PostForm("/dashboard/events", url.Values{"name": {"Spring hunt"}, "description": {"Have fun"}, "time_zone": {"Asia/Tokyo"},
		"starts_at": {"2026-12-01T09:00"}, "ends_at": {"2026-12-04T18:00"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create event: got %d\n%s", rec.Code, rec.Body.String())
	}
	list, err := app.Store.EventsForOrganizer(t.Context(), o.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("events = %v, %v", list, err)
	}
	ev := list[0]
	// 09:00 in Tokyo is 00:00 UTC.
	if got := ev.StartsAt.UTC().Format("2006-01-02 15:04"); got != "2026-12-01 00:00" {
		t.Errorf("starts_at stored as %s UTC, want 2026-12-01 00:00", got)
	}
	eventURL := rec.Header().Get("Location")

	// Prompts: a photo one open all event, a text one with a window.
	rec = c.PostForm(eventURL+"/prompts", url.Values{"kind": {"photo"}, "title": {"A picture of you on a swing"}, "points": {"10"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create prompt: got %d\n%s", rec.Code, rec.Body.String())
	}
	rec = c.PostForm(eventURL+"/prompts", url.Values{"kind": {"text"}, "title": {"Your best joke"}, "points": {"5"},
		"opens_at": {"2026-12-02T09:00"}, "closes_at": {"2026-12-03T09:00"}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create text prompt: got %d\n%s", rec.Code, rec.Body.String())
	}
	for name, form := range map[string]url.Values{
		"closes before opens": {"kind": {"photo"}, "title": {"x"}, "opens_at": {"2026-12-03T09:00"}, "closes_at": {"2026-12-02T09:00"}},
		"no title":            {"kind": {"photo"}, "title": {"  "}},
		"points not a number": {"kind": {"photo"}, "title": {"x"}, "points": {"lots"}},
		"negative points":     {"kind": {"photo"}, "title": {"x"}, "points": {"-3"}},
		"unknown kind":        {"kind": {"video"}, "title": {"x"}},
		"garbage date":        {"kind": {"photo"}, "title": {"x"}, "opens_at": {"yesterday-ish"}},
	} {
		if rec := c.PostForm(eventURL+"/prompts", form); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("%s: got %d, want 422", name, rec.Code)
		}
	}
	prompts, _ := app.Store.Prompts(t.Context(), ev.ID)
	if len(prompts) != 2 {
		t.Fatalf("prompts = %d, want 2 (refused forms must store nothing)", len(prompts))
	}
	if prompts[1].OpensAt == nil || prompts[1].OpensAt.UTC().Hour() != 0 {
		t.Errorf("text prompt opens_at = %v, want 00:00 UTC (09:00 Tokyo)", prompts[1].OpensAt)
	}

	// The event page shows the join link and its QR code.
	rec = c.Get(eventURL)
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "/j/"+ev.JoinToken) || !strings.Contains(body, "A picture of you on a swing") {
		t.Fatalf("event page: got %d\n%s", rec.Code, body)
	}
	rec = c.Get(eventURL + "/qr.png")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" || !strings.HasPrefix(rec.Body.String(), "\x89PNG") {
		t.Fatalf("QR code: got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
}

func TestOrganizerCannotSeeAnotherOrganizersEvent(t *testing.T) {
	app := handlertest.New(t)
	ana := app.Organizer("ana@example.com", "Ana")
	app.Organizer("bo@example.com", "Bo")
	ev := app.Event(ana, "Ana's hunt", "Europe/Lisbon")
	p := app.Prompt(ev, models.KindPhoto, "Desk", nil, nil)
	bo := app.Client()
	bo.SignIn("bo@example.com")
	base := "/dashboard/events/" + itoa(ev.ID)
	for _, path := range []string{base, base + "/edit", base + "/qr.png", base + "/prompts/new", base + "/prompts/" + itoa(p.ID) + "/edit", base + "/photos/1/thumb"} {
		if rec := bo.Get(path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s as another organizer: got %d, want 404", path, rec.Code)
		}
	}
	if rec := bo.PostForm(base+"/prompts/"+itoa(p.ID)+"/delete", nil); rec.Code != http.StatusNotFound {
		t.Errorf("delete another's prompt: got %d, want 404", rec.Code)
	}
	if _, err := app.Store.EventPrompt(t.Context(), ev.ID, p.ID); err != nil {
		t.Errorf("prompt was deleted by another organizer: %v", err)
	}
}

func itoa(n uint) string { return strconv.FormatUint(uint64(n), 10) }
