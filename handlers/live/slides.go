package live

import (
	"fmt"

	"retreat/models/live"
)

// slideView is a slide ready to print, on the presenter's screen and on
// phones alike (the scripts fill the same markup from the same JSON).
type slideView struct {
	*live.FollowerSlide
	Named bool
	// Eyebrow is the small line above a title or an answer.
	Eyebrow string
	Rows    []rowView
	// Density sizes a leaderboard's rows by how many there are.
	Density string
}

// rowView is a leaderboard line; Pending ones are still to be revealed.
type rowView struct {
	live.ScoreRow
	Pending bool
	// New is the row this slide reveals (the top one shown).
	New bool
}

// newSlideView prepares f for the template; nil stays nil.
func newSlideView(f *live.FollowerSlide, named bool) *slideView {
	if f == nil {
		return nil
	}
	v := &slideView{FollowerSlide: f, Named: named && f.Author != "", Eyebrow: eyebrow(f)}
	for i := 0; i < f.Hidden; i++ {
		v.Rows = append(v.Rows, rowView{Pending: true})
	}
	for i, r := range f.Rows {
		v.Rows = append(v.Rows, rowView{ScoreRow: r, New: i == 0})
	}
	v.Density = density(len(v.Rows))
	return v
}

// eyebrow is the same text slide.js writes: keep them in step.
func eyebrow(f *live.FollowerSlide) string {
	switch f.Kind {
	case live.KindCover:
		return f.Subtitle
	case live.KindPrompt:
		return fmt.Sprintf("Prompt %d of %d", f.Number, f.Of)
	case live.KindPhoto, live.KindText:
		return fmt.Sprintf("%d / %d", f.Number, f.Of)
	}
	return ""
}

// presenterPhotoURL is the full-screen rendition through the dashboard's
// photo route (any organizer of the event may load it).
func presenterPhotoURL(eventID uint, s *live.Slide) string {
	return fmt.Sprintf("/dashboard/events/%d/photos/%d/full?v=%s", eventID, s.SubmissionID, s.Version)
}

// presenterSlide is slide i for the presenter: the follower view with the
// author always included (the script shows it only once revealed) and the
// full-screen rendition.
func presenterSlide(d *live.Deck, i int) *live.FollowerSlide {
	f := d.ForFollower(i, true)
	if f != nil && f.Photo != "" {
		f.Photo = presenterPhotoURL(d.EventID, &d.Slides[i])
	}
	return f
}

// density is the same class slide.js picks: keep them in step.
func density(rows int) string {
	switch {
	case rows <= 6:
		return "rows-few"
	case rows <= 10:
		return "rows-some"
	}
	return "rows-many"
}
