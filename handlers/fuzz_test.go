package handlers_test

// Fuzz targets for what the app parses from untrusted clients, each driven
// through the real router (middleware, sessions, CSRF) on a real database:
// the streamed multipart upload, the join form, the event and prompt
// forms, the resumable-upload headers and ids, and the session and CSRF
// cookies. The properties: never a 5xx or a panic, only the statuses the
// page documents, and nothing stored half-way. Run one with
//
//	GOTOOLCHAIN=go1.27.3 go test -run '^$' -fuzz '^FuzzUploadAnswer$' -fuzztime 10m -parallel 1 ./handlers/
//
// on Go 1.27: Go 1.26 can end a fuzz run with a spurious "context deadline
// exceeded" (go.dev/issue/75804).

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"unicode/utf8"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/media"
)

// fuzzCSRF is the CSRF secret an anonymous fuzz request carries in its
// cookie and as its token (a browser without a session keeps its secret in
// the cookie); a signed-in client's requests carry its session's secret,
// which the app mirrors into that client's cookie.
const fuzzCSRF = "ZnV6ei1jc3JmLXNlY3JldC0zMi1ieXRlcy1sb25nISE"

// csrfOf returns the CSRF token a browser with these cookies sends.
func csrfOf(cookies []*http.Cookie) string {
	for _, c := range cookies {
		if c.Name == "retreat_csrf" && c.Value != "" {
			return c.Value
		}
	}
	return fuzzCSRF
}

// fuzzSite is an app with an organizer signed in, an event with a photo
// prompt and a participant who joined it, built once per fuzz worker.
type fuzzSite struct {
	app       *handlertest.App
	ev        *models.Event
	photo     *models.Prompt
	organizer []*http.Cookie
	member    []*http.Cookie
	pa        *models.Participant
}

func newFuzzSite(f *testing.F, limits media.Limits) *fuzzSite {
	// Embedded whatever RETREAT_TEST_BACKEND says: the targets check the
	// photo folder and upload spool on disk, and fuzzing is about parsing.
	app := handlertest.New(f, handlertest.Options{Limits: &limits, Embedded: true})
	o := app.Organizer("ana@example.com", "Ana")
	org := app.Client()
	org.SignIn("ana@example.com")
	ev := app.Event(o, "Hunt", "Europe/Lisbon")
	photo := app.Prompt(ev, models.KindPhoto, "Desk", nil, nil)
	member := app.Client()
	member.Join(ev, "Bea")
	var pas []models.Participant
	if err := app.Store.DB().Where("event_id = ?", ev.ID).Find(&pas).Error; err != nil || len(pas) != 1 {
		f.Fatalf("participants: %v", pas)
	}
	return &fuzzSite{app: app, ev: ev, photo: photo, organizer: org.Cookies(), member: member.Cookies(), pa: &pas[0]}
}

// do sends req through the router with cookies (the session, if any, and
// the fuzz CSRF cookie), without touching the F (which must not be used
// inside the fuzz function).
func (s *fuzzSite) do(req *http.Request, cookies []*http.Cookie) *httptest.ResponseRecorder {
	for _, c := range cookies {
		req.AddCookie(c)
	}
	if csrfOf(cookies) == fuzzCSRF {
		req.AddCookie(&http.Cookie{Name: "retreat_csrf", Value: fuzzCSRF})
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html")
	}
	rec := httptest.NewRecorder()
	s.app.Echo.ServeHTTP(rec, req)
	return rec
}

func (s *fuzzSite) postForm(path string, form url.Values, cookies []*http.Cookie) *httptest.ResponseRecorder {
	form.Set("_csrf", csrfOf(cookies))
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return s.do(req, cookies)
}

func (s *fuzzSite) get(path string, cookies []*http.Cookie) *httptest.ResponseRecorder {
	return s.do(httptest.NewRequest(http.MethodGet, path, nil), cookies)
}

// sessionOf returns the cookies a response set, for following as that browser.
func sessionOf(rec *httptest.ResponseRecorder) []*http.Cookie { return rec.Result().Cookies() }

func wantStatus(t *testing.T, what string, rec *httptest.ResponseRecorder, allowed ...int) {
	t.Helper()
	for _, s := range allowed {
		if rec.Code == s {
			return
		}
	}
	t.Fatalf("%s: status %d, want one of %v\n%.500s", what, rec.Code, allowed, rec.Body.String())
}

// tinyJPEG and tinyPNG are small valid images for seeds.
func tinyImage(t testing.TB, format string, w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 4), 128, 255})
		}
	}
	var b bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&b, img)
	} else {
		err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 80})
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

const fuzzBoundary = "fuzzboundary"

// multipartBody builds an upload body: fields in order, then the file.
func multipartBody(fields [][2]string, filename string, file []byte) []byte {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.SetBoundary(fuzzBoundary)
	for _, kv := range fields {
		w.WriteField(kv[0], kv[1])
	}
	if file != nil {
		fw, _ := w.CreateFormFile("photo", filename)
		fw.Write(file)
	}
	w.Close()
	return b.Bytes()
}

