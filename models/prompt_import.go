package models

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"gorm.io/gorm"
)

// ImportOptions say how a pasted list of prompts becomes prompts.
type ImportOptions struct {
	Kind PromptKind
	// Points is what a line without "| points" is worth.
	Points int
	// Daily gives the k-th prompt of the list day k of the event, opening at
	// DailyMinute (after midnight, in each participant's zone) for DailyDays.
	Daily       bool
	DailyMinute int
	DailyDays   int
}

// MaxImportLines bounds one pasted list.
const MaxImportLines = 200

// maxLineErrors is how many bad lines one refusal lists.
const maxLineErrors = 5

// ParsePromptList reads a pasted list: one prompt per line, optionally
// "Title | points", blank lines ignored and a leading bullet ("- ", "* ",
// "• ", "3. ") dropped. It returns one validated input per prompt, or a
// ValidationError under "list" naming each bad line by its number.
func ParsePromptList(ev *Event, text string, opt ImportOptions) ([]PromptInput, error) {
	var v ValidationError
	if opt.Kind != KindPhoto && opt.Kind != KindText {
		v.Add("kind", "Choose photo or text.")
	}
	if opt.Points < 0 || opt.Points > MaxPoints {
		v.Add("points", fmt.Sprintf("Points must be between 0 and %d.", MaxPoints))
	}
	if opt.Daily {
		if opt.DailyMinute < 0 || opt.DailyMinute >= 24*60 {
			v.Add("daily_time", "Enter a time of day between 00:00 and 23:59.")
		}
		if opt.DailyDays < 1 || opt.DailyDays > MaxDailyDays {
			v.Add("daily_days", fmt.Sprintf("A daily prompt stays open from 1 to %d days.", MaxDailyDays))
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var (
		list    []PromptInput
		bad     []string
		days    = ev.EventDays()
		counted int
	)
	for i, line := range strings.Split(text, "\n") {
		n := i + 1
		line = stripBullet(strings.TrimSpace(line))
		if line == "" {
			continue
		}
		counted++
		if counted > MaxImportLines {
			return nil, &ValidationError{Fields: map[string]string{"list": fmt.Sprintf("Paste at most %d prompts at a time.", MaxImportLines)}}
		}
		in := PromptInput{Kind: opt.Kind, Title: line, Points: opt.Points, Schedule: ScheduleEvent, LatePercent: 50}
		if cut := strings.LastIndexByte(line, '|'); cut >= 0 {
			in.Title = strings.TrimSpace(line[:cut])
			if pts := strings.TrimSpace(line[cut+1:]); pts != "" {
				p, err := strconv.Atoi(pts)
				if err != nil || p < 0 || p > MaxPoints {
					bad = append(bad, fmt.Sprintf("Line %d: after | put the points, a whole number from 0 to %d (not %q).", n, MaxPoints, pts))
					continue
				}
				in.Points = p
			}
		}
		if opt.Daily {
			in.Schedule, in.DailyDay, in.DailyMinute, in.DailyDays = ScheduleDaily, counted, opt.DailyMinute, opt.DailyDays
			if in.DailyDay > days {
				bad = append(bad, fmt.Sprintf("Line %d: the event has %d %s, so a daily list can hold %d %s.", n, days,
					plural(int64(days), "day", "days"), days, plural(int64(days), "prompt", "prompts")))
				continue
			}
		}
		switch runes := utf8.RuneCountInString(in.Title); {
		case !utf8.ValidString(in.Title):
			bad = append(bad, fmt.Sprintf("Line %d has characters we can't read.", n))
		case in.Title == "":
			bad = append(bad, fmt.Sprintf("Line %d has points but no title.", n))
		case runes > 200:
			bad = append(bad, fmt.Sprintf("Line %d is too long: a title has up to 200 characters and this one has %d.", n, runes))
		default:
			if err := in.Validate(ev); err != nil {
				bad = append(bad, fmt.Sprintf("Line %d: %s", n, firstField(err)))
			}
		}
		list = append(list, in)
	}
	if len(bad) > 0 {
		if len(bad) > maxLineErrors {
			bad = append(bad[:maxLineErrors], fmt.Sprintf("…and %d more.", len(bad)-maxLineErrors))
		}
		return nil, &ValidationError{Fields: map[string]string{"list": strings.Join(bad, "\n")}}
	}
	if len(list) == 0 {
		return nil, &ValidationError{Fields: map[string]string{"list": "Paste at least one prompt, one per line."}}
	}
	return list, nil
}

// stripBullet drops a list marker a pasted document may carry.
func stripBullet(s string) string {
	for _, b := range []string{"- ", "* ", "• "} {
		if strings.HasPrefix(s, b) {
			return strings.TrimSpace(s[len(b):])
		}
	}
	digits := 0
	for digits < len(s) && digits < 3 && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	if digits > 0 && len(s) > digits+1 && (s[digits] == '.' || s[digits] == ')') && s[digits+1] == ' ' {
		return strings.TrimSpace(s[digits+2:])
	}
	return s
}

// firstField is one message of a ValidationError (or the error's text).
func firstField(err error) string {
	if ve, ok := err.(*ValidationError); ok {
		for _, k := range []string{"title", "kind", "points", "daily_day", "daily_time", "daily_days"} {
			if m, ok := ve.Fields[k]; ok {
				return m
			}
		}
		for _, m := range ve.Fields {
			return m
		}
	}
	return err.Error()
}

// ImportPrompts parses a pasted list (see ParsePromptList) and adds its
// prompts at the end of the event's list, all or nothing.
func (s *Store) ImportPrompts(ctx context.Context, ev *Event, text string, opt ImportOptions) ([]Prompt, error) {
	inputs, err := ParsePromptList(ev, text, opt)
	if err != nil {
		return nil, err
	}
	prompts := make([]Prompt, len(inputs))
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var maxPos *int
		if err := tx.Model(&Prompt{}).Where("event_id = ?", ev.ID).Select("MAX(position)").Scan(&maxPos).Error; err != nil {
			return err
		}
		next := 0
		if maxPos != nil {
			next = *maxPos + 1
		}
		for i := range inputs {
			prompts[i] = Prompt{EventID: ev.ID, Position: next + i}
			inputs[i].apply(&prompts[i])
		}
		return tx.Omit("Event").Create(&prompts).Error
	})
	if err != nil {
		return nil, fmt.Errorf("import prompts into event %d: %w", ev.ID, err)
	}
	return prompts, nil
}
