package models

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// NudgeChannel is how a nudge reached the participant.
type NudgeChannel string

// Nudge channels. A link pasted into chat is not recorded: the app cannot
// know whether the organizer sent it.
const ChannelEmail NudgeChannel = "email"

// NudgeKind says who decided to send a nudge.
type NudgeKind string

// Nudge kinds.
const (
	// NudgeManual was picked by an organizer on the nudges page.
	NudgeManual NudgeKind = "manual"
	// NudgeScheduled was due RemindMinutes before the prompt closes.
	NudgeScheduled NudgeKind = "scheduled"
)

// NudgeStatus is where a nudge stands.
type NudgeStatus string

// Nudge statuses. A nudge is recorded as sending before the email goes,
// so two senders (an organizer and the scheduler, or two instances) never
// both send it; a process that dies mid-send leaves it sending, which
// errs on the side of not nudging twice.
const (
	NudgeSending NudgeStatus = "sending"
	NudgeSent    NudgeStatus = "sent"
	NudgeFailed  NudgeStatus = "failed"
)

// NudgeQuietPeriod is how long after a nudge the same person is not
// nudged again about the same prompt.
const NudgeQuietPeriod = 12 * time.Hour

// scheduledRetry is how long a failed scheduled reminder waits before the
// next try, so an unreachable mail server is not hammered every minute.
const scheduledRetry = 15 * time.Minute

// Nudge records one reminder sent to a participant about a prompt.
type Nudge struct {
	ID            uint         `gorm:"primaryKey"`
	EventID       uint         `gorm:"not null;index"`
	PromptID      uint         `gorm:"not null;index:idx_nudge_target"`
	ParticipantID uint         `gorm:"not null;index:idx_nudge_target"`
	Channel       NudgeChannel `gorm:"not null;size:10"`
	Kind          NudgeKind    `gorm:"not null;size:10"`
	Status        NudgeStatus  `gorm:"not null;size:10"`
	// Error is why a failed nudge was not delivered (for the log and page).
	Error string `gorm:"size:500"`
	// OrganizerID is who sent a manual nudge.
	OrganizerID *uint
	SentAt      time.Time `gorm:"not null;index"`

	Event       Event       `gorm:"constraint:OnDelete:CASCADE"`
	Prompt      Prompt      `gorm:"constraint:OnDelete:CASCADE"`
	Participant Participant `gorm:"constraint:OnDelete:CASCADE"`
}

// Gap is a participant who has not answered a prompt that is open for them
// now, with the prompt's window in their zone.
type Gap struct {
	Prompt      *Prompt
	Participant *Participant
	Opens       time.Time
	Closes      time.Time
}

// Unanswered lists, prompt by prompt in the event's order, the participants
// for whom the prompt is open at now (in their own zone: a daily prompt is
// open for Tokyo hours before New York) and who have not answered it. For a
// team prompt, an answer from anyone in the team counts; someone without a
// team has not answered it.
func (s *Store) Unanswered(ctx context.Context, ev *Event, now time.Time) ([]Gap, error) {
	prompts, err := s.Prompts(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	people, err := s.Participants(ctx, ev.ID)
	if err != nil {
		return nil, err
	}
	var owners []struct {
		PromptID uint
		OwnerKey string
	}
	if err := s.db.WithContext(ctx).Model(&Submission{}).Select("prompt_id, owner_key").
		Where("event_id = ?", ev.ID).Find(&owners).Error; err != nil {
		return nil, fmt.Errorf("list answers of event %d: %w", ev.ID, err)
	}
	answered := make(map[string]bool, len(owners))
	for _, o := range owners {
		answered[fmt.Sprintf("%d/%s", o.PromptID, o.OwnerKey)] = true
	}
	var gaps []Gap
	for i := range prompts {
		pr := &prompts[i]
		for j := range people {
			pa := &people[j]
			zone := pa.Location()
			if pr.StateAt(ev, zone, now) != StateOpen {
				continue
			}
			if key, err := ownerKey(pr, pa); err == nil && answered[fmt.Sprintf("%d/%s", pr.ID, key)] {
				continue
			}
			opens, closes := pr.Window(ev, zone)
			gaps = append(gaps, Gap{Prompt: pr, Participant: pa, Opens: opens, Closes: closes})
		}
	}
	return gaps, nil
}

// NudgeKey names a (prompt, participant) pair.
type NudgeKey struct{ PromptID, ParticipantID uint }

// LastNudges returns when each participant of the event was last nudged
// about each prompt since since (failed attempts excluded).
func (s *Store) LastNudges(ctx context.Context, eventID uint, since time.Time) (map[NudgeKey]time.Time, error) {
	// Rows rather than MAX(sent_at): SQLite returns an aggregate of a
	// time column as text, which does not scan into a time.Time.
	var rows []Nudge
	err := s.db.WithContext(ctx).Select("prompt_id, participant_id, sent_at").
		Where("event_id = ? AND sent_at > ? AND status <> ?", eventID, since.UTC(), NudgeFailed).
		Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("list recent nudges of event %d: %w", eventID, err)
	}
	m := make(map[NudgeKey]time.Time, len(rows))
	for _, r := range rows {
		k := NudgeKey{r.PromptID, r.ParticipantID}
		if r.SentAt.After(m[k]) {
			m[k] = r.SentAt
		}
	}
	return m, nil
}

