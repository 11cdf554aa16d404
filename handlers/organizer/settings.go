package organizer

import (
	"strconv"
	"time"

	"retreat/handlers/web"
	"retreat/models"
)

// settings reads the event's settings from the typed form: the freeze and
// reveal times are in the event's zone (loc) and may be blank.
func (f eventForm) settings(in *models.EventInput, loc *time.Location, v *models.ValidationError) {
	in.TeamsEnabled = f.TeamsEnabled
	if t, ok := web.ParseLocalInput(f.FreezeAt, loc); ok {
		in.FreezeAt = t
	} else {
		v.Add("freeze_at", "Enter the freeze as a date and time, or leave it blank to never freeze.")
	}
	if t, ok := web.ParseLocalInput(f.RevealAt, loc); ok {
		in.RevealAt = t
	} else {
		v.Add("reveal_at", "Enter the reveal as a date and time, or leave it blank.")
	}
	in.RetentionDays = formInt(v, "retention_days", f.RetentionDays, 0, "Enter the days to keep photos as a whole number (0 keeps them).")
}

// settingsForm fills the settings fields from a stored event.
func settingsForm(f *eventForm, ev *models.Event) {
	loc := ev.Location()
	f.TeamsEnabled = ev.TeamsEnabled
	f.FreezeAt = web.LocalInput(ev.FreezeAt, loc)
	f.RevealAt = web.LocalInput(ev.RevealAt, loc)
	f.RetentionDays = strconv.Itoa(ev.RetentionDays)
}
