package organizer_test

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// loginFrom posts the sign-in form from a client address, with extra
// cookies (a device cookie the client's jar does not hold).
func loginFrom(c *handlertest.Client, addr, email, password string, extra ...*http.Cookie) *httptest.ResponseRecorder {
	form := url.Values{"email": {email}, "password": {password}, "_csrf": {c.CSRF()}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = addr + ":40000"
	for _, ck := range extra {
		req.AddCookie(ck)
	}
	return c.Do(req)
}

// responseCookie is the cookie named name that rec sets, or nil.
func responseCookie(rec *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == name {
			return ck
		}
	}
	return nil
}

// hammer sends n wrong passwords for email, each from an address of its
// own and a browser of its own, as a guesser spread over many addresses.
func hammer(app *handlertest.App, email string, n int) {
	for i := range n {
		rec := loginFrom(app.Client(), fmt.Sprintf("203.0.113.%d", i+1), email, fmt.Sprintf("guess %d", i))
		if rec.Code != http.StatusUnauthorized && rec.Code != http.StatusTooManyRequests && rec.Code != http.StatusServiceUnavailable {
			app.T.Fatalf("guess %d: status %d, want 401, 429 or 503", i, rec.Code)
		}
	}
}

// retryAfter reads Retry-After in seconds.
func retryAfter(t *testing.T, rec *httptest.ResponseRecorder) int {
	t.Helper()
	n, err := strconv.Atoi(rec.Header().Get("Retry-After"))
	if err != nil {
		t.Fatalf("Retry-After = %q: %v", rec.Header().Get("Retry-After"), err)
	}
	return n
}

func TestAWrongPasswordElsewhereDoesNotLockTheOwnerOut(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	attacker := app.Client()
	for i := range 5 {
		if rec := loginFrom(attacker, "198.51.100.66", "ana@example.com", fmt.Sprintf("guess %d", i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, rec.Code)
		}
	}
	// The attacker's address is done with this account for the window...
	rec := loginFrom(attacker, "198.51.100.66", "ana@example.com", handlertest.Password)
	if rec.Code != http.StatusTooManyRequests || retryAfter(t, rec) != 900 {
		t.Fatalf("6th from the attacker's address: %d Retry-After %q, want 429 for 900 s", rec.Code, rec.Header().Get("Retry-After"))
	}
	if !strings.Contains(rec.Body.String(), "Too many wrong passwords for this account from your network") {
		t.Errorf("429 page does not say why:\n%s", rec.Body.String())
	}
	// ...but the owner, on a browser never used before, elsewhere, gets in.
	if rec := loginFrom(app.Client(), "192.0.2.10", "ana@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Fatalf("the owner from another address: %d, want 303\n%s", rec.Code, rec.Body.String())
	}
}

func TestKnownDeviceGetsInWhileTheAccountIsHammered(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	laptop := app.Client()
	rec := loginFrom(laptop, "192.0.2.10", "ana@example.com", handlertest.Password)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", rec.Code)
	}
	ck := responseCookie(rec, "retreat_device")
	if ck == nil {
		t.Fatal("no retreat_device cookie after signing in")
	}
	if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode || ck.MaxAge < 360*24*3600 || ck.Path != "/" {
		t.Errorf("device cookie = %+v, want HttpOnly, SameSite=Lax, Path=/, about a year", ck)
	}
	laptop.PostForm("/logout", nil)

	hammer(app, "ana@example.com", 40)

	// The laptop is known: in at once, from anywhere.
	if rec := loginFrom(laptop, "198.18.0.1", "ana@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Fatalf("known device while hammered: %d, want 303\n%s", rec.Code, rec.Body.String())
	}
	// A new phone is slowed, not locked.
	phone := app.Client()
	rec = loginFrom(phone, "192.0.2.20", "ana@example.com", handlertest.Password)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("unknown device while hammered: %d, want 429", rec.Code)
	}
	wait := retryAfter(t, rec)
	if wait < 1 || wait > 60 {
		t.Errorf("unknown device: Retry-After %d, want a short wait (at most 60 s)", wait)
	}
	if body := rec.Body.String(); !strings.Contains(body, "slowed") || !strings.Contains(body, "new devices") {
		t.Errorf("429 page does not say sign-ins are slowed:\n%s", body)
	}
	app.Clock.Advance(time.Duration(wait) * time.Second)
	rec = loginFrom(phone, "192.0.2.20", "ana@example.com", handlertest.Password)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("unknown device after Retry-After: %d, want 303\n%s", rec.Code, rec.Body.String())
	}
	if responseCookie(rec, "retreat_device") == nil {
		t.Error("no device cookie for the phone after it signed in")
	}
}

