package handlertest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"retreat/models"
)

// Password is the password of organizers made by Organizer.
const Password = "correct horse battery"

// Organizer creates an organizer account directly in the store.
func (a *App) Organizer(email, name string) *models.Organizer {
	a.T.Helper()
	o, err := a.Store.CreateOrganizer(context.Background(), models.NewOrganizer{Email: email, Name: name, Password: Password})
	if err != nil {
		a.T.Fatalf("create organizer: %v", err)
	}
	return o
}

// SignIn logs the client in through the login form.
func (c *Client) SignIn(email string) {
	c.app.T.Helper()
	rec := c.PostForm("/login", url.Values{"email": {email}, "password": {Password}})
	if rec.Code != http.StatusSeeOther {
		c.app.T.Fatalf("login as %s: status %d\n%s", email, rec.Code, rec.Body.String())
	}
}

// Event creates an event owned by organizer o, running from one day before
// the pinned clock to three days after it, in zone.
func (a *App) Event(o *models.Organizer, name, zone string) *models.Event {
	a.T.Helper()
	now := a.Clock.Now()
	ev, err := a.Store.CreateEvent(context.Background(), o.ID, models.EventInput{
		Name: name, TimeZone: zone, StartsAt: now.Add(-24 * time.Hour), EndsAt: now.Add(72 * time.Hour),
	})
	if err != nil {
		a.T.Fatalf("create event: %v", err)
	}
	return ev
}

// Prompt adds a prompt to an event; nil times mean the whole event.
func (a *App) Prompt(ev *models.Event, kind models.PromptKind, title string, opens, closes *time.Time) *models.Prompt {
	a.T.Helper()
	p, err := a.Store.CreatePrompt(context.Background(), ev, models.PromptInput{
		Kind: kind, Title: title, Points: 10, OpensAt: opens, ClosesAt: closes,
	})
	if err != nil {
		a.T.Fatalf("create prompt: %v", err)
	}
	return p
}

// Join makes the client join the event through its join link.
func (c *Client) Join(ev *models.Event, name string) {
	c.app.T.Helper()
	rec := c.PostForm("/j/"+ev.JoinToken, url.Values{"name": {name}, "time_zone": {"Asia/Tokyo"}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != fmt.Sprintf("/e/%d", ev.ID) {
		c.app.T.Fatalf("join %s: status %d location %q\n%s", ev.Name, rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
}

// AnswerPath is the URL a prompt's answer form posts to.
func AnswerPath(ev *models.Event, p *models.Prompt) string {
	return fmt.Sprintf("/e/%d/prompts/%d/answer", ev.ID, p.ID)
}

// Ptr returns a pointer to t.
func Ptr(t time.Time) *time.Time { return &t }
