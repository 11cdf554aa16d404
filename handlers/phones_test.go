package handlers_test

// Hardening II, phones: joins paced per network, text that cannot reorder
// what is around it.

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

// joinFrom posts the join form of ev as a fresh browser at addr.
func joinFrom(app *handlertest.App, ev *models.Event, addr, name string) *httptest.ResponseRecorder {
	c := app.Client()
	form := url.Values{"name": {name}, "time_zone": {"UTC"}, "email": {"x@example.com"}, "_csrf": {c.CSRF()}}
	req := httptest.NewRequest(http.MethodPost, "/j/"+ev.JoinToken, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr
	return c.Do(req)
}

func participantCount(t *testing.T, app *handlertest.App, ev *models.Event) int {
	t.Helper()
	list, err := app.Store.Participants(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestJoinsArePacedPerNetwork: a script joining 200 times in a loop from
// one address (the clock is pinned: no time passes) is stopped after the
// burst with 429, Retry-After and the form again with what was typed,
// while another address, and the same one in another event, still join.
func TestJoinsArePacedPerNetwork(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev, other := app.Event(o, "Spring hunt", "UTC"), app.Event(o, "Other", "UTC")
	var first429 *httptest.ResponseRecorder
	joined := 0
	for i := range 200 {
		rec := joinFrom(app, ev, "203.0.113.7:40000", fmt.Sprintf("Bot %d", i))
		switch rec.Code {
		case http.StatusSeeOther:
			joined++
		case http.StatusTooManyRequests:
			if first429 == nil {
				first429 = rec
			}
		default:
			t.Fatalf("join %d: status %d\n%s", i, rec.Code, rec.Body.String())
		}
	}
	if first429 == nil || joined < 50 || joined > 150 {
		t.Fatalf("%d of 200 joins from one address got in (and none was refused: %t), want the burst then 429", joined, first429 == nil)
	}
	if got := participantCount(t, app, ev); got != joined {
		t.Errorf("%d participants stored, %d joins answered 303", got, joined)
	}
	body := first429.Body.String()
	if !strings.Contains(body, "Lots of people are joining from your network right now") {
		t.Errorf("the refusal does not say why:\n%s", body)
	}
	if !strings.Contains(body, fmt.Sprintf(`value="Bot %d"`, joined)) || !strings.Contains(body, `value="x@example.com"`) {
		t.Errorf("the refused form lost what was typed:\n%s", body)
	}
	if ra := first429.Header().Get("Retry-After"); ra == "" || ra == "0" {
		t.Errorf("Retry-After = %q", ra)
	}
	if rec := joinFrom(app, ev, "198.51.100.9:5000", "Colleague"); rec.Code != http.StatusSeeOther {
		t.Errorf("another address: %d, want 303", rec.Code)
	}
	if rec := joinFrom(app, other, "203.0.113.7:40001", "Bot elsewhere"); rec.Code != http.StatusSeeOther {
		t.Errorf("the same address in another event: %d, want 303", rec.Code)
	}
	// A refused form is not a join: a typo does not use up the network's
	// joins. (Taken name: 422.)
	if rec := joinFrom(app, ev, "198.51.100.9:5001", "Colleague"); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("taken name: %d, want 422", rec.Code)
	}
	// Time refills the bucket: a second later one more gets in.
	app.Clock.Advance(2 * time.Second)
	if rec := joinFrom(app, ev, "203.0.113.7:40002", "Latecomer"); rec.Code != http.StatusSeeOther {
		t.Errorf("after a pause: %d, want 303", rec.Code)
	}
	// JSON callers get {"error"} with the same message.
	c := app.Client()
	for range 3 {
		// A refused join leaves the browser without a session, so its
		// cookie's secret stays the token (a join would replace it).
		form := url.Values{"name": {"Json bot"}, "_csrf": {c.CSRF()}}
		req := httptest.NewRequest(http.MethodPost, "/j/"+ev.JoinToken, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		req.RemoteAddr = "203.0.113.7:40003"
		rec := c.Do(req)
		if rec.Code == http.StatusSeeOther {
			continue // the refill of the pause above
		}
		if rec.Code != http.StatusTooManyRequests || !strings.Contains(handlertest.JSON(t, rec)["error"].(string), "from your network") {
			t.Errorf("JSON caller: %d %s", rec.Code, rec.Body.String())
		}
	}
}

// TestJoinsFromOneIPv6NetworkCountTogether: a client picks any address in
// its /64 at will, so the /64 is one client.
func TestJoinsFromOneIPv6NetworkCountTogether(t *testing.T) {
	app := handlertest.New(t)
	ev := app.Event(app.Organizer("ana@example.com", "Ana"), "Spring hunt", "UTC")
	refused := 0
	for i := range 200 {
		addr := fmt.Sprintf("[2001:db8:1:2:%x::%x]:443", i, i+1) // a new address each time, one /64
		switch rec := joinFrom(app, ev, addr, fmt.Sprintf("Bot %d", i)); rec.Code {
		case http.StatusSeeOther:
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("join %d: %d", i, rec.Code)
		}
	}
	if refused == 0 {
		t.Fatal("200 joins from 200 addresses of one /64 all got in")
	}
	if rec := joinFrom(app, ev, "[2001:db8:1:3::1]:443", "Neighbour"); rec.Code != http.StatusSeeOther {
		t.Errorf("the next /64: %d, want 303", rec.Code)
	}
}

// TestCaptionsAndTitlesRefuseBidiControlsAndLineBreaks: what names refuse,
// captions and prompt titles refuse too, with a message and nothing stored;
// a description keeps its line breaks but not bidi controls.
func TestCaptionsAndTitlesRefuseBidiControlsAndLineBreaks(t *testing.T) {
	w := newHardWorld(t)
	ana := w.app.Client()
	ana.SignIn("ana@example.com")
	bad := map[string]string{
		"U+202E":  "my desk \u202egpj.exe",
		"U+2066":  "my desk \u2066hidden",
		"newline": "my desk\nBea: 100 points",
	}
	for name, text := range bad {
		t.Run("caption "+name, func(t *testing.T) {
			rec := w.bea.Upload(handlertest.AnswerPath(w.evA, w.photo), text, handlertest.PhotoPath(t, "orient-1.jpg"))
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "The caption") {
				t.Errorf("status %d, want 422 with a message about the caption\n%.600s", rec.Code, rec.Body.String())
			}
			if subs := w.answers(t); len(subs) != 0 {
				t.Errorf("stored %d answers", len(subs))
			}
			if files := w.app.MediaFiles(); len(files) != 0 {
				t.Errorf("left photo files: %v", files)
			}
		})
		t.Run("title "+name, func(t *testing.T) {
			path := fmt.Sprintf("/dashboard/events/%d/prompts", w.evA.ID)
			rec := ana.PostForm(path, url.Values{"kind": {"photo"}, "title": {text}, "points": {"10"}, "schedule": {"event"}, "late_percent": {"50"}})
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "The title") {
				t.Errorf("status %d, want 422 with a message about the title\n%.600s", rec.Code, rec.Body.String())
			}
			if list, _ := w.app.Store.Prompts(t.Context(), w.evA.ID); len(list) != 1 {
				t.Errorf("%d prompts stored, want the one there was", len(list))
			}
		})
	}
	path := fmt.Sprintf("/dashboard/events/%d/prompts", w.evA.ID)
	form := url.Values{"kind": {"photo"}, "title": {"Window"}, "points": {"10"}, "schedule": {"event"}, "late_percent": {"50"},
		"description": {"Two lines:\r\nthe view\u202e"}}
	if rec := ana.PostForm(path, form); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "The description") {
		t.Errorf("description with U+202E: %d", rec.Code)
	}
	form.Set("description", "Two lines:\r\nthe view")
	if rec := ana.PostForm(path, form); rec.Code != http.StatusSeeOther {
		t.Errorf("description with a line break: %d, want 303\n%.600s", rec.Code, rec.Body.String())
	}
	// A pasted list names the line.
	rec := ana.PostForm(path+"/import", url.Values{"list": {"Desk\nWindow \u2066x\u2069"}, "kind": {"photo"}, "points": {"10"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Line 2: The title has an invisible character") {
		t.Errorf("import with U+2066: %d\n%.600s", rec.Code, rec.Body.String())
	}
}

// whoIs is the name the phone's own page shows in the event.
func whoIs(t *testing.T, c *handlertest.Client, ev *models.Event) string {
	t.Helper()
	rec := c.Get(fmt.Sprintf("/e/%d/me", ev.ID))
	if rec.Code != http.StatusOK {
		return ""
	}
	body := rec.Body.String()
	i, j := strings.Index(body, "<h1>"), strings.Index(body, "</h1>")
	if i < 0 || j < i {
		t.Fatalf("no name on the me page:\n%s", body)
	}
	return body[i+4 : j]
}

func returnToken(t *testing.T, app *handlertest.App, ev *models.Event, name string) string {
	t.Helper()
	list, err := app.Store.Participants(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range list {
		if p.Name == name {
			return p.ReturnToken
		}
	}
	t.Fatalf("no participant %s", name)
	return ""
}

// TestPersonalLinkAsksBeforeReplacingSomeoneElse: Bea's phone opening
// Carl's personal link (sent in a chat, or opened by another site) sees a
// question and is still Bea; only the confirmation's form, with its CSRF
// token, switches. A phone that is nobody, or already Carl, goes straight in.
func TestPersonalLinkAsksBeforeReplacingSomeoneElse(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev, other := app.Event(o, "Spring hunt", "UTC"), app.Event(o, "Autumn hunt", "UTC")
	bea, carl := app.Client(), app.Client()
	bea.Join(ev, "Bea")
	carl.Join(ev, "Carl")
	link := "/r/" + returnToken(t, app, ev, "Carl")

	rec := bea.Get(link)
	if rec.Code != http.StatusOK {
		t.Fatalf("Bea opening Carl's link: %d, want the question (200)", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		"This phone is signed in as <strong>Bea</strong> in Spring hunt",
		"Continue as Carl",
		fmt.Sprintf(`<form method="post" action="%s">`, link),
		`name="_csrf" value="`,
		fmt.Sprintf(`href="/e/%d">Stay as Bea`, ev.ID),
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the question lacks %q", want)
		}
	}
	if got := rec.Header().Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control %q, want no-store", got)
	}
	if got := whoIs(t, bea, ev); got != "Bea" {
		t.Fatalf("after opening the link the phone is %q, want still Bea", got)
	}
	// A form posted from elsewhere has no token.
	if rec := bea.PostRaw(link, "application/x-www-form-urlencoded", strings.NewReader("")); rec.Code != http.StatusForbidden {
		t.Errorf("POST without a CSRF token: %d, want 403", rec.Code)
	}
	if got := whoIs(t, bea, ev); got != "Bea" {
		t.Fatalf("after a tokenless POST the phone is %q, want still Bea", got)
	}
	if rec := bea.PostForm(link, nil); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("/e/%d", ev.ID) {
		t.Fatalf("confirming: %d %q", rec.Code, rec.Header().Get("Location"))
	}
	if got := whoIs(t, bea, ev); got != "Carl" {
		t.Errorf("after confirming the phone is %q, want Carl", got)
	}
	// Already Carl: straight in, as before.
	if rec := carl.Get(link); rec.Code != http.StatusSeeOther {
		t.Errorf("Carl opening his own link: %d, want 303", rec.Code)
	}
	// Nobody in this event (a new phone, or one of another event): straight in.
	fresh, elsewhere := app.Client(), app.Client()
	elsewhere.Join(other, "Dee")
	for name, c := range map[string]*handlertest.Client{"a new phone": fresh, "a phone of another event": elsewhere} {
		if rec := c.Get(link); rec.Code != http.StatusSeeOther {
			t.Errorf("%s: %d, want 303", name, rec.Code)
		}
		if got := whoIs(t, c, ev); got != "Carl" {
			t.Errorf("%s is %q, want Carl", name, got)
		}
	}
	if got := whoIs(t, elsewhere, other); got != "Dee" {
		t.Errorf("the phone of another event is %q there, want still Dee", got)
	}
	// A dead link is 404 on both methods.
	dead := "/r/" + strings.Repeat("a", 32)
	if rec := bea.Get(dead); rec.Code != http.StatusNotFound {
		t.Errorf("GET a dead link: %d", rec.Code)
	}
	if rec := bea.PostForm(dead, nil); rec.Code != http.StatusNotFound {
		t.Errorf("POST a dead link: %d", rec.Code)
	}
}