func TestForgedOrForeignDeviceCookieGivesNoBypass(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	app.Organizer("bo@example.com", "Bo")
	rec := loginFrom(app.Client(), "192.0.2.30", "bo@example.com", handlertest.Password)
	bos := responseCookie(rec, "retreat_device")
	if bos == nil {
		t.Fatal("no device cookie for Bo")
	}
	hammer(app, "ana@example.com", 20)
	for name, ck := range map[string]*http.Cookie{
		"Bo's device":    {Name: "retreat_device", Value: bos.Value},
		"forged token":   {Name: "retreat_device", Value: strings.Repeat("A", len(bos.Value))},
		"garbage":        {Name: "retreat_device", Value: "1"},
		"Ana's old hash": {Name: "retreat_device", Value: strings.Repeat("0", 64)},
	} {
		rec := loginFrom(app.Client(), "192.0.2.31", "ana@example.com", handlertest.Password, ck)
		if rec.Code != http.StatusTooManyRequests {
			t.Errorf("%s for Ana while hammered: %d, want 429 like any unknown device", name, rec.Code)
		}
	}
}

func TestKnownDeviceHasALimitOfItsOwn(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	laptop := app.Client()
	if rec := loginFrom(laptop, "192.0.2.10", "ana@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Fatalf("first sign-in: %d", rec.Code)
	}
	laptop.PostForm("/logout", nil)
	for i := range 5 {
		if rec := loginFrom(laptop, fmt.Sprintf("198.51.100.%d", i), "ana@example.com", "wrong"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("known device, failure %d: %d", i+1, rec.Code)
		}
	}
	rec := loginFrom(laptop, "198.51.100.9", "ana@example.com", handlertest.Password)
	if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "on this device") {
		t.Fatalf("known device after 5 failures, right password: %d, want 429 on this device", rec.Code)
	}
	// The device's failures hold nobody else.
	if rec := loginFrom(app.Client(), "198.51.100.0", "ana@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("another browser at one of the device's addresses: %d, want 303", rec.Code)
	}
}

func TestSignInLimitPerAccountAndAddress(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	app.Organizer("bo@example.com", "Bo")
	c := app.Client()
	for i := range 5 {
		loginFrom(c, "198.51.100.1", "ana@example.com", fmt.Sprintf("guess %d", i))
	}
	if rec := loginFrom(c, "198.51.100.1", "ana@example.com", handlertest.Password); rec.Code != http.StatusTooManyRequests {
		t.Errorf("Ana from the address that failed 5 times: %d, want 429", rec.Code)
	}
	if rec := loginFrom(app.Client(), "198.51.100.1", "bo@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("Bo from that address: %d, want 303", rec.Code)
	}
	if rec := loginFrom(app.Client(), "198.51.100.2", "ana@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("Ana from another address: %d, want 303", rec.Code)
	}
	// The address's own limit, 20 over any accounts, is what
	// TestLoginIsRateLimitedPerAccountAndAddress (handlers) checks: each
	// try costs a password hash, 64 MiB and a slow second under -race.
}

