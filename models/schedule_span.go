package models

import "time"

// The first and last offsets in use on Earth: a daily prompt opens first at
// UTC+14 (Kiritimati) and closes last at UTC-12 (Baker Island).
var (
	firstZone = time.FixedZone("UTC+14", 14*60*60)
	lastZone  = time.FixedZone("UTC-12", -12*60*60)
)

// Span is when the prompt first opens for anyone and last closes for
// anyone (before any grace window). For a fixed or whole-event schedule it
// is the window itself; a daily prompt spreads over every zone's breakfast.
func (p *Prompt) Span(ev *Event) (opens, closes time.Time) {
	if p.Schedule != ScheduleDaily {
		return p.Window(ev, nil)
	}
	opens, _ = p.Window(ev, firstZone)
	_, closes = p.Window(ev, lastZone)
	return opens, closes
}

// StateAnywhere is where the prompt stands for the organizer, who watches
// everyone at once: a daily prompt is open while it is open for someone
// somewhere, and late while only grace windows remain.
func (p *Prompt) StateAnywhere(ev *Event, now time.Time) PromptState {
	opens, closes := p.Span(ev)
	switch {
	case now.Before(opens):
		return StateUpcoming
	case now.Before(closes):
		return StateOpen
	case now.Before(p.GraceEnds(closes)):
		return StateLate
	default:
		return StateClosed
	}
}
