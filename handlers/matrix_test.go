package handlers_test

// Who sees what: every route the router knows, requested as six people,
// against the table of statuses each must get. The routes come from the
// router itself (Echo.Routes), so a route added without a row here fails
// the test until someone writes down who may use it.
//
// The six: nobody signed in; a participant of event A; a participant of
// event B; a moderator of A; the organizer (owner) of A; the organizer of B.
// Every request names A's things (A's event, prompt, photo, upload…).
// Each request runs on a fresh copy of the person's session and, for
// routes that change or delete something, on a fresh copy of that thing,
// so no cell depends on another.
//
// Beyond the table, for every route:
//   - a participant of B gets 404 for anything of A under /e/, /tus/ and
//     on the photo URLs (not merely "forbidden": A's ids reveal nothing);
//   - on the dashboard a participant is nobody: the same answer as anonymous;
//   - a refused GET gets the same status for A's real ids as for ids that
//     do not exist, so refusals cannot be used to probe for ids;
//   - every state-changing method without a CSRF token is 403 for everyone.
//
// RETREAT_MATRIX_PRINT=1 prints the observed table in this file's syntax.

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"

	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
)

type role int

const (
	anon role = iota
	partA
	partB
	modA
	orgA
	orgB
	nRoles
)

var roleNames = [nRoles]string{"anonymous", "participant A", "participant B", "moderator A", "organizer A", "organizer B"}

// who is one row of the table: the status each role gets, in role order.
type who [nRoles]int

const (
	ok       = http.StatusOK
	created  = http.StatusCreated
	noBody   = http.StatusNoContent
	see      = http.StatusSeeOther
	bad      = http.StatusBadRequest
	unauth   = http.StatusUnauthorized
	forbid   = http.StatusForbidden
	notFound = http.StatusNotFound
	notAllow = http.StatusMethodNotAllowed
	conflict = http.StatusConflict
	gone     = http.StatusGone
	tooLarge = http.StatusRequestEntityTooLarge
	invalid  = http.StatusUnprocessableEntity
)

// accessTable is the expected status of every route for each role, with
// A's ids and an empty (or minimal) valid request. Read a row as: anonymous,
// participant A, participant B, moderator A, organizer A, organizer B.
var accessTable = map[string]who{
	"GET /":               {see, ok, ok, ok, ok, ok},
	"GET /healthz":        {ok, ok, ok, ok, ok, ok},
	"GET /static/:hash/*": {ok, ok, ok, ok, ok, ok},
}

// matrixWorld is the data every request of the matrix names.
type matrixWorld struct {
	app      *handlertest.App
	evA, evB *models.Event
	photoA   *models.Prompt
	textA    *models.Prompt
	subA     *models.Submission // participant A's photo answer
	orgA     *models.Organizer
	// sessions are the session tokens each role signed in with; every
	// request clones one.
	sessions [nRoles]string
	// tusA is a resumable upload participant A started.
	tusA     string
	assetURL string
}

func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	app := handlertest.New(t)
	w := &matrixWorld{app: app}
	w.orgA = app.Organizer("ana@example.com", "Ana")
	ob := app.Organizer("bo@example.com", "Bo")
	mo := app.Organizer("mo@example.com", "Mo")
	w.evA = app.Event(w.orgA, "Hunt A", "Europe/Lisbon")
	w.evB = app.Event(ob, "Hunt B", "Asia/Tokyo")
	if err := app.Store.DB().Create(&models.EventOrganizer{EventID: w.evA.ID, OrganizerID: mo.ID, Role: models.RoleModerator}).Error; err != nil {
		t.Fatal(err)
	}
	w.photoA = app.Prompt(w.evA, models.KindPhoto, "Desk", nil, nil)
	w.textA = app.Prompt(w.evA, models.KindText, "Joke", nil, nil)
	app.Prompt(w.evB, models.KindPhoto, "Window", nil, nil)

	clients := [nRoles]*handlertest.Client{}
	for r := range nRoles {
		clients[r] = app.Client()
	}
	clients[partA].Join(w.evA, "Bea")
	clients[partB].Join(w.evB, "Cy")
	clients[modA].SignIn("mo@example.com")
	clients[orgA].SignIn("ana@example.com")
	clients[orgB].SignIn("bo@example.com")
	if rec := clients[partA].Upload(handlertest.AnswerPath(w.evA, w.photoA), "my desk", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != see {
		t.Fatalf("participant A's upload: %d %s", rec.Code, rec.Body.String())
	}
	subs, err := app.Store.EventSubmissions(t.Context(), w.evA.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("submissions of A: %v %v", subs, err)
	}
	w.subA = &subs[0].Submission
	for r := range nRoles {
		for _, c := range clients[r].Cookies() {
			if c.Name == "retreat_session" {
				w.sessions[r] = c.Value
			}
		}
	}
	w.tusA = w.startTusUpload(t, partA)
	// A real asset URL for the static route.
	home := clients[anon].Get("/login").Body.String()
	w.assetURL = regexp.MustCompile(`/static/[0-9a-f]+/[^"]+`).FindString(home)
	if w.assetURL == "" {
		t.Fatal("no asset URL on the login page")
	}
	return w
}