// TestParallelGuessesFromManyAddressesCannotBeatTheSlowDown sends twenty
// guesses at once from twenty addresses, first at a fresh account, then
// at one past the slow-down: each is counted before its password is
// checked, so no more get as far as a check than the account allows.
func TestParallelGuessesFromManyAddressesCannotBeatTheSlowDown(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	burst := func(round int) (checked int) {
		const guesses = 20
		codes := make([]int, guesses)
		clients := make([]*handlertest.Client, guesses)
		for i := range clients {
			clients[i] = app.Client()
			clients[i].CSRF()
		}
		var wg sync.WaitGroup
		for i, c := range clients {
			wg.Go(func() {
				codes[i] = loginFrom(c, fmt.Sprintf("203.0.%d.%d", round, i+1), "ana@example.com", fmt.Sprintf("guess %d", i)).Code
			})
		}
		wg.Wait()
		for i, code := range codes {
			switch code {
			case http.StatusUnauthorized:
				checked++
			case http.StatusTooManyRequests:
			case http.StatusServiceUnavailable:
				// Its password waited for a hashing slot longer than
				// the hasher waits (a loaded machine, -race): not checked.
			default:
				t.Errorf("round %d, guess %d: %d, want 401, 429 or 503", round, i, code)
			}
		}
		return checked
	}
	if n := burst(1); n > 10 {
		t.Fatalf("%d of 20 parallel guesses at a fresh account were checked, want at most 10", n)
	}
	hammer(app, "ana@example.com", 10) // past the slow-down whatever got through
	app.Clock.Advance(time.Minute)
	if n := burst(2); n > 1 {
		t.Fatalf("%d of 20 parallel guesses past the slow-down were checked, want at most 1", n)
	}
	// Slowed, not locked: a minute after the burst the owner gets in.
	app.Clock.Advance(time.Minute)
	if rec := loginFrom(app.Client(), "192.0.2.10", "ana@example.com", handlertest.Password); rec.Code != http.StatusSeeOther {
		t.Errorf("the owner a minute after the burst: %d, want 303", rec.Code)
	}
}

// TestBusyHasherRefusesWith503 holds every hashing slot: a sign-in waits
// its turn, then gets the form back with a 503, a Retry-After and a
// message, for known and unknown emails alike; setup gets a 503 too.
func TestBusyHasherRefusesWith503(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	app.Organizer("ana@example.com", "Ana")
	for range app.Store.HashSlots() {
		release, err := app.Store.HoldHashSlot(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
	}
	for _, email := range []string{"ana@example.com", "nobody@example.com"} {
		rec := loginFrom(app.Client(), "192.0.2.10", email, handlertest.Password)
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Fatalf("%s with the hasher busy: %d Retry-After %q, want 503 with Retry-After", email, rec.Code, rec.Header().Get("Retry-After"))
		}
		body := rec.Body.String()
		if !strings.Contains(body, "busy") || !strings.Contains(body, `value="`+email+`"`) || !strings.Contains(body, `name="password"`) {
			t.Errorf("%s: 503 page is not the form with the email and a message:\n%s", email, body)
		}
	}
	// A refusal for being busy is no failure: it counts for nothing.
	for range 2 {
		loginFrom(app.Client(), "192.0.2.10", "ana@example.com", "wrong")
	}
	var n int64
	app.Store.DB().Model(&models.LoginFailure{}).Count(&n)
	if n != 0 {
		t.Errorf("%d login failures counted for busy refusals, want 0", n)
	}
}

func TestSetupRefusesWith503WhileTheHasherIsBusy(t *testing.T) {
	t.Parallel()
	app := handlertest.New(t)
	for range app.Store.HashSlots() {
		release, err := app.Store.HoldHashSlot(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
	}
	rec := app.Client().PostForm("/setup", url.Values{"email": {"ana@example.com"}, "name": {"Ana"}, "password": {handlertest.Password}})
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "busy") {
		t.Fatalf("setup with the hasher busy: %d Retry-After %q, want 503 with Retry-After and a message", rec.Code, rec.Header().Get("Retry-After"))
	}
}