// FuzzUploadAnswer posts arbitrary multipart bodies to the photo answer
// endpoint under a 64 KB cap: the body is streamed, sniffed, checked and
// processed, and whatever it is, the answer is a documented status; an
// accepted photo has every rendition and its original; a refused one
// leaves nothing in the photo store; the spool is always emptied.
func FuzzUploadAnswer(f *testing.F) {
	limits := media.Limits{MaxBytes: 64 << 10, MaxPixels: 2_000_000}
	jpg := tinyImage(f, "jpeg", 64, 48)
	pngb := tinyImage(f, "png", 40, 30)
	key := "k-0123456789abcdef"
	f.Add(multipartBody([][2]string{{"caption", "my desk"}}, "desk.jpg", jpg))
	f.Add(multipartBody([][2]string{{"upload_key", key}, {"caption", "again"}}, "desk.jpg", jpg))
	f.Add(multipartBody([][2]string{{"caption", ""}}, "../../etc/passwd", pngb))
	f.Add(multipartBody([][2]string{{"caption", "half"}}, "half.jpg", jpg[:len(jpg)/2]))
	f.Add(multipartBody([][2]string{{"caption", "svg"}}, "x.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)))
	f.Add(multipartBody([][2]string{{"caption", "html"}}, "x.jpg", []byte("<!DOCTYPE html><script>alert(1)</script>")))
	f.Add(multipartBody([][2]string{{"caption", "polyglot"}}, "x.jpg", append(append([]byte{}, jpg...), []byte("<script>alert(1)</script>")...)))
	f.Add(multipartBody([][2]string{{"caption", strings.Repeat("x", 400)}}, "desk.jpg", jpg))
	f.Add(multipartBody([][2]string{{"caption", "desk \u202egpj.exe"}}, "desk.jpg", jpg))
	f.Add(multipartBody([][2]string{{"caption", "desk\n\u2066Bea: 100 points"}}, "desk.jpg", jpg))
	f.Add(multipartBody(nil, "", nil))
	f.Add([]byte("--" + fuzzBoundary + "\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"\r\n\r\n"))
	f.Add([]byte("not multipart at all"))

	s := newFuzzSite(f, limits)
	path := handlertest.AnswerPath(s.ev, s.photo)
	photoDir := filepath.Join(s.app.Dir, "media", "events", fmt.Sprint(s.ev.ID))
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, path+"?_csrf="+csrfOf(s.member), bytes.NewReader(body))
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+fuzzBoundary)
		req.Header.Set("Accept", "application/json")
		rec := s.do(req, s.member)
		wantStatus(t, "upload", rec, http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge,
			http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity)
		if left := s.app.UploadFiles(); len(left) > 0 {
			t.Fatalf("spool not emptied: %v", left)
		}
		subs, err := s.app.Store.ParticipantSubmissions(t.Context(), s.pa.ID)
		if err != nil {
			t.Fatal(err)
		}
		sub, ok := subs[s.photo.ID]
		// Exactly the current answer's folder is stored (a replaced one
		// is removed, a refused one never kept).
		entries, _ := os.ReadDir(photoDir)
		switch {
		case !ok && len(entries) != 0:
			t.Fatalf("no answer but %d photo folders", len(entries))
		case ok && (len(entries) != 1 || "events/"+fmt.Sprint(s.ev.ID)+"/"+entries[0].Name() != sub.PhotoKey):
			t.Fatalf("answer %s but photo folders %v", sub.PhotoKey, entries)
		}
		if rec.Code != http.StatusOK {
			var body map[string]string
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body["error"] == "" {
				t.Fatalf("refusal %d without a JSON error: %s", rec.Code, rec.Body.String())
			}
			return
		}
		if !ok {
			t.Fatal("accepted, but no answer stored")
		}
		if problem := models.TextProblem("The caption", sub.Caption, false); problem != "" {
			t.Fatalf("caption %q stored: %s", sub.Caption, problem)
		}
		for _, size := range media.Sizes {
			b, err := os.ReadFile(filepath.Join(s.app.Dir, "media", models.PhotoFile(sub.PhotoKey, size)))
			if err != nil {
				t.Fatalf("accepted, but %s missing: %v", size, err)
			}
			if _, err := jpeg.DecodeConfig(bytes.NewReader(b)); err != nil {
				t.Fatalf("%s rendition is not a JPEG: %v", size, err)
			}
		}
		if _, err := os.Stat(filepath.Join(s.app.Dir, "media", models.OriginalFile(sub.PhotoKey, sub.PhotoFormat))); err != nil {
			t.Fatalf("accepted, but the original is missing: %v", err)
		}
	})
}

