package live

import (
	"fmt"

	"retreat/models/live"
	"retreat/models/media"
)

// slideView is a slide ready to print, on the presenter's screen and on
// phones alike (the scripts fill the same markup from the same JSON).
type slideView struct {
	*live.FollowerSlide
	Named bool
	// Eyebrow is the small line above a title or an answer (a mosaic's
	// page).
	Eyebrow string
	Rows    []rowView
	// Density sizes a leaderboard's rows, or a mosaic's tiles, by how many
	// there are.
	Density string
	// Heading and Sub are a mosaic's title lines, Cols its grid's columns
	// on a shared screen (phones scroll a grid of their own), Tiles its
	// answers ready to print.
	Heading, Sub string
	Cols         int
	Tiles        []tileView
	// TileLinks makes each photo tile a link to the larger photo: phones
	// open it (the script shows it over the page instead).
	TileLinks bool
}

// tileView is one answer of a mosaic.
type tileView struct {
	live.FollowerTile
	// Src is the grid's image, Alt its text; Lazy waits until it is
	// scrolled near (phones, below the first screenful).
	Src, Alt string
	Lazy     bool
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
	if f.Kind == live.KindMosaic {
		v.mosaic()
	}
	return v
}

// mosaic fills in what a mosaic's markup needs.
func (v *slideView) mosaic() {
	v.Heading, v.Sub = mosaicHeading(v.FollowerSlide)
	v.Density = tileDensity(len(v.FollowerSlide.Tiles))
	v.Cols = mosaicCols(len(v.FollowerSlide.Tiles), screenAspect)
	v.Tiles = make([]tileView, len(v.FollowerSlide.Tiles))
	for i, t := range v.FollowerSlide.Tiles {
		tv := tileView{FollowerTile: t, Src: t.Thumb, Alt: t.Caption}
		if tv.Src == "" {
			tv.Src = t.Photo
		}
		if tv.Alt == "" {
			tv.Alt = "Photo by " + t.Author
		}
		v.Tiles[i] = tv
	}
}

// phoneTilesEager is how many tiles a phone loads before they are
// scrolled to: about its first screenful (three columns, three rows).
const phoneTilesEager = 9

// forPhone makes the slide a phone's: photo tiles link to the larger
// photo, and those below the first screenful load as they are scrolled to.
func (v *slideView) forPhone() {
	if v == nil {
		return
	}
	v.TileLinks = true
	for i := range v.Tiles {
		v.Tiles[i].Lazy = i >= phoneTilesEager
	}
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
	case live.KindMosaic:
		if f.Pages > 1 {
			return fmt.Sprintf("%d of %d", f.Page, f.Pages)
		}
	}
	return ""
}

// mosaicHeading is a mosaic's title and the line under it, as slide.js
// writes them: the prompt, and the slide's own title if it says more.
func mosaicHeading(f *live.FollowerSlide) (title, sub string) {
	if f.PromptTitle == "" {
		return f.Title, ""
	}
	if f.Title != f.PromptTitle {
		sub = f.Title
	}
	return f.PromptTitle, sub
}

// tileDensity is the class slide.js picks for a mosaic of n tiles: keep
// them in step.
func tileDensity(n int) string {
	switch {
	case n <= 12:
		return "tiles-few"
	case n <= 60:
		return "tiles-some"
	}
	return "tiles-many"
}

// screenAspect is the width over the height of a mosaic's grid on a shared
// screen (1280x800 and 1920x1080, less the slide's margins and title), and
// tileAspect the shape a tile should come close to: the server paints a
// mosaic for it, the script fits it to the window it is in.
const (
	screenAspect = 1.8
	tileAspect   = 1.25
	// maxCols is the most columns the stylesheet names (data-cols).
	maxCols = 40
)

// mosaicCols is how many columns lay out n tiles biggest in a box aspect
// times as wide as it is high: the rows follow (ceil(n/cols)), and the
// tiles stretch to fill the box. It is mosaicGrid in slide.js: keep them
// in step.
func mosaicCols(n int, aspect float64) int {
	best, bestSize := 1, 0.0
	for cols := 1; cols <= max(n, 1); cols++ {
		rows := (n + cols - 1) / cols
		size := min(aspect/(float64(cols)*tileAspect), 1/float64(max(rows, 1)))
		if size > bestSize+1e-9 {
			best, bestSize = cols, size
		}
	}
	return min(best, maxCols)
}

// presenterPhotoURL is the full-screen rendition through the dashboard's
// photo route (any organizer of the event may load it).
func presenterPhotoURL(eventID uint, s *live.Slide) string {
	return dashboardPhotoURL(eventID, s.SubmissionID, s.Version, media.Full)
}

func dashboardPhotoURL(eventID, submissionID uint, version string, size media.Size) string {
	return fmt.Sprintf("/dashboard/events/%d/photos/%d/%s?v=%s", eventID, submissionID, size, version)
}

// bigTiles is the most tiles a mosaic may have for the shared screen to
// show phone renditions: with fewer columns than five a tile is wider than
// a thumbnail (320 pixels) on a 1920x1080 screen.
const bigTiles = 12

// tileRendition is the rendition a mosaic of n tiles shows on a shared
// screen: the smallest that still looks sharp at the tiles' size.
func tileRendition(n int) media.Size {
	if n <= bigTiles {
		return media.Phone
	}
	return media.Thumb
}

// presenterSlide is slide i for the presenter: the follower view with the
// author always included (the script shows it only once revealed) and the
// full-screen rendition, or for a mosaic's tiles the smallest rendition
// that still looks sharp at their size.
func presenterSlide(d *live.Deck, i int) *live.FollowerSlide {
	f := d.ForFollower(i, true)
	if f == nil {
		return nil
	}
	if f.Photo != "" {
		f.Photo = presenterPhotoURL(d.EventID, &d.Slides[i])
	}
	size := tileRendition(len(f.Tiles))
	for j := range f.Tiles {
		t := &f.Tiles[j]
		if t.Photo == "" {
			continue
		}
		src := &d.Slides[i].Tiles[j]
		t.Photo = dashboardPhotoURL(d.EventID, src.SubmissionID, src.Version, media.Phone)
		t.Thumb = ""
		if size != media.Phone {
			t.Thumb = dashboardPhotoURL(d.EventID, src.SubmissionID, src.Version, size)
		}
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