// TestUnknownEmailIsLimitedLikeAKnownOne: the answers for an account that
// exists and one that does not are the same at every step, so the limits
// tell nothing about which accounts exist.
func TestUnknownEmailIsLimitedLikeAKnownOne(t *testing.T) {
	t.Parallel()
	type step struct {
		code       int
		retryAfter string
		message    string
	}
	run := func(email string) []step {
		app := handlertest.New(t)
		app.Organizer("ana@example.com", "Ana")
		var steps []step
		record := func(rec *httptest.ResponseRecorder) {
			body := rec.Body.String()
			msg := ""
			if _, after, ok := strings.Cut(body, `role="alert">`); ok {
				msg, _, _ = strings.Cut(after, "</p>")
			}
			steps = append(steps, step{rec.Code, rec.Header().Get("Retry-After"), msg})
		}
		for i := range 6 {
			record(loginFrom(app.Client(), "198.51.100.1", email, fmt.Sprintf("guess %d", i)))
		}
		for i := range 12 {
			record(loginFrom(app.Client(), fmt.Sprintf("203.0.113.%d", i), email, fmt.Sprintf("guess %d", i)))
		}
		return steps
	}
	known, unknown := run("ana@example.com"), run("nobody@example.com")
	for i := range known {
		if known[i] != unknown[i] {
			t.Errorf("step %d: known email %+v, unknown %+v", i, known[i], unknown[i])
		}
	}
	// One address's failures hold that address only; past 10 for the
	// account, a short slow-down.
	if first := known[6]; first.code != http.StatusUnauthorized {
		t.Errorf("first try from a second address %+v, want 401", first)
	}
	if last := known[len(known)-1]; last.code != http.StatusTooManyRequests || last.retryAfter != "60" {
		t.Errorf("last step %+v, want the slow-down with Retry-After 60", last)
	}
}

func TestDeviceCookieIsSecureWhenTheSessionIs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts handlertest.Options
		tls  bool
	}{
		{"plain http", handlertest.Options{}, false},
		{"https", handlertest.Options{}, true},
		{"configured secure", handlertest.Options{SecureCookies: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := handlertest.New(t, tc.opts)
			app.Organizer("ana@example.com", "Ana")
			// A browser without a session keeps its CSRF secret in the cookie.
			const secret = "c2lnbi1pbi10ZXN0LXNlY3JldC0zMi1ieXRlcyEhISE"
			form := url.Values{"email": {"ana@example.com"}, "password": {handlertest.Password}, "_csrf": {secret}}
			req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.AddCookie(&http.Cookie{Name: "retreat_csrf", Value: secret})
			if tc.tls {
				req.TLS = &tls.ConnectionState{}
			}
			rec := httptest.NewRecorder()
			app.Echo.ServeHTTP(rec, req)
			device, session := responseCookie(rec, "retreat_device"), responseCookie(rec, "retreat_session")
			if rec.Code != http.StatusSeeOther || device == nil || session == nil {
				t.Fatalf("sign-in: %d, device cookie %v, session cookie %v", rec.Code, device, session)
			}
			if device.Secure != session.Secure || device.Secure != (tc.tls || tc.opts.SecureCookies) {
				t.Errorf("device cookie Secure=%t, session cookie Secure=%t", device.Secure, session.Secure)
			}
		})
	}
}

func TestInviteAcceptanceRefusesWith503WhileTheHasherIsBusy(t *testing.T) {
	t.Parallel()
	s := newPeopleSite(t)
	link := s.invite(t, "sam@example.com", "moderator")
	for range s.app.Store.HashSlots() {
		release, err := s.app.Store.HoldHashSlot(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer release()
	}
	rec := s.app.Client().PostForm(link+"/account", url.Values{"name": {"Sam"}, "password": {handlertest.Password}})
	mustPage(t, "accept while busy", rec, http.StatusServiceUnavailable, "busy")
	if rec.Header().Get("Retry-After") == "" {
		t.Error("no Retry-After on the 503")
	}
	if _, err := s.app.Store.OrganizerByEmail(t.Context(), "sam@example.com"); err == nil {
		t.Error("an account was created while the hasher was busy")
	}
}