// FuzzJoinForm joins through a join link with arbitrary fields (and an
// arbitrary link token) from an arbitrary client address: a wrong link is
// 404, a bad form 422, a network over its joins 429 with Retry-After, a
// good one signs in; the participant's pages render, and what they typed
// never comes back unescaped. An empty address is a new one each time, so
// that most runs get past the join limit to the pages.
func FuzzJoinForm(f *testing.F) {
	f.Add("", "Bea", "Asia/Tokyo", "", "", "")
	f.Add("", "  <script>alert(1)</script> ", "Not/AZone", "0", "bea@example.com", "")
	f.Add("", strings.Repeat("é", 200), "", "99999999999999999999", "not an email", "")
	f.Add("", "\x00\xff", "UTC", "-1", "", "")
	f.Add("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Bea", "UTC", "", "", "")
	f.Add("../../etc/passwd", "Bea", "UTC", "", "", "")
	f.Add("", "Bea", "UTC", "", "", "[2001:db8::1%eth0]:443")
	f.Add("", "<b>Bea</b>", "UTC", "", "", "203.0.113.9:1")
	f.Add("", "Bea", "UTC", "", "", "not an address")
	f.Add("", "Bea", "UTC", "", "", "[::ffff:127.0.0.1]:80")
	s := newFuzzSite(f, media.DefaultLimits())
	// What someone types is text on every page: a page shows as many
	// tags ('<') whatever the name.
	base := s.postForm("/j/"+s.ev.JoinToken, url.Values{"name": {"Cy"}, "time_zone": {"UTC"}}, nil)
	baseTags := strings.Count(s.get(base.Header().Get("Location"), sessionOf(base)).Body.String(), "<")
	var runs atomic.Uint32
	f.Fuzz(func(t *testing.T, token, name, zone, team, email, addr string) {
		if token == "" {
			token = s.ev.JoinToken
		}
		if addr == "" {
			n := runs.Add(1)
			addr = fmt.Sprintf("198.18.%d.%d:1", n/256%256, n%256)
		}
		path := "/j/" + url.PathEscape(token)
		form := url.Values{"name": {name}, "time_zone": {zone}, "team": {team}, "email": {email}, "_csrf": {fuzzCSRF}}
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = addr
		rec := s.do(req, nil)
		if token != s.ev.JoinToken {
			wantStatus(t, "join with a wrong link", rec, http.StatusNotFound)
			return
		}
		wantStatus(t, "join", rec, http.StatusSeeOther, http.StatusUnprocessableEntity, http.StatusTooManyRequests)
		if rec.Code == http.StatusTooManyRequests {
			if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra < 1 {
				t.Fatalf("429 with Retry-After %q", rec.Header().Get("Retry-After"))
			}
			if strings.Contains(name, "<") && strings.Contains(rec.Body.String(), name) {
				t.Fatalf("the refused join page shows %q unescaped", name)
			}
			return
		}
		if rec.Code != http.StatusSeeOther {
			return
		}
		page := s.get(rec.Header().Get("Location"), sessionOf(rec))
		wantStatus(t, "prompt list after joining", page, http.StatusOK)
		if n := strings.Count(page.Body.String(), "<"); n != baseTags {
			t.Fatalf("the prompt list has %d '<' with name %q, %d with a plain name: the name was not escaped", n, name, baseTags)
		}
		me := s.get(fmt.Sprintf("/e/%d/me", s.ev.ID), sessionOf(rec))
		wantStatus(t, "me page after joining", me, http.StatusOK)
	})
}

