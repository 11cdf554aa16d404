// Package nudge reminds participants who have not answered a prompt that is
// open for them: by email (when SMTP is configured) with their personal
// link, either picked by an organizer or scheduled RemindMinutes before the
// prompt closes, in each person's daytime. Every email nudge is recorded, so
// nobody is nudged about the same prompt twice within 12 hours.
package nudge

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"retreat/models"
	"retreat/models/mail"
)

// ErrEmailOff is returned when sending is asked for but no SMTP server is
// configured.
var ErrEmailOff = errors.New("email is not configured")

// Sender works out who to nudge, sends the emails and records them.
type Sender struct {
	store  *models.Store
	mailer *mail.Mailer
	// baseURL is the public address links in scheduled emails start with
	// (there is no request to take the host from).
	baseURL string
	log     *slog.Logger
}

// New returns a Sender. mailer nil means email is off: the nudges page
// still lists personal links to paste into chat.
func New(store *models.Store, mailer *mail.Mailer, baseURL string, log *slog.Logger) *Sender {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Sender{store: store, mailer: mailer, baseURL: strings.TrimRight(baseURL, "/"), log: log}
}

// EmailEnabled reports whether nudges can go by email.
func (s *Sender) EmailEnabled() bool { return s != nil && s.mailer != nil }

// From is the address nudges come from ("" when email is off).
func (s *Sender) From() string {
	if !s.EmailEnabled() {
		return ""
	}
	return s.mailer.From()
}

// PersonalLink is a participant's absolute return link under base.
func PersonalLink(base string, p *models.Participant) string {
	return strings.TrimRight(base, "/") + "/r/" + p.ReturnToken
}

// Outcome counts what happened to the nudges asked for.
type Outcome struct {
	// Sent is how many prompt reminders went out, in Emails emails (one
	// email per person lists all of their prompts).
	Sent, Emails int
	// NoEmail: the person left no address. Recent: nudged about that prompt
	// within the last 12 hours. Answered: answered (or the prompt closed)
	// since the page was shown. Failed: the server refused or could not be
	// reached.
	NoEmail, Recent, Answered, Failed int
}

// SendPicks emails the picked (prompt, participant) pairs of the event
// that are still unanswered, one email per person, with links under base
// (the address the organizer is using). It is the organizer's "Send email
// nudge" button.
func (s *Sender) SendPicks(ctx context.Context, ev *models.Event, picks []models.NudgeKey, base string, organizerID uint) (Outcome, error) {
	var out Outcome
	if !s.EmailEnabled() {
		return out, ErrEmailOff
	}
	gaps, err := s.store.Unanswered(ctx, ev, s.store.Now())
	if err != nil {
		return out, err
	}
	open := make(map[models.NudgeKey]models.Gap, len(gaps))
	for _, g := range gaps {
		open[models.NudgeKey{PromptID: g.Prompt.ID, ParticipantID: g.Participant.ID}] = g
	}
	var chosen []models.Gap
	seen := map[models.NudgeKey]bool{}
	for _, k := range picks {
		if seen[k] {
			continue
		}
		seen[k] = true
		g, ok := open[k]
		switch {
		case !ok:
			out.Answered++
		case g.Participant.Email == "":
			out.NoEmail++
		default:
			chosen = append(chosen, g)
		}
	}
	var by *uint
	if organizerID != 0 {
		by = &organizerID
	}
	err = s.deliver(ctx, ev, chosen, base, models.NudgeManual, by, &out)
	return out, err
}

// group is one person's prompts to be reminded of, in one email.
type group struct {
	participant *models.Participant
	gaps        []models.Gap
	nudgeIDs    []uint
}