// cloneSession copies role's session under a new token, so a request that
// renews or ends it (signing in, out, a personal link) leaves the
// original for the next cell.
func (w *matrixWorld) cloneSession(t *testing.T, r role) string {
	t.Helper()
	if w.sessions[r] == "" {
		return ""
	}
	var b [16]byte
	rand.Read(b[:])
	tok := hex.EncodeToString(b[:])
	err := w.app.Store.DB().Exec("INSERT INTO sessions (token, data, expiry) SELECT ?, data, expiry FROM sessions WHERE token = ?", tok, w.sessions[r]).Error
	if err != nil {
		t.Fatalf("clone session: %v", err)
	}
	return tok
}

func (w *matrixWorld) startTusUpload(t *testing.T, r role) string {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/tus/", nil)
	w.tusCreateHeaders(req)
	rec := w.send(t, r, req, true)
	if rec.Code != created {
		t.Fatalf("start a resumable upload: %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	return loc[strings.LastIndexByte(loc, '/')+1:]
}

func (w *matrixWorld) tusCreateHeaders(req *http.Request) {
	enc := func(s string) string { return encodeTusValue(s) }
	req.Header.Set("Tus-Resumable", "1.0.0")
	req.Header.Set("Upload-Length", "1000")
	req.Header.Set("Upload-Metadata", fmt.Sprintf("event %s,prompt %s", enc(fmt.Sprint(w.evA.ID)), enc(fmt.Sprint(w.photoA.ID))))
}

const matrixCSRF = "matrixcsrfmatrixcsrfmatrixcsrf00"

// send makes req as role r: a clone of its session, and a CSRF cookie
// whose token is sent along when withToken.
func (w *matrixWorld) send(t *testing.T, r role, req *http.Request, withToken bool) *httptest.ResponseRecorder {
	t.Helper()
	if tok := w.cloneSession(t, r); tok != "" {
		req.AddCookie(&http.Cookie{Name: "retreat_session", Value: tok})
	}
	req.AddCookie(&http.Cookie{Name: "retreat_csrf", Value: matrixCSRF})
	if withToken {
		req.Header.Set("X-CSRF-Token", matrixCSRF)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html")
	}
	rec := httptest.NewRecorder()
	w.app.Echo.ServeHTTP(rec, req)
	return rec
}

// fresh makes a new thing of A for a request that may change or delete it.
func (w *matrixWorld) fresh(t *testing.T, param string) string {
	t.Helper()
	ctx := t.Context()
	s := w.app.Store
	switch param {
	case "prompt":
		p, err := s.CreatePrompt(ctx, w.evA, models.PromptInput{Kind: models.KindText, Title: "Fresh", Points: 1})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(p.ID)
	case "participant":
		return fmt.Sprint(w.freshParticipant(t).ID)
	case "submission":
		pa := w.freshParticipant(t)
		sub, _, err := s.SaveTextAnswer(ctx, w.evA, w.textA, pa, "a fresh answer")
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(sub.ID)
	case "team":
		tm, err := s.CreateTeam(ctx, w.evA, "Team "+randomHex(4))
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(tm.ID)
	case "invite", "invite-token":
		inv, err := s.CreateInvite(ctx, w.evA, w.orgA.ID, models.InviteInput{Email: randomHex(4) + "@example.com", Role: models.RoleModerator})
		if err != nil {
			t.Fatal(err)
		}
		if param == "invite-token" {
			return inv.Token
		}
		return fmt.Sprint(inv.ID)
	case "organizer":
		o := w.app.Organizer(randomHex(4)+"@example.com", "Co")
		if err := s.DB().Create(&models.EventOrganizer{EventID: w.evA.ID, OrganizerID: o.ID, Role: models.RoleOrganizer}).Error; err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(o.ID)
	case "upload":
		return w.startTusUpload(t, partA)
	}
	t.Fatalf("no fresh %s", param)
	return ""
}

func (w *matrixWorld) freshParticipant(t *testing.T) *models.Participant {
	t.Helper()
	pa, err := w.app.Store.Join(t.Context(), w.evA, models.JoinInput{Name: "P " + randomHex(3), TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	return pa
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var paramRE = regexp.MustCompile(`:[a-z]+|\*`)

// path fills a route's parameters with A's things (fresh ones for a
// state-changing method), or with ids that exist nowhere when missing.
func (w *matrixWorld) path(t *testing.T, method, route string, missing bool) string {
	t.Helper()
	unsafe := method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
	return paramRE.ReplaceAllStringFunc(route, func(p string) string {
		name := strings.TrimPrefix(p, ":")
		if missing {
			switch name {
			case "size", "*":
			case "hash":
				return "0000000000"
			case "token":
				return strings.Repeat("a", 32)
			case "upload":
				return strings.Repeat("0", 32)
			default:
				return "999999"
			}
		}
		switch name {
		case "event":
			return fmt.Sprint(w.evA.ID)
		case "size":
			if strings.HasPrefix(route, "/dashboard") {
				return "original"
			}
			return "thumb"
		case "hash", "*":
			parts := strings.SplitN(strings.TrimPrefix(w.assetURL, "/static/"), "/", 2)
			if name == "hash" {
				return parts[0]
			}
			return parts[1]
		case "token":
			switch {
			case strings.HasPrefix(route, "/j/"):
				ev, err := w.app.Store.Event(t.Context(), w.evA.ID) // rotate-link may have changed it
				if err != nil {
					t.Fatal(err)
				}
				return ev.JoinToken
			case strings.HasPrefix(route, "/r/"):
				pa := w.freshParticipant(t)
				return pa.ReturnToken
			default:
				return w.fresh(t, "invite-token")
			}
		case "prompt":
			if unsafe {
				return w.fresh(t, "prompt")
			}
			return fmt.Sprint(w.photoA.ID)
		case "submission":
			if unsafe {
				return w.fresh(t, "submission")
			}
			return fmt.Sprint(w.subA.ID)
		case "upload":
			if method == http.MethodDelete || method == http.MethodPatch {
				return w.fresh(t, "upload")
			}
			return w.tusA
		}
		return w.fresh(t, name)
	})
}

// request builds the minimal valid request of a route (an empty form for
// most posts; tus headers for the upload endpoint).
func (w *matrixWorld) request(method, path string) *http.Request {
	var req *http.Request
	switch {
	case strings.HasPrefix(path, "/tus/"):
		req = httptest.NewRequest(method, path, nil)
		if method == http.MethodPost && path == "/tus/" {
			w.tusCreateHeaders(req)
		} else {
			req.Header.Set("Tus-Resumable", "1.0.0")
		}
		if method == http.MethodPatch {
			req.Header.Set("Upload-Offset", "0")
			req.Header.Set("Content-Type", "application/offset+octet-stream")
		}
		req.Header.Set("Accept", "application/json")
	case method == http.MethodPost:
		req = httptest.NewRequest(method, path, strings.NewReader(""))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	default:
		req = httptest.NewRequest(method, path, nil)
	}
	return req
}

type routeKey struct{ method, path string }

func (k routeKey) String() string { return k.method + " " + k.path }

func routerRoutes(w *matrixWorld) []routeKey {
	var keys []routeKey
	seen := map[routeKey]bool{}
	for _, r := range w.app.Echo.Routes() {
		// Echo lists its own not-found handlers of groups without a method.
		if r.Method == "" || r.Method == echoRouteNotFound {
			continue
		}
		k := routeKey{r.Method, r.Path}
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].path != keys[j].path {
			return keys[i].path < keys[j].path
		}
		return keys[i].method < keys[j].method
	})
	return keys
}

const echoRouteNotFound = "echo_route_not_found"

func TestAccessMatrix(t *testing.T) {
	w := newMatrixWorld(t)
	routes := routerRoutes(w)
	printTable := os.Getenv("RETREAT_MATRIX_PRINT") != ""
	var printed []string
	for _, k := range routes {
		want, known := accessTable[k.String()]
		var got who
		for r := range nRoles {
			rec := w.send(t, r, w.request(k.method, w.path(t, k.method, k.path, false)), true)
			got[r] = rec.Code
			if known && rec.Code != want[r] {
				t.Errorf("%s as %s: status %d, want %d\n%.300s", k, roleNames[r], rec.Code, want[r], rec.Body.String())
			}
		}
		printed = append(printed, fmt.Sprintf("\t%q: {%s},", k.String(), statusNames(got)))
		if !known {
			if !printTable {
				t.Errorf("route %s is not in accessTable: write down who may use it (observed %v)", k, got)
			}
			continue
		}
		w.checkInvariants(t, k, want)
	}
	if printTable {
		fmt.Println("var accessTable = map[string]who{\n" + strings.Join(printed, "\n") + "\n}")
	}
	for key := range accessTable {
		if !slices.ContainsFunc(routes, func(k routeKey) bool { return k.String() == key }) {
			t.Errorf("accessTable has %q, which the router no longer has", key)
		}
	}
}

// checkInvariants checks what must hold for every route beyond its row.
func (w *matrixWorld) checkInvariants(t *testing.T, k routeKey, want who) {
	t.Helper()
	participantArea := strings.HasPrefix(k.path, "/e/") || strings.HasPrefix(k.path, "/tus/:")
	if participantArea && want[partB] != notFound {
		t.Errorf("%s: participant B gets %d for A's things, want 404", k, want[partB])
	}
	if strings.HasPrefix(k.path, "/dashboard") && (want[partA] != want[anon] || want[partB] != want[anon]) {
		t.Errorf("%s: a participant is treated unlike anonymous on the dashboard: %v", k, want)
	}
	unsafe := k.method != http.MethodGet && k.method != http.MethodHead && k.method != http.MethodOptions
	if unsafe {
		for r := range nRoles {
			rec := w.send(t, r, w.request(k.method, w.path(t, k.method, k.path, false)), false)
			if rec.Code != forbid {
				t.Errorf("%s as %s without a CSRF token: status %d, want 403", k, roleNames[r], rec.Code)
			}
		}
		return
	}
	if !strings.Contains(k.path, ":") {
		return
	}
	for r := range nRoles {
		if want[r] != notFound && want[r] != see && want[r] != unauth {
			continue
		}
		rec := w.send(t, r, w.request(k.method, w.path(t, k.method, k.path, true)), true)
		if rec.Code != want[r] {
			t.Errorf("%s as %s: %d for A's ids but %d for ids that do not exist: the refusal tells them apart", k, roleNames[r], want[r], rec.Code)
		}
	}
}

func statusNames(w who) string {
	names := map[int]string{ok: "ok", created: "created", noBody: "noBody", see: "see", bad: "bad", unauth: "unauth", forbid: "forbid",
		notFound: "notFound", notAllow: "notAllow", conflict: "conflict", gone: "gone", tooLarge: "tooLarge", invalid: "invalid"}
	parts := make([]string, len(w))
	for i, s := range w {
		if n, ok := names[s]; ok {
			parts[i] = n
		} else {
			parts[i] = fmt.Sprint(s)
		}
	}
	return strings.Join(parts, ", ")
}
