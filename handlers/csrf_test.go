package handlers_test

// CSRF: the token is bound to the session (a tossed cookie decides
// nothing), browsers' Fetch Metadata and Origin are checked first, and
// signing in replaces whatever secret the browser had.

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// csrfWorld is an organizer signed in, and an answer to star.
type csrfWorld struct {
	*hardWorld
	ana  *handlertest.Client
	star string // the star form's path
	sub  uint
}

func newCSRFWorld(t *testing.T, opts ...handlertest.Options) *csrfWorld {
	t.Helper()
	w := &csrfWorld{hardWorld: newHardWorld(t, opts...)}
	text := w.app.Prompt(w.evA, models.KindText, "Joke", nil, nil)
	if rec := w.bea.PostForm(handlertest.AnswerPath(w.evA, text), url.Values{"text": {"a joke"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("answer: %d", rec.Code)
	}
	w.sub = w.answers(t)[0].ID
	w.star = fmt.Sprintf("/dashboard/events/%d/submissions/%d/star", w.evA.ID, w.sub)
	w.ana = w.app.Client()
	w.ana.SignIn("ana@example.com")
	return w
}

func (w *csrfWorld) starred(t *testing.T) bool {
	t.Helper()
	var s models.Submission
	if err := w.app.Store.DB().First(&s, w.sub).Error; err != nil {
		t.Fatal(err)
	}
	return s.Starred
}

// postAs sends the star form with the organizer's session cookie, the
// given CSRF cookie and token, and extra headers.
func (w *csrfWorld) postAs(t *testing.T, csrfCookie, token string, header map[string]string) int {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, w.star, strings.NewReader(url.Values{"_csrf": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	var cookies []string
	for _, c := range w.ana.Cookies() {
		if c.Name == "retreat_session" {
			cookies = append(cookies, c.Name+"="+c.Value)
		}
	}
	if csrfCookie != "" {
		cookies = append(cookies, "retreat_csrf="+csrfCookie)
	}
	req.Header.Set("Cookie", strings.Join(cookies, "; "))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	w.app.Echo.ServeHTTP(rec, req)
	return rec.Code
}

func TestTossedCSRFCookieCannotForgeARequest(t *testing.T) {
	w := newCSRFWorld(t)
	// The attacker's page on a sibling origin gets a secret of its own
	// from the site (any visitor can), and overwrites the organizer's
	// CSRF cookie with it: with the old double-submit check, a token equal
	// to the cookie was all it took.
	attacker := w.app.Client()
	tossed := attacker.CSRF()
	if got := w.postAs(t, tossed, tossed, nil); got != http.StatusForbidden {
		t.Errorf("tossed cookie with its own token: %d, want 403", got)
	}
	// Nor does a browser that says the post came from a sibling origin
	// get in, even with the right token (defence in depth).
	if got := w.postAs(t, "", w.ana.CSRF(), map[string]string{"Sec-Fetch-Site": "same-site"}); got != http.StatusForbidden {
		t.Errorf("Sec-Fetch-Site same-site: %d, want 403", got)
	}
	if got := w.postAs(t, "", w.ana.CSRF(), map[string]string{"Origin": "http://retreat.test:8081"}); got != http.StatusForbidden {
		t.Errorf("Origin of another port (an older browser): %d, want 403", got)
	}
	if w.starred(t) {
		t.Fatal("the answer was starred by a forged request")
	}
	// The organizer's own page token works, whatever the cookie says.
	if got := w.postAs(t, tossed, pageToken(t, w.ana, fmt.Sprintf("/dashboard/events/%d/review", w.evA.ID)), map[string]string{"Sec-Fetch-Site": "same-origin"}); got != http.StatusSeeOther {
		t.Fatalf("the organizer's own token: %d, want 303", got)
	}
	if !w.starred(t) {
		t.Fatal("the organizer's own request did not star the answer")
	}
}

// pageToken returns the _csrf value a page's forms carry.
func pageToken(t *testing.T, c *handlertest.Client, path string) string {
	t.Helper()
	rec := c.Get(path)
	m := regexp.MustCompile(`name="_csrf" value="([^"]+)"`).FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("GET %s: %d, no _csrf field", path, rec.Code)
	}
	return m[1]
}

func TestPagesCarryAFreshlyMaskedToken(t *testing.T) {
	w := newCSRFWorld(t)
	review := fmt.Sprintf("/dashboard/events/%d/review", w.evA.ID)
	a, b := pageToken(t, w.ana, review), pageToken(t, w.ana, review)
	if a == b {
		t.Fatalf("two pages carried the same token %q: a compressed page would repeat the secret's bytes", a)
	}
	if a == w.ana.CSRF() || b == w.ana.CSRF() {
		t.Fatal("a page carried the bare secret")
	}
	for _, tok := range []string{a, b} {
		if got := w.postAs(t, "", tok, nil); got != http.StatusSeeOther {
			t.Fatalf("a page's token: %d, want 303", got)
		}
	}
	// A token masked from another browser's secret is refused.
	if got := w.postAs(t, "", pageToken(t, w.bea, fmt.Sprintf("/e/%d/me", w.evA.ID)), nil); got != http.StatusForbidden {
		t.Fatalf("another browser's page token: %d, want 403", got)
	}
}

func TestSigningInReplacesAPlantedSecret(t *testing.T) {
	w := newHardWorld(t)
	// The attacker plants its own secret in a browser before its owner
	// signs in there, and keeps a copy.
	planted := w.app.Client().CSRF()
	victim := w.app.Client()
	victim.SetCookie(&http.Cookie{Name: "retreat_csrf", Value: planted})
	if rec := victim.Get("/login"); rec.Code != http.StatusOK {
		t.Fatalf("login page: %d", rec.Code)
	}
	if victim.CSRF() != planted {
		t.Fatal("the planted cookie was not used before sign-in (the test would prove nothing)")
	}
	victim.SignIn("ana@example.com")
	if victim.CSRF() == planted {
		t.Fatal("signing in kept the planted secret")
	}
	rec := victim.PostForm(fmt.Sprintf("/dashboard/events/%d/rotate-link", w.evA.ID), url.Values{"_csrf": {planted}})
	if rec.Code != http.StatusForbidden {
		t.Fatalf("post with the planted secret after sign-in: %d, want 403", rec.Code)
	}
	// Joining an event replaces it the same way.
	phone := w.app.Client()
	phone.SetCookie(&http.Cookie{Name: "retreat_csrf", Value: planted})
	phone.Join(w.evA, "Eve")
	if phone.CSRF() == planted {
		t.Fatal("joining kept the planted secret")
	}
}

func TestForwardedSchemeIsIgnoredUnlessTheProxyIsTrusted(t *testing.T) {
	for _, trust := range []bool{false, true} {
		t.Run(fmt.Sprintf("trust-proxy=%v", trust), func(t *testing.T) {
			w := newHardWorld(t, handlertest.Options{TrustProxy: trust})
			req := httptest.NewRequest(http.MethodGet, fmt.Sprintf("/e/%d/calendar.ics", w.evA.ID), nil)
			req.Header.Set("X-Forwarded-Proto", "https")
			body := w.bea.Do(req).Body.String()
			want := "http://retreat.test/"
			if trust {
				want = "https://retreat.test/"
			}
			if !strings.Contains(body, want) {
				t.Fatalf("calendar links do not start %s:\n%s", want, body)
			}
		})
	}
}

func TestHSTSWithAnHTTPSBaseURL(t *testing.T) {
	for _, base := range []string{"", "http://retreat.example.com", "https://retreat.example.com"} {
		w := newHardWorld(t, handlertest.Options{BaseURL: base})
		for _, path := range []string{"/", "/login", "/healthz", fmt.Sprintf("/e/%d", w.evA.ID)} {
			got := w.bea.Get(path).Header().Get("Strict-Transport-Security")
			if strings.HasPrefix(base, "https:") != (got != "") {
				t.Errorf("base %q, GET %s: Strict-Transport-Security %q", base, path, got)
			}
		}
	}
}
