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
//   - a participant of B gets 404 for anything of A under /e/, /tus/, on
//     the photo URLs and on A's dashboard pages (originals, export, the
//     reveal): not merely "forbidden" or "sign in", A's ids reveal nothing;
//     on an event's dashboard pages any participant's phone gets 404, so
//     the answer does not say whose event it is;
//   - elsewhere on the dashboard a participant is nobody: the same answer
//     as anonymous;
//   - a refused GET gets the same status for A's real ids as for ids that
//     do not exist, so refusals cannot be used to probe for ids;
//   - every state-changing method without a CSRF token is 403 for everyone.
//
// RETREAT_MATRIX_PRINT=1 prints the observed table in this file's syntax.

import (
	"context"
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
	"sync"
	"testing"
	"time"

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
	"GET /":                                                      {ok, ok, ok, ok, ok, ok},
	"GET /dashboard":                                             {see, see, see, ok, ok, ok},
	"POST /dashboard/events":                                     {see, see, see, invalid, invalid, invalid},
	"GET /dashboard/events/:event":                               {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event":                              {see, notFound, notFound, forbid, invalid, notFound},
	"POST /dashboard/events/:event/duplicate":                    {see, notFound, notFound, forbid, see, notFound},
	"GET /dashboard/events/:event/edit":                          {see, notFound, notFound, forbid, ok, notFound},
	"GET /dashboard/events/:event/export.zip":                    {see, notFound, notFound, forbid, ok, notFound},
	"POST /dashboard/events/:event/invites":                      {see, notFound, notFound, forbid, invalid, notFound},
	"POST /dashboard/events/:event/invites/:invite/revoke":       {see, notFound, notFound, forbid, see, notFound},
	"GET /dashboard/events/:event/nudges":                        {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event/nudges":                       {see, notFound, notFound, forbid, invalid, notFound},
	"POST /dashboard/events/:event/organizers/:organizer/remove": {see, notFound, notFound, forbid, see, notFound},
	"GET /dashboard/events/:event/people":                        {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event/people/:participant":          {see, notFound, notFound, forbid, invalid, notFound},
	"POST /dashboard/events/:event/people/:participant/remove":   {see, notFound, notFound, forbid, see, notFound},
	"POST /dashboard/events/:event/people/:participant/team":     {see, notFound, notFound, forbid, invalid, notFound},
	// Originals (size "original" here) keep GPS data: owners and organizers only, like the export.
	"GET /dashboard/events/:event/photos/:submission/:size": {see, notFound, notFound, forbid, ok, notFound},
	"GET /dashboard/events/:event/progress":                 {see, notFound, notFound, ok, ok, notFound},
	"GET /dashboard/events/:event/progress/feed":            {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event/prompts":                 {see, notFound, notFound, forbid, invalid, notFound},
	"POST /dashboard/events/:event/prompts/:prompt":         {see, notFound, notFound, forbid, invalid, notFound},
	"POST /dashboard/events/:event/prompts/:prompt/delete":  {see, notFound, notFound, forbid, see, notFound},
	"GET /dashboard/events/:event/prompts/:prompt/edit":     {see, notFound, notFound, forbid, ok, notFound},
	"POST /dashboard/events/:event/prompts/:prompt/move":    {see, notFound, notFound, forbid, invalid, notFound},
	"GET /dashboard/events/:event/prompts/import":           {see, notFound, notFound, forbid, ok, notFound},
	"POST /dashboard/events/:event/prompts/import":          {see, notFound, notFound, forbid, invalid, notFound},
	"GET /dashboard/events/:event/prompts/new":              {see, notFound, notFound, forbid, ok, notFound},
	"GET /dashboard/events/:event/qr.png":                   {see, notFound, notFound, ok, ok, notFound},
	"GET /dashboard/events/:event/recap":                    {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event/recap":                   {see, notFound, notFound, forbid, invalid, notFound},
	"GET /dashboard/events/:event/show":                     {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event/show":                    {see, notFound, notFound, forbid, invalid, notFound},
	"GET /dashboard/events/:event/reveal":                   {see, notFound, notFound, ok, ok, notFound},
	"GET /dashboard/events/:event/reveal/deck.json":         {see, notFound, notFound, ok, ok, notFound},
	// The notes window follows the reveal for every organizer; only those who present get its controls.
	"GET /dashboard/events/:event/reveal/notes": {see, notFound, notFound, ok, ok, notFound},
	// The offline copy holds every author's name: those who present only, like the controls.
	"GET /dashboard/events/:event/reveal/offline.zip": {see, notFound, notFound, forbid, ok, notFound},
	// The reveal's controls answer 401 rather than a login redirect (they are called by script).
	"POST /dashboard/events/:event/reveal/end":                          {unauth, notFound, notFound, forbid, see, notFound},
	"POST /dashboard/events/:event/reveal/goto":                         {unauth, notFound, notFound, forbid, see, notFound},
	"POST /dashboard/events/:event/reveal/name":                         {unauth, notFound, notFound, forbid, see, notFound},
	"POST /dashboard/events/:event/reveal/next":                         {unauth, notFound, notFound, forbid, see, notFound},
	"POST /dashboard/events/:event/reveal/prev":                         {unauth, notFound, notFound, forbid, see, notFound},
	"POST /dashboard/events/:event/reveal/refresh":                      {unauth, notFound, notFound, forbid, see, notFound},
	"POST /dashboard/events/:event/reveal/start":                        {unauth, notFound, notFound, forbid, see, notFound},
	"GET /dashboard/events/:event/reveal/stream":                        {unauth, notFound, notFound, ok, ok, notFound},
	"GET /dashboard/events/:event/review":                               {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event/rotate-link":                         {see, notFound, notFound, forbid, see, notFound},
	"GET /dashboard/events/:event/scores":                               {see, notFound, notFound, ok, ok, notFound},
	"POST /dashboard/events/:event/submissions/:submission/bonus":       {see, notFound, notFound, invalid, invalid, notFound},
	"POST /dashboard/events/:event/submissions/:submission/delete":      {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/submissions/:submission/hide":        {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/submissions/:submission/reviewed":    {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/submissions/:submission/star":        {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/submissions/:submission/unhide":      {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/submissions/:submission/unstar":      {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/submissions/:submission/out-of-show": {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/submissions/:submission/in-show":     {see, notFound, notFound, see, see, notFound},
	"POST /dashboard/events/:event/teams":                               {see, notFound, notFound, forbid, conflict, notFound},
	"POST /dashboard/events/:event/teams/:team":                         {see, notFound, notFound, forbid, conflict, notFound},
	"POST /dashboard/events/:event/teams/:team/delete":                  {see, notFound, notFound, forbid, see, notFound},
	"GET /dashboard/events/new":                                         {see, see, see, ok, ok, ok},
	// The phone pages: only a participant of A; organizers have no participant session.
	"GET /e/:event":              {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /e/:event/calendar.ics": {notFound, ok, notFound, notFound, notFound, notFound},
	// The gallery is closed on A (the organizer has not opened it): 404 for everyone.
	"GET /e/:event/gallery":                       {notFound, notFound, notFound, notFound, notFound, notFound},
	"GET /e/:event/live":                          {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /e/:event/live/photos/:submission":       {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /e/:event/live/slides/:index":            {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /e/:event/live/state.json":               {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /e/:event/live/stream":                   {notFound, ok, notFound, notFound, notFound, notFound},
	"POST /e/:event/live/react":                   {notFound, invalid, notFound, notFound, notFound, notFound},
	"POST /e/:event/live/vote":                    {notFound, invalid, notFound, notFound, notFound, notFound},
	"POST /e/:event/live/guess":                   {notFound, invalid, notFound, notFound, notFound, notFound},
	"GET /e/:event/me":                            {notFound, ok, notFound, notFound, notFound, notFound},
	"POST /e/:event/me/email":                     {notFound, see, notFound, notFound, notFound, notFound},
	"POST /e/:event/me/team":                      {notFound, invalid, notFound, notFound, notFound, notFound},
	"POST /e/:event/me/time-zone":                 {notFound, invalid, notFound, notFound, notFound, notFound},
	"GET /e/:event/photos/:submission/:size":      {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /e/:event/prompts/:prompt":               {notFound, ok, notFound, notFound, notFound, notFound},
	"POST /e/:event/prompts/:prompt/answer":       {notFound, invalid, notFound, notFound, notFound, notFound},
	"POST /e/:event/prompts/:prompt/live-consent": {notFound, see, notFound, notFound, notFound, notFound},
	"GET /e/:event/recap":                         {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /e/:event/scores":                        {notFound, ok, notFound, notFound, notFound, notFound},
	"GET /healthz":                                {ok, ok, ok, ok, ok, ok},
	// Token routes: the unguessable token is the credential (a fresh one of A's per request).
	// A personal link (/r/) on a phone that is someone else in that event asks first (200,
	// nothing changes); its form switches.
	"GET /invite/:token":          {ok, ok, ok, ok, ok, ok},
	"POST /invite/:token":         {see, see, see, see, see, see},
	"POST /invite/:token/account": {invalid, invalid, invalid, invalid, invalid, invalid},
	"GET /j/:token":               {ok, see, ok, ok, ok, ok},
	"POST /j/:token":              {invalid, invalid, invalid, invalid, invalid, invalid},
	"GET /login":                  {ok, ok, ok, see, see, see},
	"POST /login":                 {unauth, unauth, unauth, unauth, unauth, unauth},
	"POST /logout":                {see, see, see, see, see, see},
	"GET /r/:token":               {see, ok, see, see, see, see},
	"POST /r/:token":              {see, see, see, see, see, see},
	"GET /setup":                  {see, see, see, see, see, see},
	"POST /setup":                 {forbid, forbid, forbid, forbid, forbid, forbid},
	"GET /static/:hash/*":         {ok, ok, ok, ok, ok, ok},
	// Resumable uploads: only the participant who started an upload may touch it.
	"DELETE /tus/":         {notAllow, notAllow, notAllow, notAllow, notAllow, notAllow},
	"HEAD /tus/":           {notAllow, notAllow, notAllow, notAllow, notAllow, notAllow},
	"OPTIONS /tus/":        {ok, ok, ok, ok, ok, ok},
	"PATCH /tus/":          {notAllow, notAllow, notAllow, notAllow, notAllow, notAllow},
	"POST /tus/":           {notFound, created, notFound, notFound, notFound, notFound},
	"DELETE /tus/:upload":  {notFound, noBody, notFound, notFound, notFound, notFound},
	"HEAD /tus/:upload":    {notFound, ok, notFound, notFound, notFound, notFound},
	"OPTIONS /tus/:upload": {ok, ok, ok, ok, ok, ok},
	"PATCH /tus/:upload":   {notFound, noBody, notFound, notFound, notFound, notFound},
	"POST /tus/:upload":    {notFound, notAllow, notFound, notFound, notFound, notFound},
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
	// csrf are the CSRF secrets those sessions hold (every clone holds
	// the same), mirrored in each role's CSRF cookie.
	csrf [nRoles]string
	// tusA is a resumable upload participant A started.
	tusA     string
	assetURL string
}

func newMatrixWorld(t *testing.T) *matrixWorld {
	t.Helper()
	// Participant A starts an upload for every tus request of the table,
	// far more than the 3 unfinished ones a participant may have: the
	// table is about who may, not how many (resumable_limits_test.go).
	app := handlertest.New(t, handlertest.Options{Uploads: models.UploadLimits{PerParticipant: 1000}})
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
	// A's recap is open (unlike its gallery), so the recap's row says who
	// gets into an open one.
	if err := app.Store.SetRecapOpen(t.Context(), w.evA, true); err != nil {
		t.Fatal(err)
	}
	for r := range nRoles {
		for _, c := range clients[r].Cookies() {
			switch c.Name {
			case "retreat_session":
				w.sessions[r] = c.Value
			case "retreat_csrf":
				w.csrf[r] = c.Value
			}
		}
	}
	w.tusA = w.startTusUpload(t, partA)
	w.restartReveal(t)
	// A real asset URL for the static route.
	home := clients[anon].Get("/login").Body.String()
	w.assetURL = regexp.MustCompile(`/static/[0-9a-f]+/[^"]+`).FindString(home)
	if w.assetURL == "" {
		t.Fatal("no asset URL on the login page")
	}
	return w
}

// restartReveal puts A's reveal on screen at participant A's photo, the
// state the live routes are checked in (a cell may have ended or moved it).
func (w *matrixWorld) restartReveal(t *testing.T) {
	t.Helper()
	// A cell may have kept the photo out of the live call.
	if err := w.app.Store.DB().Model(&models.Submission{}).Where("id = ?", w.subA.ID).Update("not_for_live", false).Error; err != nil {
		t.Fatal(err)
	}
	svc := w.app.Server.Live()
	st, err := svc.Start(t.Context(), w.evA.ID)
	if err != nil {
		t.Fatalf("start the reveal: %v", err)
	}
	i := st.Deck.Index(fmt.Sprintf("sub-%d", w.subA.ID))
	if i < 0 {
		t.Fatalf("participant A's photo is not in the deck")
	}
	if _, err := svc.Goto(t.Context(), w.evA.ID, i); err != nil {
		t.Fatalf("show participant A's photo: %v", err)
	}
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

// matrixCSRF is the CSRF secret of the anonymous role, which has no
// session to keep one in: its cookie holds it.
const matrixCSRF = "bWF0cml4LWNzcmYtc2VjcmV0LW9mLTMyLWJ5dGVzISE"

// send makes req as role r: a clone of its session, and that session's
// CSRF secret in the cookie and, when withToken, as the token.
func (w *matrixWorld) send(t *testing.T, r role, req *http.Request, withToken bool) *httptest.ResponseRecorder {
	t.Helper()
	if tok := w.cloneSession(t, r); tok != "" {
		req.AddCookie(&http.Cookie{Name: "retreat_session", Value: tok})
	}
	secret := w.csrf[r]
	if secret == "" {
		secret = matrixCSRF
	}
	req.AddCookie(&http.Cookie{Name: "retreat_csrf", Value: secret})
	if withToken {
		req.Header.Set("X-CSRF-Token", secret)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "text/html")
	}
	return serveMatrix(w.app.Echo, req)
}

// streamRecorder records a response and says when the handler flushed:
// event streams (the live reveal) flush their header and then wait for
// events, so the matrix reads their status then and hangs up.
type streamRecorder struct {
	*httptest.ResponseRecorder
	once    sync.Once
	flushed chan struct{}
}

func (r *streamRecorder) Flush() {
	r.ResponseRecorder.Flush()
	r.once.Do(func() { close(r.flushed) })
}

func serveMatrix(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	ctx, cancel := context.WithCancel(req.Context())
	defer cancel()
	req = req.WithContext(ctx)
	rec := &streamRecorder{ResponseRecorder: httptest.NewRecorder(), flushed: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
	case <-rec.flushed:
		cancel()
		<-done
	case <-time.After(20 * time.Second):
		cancel() // a stream that never flushed: its status is what it wrote
		<-done
	}
	return rec.ResponseRecorder
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
		case "index":
			return "0"
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
			// Consent is about an answer participant A has.
			if unsafe && !strings.HasSuffix(route, "/live-consent") {
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

// routeForms are the fields a route needs before it even looks at who
// is asking (the rest get an empty form).
var routeForms = map[string]string{
	"POST /dashboard/events/:event/reveal/goto": "index=0",
}

// request builds the minimal valid request of a route (an empty form for
// most posts; tus headers for the upload endpoint).
func (w *matrixWorld) request(k routeKey, path string) *http.Request {
	method := k.method
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
		req = httptest.NewRequest(method, path, strings.NewReader(routeForms[k.String()]))
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
		var refused [nRoles]bool
		live := strings.Contains(k.path, "/reveal") || strings.Contains(k.path, "/live")
		for r := range nRoles {
			if live {
				w.restartReveal(t)
			}
			rec := w.send(t, r, w.request(k, w.path(t, k.method, k.path, false)), true)
			got[r] = rec.Code
			// A refusal: not found, not signed in (401, or a redirect to
			// the sign-in page).
			refused[r] = rec.Code == notFound || rec.Code == unauth ||
				rec.Code == see && strings.HasPrefix(rec.Header().Get("Location"), "/login")
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
		w.checkInvariants(t, k, want, refused)
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
func (w *matrixWorld) checkInvariants(t *testing.T, k routeKey, want who, refused [nRoles]bool) {
	t.Helper()
	// (OPTIONS on an upload is tus's capability list: tusd answers it
	// without looking the upload up.)
	participantArea := strings.HasPrefix(k.path, "/e/") || strings.HasPrefix(k.path, "/tus/:") && k.method != http.MethodOptions
	eventsDashboard := strings.HasPrefix(k.path, "/dashboard/events/:event")
	if (participantArea || eventsDashboard) && want[partB] != notFound {
		t.Errorf("%s: participant B gets %d for A's things, want 404", k, want[partB])
	}
	if eventsDashboard && want[partA] != notFound {
		t.Errorf("%s: participant A gets %d for an event's dashboard page, want 404", k, want[partA])
	}
	if strings.HasPrefix(k.path, "/dashboard") && !eventsDashboard && (want[partA] != want[anon] || want[partB] != want[anon]) {
		t.Errorf("%s: a participant is treated unlike anonymous on the dashboard: %v", k, want)
	}
	unsafe := k.method != http.MethodGet && k.method != http.MethodHead && k.method != http.MethodOptions
	if unsafe {
		for r := range nRoles {
			rec := w.send(t, r, w.request(k, w.path(t, k.method, k.path, false)), false)
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
		if !refused[r] {
			continue
		}
		rec := w.send(t, r, w.request(k, w.path(t, k.method, k.path, true)), true)
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
