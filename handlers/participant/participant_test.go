package participant_test

import (
	"fmt"
	"image"
	_ "image/jpeg"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// hunt builds an app with one organizer and one event in Lisbon time, with
// a photo prompt open all event and a text prompt.
func hunt(t *testing.T) (*handlertest.App, *models.Event, *models.Prompt, *models.Prompt) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	photo := app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	text := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	return app, ev, photo, text
}

func TestJoinShowsPromptsAndKeepsThePhoneIn(t *testing.T) {
	app, ev, _, _ := hunt(t)
	c := app.Client()
	rec := c.Get("/j/" + ev.JoinToken)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Spring hunt") {
		t.Fatalf("join page: got %d", rec.Code)
	}
	// A missing name is refused on the page.
	rec = c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {"   "}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Type your name") {
		t.Fatalf("empty name: got %d\n%s", rec.Code, rec.Body.String())
	}
	c.Join(ev, "Bea")
	rec = c.Get(fmt.Sprintf("/e/%d", ev.ID))
	body := rec.Body.String()
	if rec.Code != http.StatusOK || !strings.Contains(body, "A picture of you on a swing") || !strings.Contains(body, "Hi Bea") {
		t.Fatalf("prompt list: got %d\n%s", rec.Code, body)
	}
	// Bea's zone (Tokyo, from the browser) is used, with Lisbon beside it.
	if !strings.Contains(body, "in Lisbon") || !strings.Contains(body, "Tokyo") {
		t.Errorf("prompt list does not show both zones:\n%s", body)
	}
	// Opening the join link again on the same phone goes straight in.
	rec = c.Get("/j/" + ev.JoinToken)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("/e/%d", ev.ID) {
		t.Fatalf("join link again: got %d %q", rec.Code, rec.Header().Get("Location"))
	}
	// The same name twice is refused (the reveal must tell people apart).
	other := app.Client()
	rec = other.PostForm("/j/"+ev.JoinToken, url.Values{"name": {"bea"}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "already joined") {
		t.Fatalf("duplicate name: got %d", rec.Code)
	}
}

func TestWrongLinksAndOtherEventsAre404(t *testing.T) {
	app, ev, photo, _ := hunt(t)
	o2 := app.Organizer("cy@example.com", "Cy")
	ev2 := app.Event(o2, "Other hunt", "UTC")
	c := app.Client()
	for _, path := range []string{"/j/nope", "/j/" + strings.Repeat("a", 32), "/r/whatever", fmt.Sprintf("/e/%d", ev.ID), "/e/abc", "/e/99999"} {
		rec := c.Get(path)
		if rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: got %d, want 404", path, rec.Code)
		}
	}
	// JSON callers get {"error": ...}.
	c.Accept = "application/json"
	rec := c.Get("/j/nope")
	if rec.Code != http.StatusNotFound || !strings.Contains(handlertest.JSON(t, rec)["error"].(string), "join link") {
		t.Errorf("JSON 404: got %d %s", rec.Code, rec.Body.String())
	}
	c.Accept = ""
	// A participant of one event cannot reach another event's pages.
	c.Join(ev2, "Dee")
	for _, path := range []string{fmt.Sprintf("/e/%d", ev.ID), fmt.Sprintf("/e/%d/prompts/%d", ev.ID, photo.ID), fmt.Sprintf("/e/%d/prompts/%d", ev2.ID, photo.ID)} {
		if rec := c.Get(path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s as participant of another event: got %d, want 404", path, rec.Code)
		}
	}
	if rec := c.Upload(handlertest.AnswerPath(ev, photo), "x", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusNotFound {
		t.Errorf("upload to another event: got %d, want 404", rec.Code)
	}
}

