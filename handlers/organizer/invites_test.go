package organizer_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// invite creates an invitation through the People page and returns its link path.
func (s *peopleSite) invite(t *testing.T, email, role string) string {
	t.Helper()
	rec := s.ana.PostForm(fmt.Sprintf("/dashboard/events/%d/invites", s.ev.ID), url.Values{"email": {email}, "role": {role}})
	mustRedirect(t, "invite "+email, rec, s.url)
	list, err := s.app.Store.PendingInvites(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range list {
		if in.Email == strings.ToLower(email) {
			return in.Path()
		}
	}
	t.Fatalf("no pending invite for %s", email)
	return ""
}

func (s *peopleSite) roleOf(t *testing.T, email string) models.Role {
	t.Helper()
	orgs, err := s.app.Store.EventOrganizers(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range orgs {
		if o.Email == email {
			return o.Role
		}
	}
	return ""
}

func TestInviteWithANewAccount(t *testing.T) {
	s := newPeopleSite(t)
	invites := fmt.Sprintf("/dashboard/events/%d/invites", s.ev.ID)

	for name, tc := range map[string]struct {
		form url.Values
		msg  string
	}{
		"bad email":       {url.Values{"email": {"not-an-email"}, "role": {"moderator"}}, "Enter an email address"},
		"owner role":      {url.Values{"email": {"sam@example.com"}, "role": {"owner"}}, "Choose organizer or moderator"},
		"no role":         {url.Values{"email": {"sam@example.com"}}, "Choose organizer or moderator"},
		"already on team": {url.Values{"email": {"ANA@example.com"}, "role": {"organizer"}}, "already helps run this event"},
	} {
		rec := s.ana.PostForm(invites, tc.form)
		mustPage(t, name, rec, http.StatusUnprocessableEntity, tc.msg)
	}
	if list, _ := s.app.Store.PendingInvites(t.Context(), s.ev.ID); len(list) != 0 {
		t.Fatalf("refused invites were stored: %d", len(list))
	}

	link := s.invite(t, "Sam@Example.com", "moderator")
	rec := s.ana.Get(s.url)
	mustPage(t, "people with a pending invite", rec, http.StatusOK, "sam@example.com", `data-copy="http://retreat.test`+link+`"`, "Invitation for sam@example.com created")

	// Sam opens the link with no account: a form with the email fixed.
	sam := s.app.Client()
	mustPage(t, "invite page", sam.Get(link), http.StatusOK, "Help run Spring hunt", "Ana invited sam@example.com to join as a moderator", "Create account and accept", `value="sam@example.com" readonly`)
	rec = sam.PostForm(link+"/account", url.Values{"name": {"Sam"}, "password": {"short"}, "email": {"evil@example.com"}})
	mustPage(t, "short password", rec, http.StatusUnprocessableEntity, "at least 10 characters", `value="Sam"`)
	if _, err := s.app.Store.OrganizerByEmail(t.Context(), "sam@example.com"); err == nil {
		t.Fatal("an account was created from a refused form")
	}
	rec = sam.PostForm(link+"/account", url.Values{"name": {"Sam"}, "password": {handlertest.Password}, "email": {"evil@example.com"}})
	mustRedirect(t, "accept with a new account", rec, fmt.Sprintf("/dashboard/events/%d", s.ev.ID))
	if _, err := s.app.Store.OrganizerByEmail(t.Context(), "evil@example.com"); err == nil {
		t.Error("the account took the email typed in the form, not the invited one")
	}
	if got := s.roleOf(t, "sam@example.com"); got != models.RoleModerator {
		t.Fatalf("Sam's role = %q, want moderator", got)
	}
	mustPage(t, "Sam's event page", sam.Get(fmt.Sprintf("/dashboard/events/%d", s.ev.ID)), http.StatusOK, "You help run Spring hunt as a moderator.")

	// The link works once.
	mustPage(t, "used link", sam.Get(link), http.StatusGone, "already used")
	mustPage(t, "used link, new account", s.app.Client().PostForm(link+"/account", url.Values{"name": {"Eve"}, "password": {handlertest.Password}}), http.StatusGone, "already used")
	if _, err := s.app.Store.OrganizerByEmail(t.Context(), "eve@example.com"); err == nil {
		t.Error("a used invite created an account")
	}
}

func TestInviteAnExistingAccountSignsInThenAccepts(t *testing.T) {
	s := newPeopleSite(t)
	s.app.Organizer("bo@example.com", "Bo")
	link := s.invite(t, "bo@example.com", "organizer")

	bo := s.app.Client()
	mustPage(t, "invite page, signed out", bo.Get(link), http.StatusOK, "Sign in to accept", "/login?next=%2Finvite%2F")
	// Accepting without signing in goes to the login page, and back.
	rec := bo.PostForm(link, nil)
	mustRedirect(t, "accept signed out", rec, "/login?next=")
	if s.roleOf(t, "bo@example.com") != "" {
		t.Fatal("accepted without signing in")
	}
	// Creating a second account with the same email is refused.
	rec = bo.PostForm(link+"/account", url.Values{"name": {"Bo 2"}, "password": {handlertest.Password}})
	mustPage(t, "second account", rec, http.StatusUnprocessableEntity, "already an account with this email")

	bo.SignIn("bo@example.com")
	mustPage(t, "invite page, signed in", bo.Get(link), http.StatusOK, "signed in as <strong>Bo (bo@example.com)</strong>", "Accept invitation")
	if rec := bo.PostRaw(link, "application/x-www-form-urlencoded", strings.NewReader("")); rec.Code != http.StatusForbidden {
		t.Fatalf("accept without CSRF: got %d, want 403", rec.Code)
	}
	if s.roleOf(t, "bo@example.com") != "" {
		t.Fatal("accepted without a CSRF token")
	}
	mustRedirect(t, "accept", bo.PostForm(link, nil), fmt.Sprintf("/dashboard/events/%d", s.ev.ID))
	if got := s.roleOf(t, "bo@example.com"); got != models.RoleOrganizer {
		t.Fatalf("Bo's role = %q, want organizer", got)
	}
	// As an organizer Bo may manage people, but not remove the owner.
	mustPage(t, "Bo's people page", bo.Get(s.url), http.StatusOK, "Create invitation link")
	mustPage(t, "Bo removes the owner", bo.PostForm(fmt.Sprintf("/dashboard/events/%d/organizers/1/remove", s.ev.ID), nil),
		http.StatusForbidden, "owner can&#39;t be removed")
	if s.roleOf(t, "ana@example.com") != models.RoleOwner {
		t.Fatal("the owner was removed")
	}

	// Ana removes Bo: the event is gone from his dashboard.
	boAccount, _ := s.app.Store.OrganizerByEmail(t.Context(), "bo@example.com")
	mustRedirect(t, "remove Bo", s.ana.PostForm(fmt.Sprintf("/dashboard/events/%d/organizers/%d/remove", s.ev.ID, boAccount.ID), nil), s.url)
	if rec := bo.Get(fmt.Sprintf("/dashboard/events/%d", s.ev.ID)); rec.Code != http.StatusNotFound {
		t.Fatalf("Bo after removal: got %d, want 404", rec.Code)
	}
	mustPage(t, "Ana removes herself as owner", s.ana.PostForm(fmt.Sprintf("/dashboard/events/%d/organizers/1/remove", s.ev.ID), nil),
		http.StatusForbidden, "owner can&#39;t be removed")
}

func TestStaleInviteLinks(t *testing.T) {
	s := newPeopleSite(t)
	old := s.invite(t, "sam@example.com", "moderator")
	// Inviting the same email again replaces the first link.
	fresh := s.invite(t, "sam@example.com", "organizer")
	if old == fresh {
		t.Fatal("a second invite reused the token")
	}
	c := s.app.Client()
	mustPage(t, "replaced link", c.Get(old), http.StatusNotFound, "withdrawn or replaced")
	mustPage(t, "unknown link", c.Get("/invite/"+strings.Repeat("a", 32)), http.StatusNotFound, "link doesn")
	mustPage(t, "malformed link", c.Get("/invite/../../etc"), http.StatusNotFound)

	// Withdrawn.
	list, _ := s.app.Store.PendingInvites(t.Context(), s.ev.ID)
	mustRedirect(t, "withdraw", s.ana.PostForm(fmt.Sprintf("/dashboard/events/%d/invites/%d/revoke", s.ev.ID, list[0].ID), nil), s.url)
	mustPage(t, "withdrawn link", c.Get(fresh), http.StatusNotFound, "withdrawn or replaced")

	// Expired after 7 days: a 410 for the page and for every way to accept.
	link := s.invite(t, "kim@example.com", "moderator")
	s.app.Clock.Advance(7*24*time.Hour + time.Minute)
	mustPage(t, "expired link", c.Get(link), http.StatusGone, "expired")
	mustPage(t, "expired link, new account", c.PostForm(link+"/account", url.Values{"name": {"Kim"}, "password": {handlertest.Password}}), http.StatusGone, "expired")
	s.app.Organizer("kim@example.com", "Kim")
	c.SignIn("kim@example.com")
	mustPage(t, "expired link, signed in", c.PostForm(link, nil), http.StatusGone, "expired")
	if s.roleOf(t, "kim@example.com") != "" {
		t.Fatal("an expired invite was accepted")
	}
	mustPage(t, "people with an expired invite", s.ana.Get(s.url), http.StatusOK, "kim@example.com", "expired ")
}

// TestInvitePageSaysWhichZoneItsExpiryIsIn: the person invited may be in
// any zone, so the expiry names it: the browser's (zone.js sets the "tz"
// cookie), else the event's.
func TestInvitePageSaysWhichZoneItsExpiryIsIn(t *testing.T) {
	s := newPeopleSite(t)
	link := s.invite(t, "sam@example.com", "moderator")
	// Invitations work 7 days from Wed 2 Dec 12:00 UTC.
	mustPage(t, "invite page, no zone yet", s.app.Client().Get(link), http.StatusOK, "This link works until Wed 9 Dec 12:00, Lisbon time.")
	req, _ := http.NewRequest(http.MethodGet, link, nil)
	req.AddCookie(&http.Cookie{Name: "tz", Value: "America/New_York"})
	mustPage(t, "invite page in New York", s.app.Client().Do(req), http.StatusOK, "This link works until Wed 9 Dec 07:00, New York time.")
}