// FuzzEventForm creates events from arbitrary form fields: 303 or 422,
// and every created event's dashboard pages render.
func FuzzEventForm(f *testing.F) {
	f.Add("Retreat", "", "2026-12-07T09:00", "2026-12-11T17:00", "Europe/Lisbon", "", "", "0", true)
	f.Add("", "x", "2026-12-11T17:00", "2026-12-07T09:00", "Mars/Base", "2026-12-08T00:00", "2026-12-12 10:00", "-3", false)
	f.Add("R", "", "0001-01-01T00:00", "9999-12-31T23:59", "UTC", "9999-12-31T23:59", "0001-01-01T00:00", "99999999999", true)
	f.Add("R", "", "2026-03-29T01:30", "2026-03-29T02:30", "Europe/Lisbon", "2026-10-25T01:30:00", "", "1", false)
	s := newFuzzSite(f, media.DefaultLimits())
	f.Fuzz(func(t *testing.T, name, desc, starts, ends, zone, freeze, reveal, retention string, teams bool) {
		form := url.Values{"name": {name}, "description": {desc}, "starts_at": {starts}, "ends_at": {ends},
			"time_zone": {zone}, "freeze_at": {freeze}, "reveal_at": {reveal}, "retention_days": {retention}}
		if teams {
			form.Set("teams_enabled", "on")
		}
		rec := s.postForm("/dashboard/events", form, s.organizer)
		wantStatus(t, "create event", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
		if rec.Code != http.StatusSeeOther {
			return
		}
		loc := rec.Header().Get("Location")
		wantStatus(t, "new event page", s.get(loc, s.organizer), http.StatusOK)
		wantStatus(t, "event list", s.get("/dashboard", s.organizer), http.StatusOK)
		for _, tab := range []string{"/edit", "/scores", "/progress", "/people", "/prompts/new"} {
			wantStatus(t, "event tab "+tab, s.get(loc+tab, s.organizer), http.StatusOK)
		}
	})
}

// FuzzPromptForm adds prompts with arbitrary schedules: 303 or 422, and
// after a 303 the participant's list, the prompt page and the organizer's
// event page render. The prompt is deleted again to keep the list short.
func FuzzPromptForm(f *testing.F) {
	f.Add("photo", "Desk", "10", "event", "", "", "1", "09:00", "1", "0", "50", "0", false)
	f.Add("text", "Q", "-5", "window", "2026-12-01T09:00", "2026-11-30T09:00", "", "", "", "60", "150", "30", true)
	f.Add("photo", "D", "3", "daily", "", "", "99", "25:00", "0", "-1", "0", "99999999", false)
	f.Add("video", "", "x", "weekly", "garbage", "2026-12-03 10:00", "1", "8.30", "400", "1000000000", "50", "10", true)
	f.Add("photo", "<b>x</b>", "9223372036854775807", "daily", "", "", "4", "23:59", "2147483647", "2147483647", "100", "2147483647", false)
	f.Add("photo", "Desk \u202e", "10", "event", "", "", "", "", "", "", "50", "", false)
	f.Add("photo", "Desk\nBea wins", "10", "event", "", "", "", "", "", "", "50", "", false)
	f.Add("text", "\u2066Desk\u2069", "10", "event", "", "", "", "", "", "", "50", "", false)
	s := newFuzzSite(f, media.DefaultLimits())
	base := fmt.Sprintf("/dashboard/events/%d", s.ev.ID)
	f.Fuzz(func(t *testing.T, kind, title, points, schedule, opens, closes, dailyDay, dailyTime, dailyDays, grace, late, remind string, team bool) {
		form := url.Values{"kind": {kind}, "title": {title}, "points": {points}, "schedule": {schedule},
			"opens_at": {opens}, "closes_at": {closes}, "daily_day": {dailyDay}, "daily_time": {dailyTime},
			"daily_days": {dailyDays}, "grace_minutes": {grace}, "late_percent": {late}, "remind_minutes": {remind}}
		if team {
			form.Set("team_prompt", "on")
		}
		rec := s.postForm(base+"/prompts", form, s.organizer)
		wantStatus(t, "create prompt", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
		if rec.Code != http.StatusSeeOther {
			return
		}
		prompts, err := s.app.Store.Prompts(t.Context(), s.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var added *models.Prompt
		for i := range prompts {
			if prompts[i].ID != s.photo.ID {
				added = &prompts[i]
			}
		}
		if added == nil {
			t.Fatal("303 but no prompt was added")
		}
		if problem := models.TextProblem("The title", added.Title, false); problem != "" {
			t.Fatalf("title %q stored: %s", added.Title, problem)
		}
		wantStatus(t, "participant list", s.get(fmt.Sprintf("/e/%d", s.ev.ID), s.member), http.StatusOK)
		wantStatus(t, "prompt page", s.get(fmt.Sprintf("/e/%d/prompts/%d", s.ev.ID, added.ID), s.member), http.StatusOK)
		wantStatus(t, "organizer event page", s.get(base, s.organizer), http.StatusOK)
		wantStatus(t, "prompt editor", s.get(fmt.Sprintf("%s/prompts/%d/edit", base, added.ID), s.organizer), http.StatusOK)
		wantStatus(t, "delete prompt", s.postForm(fmt.Sprintf("%s/prompts/%d/delete", base, added.ID), url.Values{}, s.organizer), http.StatusSeeOther)
	})
}

// FuzzTusUpload sends resumable-upload creation requests with arbitrary
// Upload-Metadata and Upload-Length, then asks about an arbitrary upload
// id. Creation is 201 or a 4xx; a created upload is attributed to the
// participant and event the session says, whatever the metadata claimed;
// an id that is not one of ours is 404 and never reaches the file system.
func FuzzTusUpload(f *testing.F) {
	b64 := func(s string) string { return encodeTusValue(s) }
	f.Add("event "+b64("1")+",prompt "+b64("1")+",caption "+b64("hi"), "1000", "0123456789abcdef0123456789abcdef")
	f.Add("event "+b64("1")+",prompt "+b64("1")+",participant "+b64("999")+",key "+b64("k-0123456789abcdef"), "10", "..")
	f.Add("event "+b64("2")+",prompt "+b64("1"), "-1", "../../retreat.db")
	f.Add("event,prompt", "99999999999999999999", "%2e%2e%2fretreat.db")
	f.Add("event "+b64("1")+",prompt "+b64("1")+",caption "+b64(strings.Repeat("x", 400)), "5", "ZZZZ")
	f.Add(",,,", "", "")
	s := newFuzzSite(f, media.Limits{MaxBytes: 64 << 10, MaxPixels: 2_000_000})
	tusDir := filepath.Join(s.app.Dir, "uploads", "resumable")
	f.Fuzz(func(t *testing.T, meta, length, id string) {
		if strings.ContainsAny(meta+length, "\r\n\x00") {
			return // not a header value an HTTP client can send
		}
		req := httptest.NewRequest(http.MethodPost, "/tus/", nil)
		req.Header.Set("Tus-Resumable", "1.0.0")
		req.Header.Set("Upload-Metadata", strings.ReplaceAll(strings.ReplaceAll(meta, "event "+b64("1"), "event "+b64(fmt.Sprint(s.ev.ID))), "prompt "+b64("1"), "prompt "+b64(fmt.Sprint(s.photo.ID))))
		req.Header.Set("Upload-Length", length)
		req.Header.Set("X-CSRF-Token", csrfOf(s.member))
		req.Header.Set("Accept", "application/json")
		rec := s.do(req, s.member)
		if rec.Code >= 500 {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		if rec.Code == http.StatusCreated {
			loc := rec.Header().Get("Location")
			upID := loc[strings.LastIndexByte(loc, '/')+1:]
			info, err := os.ReadFile(filepath.Join(tusDir, upID+".info"))
			if err != nil {
				t.Fatalf("created upload %q has no info: %v", loc, err)
			}
			var fi struct{ MetaData map[string]string }
			if err := json.Unmarshal(info, &fi); err != nil {
				t.Fatal(err)
			}
			if fi.MetaData["participant"] != fmt.Sprint(s.pa.ID) || fi.MetaData["event"] != fmt.Sprint(s.ev.ID) ||
				fi.MetaData["prompt"] != fmt.Sprint(s.photo.ID) {
				t.Fatalf("upload attributed from client metadata: %v", fi.MetaData)
			}
			if k := fi.MetaData["key"]; k != "" && !models.ValidUploadKey(k) {
				t.Fatalf("invalid key kept: %q", k)
			}
			os.Remove(filepath.Join(tusDir, upID))
			os.Remove(filepath.Join(tusDir, upID+".info"))
		} else if rec.Code < 400 {
			t.Fatalf("create: unexpected %d", rec.Code)
		}
		for _, method := range []string{http.MethodHead, http.MethodPatch} {
			req = httptest.NewRequest(method, "/tus/x", nil)
			req.URL.Path = "/tus/" + id
			req.URL.RawPath = ""
			req.Header.Set("Tus-Resumable", "1.0.0")
			req.Header.Set("X-CSRF-Token", csrfOf(s.member))
			req.Header.Set("Upload-Offset", "0")
			req.Header.Set("Content-Type", "application/offset+octet-stream")
			rec = s.do(req, s.member)
			if rec.Code != http.StatusNotFound && rec.Code != http.StatusMethodNotAllowed && rec.Code != http.StatusForbidden {
				t.Fatalf("%s /tus/%q: %d, want 404 (no such upload)", method, id, rec.Code)
			}
		}
	})
}

// encodeTusValue is the base64 tus uses for metadata values.
func encodeTusValue(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// FuzzSessionCookies sends arbitrary session and CSRF cookies, tokens and
// Sec-Fetch-Site values. A made-up session is nobody (404 on a participant
// page, the login page for the dashboard), and a state change passes CSRF
// only from the same origin (or a browser that sends no Sec-Fetch-Site)
// with a token carrying the secret kept in the session: whatever the CSRF
// cookie says (a tossed cookie decides nothing).
func FuzzSessionCookies(f *testing.F) {
	f.Add("", "", "", "")
	f.Add("garbage", fuzzCSRF, fuzzCSRF, "")
	f.Add("", "a", "b", "same-site")
	f.Add("", "", "", "cross-site")
	f.Add("", "x", "x", "same-origin")
	f.Add("\x00;=,", "\"quoted\"", "\"quoted\"", "none")
	s := newFuzzSite(f, media.DefaultLimits())
	var memberSession string
	for _, c := range s.member {
		if c.Name == "retreat_session" {
			memberSession = c.Value
		}
	}
	memberSecret := csrfOf(s.member)
	f.Add("", memberSecret, memberSecret, "same-origin")
	f.Add("", fuzzCSRF, memberSecret, "")
	f.Add("", memberSecret, memberSecret, "same-site")
	f.Fuzz(func(t *testing.T, session, csrfCookie, token, fetchSite string) {
		if strings.ContainsAny(session+csrfCookie+token+fetchSite, "\r\n\x00") {
			return // not header values
		}
		// A made-up session token is nobody.
		req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/e/%d", s.ev.ID), nil)
		req.Header.Set("Cookie", "retreat_session="+session)
		rec := httptest.NewRecorder()
		s.app.Echo.ServeHTTP(rec, req)
		if session != memberSession {
			wantStatus(t, "participant page with a made-up session", rec, http.StatusNotFound)
		}
		req = httptest.NewRequest(http.MethodGet, "/dashboard", nil)
		req.Header.Set("Cookie", "retreat_session="+session)
		rec = httptest.NewRecorder()
		s.app.Echo.ServeHTTP(rec, req)
		wantStatus(t, "dashboard with a made-up session", rec, http.StatusSeeOther)

		// A state change as the real participant, with the fuzzed CSRF.
		req = httptest.NewRequest(http.MethodPost, fmt.Sprintf("/e/%d/me/time-zone", s.ev.ID), strings.NewReader("time_zone=UTC"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", "retreat_session="+memberSession+"; retreat_csrf="+csrfCookie)
		req.Header.Set("X-CSRF-Token", token)
		if fetchSite != "" {
			req.Header.Set("Sec-Fetch-Site", fetchSite)
		}
		rec = httptest.NewRecorder()
		s.app.Echo.ServeHTTP(rec, req)
		var pass bool
		switch fetchSite {
		case "", "same-origin", "none":
			pass = tokenCarries(token, memberSecret)
		}
		if pass {
			wantStatus(t, "state change that passes CSRF", rec, http.StatusSeeOther)
		} else if rec.Code != http.StatusForbidden && rec.Code != http.StatusBadRequest {
			t.Fatalf("state change without a valid CSRF token: %d (cookie %q token %q site %q)", rec.Code, csrfCookie, token, fetchSite)
		}
		if !utf8.ValidString(rec.Body.String()) {
			t.Fatal("response is not UTF-8")
		}
		_, _ = io.Copy(io.Discard, rec.Body)
	})
}

// tokenCarries reports whether a CSRF token carries secret: the secret
// itself, or a page's masked form of it (pad, then pad XOR secret).
func tokenCarries(token, secret string) bool {
	if token == secret {
		return true
	}
	b, err := base64.RawURLEncoding.DecodeString(token)
	want, _ := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(b) != 2*len(want) || len(want) == 0 {
		return false
	}
	for i := range want {
		if b[i]^b[len(want)+i] != want[i] {
			return false
		}
	}
	return true
}

// dashboardSite is a fuzz site for the dashboard's forms: the event uses
// teams (Reds, Blues), email nudges go to an SMTP server started for the
// test, Bea (Reds) answered the joke and Cy (Blues) nothing.
type dashboardSite struct {
	*fuzzSite
	smtp     *handlertest.SMTPServer
	base     string
	prompts  []uint // desk, joke, motto
	reds     *models.Team
	answerID uint // Bea's joke
	cy       *models.Participant
}

func newDashboardSite(f *testing.F) *dashboardSite {
	srv := handlertest.StartSMTP(f)
	app := handlertest.New(f, handlertest.Options{Mailer: srv.Mailer(f), Embedded: true})
	ctx := f.Context()
	o := app.Organizer("ana@example.com", "Ana")
	org := app.Client()
	org.SignIn("ana@example.com")
	ev := app.Event(o, "Hunt", "Europe/Lisbon")
	if err := app.Store.DB().Model(ev).Update("teams_enabled", true).Error; err != nil {
		f.Fatal(err)
	}
	ev.TeamsEnabled = true
	reds, err := app.Store.CreateTeam(ctx, ev, "Reds")
	if err != nil {
		f.Fatal(err)
	}
	blues, err := app.Store.CreateTeam(ctx, ev, "Blues")
	if err != nil {
		f.Fatal(err)
	}
	desk := app.Prompt(ev, models.KindPhoto, "Desk", nil, nil)
	joke := app.Prompt(ev, models.KindText, "Joke", nil, nil)
	motto := app.Prompt(ev, models.KindText, "Motto", nil, nil)
	bea, err := app.Store.Join(ctx, ev, models.JoinInput{Name: "Bea", TimeZone: "Asia/Tokyo", TeamID: reds.ID, Email: "bea@example.com"})
	if err != nil {
		f.Fatal(err)
	}
	cy, err := app.Store.Join(ctx, ev, models.JoinInput{Name: "Cy", TimeZone: "America/New_York", TeamID: blues.ID, Email: "cy@example.com"})
	if err != nil {
		f.Fatal(err)
	}
	sub, _, err := app.Store.SaveTextAnswer(ctx, ev, joke, bea, "Knock knock")
	if err != nil {
		f.Fatal(err)
	}
	return &dashboardSite{
		fuzzSite: &fuzzSite{app: app, ev: ev, photo: desk, organizer: org.Cookies(), pa: bea},
		smtp:     srv, base: fmt.Sprintf("/dashboard/events/%d", ev.ID),
		prompts: []uint{desk.ID, joke.ID, motto.ID}, reds: reds, answerID: sub.ID, cy: cy,
	}
}

// post sends a dashboard form as a page does, or as a script asking for
// JSON (token in the header).
func (s *dashboardSite) post(path string, form url.Values, asJSON bool) *httptest.ResponseRecorder {
	if !asJSON {
		return s.postForm(path, form, s.organizer)
	}
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", csrfOf(s.organizer))
	return s.do(req, s.organizer)
}

// FuzzDashboardForms sends arbitrary values to the dashboard's forms, the
// selector choosing which: the review queue's bonus points (with "next"),
// the nudge picks, a prompt's move ("to", "direction"), an invitation,
// creating and renaming a team, renaming a participant, and the activity
// feed's after= and the review queue's query. Each answers its documented
// statuses, never a 5xx; a refused form changes nothing, and what a taken
// one stores is what was typed, cleaned. Whatever was changed is put back,
// so the site stays the same from one input to the next.
func FuzzDashboardForms(f *testing.F) {
	f.Add(uint8(0), "+3", "Made us laugh", "", false)
	f.Add(uint8(0), "-1000", "", "/dashboard/events/1/review?state=todo", true)
	f.Add(uint8(0), "1001", "x", "//evil.example/", false)
	f.Add(uint8(0), "+-5", "\x00", "https://evil.example", false)
	f.Add(uint8(0), "9223372036854775808", strings.Repeat("é", 201), "/dashboard/events/1?x#y", false)
	f.Add(uint8(0), " 7 ", "  two\tspaces ", "/dashboard/events/1/review\r\n", true)
	f.Add(uint8(1), "2:2,3:2", "", "", true)
	f.Add(uint8(1), "-1:-1,99999999999999999999:1, 2:2,2:2junk", "", "", false)
	f.Add(uint8(1), "", "", "", false)
	f.Add(uint8(2), "0", "", "", false)
	f.Add(uint8(2), "2", "", "xx", true)
	f.Add(uint8(2), "", "down", "x", false)
	f.Add(uint8(2), "-1", "up", "", false)
	f.Add(uint8(2), "99999999999999999999", "", "", true)
	f.Add(uint8(2), "1e3", "sideways", "", false)
	f.Add(uint8(3), "Sam@Example.com ", "moderator", "", false)
	f.Add(uint8(3), "ana@example.com", "organizer", "", false)
	f.Add(uint8(3), "not an email", "owner", "", false)
	f.Add(uint8(3), "\"x\"@example.com", "moderator", "", false)
	f.Add(uint8(4), "Greens", "", "", false)
	f.Add(uint8(4), "reds", "", "", false)
	f.Add(uint8(4), "\u200b", "", "", false)
	f.Add(uint8(5), "BLUES", "", "", false)
	f.Add(uint8(5), "Reds", "", "", false)
	f.Add(uint8(5), strings.Repeat("R", 61), "", "", false)
	f.Add(uint8(6), "cy", "", "", false)
	f.Add(uint8(6), " Bea  Santos ", "", "", false)
	f.Add(uint8(6), "<script>", "", "", false)
	f.Add(uint8(7), "0", "todo", "2", false)
	f.Add(uint8(7), "-1", "starred", "99999", false)
	f.Add(uint8(7), "4294967296", "hidden", "-3", true)
	f.Add(uint8(7), "%zz", "%zz&prompt=1;x", "abc", true)
	s := newDashboardSite(f)
	f.Fuzz(func(t *testing.T, sel uint8, a, b, c string, asJSON bool) {
		ctx := t.Context()
		switch sel % 8 {
		case 0:
			s.fuzzBonus(t, a, b, c, asJSON)
		case 1:
			s.fuzzNudges(t, a, asJSON)
		case 2:
			s.fuzzMove(t, a, b, len(c)%len(s.prompts), asJSON)
		case 3:
			before := s.invites(t)
			rec := s.post(s.base+"/invites", url.Values{"email": {a}, "role": {b}}, false)
			wantStatus(t, "invite", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
			after := s.invites(t)
			switch {
			case rec.Code != http.StatusSeeOther && len(after) != len(before):
				t.Fatalf("refused invite changed the invitations: %d, then %d", len(before), len(after))
			case rec.Code == http.StatusSeeOther && len(after) != 1:
				t.Fatalf("invite taken, but %d invitations", len(after))
			case rec.Code == http.StatusSeeOther && (after[0].Email != strings.ToLower(strings.TrimSpace(a)) || string(after[0].Role) != b):
				t.Fatalf("invite for %q as %q stored as %q %q", a, b, after[0].Email, after[0].Role)
			}
			if err := s.app.Store.DB().Where("event_id = ?", s.ev.ID).Delete(&models.Invite{}).Error; err != nil {
				t.Fatal(err)
			}
		case 4:
			rec := s.post(s.base+"/teams", url.Values{"name": {a}}, false)
			wantStatus(t, "create team", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
			teams := s.teams(t)
			if rec.Code != http.StatusSeeOther {
				if len(teams) != 2 {
					t.Fatalf("refused team name %q, but %d teams", a, len(teams))
				}
				return
			}
			if len(teams) != 3 {
				t.Fatalf("team %q taken, but %d teams", a, len(teams))
			}
			for _, tm := range teams {
				if tm.ID != s.reds.ID && tm.Name != "Blues" {
					checkCleanName(t, "team name", a, tm.Name)
					wantStatus(t, "delete the new team", s.post(fmt.Sprintf("%s/teams/%d/delete", s.base, tm.ID), url.Values{}, false), http.StatusSeeOther)
				}
			}
		case 5:
			rec := s.post(fmt.Sprintf("%s/teams/%d", s.base, s.reds.ID), url.Values{"name": {a}}, false)
			wantStatus(t, "rename team", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
			tm, err := s.app.Store.EventTeam(ctx, s.ev.ID, s.reds.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != http.StatusSeeOther {
				if tm.Name != "Reds" {
					t.Fatalf("refused rename %q changed the team to %q", a, tm.Name)
				}
				return
			}
			checkCleanName(t, "team name", a, tm.Name)
			if err := s.app.Store.RenameTeam(ctx, tm, "Reds"); err != nil {
				t.Fatal(err)
			}
		case 6:
			rec := s.post(fmt.Sprintf("%s/people/%d", s.base, s.pa.ID), url.Values{"name": {a}}, false)
			wantStatus(t, "rename participant", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
			pa, err := s.app.Store.EventParticipant(ctx, s.ev.ID, s.pa.ID)
			if err != nil {
				t.Fatal(err)
			}
			if rec.Code != http.StatusSeeOther {
				if pa.Name != "Bea" {
					t.Fatalf("refused rename %q changed the name to %q", a, pa.Name)
				}
				return
			}
			checkCleanName(t, "participant name", a, pa.Name)
			if err := s.app.Store.RenameParticipant(ctx, pa, "Bea"); err != nil {
				t.Fatal(err)
			}
		case 7:
			s.fuzzQueries(t, a, b, c, asJSON)
		}
	})
}

// checkCleanName checks a stored name is the typed one with its spaces
// tidied: no control or format characters, none at the ends.
func checkCleanName(t *testing.T, what, typed, stored string) {
	t.Helper()
	if stored != strings.Join(strings.Fields(typed), " ") || stored == "" || !utf8.ValidString(stored) {
		t.Fatalf("%s %q stored as %q", what, typed, stored)
	}
	for _, r := range stored {
		if r < 0x20 || r == 0x7f || r == 0x200b {
			t.Fatalf("%s %q stored with %U", what, typed, r)
		}
	}
}

func (s *dashboardSite) fuzzBonus(t *testing.T, points, reason, next string, asJSON bool) {
	ctx := t.Context()
	before, err := s.app.Store.EventSubmission(ctx, s.ev.ID, s.answerID)
	if err != nil {
		t.Fatal(err)
	}
	rec := s.post(fmt.Sprintf("%s/submissions/%d/bonus", s.base, s.answerID), url.Values{"points": {points}, "reason": {reason}, "next": {next}}, asJSON)
	if asJSON {
		wantStatus(t, "bonus (JSON)", rec, http.StatusOK, http.StatusUnprocessableEntity)
	} else {
		wantStatus(t, "bonus", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
	}
	after, err := s.app.Store.EventSubmission(ctx, s.ev.ID, s.answerID)
	if err != nil {
		t.Fatal(err)
	}
	taken := rec.Code == http.StatusOK || rec.Code == http.StatusSeeOther
	if !taken {
		if after.BonusPoints != before.BonusPoints || after.BonusReason != before.BonusReason {
			t.Fatalf("refused bonus %q %q changed it to %d %q", points, reason, after.BonusPoints, after.BonusReason)
		}
		return
	}
	n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(points), "+"))
	if err != nil || after.BonusPoints != n || n < -models.MaxBonus || n > models.MaxBonus {
		t.Fatalf("bonus %q stored as %d", points, after.BonusPoints)
	}
	if n != 0 && after.BonusReason != strings.Join(strings.Fields(reason), " ") || n == 0 && after.BonusReason != "" {
		t.Fatalf("reason %q stored as %q", reason, after.BonusReason)
	}
	// Back to the page the form came from, if it is this event's.
	if loc := rec.Header().Get("Location"); rec.Code == http.StatusSeeOther &&
		!strings.HasPrefix(loc, s.base+"?") && !strings.HasPrefix(loc, s.base+"/") && !strings.HasPrefix(loc, s.base+"#") {
		t.Fatalf("bonus with next %q went to %q", next, loc)
	}
	if _, err := s.app.Store.AwardBonus(ctx, s.ev.ID, s.answerID, models.Bonus{}); err != nil {
		t.Fatal(err)
	}
}

// fuzzNudges sends the comma-separated picks (with Cy's joke, which is
// open, when add is set). A nudge goes only to someone picked who has not
// answered and has an email; the page never fails.
func (s *dashboardSite) fuzzNudges(t *testing.T, picks string, add bool) {
	values := strings.Split(picks, ",")
	if add {
		values = append(values, fmt.Sprintf("%d:%d", s.prompts[1], s.cy.ID))
	}
	sentBefore := len(s.smtp.Messages())
	rec := s.post(s.base+"/nudges", url.Values{"nudge": values}, false)
	wantStatus(t, "nudge", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
	picked := map[models.NudgeKey]bool{}
	for _, v := range values {
		var k models.NudgeKey
		if _, err := fmt.Sscanf(v, "%d:%d", &k.PromptID, &k.ParticipantID); err == nil {
			picked[k] = true
		}
	}
	var sent []models.Nudge
	if err := s.app.Store.DB().Where("event_id = ?", s.ev.ID).Find(&sent).Error; err != nil {
		t.Fatal(err)
	}
	for _, n := range sent {
		k := models.NudgeKey{PromptID: n.PromptID, ParticipantID: n.ParticipantID}
		if !picked[k] || k == (models.NudgeKey{PromptID: s.prompts[1], ParticipantID: s.pa.ID}) {
			t.Fatalf("picks %q nudged %+v", values, k)
		}
	}
	if rec.Code != http.StatusSeeOther && (len(sent) != 0 || len(s.smtp.Messages()) != sentBefore) {
		t.Fatalf("refused nudge %q recorded %d nudges", values, len(sent))
	}
	// Cy has an email and has not answered the joke: picked, he is emailed.
	cyJoke := models.NudgeKey{PromptID: s.prompts[1], ParticipantID: s.cy.ID}
	if picked[cyJoke] {
		got := false
		for _, n := range sent {
			got = got || n.PromptID == cyJoke.PromptID && n.ParticipantID == cyJoke.ParticipantID && n.Status == models.NudgeSent
		}
		if rec.Code != http.StatusSeeOther || !got || len(s.smtp.Messages()) == sentBefore {
			t.Fatalf("picks %q with Cy's joke: %d, nudged %v, %d emails", values, rec.Code, got, len(s.smtp.Messages())-sentBefore)
		}
	}
	// Forget them, so the next input may nudge the same people.
	if err := s.app.Store.DB().Where("event_id = ?", s.ev.ID).Delete(&models.Nudge{}).Error; err != nil {
		t.Fatal(err)
	}
}

// fuzzMove moves prompt i: the order stays 0..n-1, and a taken "to" puts
// the prompt there (or at the end).
func (s *dashboardSite) fuzzMove(t *testing.T, to, direction string, i int, asJSON bool) {
	id := s.prompts[i]
	rec := s.post(fmt.Sprintf("%s/prompts/%d/move", s.base, id), url.Values{"to": {to}, "direction": {direction}}, asJSON)
	if asJSON {
		wantStatus(t, "move (JSON)", rec, http.StatusNoContent, http.StatusUnprocessableEntity)
	} else {
		wantStatus(t, "move", rec, http.StatusSeeOther, http.StatusUnprocessableEntity)
	}
	list, err := s.app.Store.Prompts(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for j, p := range list {
		if p.Position != j {
			t.Fatalf("after moving with to=%q direction=%q: positions %v", to, direction, positions(list))
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(to)); err == nil && n >= 0 && rec.Code < 400 {
		if want := min(n, len(list)-1); list[want].ID != id {
			t.Fatalf("moved to %q: at %v, want place %d", to, positions(list), want)
		}
	}
}

func positions(list []models.Prompt) []string {
	var out []string
	for _, p := range list {
		out = append(out, fmt.Sprintf("%d@%d", p.ID, p.Position))
	}
	return out
}

// fuzzQueries reads the feed after an arbitrary id and the review queue
// with arbitrary filters (and an arbitrary raw query).
func (s *dashboardSite) fuzzQueries(t *testing.T, after, state, page string, grid bool) {
	req := httptest.NewRequest(http.MethodGet, s.base+"/progress/feed", nil)
	req.URL.RawQuery = url.Values{"after": {after}}.Encode()
	req.Header.Set("Accept", "application/json")
	rec := s.do(req, s.organizer)
	wantStatus(t, "feed", rec, http.StatusOK, http.StatusBadRequest)
	var feed struct {
		Items  []json.RawMessage `json:"items"`
		LastID *uint             `json:"last_id"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &feed); rec.Code == http.StatusOK && (err != nil || feed.Items == nil || feed.LastID == nil) {
		t.Fatalf("feed after %q: %v %s", after, err, rec.Body.String())
	}
	q := url.Values{"state": {state}, "prompt": {after}, "page": {page}}
	if grid {
		q.Set("view", "grid")
	}
	for _, raw := range []string{q.Encode(), state + "&" + page} {
		req := httptest.NewRequest(http.MethodGet, s.base+"/review", nil)
		req.URL.RawQuery = raw
		wantStatus(t, "review ?"+raw, s.do(req, s.organizer), http.StatusOK)
	}
}

// invites lists the event's pending invitations.
func (s *dashboardSite) invites(t *testing.T) []models.Invite {
	var list []models.Invite
	if err := s.app.Store.DB().Where("event_id = ?", s.ev.ID).Find(&list).Error; err != nil {
		t.Fatal(err)
	}
	return list
}

func (s *dashboardSite) teams(t *testing.T) []models.Team {
	list, err := s.app.Store.Teams(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	return list
}