func TestUploadReplaceUntilCloseThenRefuse(t *testing.T) {
	app, ev, _, _ := hunt(t)
	closes := app.Clock.Now().Add(2 * time.Hour)
	p := app.Prompt(ev, models.KindPhoto, "Your desk right now", nil, &closes)
	c := app.Client()
	c.Join(ev, "Bea")

	rec := c.Upload(handlertest.AnswerPath(ev, p), "my desk", handlertest.PhotoPath(t, "orient-6.jpg"))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: got %d\n%s", rec.Code, rec.Body.String())
	}
	subs, _ := app.Store.EventSubmissions(t.Context(), ev.ID)
	if len(subs) != 1 || subs[0].Caption != "my desk" || subs[0].PhotoWidth != 480 || subs[0].PhotoHeight != 320 {
		t.Fatalf("submissions after upload = %+v", subs)
	}
	first := subs[0].PhotoKey
	// The thumbnail is on the prompt list and is served upright.
	list := c.Get(fmt.Sprintf("/e/%d", ev.ID)).Body.String()
	thumb := fmt.Sprintf("/e/%d/photos/%d/thumb", ev.ID, subs[0].ID)
	if !strings.Contains(list, thumb) {
		t.Fatalf("prompt list has no thumbnail %s", thumb)
	}
	rec = c.Get(fmt.Sprintf("/e/%d/photos/%d/phone", ev.ID, subs[0].ID))
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
		t.Fatalf("phone rendition: got %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	img, _, err := image.Decode(rec.Body)
	if err != nil || img.Bounds().Dx() != 480 || img.Bounds().Dy() != 320 {
		t.Fatalf("phone rendition is %v (%v), want 480x320", img.Bounds(), err)
	}

	// Replace it (with JSON, as the progress-bar script does).
	app.Clock.Advance(time.Hour)
	c.Accept = "application/json"
	rec = c.Upload(handlertest.AnswerPath(ev, p), "better desk", handlertest.PhotoPath(t, "orient-1.jpg"))
	if rec.Code != http.StatusOK || handlertest.JSON(t, rec)["redirect"] != fmt.Sprintf("/e/%d", ev.ID) {
		t.Fatalf("replace: got %d %s", rec.Code, rec.Body.String())
	}
	subs, _ = app.Store.EventSubmissions(t.Context(), ev.ID)
	if len(subs) != 1 || subs[0].Caption != "better desk" || subs[0].PhotoKey == first {
		t.Fatalf("after replace: %+v", subs)
	}
	for _, f := range app.MediaFiles() {
		if strings.HasPrefix(f, first) {
			t.Errorf("the replaced photo's file %s was not removed", f)
		}
	}

	// After the close the server refuses changes and keeps the photo.
	app.Clock.Advance(61 * time.Minute)
	rec = c.Upload(handlertest.AnswerPath(ev, p), "too late", handlertest.PhotoPath(t, "orient-3.jpg"))
	if rec.Code != http.StatusConflict || !strings.Contains(handlertest.JSON(t, rec)["error"].(string), "closed") {
		t.Fatalf("upload after close: got %d %s", rec.Code, rec.Body.String())
	}
	c.Accept = ""
	rec = c.Upload(handlertest.AnswerPath(ev, p), "too late", handlertest.PhotoPath(t, "orient-3.jpg"))
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "has closed") {
		t.Fatalf("form upload after close: got %d", rec.Code)
	}
	after, _ := app.Store.EventSubmissions(t.Context(), ev.ID)
	if len(after) != 1 || after[0].PhotoKey != subs[0].PhotoKey || after[0].Caption != "better desk" {
		t.Fatalf("a refused upload changed the answer: %+v", after)
	}
}

func TestTextAnswer(t *testing.T) {
	app, ev, _, text := hunt(t)
	c := app.Client()
	c.Join(ev, "Bea")
	path := handlertest.AnswerPath(ev, text)
	form := url.Values{"text": {"Why did the photo go to jail? It was framed."}, "_csrf": {c.CSRF()}}
	rec := c.PostForm(path+"?_csrf="+url.QueryEscape(c.CSRF()), form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("text answer: got %d\n%s", rec.Code, rec.Body.String())
	}
	rec = c.PostForm(path, url.Values{"text": {"   "}})
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Type your answer") {
		t.Fatalf("empty text: got %d", rec.Code)
	}
	subs, _ := app.Store.EventSubmissions(t.Context(), ev.ID)
	if len(subs) != 1 || !strings.Contains(subs[0].Text, "framed") {
		t.Fatalf("submissions = %+v", subs)
	}
}