// deliver reserves a nudge per gap (skipping anyone nudged recently),
// sends one email per person over one connection, and records the outcome.
func (s *Sender) deliver(ctx context.Context, ev *models.Event, gaps []models.Gap, base string, kind models.NudgeKind, by *uint, out *Outcome) error {
	var groups []*group
	byPerson := map[uint]*group{}
	for _, g := range gaps {
		n := &models.Nudge{EventID: ev.ID, PromptID: g.Prompt.ID, ParticipantID: g.Participant.ID,
			Channel: models.ChannelEmail, Kind: kind, OrganizerID: by}
		ok, err := s.store.ReserveNudge(ctx, n)
		if err != nil {
			return err
		}
		if !ok {
			out.Recent++
			continue
		}
		gr := byPerson[g.Participant.ID]
		if gr == nil {
			gr = &group{participant: g.Participant}
			byPerson[g.Participant.ID] = gr
			groups = append(groups, gr)
		}
		gr.gaps = append(gr.gaps, g)
		gr.nudgeIDs = append(gr.nudgeIDs, n.ID)
	}
	if len(groups) == 0 {
		return nil
	}
	now := s.store.Now()
	msgs := make([]*mail.Message, len(groups))
	for i, gr := range groups {
		msgs[i] = mail.NudgeMessage(gr.participant.Email, nudgeContent(ev, gr, base, now))
	}
	errs := s.mailer.Send(ctx, msgs)
	// Record what happened even if the request that asked has gone.
	rctx := context.WithoutCancel(ctx)
	var recordErrs []error
	for i, gr := range groups {
		if errs[i] != nil {
			out.Failed += len(gr.gaps)
			s.log.Warn("nudge email not sent", "event", ev.ID, "participant", gr.participant.ID, "kind", kind, "err", errs[i])
		} else {
			out.Sent += len(gr.gaps)
			out.Emails++
		}
		if err := s.store.FinishNudges(rctx, gr.nudgeIDs, errs[i]); err != nil {
			recordErrs = append(recordErrs, err)
		}
	}
	return errors.Join(recordErrs...)
}

// nudgeContent is what one person's email says, times in their zone.
func nudgeContent(ev *models.Event, gr *group, base string, now time.Time) mail.Nudge {
	zone := gr.participant.Location()
	n := mail.Nudge{Name: gr.participant.Name, EventName: ev.Name, Link: PersonalLink(base, gr.participant)}
	for _, g := range gr.gaps {
		n.Prompts = append(n.Prompts, mail.NudgePrompt{
			Title:  g.Prompt.Title,
			Closes: g.Closes.In(zone).Format("Mon 2 Jan 15:04") + " your time (" + models.ZoneCity(gr.participant.TimeZone) + ")",
			Left:   Until(g.Closes, now),
		})
	}
	return n
}

// Until says roughly how long until t: "in 3 h", "in 2 days", "in 12 min".
func Until(t, now time.Time) string {
	d := t.Sub(now)
	switch {
	case d < time.Minute:
		return "in under a minute"
	case d < time.Hour:
		return "in " + strconv.Itoa(int(d.Minutes())) + " min"
	case d < 48*time.Hour:
		return "in " + strconv.Itoa(int(d.Hours())) + " h"
	default:
		return "in " + strconv.Itoa(int(d.Hours()/24)) + " days"
	}
}

// SendDue sends the scheduled reminders that are due now: for each prompt
// with RemindMinutes set, everyone with an email who has not answered gets
// one reminder at ReminderTime of their own window. The background runner
// calls it about once a minute.
func (s *Sender) SendDue(ctx context.Context) (Outcome, error) {
	var out Outcome
	if !s.EmailEnabled() {
		return out, nil
	}
	if s.baseURL == "" {
		// Links need a public address and there is no request to take it
		// from; the server warned about this at start.
		return out, nil
	}
	now := s.store.Now()
	events, err := s.store.EventsWithReminders(ctx, now)
	if err != nil {
		return out, err
	}
	var errs []error
	for i := range events {
		ev := &events[i]
		gaps, err := s.store.Unanswered(ctx, ev, now)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		var due []models.Gap
		for _, g := range gaps {
			if g.Prompt.RemindMinutes <= 0 || g.Participant.Email == "" {
				continue
			}
			if IsDue(g, now) {
				due = append(due, g)
			}
		}
		if err := s.deliver(ctx, ev, due, s.baseURL, models.NudgeScheduled, nil, &out); err != nil {
			errs = append(errs, fmt.Errorf("scheduled nudges of event %d: %w", ev.ID, err))
		}
	}
	if out.Sent+out.Failed > 0 {
		s.log.Info("scheduled nudges", "sent", out.Sent, "emails", out.Emails, "failed", out.Failed)
	}
	return out, errors.Join(errs...)
}

// IsDue reports whether the scheduled reminder of an unanswered, open gap
// should go out at now: its ReminderTime has come and it is daytime where
// the person is (a server that was down at 20:30 does not catch up at 02:00).
func IsDue(g models.Gap, now time.Time) bool {
	zone := g.Participant.Location()
	at, ok := ReminderTime(g.Opens, g.Closes, time.Duration(g.Prompt.RemindMinutes)*time.Minute, zone)
	return ok && !now.Before(at) && now.Before(g.Closes) && !Quiet(now, zone)
}