// ReserveNudge records n as being sent, unless the participant was nudged
// about the prompt within NudgeQuietPeriod (or, for a scheduled nudge, its
// scheduled reminder already went out): then it stores nothing and returns
// false. The check and the insert share one write transaction, so two
// senders racing for the same person cannot both win.
func (s *Store) ReserveNudge(ctx context.Context, n *Nudge) (bool, error) {
	now := s.now().UTC()
	n.SentAt = now
	n.Status = NudgeSending
	reserved := false
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		// Two organizers nudging at once must not both find none.
		if err := lockFor(tx, fmt.Sprintf("nudge:%d:%d", n.PromptID, n.ParticipantID)); err != nil {
			return err
		}
		var recent int64
		q := tx.Model(&Nudge{}).Where("prompt_id = ? AND participant_id = ?", n.PromptID, n.ParticipantID)
		if n.Kind == NudgeScheduled {
			// One scheduled reminder per window; after a failure, retry
			// every scheduledRetry rather than at every run.
			q = q.Where("((status <> ? AND (sent_at > ? OR kind = ?)) OR (status = ? AND kind = ? AND sent_at > ?))",
				NudgeFailed, now.Add(-NudgeQuietPeriod), NudgeScheduled, NudgeFailed, NudgeScheduled, now.Add(-scheduledRetry))
		} else {
			q = q.Where("status <> ? AND sent_at > ?", NudgeFailed, now.Add(-NudgeQuietPeriod))
		}
		if err := q.Count(&recent).Error; err != nil {
			return err
		}
		if recent > 0 {
			return nil
		}
		if err := tx.Create(n).Error; err != nil {
			return err
		}
		reserved = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("reserve nudge of participant %d for prompt %d: %w", n.ParticipantID, n.PromptID, err)
	}
	return reserved, nil
}

// FinishNudges marks reserved nudges sent, or failed with the reason.
func (s *Store) FinishNudges(ctx context.Context, ids []uint, sendErr error) error {
	if len(ids) == 0 {
		return nil
	}
	updates := map[string]any{"status": NudgeSent, "error": ""}
	if sendErr != nil {
		msg := sendErr.Error()
		if len(msg) > 500 {
			msg = msg[:500]
		}
		updates = map[string]any{"status": NudgeFailed, "error": msg}
	}
	if err := s.db.WithContext(ctx).Model(&Nudge{}).Where("id IN ?", ids).Updates(updates).Error; err != nil {
		return fmt.Errorf("record outcome of nudges %v: %w", ids, err)
	}
	return nil
}

// EventsWithReminders lists the events that may have a scheduled reminder
// due around now: they have a prompt with RemindMinutes set and have not
// long ended (a daily prompt can stay open for MaxDailyDays after its day).
func (s *Store) EventsWithReminders(ctx context.Context, now time.Time) ([]Event, error) {
	var list []Event
	horizon := now.Add(-(MaxDailyDays + 2) * 24 * time.Hour).UTC()
	err := s.db.WithContext(ctx).Model(&Event{}).
		Where("ends_at > ? AND starts_at < ?", horizon, now.Add(48*time.Hour).UTC()).
		Where("EXISTS (SELECT 1 FROM prompts WHERE prompts.event_id = events.id AND prompts.remind_minutes > 0)").
		Order("id").Find(&list).Error
	if err != nil {
		return nil, fmt.Errorf("list events with reminders: %w", err)
	}
	return list, nil
}