func TestBadUploadsAreRefusedAndStoreNothing(t *testing.T) {
	app, ev, photo, _ := hunt(t)
	c := app.Client()
	c.Join(ev, "Bea")
	path := handlertest.AnswerPath(ev, photo)
	for _, tc := range []struct {
		file   string
		status int
	}{
		{"bad/zero-bytes.jpg", 422},
		{"bad/cut-off.jpg", 422},
		{"bad/notes-as.jpg", 415},
		{"bad/page-as.png", 415},
		{"bad/noise.png", 415},
		{"bad/script.svg", 415},
		{"bad/bomb-50k.png", 422},
	} {
		t.Run(tc.file, func(t *testing.T) {
			for _, accept := range []string{"", "application/json"} {
				c.Accept = accept
				rec := c.Upload(path, "caption", handlertest.PhotoPath(t, tc.file))
				if rec.Code != tc.status {
					t.Fatalf("Accept %q: got %d, want %d\n%s", accept, rec.Code, tc.status, rec.Body.String())
				}
				if accept != "" && handlertest.JSON(t, rec)["error"] == "" {
					t.Errorf("no error message in %s", rec.Body.String())
				}
			}
		})
	}
	c.Accept = ""
	// A garbage form: 20+ fields and no file.
	fields := map[string]string{}
	for i := range 25 {
		fields[fmt.Sprintf("f%d", i)] = strings.Repeat("x", 100)
	}
	ct, body := handlertest.Multipart(t, fields, "", "")
	rec := c.PostRaw(path+"?_csrf="+url.QueryEscape(c.CSRF()), ct, body)
	if rec.Code != http.StatusBadRequest {
		t.Errorf("garbage form: got %d, want 400", rec.Code)
	}
	// No file at all.
	ct, body = handlertest.Multipart(t, map[string]string{"caption": "hi"}, "", "")
	if rec := c.PostRaw(path+"?_csrf="+url.QueryEscape(c.CSRF()), ct, body); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("no file: got %d, want 422", rec.Code)
	}
	// Not multipart at all.
	if rec := c.PostForm(path, url.Values{"caption": {"x"}}); rec.Code != http.StatusBadRequest {
		t.Errorf("urlencoded upload: got %d, want 400", rec.Code)
	}
	// A caption over the limit.
	if rec := c.Upload(path, strings.Repeat("long ", 100), handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("long caption: got %d, want 422", rec.Code)
	}
	subs, _ := app.Store.EventSubmissions(t.Context(), ev.ID)
	if len(subs) != 0 {
		t.Errorf("refused uploads stored %d submissions", len(subs))
	}
	if files := app.MediaFiles(); len(files) != 0 {
		t.Errorf("refused uploads left files: %v", files)
	}
	if files := app.UploadFiles(); len(files) != 0 {
		t.Errorf("refused uploads left spool files: %v", files)
	}
}

func TestOversizeUploadIsRefused(t *testing.T) {
	limits := handlertest.SmallLimits(1 << 20) // 1 MiB
	app := handlertest.New(t, handlertest.Options{Limits: &limits})
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Hunt", "UTC")
	p := app.Prompt(ev, models.KindPhoto, "Big", nil, nil)
	c := app.Client()
	c.Join(ev, "Bea")
	c.Accept = "application/json"
	rec := c.Upload(handlertest.AnswerPath(ev, p), "", handlertest.PhotoPath(t, "phone-12mp.jpg"))
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(handlertest.JSON(t, rec)["error"].(string), "1 MB") {
		t.Fatalf("oversize: got %d %s", rec.Code, rec.Body.String())
	}
	if files := app.MediaFiles(); len(files) != 0 {
		t.Errorf("oversize upload left files: %v", files)
	}
}
