package live

import (
	"cmp"
	"context"
	"hash/fnv"
	"slices"

	"retreat/models"
)

// The show plan turns an event's answers into a show of the length the
// organizer asked for: per prompt, a few spotlights (answers with a slide
// of their own: starred first, then a fair pick) and mosaics (every other
// answer, many to a screen), so that every answer in the show is on screen
// at least once, and the deck's planned seconds add up to the target.
//
// The organizer's settings (models/showplan.go) fix what they choose; the
// plan fills in the rest. Nothing here reads the database: PlanShow works
// on a loaded Source, so a rebuild, the plan page and the benchmark cost
// the same one read.

// Seconds a slide of each kind is planned to stay on screen. They are the
// pace of a relaxed call: long enough to look, to guess and to laugh, short
// enough to keep it moving.
const (
	coverSeconds     = 15
	promptSeconds    = 8
	spotlightSeconds = 20
	awardSeconds     = 12
	scoresSeconds    = 4
	// A mosaic screen takes mosaicSeconds, and one more second for every
	// mosaicTilesPerSecond answers on it: people look for their own.
	mosaicSeconds        = 10
	mosaicTilesPerSecond = 20
)

// The plan's own choices where the organizer left them open.
const (
	// autoPhotoTiles and autoTextTiles are how many answers a mosaic
	// screen holds: a 10×10 grid of photos is still a grid of photos on a
	// shared laptop screen; an 8×5 wall of cards still reads a sentence
	// each.
	autoPhotoTiles = 100
	autoTextTiles  = 40
	// maxAutoSpotlights caps what the plan gives one prompt by itself.
	maxAutoSpotlights = 8
)

// PlannedSeconds is how long the plan gives a slide.
func PlannedSeconds(sl *Slide) int {
	switch sl.Kind {
	case KindCover:
		return coverSeconds
	case KindPrompt:
		return promptSeconds
	case KindPhoto, KindText:
		return spotlightSeconds
	case KindMosaic:
		return mosaicPageSeconds(len(sl.Tiles))
	case KindAward:
		return awardSeconds
	case KindScores:
		return scoresSeconds
	}
	return promptSeconds
}

func mosaicPageSeconds(tiles int) int { return mosaicSeconds + tiles/mosaicTilesPerSecond }

// Plan is the show as planned: its length against the organizer's target,
// and each prompt's part.
type Plan struct {
	// Minutes is the organizer's target; Seconds and Slides what the
	// planned deck adds up to.
	Minutes int
	Seconds int
	Slides  int
	Prompts []PromptPlan
}

// Fits reports whether the planned deck is no longer than the target.
func (p *Plan) Fits() bool { return p.Seconds <= p.Minutes*60 }

// PromptPlan is one prompt's part of the show.
type PromptPlan struct {
	Prompt *models.Prompt
	// Out: the organizer left the prompt out of the show.
	Out bool
	// Answers counts the prompt's answers in the show.
	Answers int
	// Spotlights are the answers with a slide of their own, in show order
	// (starred first); AutoSpotlights says the plan chose how many.
	Spotlights     []*models.RevealSubmission
	AutoSpotlights bool
	// Mosaic holds every other answer, a screen per page; Tiles is the
	// most a screen holds, AutoTiles says the plan chose it.
	Mosaic    [][]*models.RevealSubmission
	Tiles     int
	AutoTiles bool
	// Seconds is the prompt's planned time, its title slide included.
	Seconds int
}

// PlanShow plans the show from src. fixed are the slides around the
// prompts (cover, awards, scores), whose time is taken first.
func PlanShow(src *Source, fixed []Slide) *Plan {
	plan := &Plan{Minutes: src.Event.ShowLength()}
	fixedSeconds := 0
	for i := range fixed {
		fixedSeconds += PlannedSeconds(&fixed[i])
	}
	byPrompt := map[uint][]*models.RevealSubmission{}
	for i := range src.Submissions {
		s := &src.Submissions[i]
		byPrompt[s.PromptID] = append(byPrompt[s.PromptID], s)
	}
	plan.Prompts = make([]PromptPlan, len(src.Prompts))
	want := make([]int, len(src.Prompts)) // spotlights per prompt
	budget := plan.Minutes*60 - fixedSeconds
	for i := range src.Prompts {
		p := &src.Prompts[i]
		pp := &plan.Prompts[i]
		*pp = PromptPlan{Prompt: p, Out: p.ShowOut, Tiles: p.ShowTiles, AutoTiles: p.ShowTiles == 0,
			AutoSpotlights: p.ShowSpotlights == nil}
		if pp.Out {
			continue
		}
		pp.Answers = len(byPrompt[p.ID])
		if pp.AutoTiles {
			pp.Tiles = autoPhotoTiles
			if p.Kind == models.KindText {
				pp.Tiles = autoTextTiles
			}
		}
		if !pp.AutoSpotlights {
			want[i] = min(*p.ShowSpotlights, pp.Answers)
		}
		budget -= promptSeconds + want[i]*spotlightSeconds + mosaicCost(pp.Answers-want[i], pp.Tiles)
	}
	// Share what time is left out in spotlights, a round at a time, each
	// round to the prompts with the most answers still on mosaics first:
	// every prompt gets its first spotlight before any gets a second. The
	// organizer's stars go first in each prompt's share (pickSpotlights).
	for more := true; more; {
		more = false
		order := make([]int, 0, len(plan.Prompts))
		for i := range plan.Prompts {
			pp := &plan.Prompts[i]
			if !pp.Out && pp.AutoSpotlights && want[i] < min(pp.Answers, maxAutoSpotlights) {
				order = append(order, i)
			}
		}
		slices.SortStableFunc(order, func(a, b int) int {
			return cmp.Compare(plan.Prompts[b].Answers-want[b], plan.Prompts[a].Answers-want[a])
		})
		for _, i := range order {
			pp := &plan.Prompts[i]
			cost := spotlightSeconds + mosaicCost(pp.Answers-want[i]-1, pp.Tiles) - mosaicCost(pp.Answers-want[i], pp.Tiles)
			if cost > budget {
				continue
			}
			budget -= cost
			want[i]++
			more = true
		}
	}
	pickSpotlights(src.Event.ID, plan, byPrompt, want)
	plan.Seconds, plan.Slides = fixedSeconds, len(fixed)
	for i := range plan.Prompts {
		pp := &plan.Prompts[i]
		if pp.Out {
			continue
		}
		pp.Seconds = promptSeconds + len(pp.Spotlights)*spotlightSeconds
		for _, page := range pp.Mosaic {
			pp.Seconds += mosaicPageSeconds(len(page))
		}
		plan.Seconds += pp.Seconds
		plan.Slides += 1 + len(pp.Spotlights) + len(pp.Mosaic)
	}
	return plan
}

// mosaicCost is the planned time of n answers on screens of at most tiles.
func mosaicCost(n, tiles int) int {
	total := 0
	for _, size := range pageSizes(n, tiles) {
		total += mosaicPageSeconds(size)
	}
	return total
}

// pageSizes splits n answers into as few screens of at most tiles as it
// takes, evened out (250 at 100 a screen: 84, 83, 83, not 100, 100, 50).
func pageSizes(n, tiles int) []int {
	if n <= 0 {
		return nil
	}
	tiles = max(tiles, 1)
	pages := (n + tiles - 1) / tiles
	out := make([]int, pages)
	for i := range out {
		out[i] = n / pages
		if i < n%pages {
			out[i]++
		}
	}
	return out
}

// pickSpotlights chooses each prompt's spotlights: its starred answers
// first, then a fair pick, prompt by prompt in show order, of the answers
// whose senders have been in the spotlight least so far, then from the
// teams and zones seen least in this prompt and in the show. Ties go by a
// hash of the answer, fixed per event, so a rebuild picks the same ones
// and no one is favoured for having answered first. The rest go on the
// prompt's mosaic in the order they came in.
func pickSpotlights(eventID uint, plan *Plan, byPrompt map[uint][]*models.RevealSubmission, want []int) {
	people := map[uint]int{}
	teams, zones := map[string]int{}, map[string]int{}
	for i := range plan.Prompts {
		pp := &plan.Prompts[i]
		if pp.Out {
			continue
		}
		subs := byPrompt[pp.Prompt.ID]
		chosen := make(map[uint]bool, want[i])
		promptTeams, promptZones := map[string]int{}, map[string]int{}
		take := func(s *models.RevealSubmission) {
			chosen[s.ID] = true
			pp.Spotlights = append(pp.Spotlights, s)
			people[s.ParticipantID]++
			teams[s.TeamName]++
			zones[s.ParticipantZone]++
			promptTeams[s.TeamName]++
			promptZones[s.ParticipantZone]++
		}
		for _, s := range subs {
			if len(pp.Spotlights) < want[i] && s.Starred {
				take(s)
			}
		}
		for len(pp.Spotlights) < want[i] {
			var best *models.RevealSubmission
			var bestKey [6]uint64
			for _, s := range subs {
				if chosen[s.ID] {
					continue
				}
				key := [6]uint64{uint64(people[s.ParticipantID]), uint64(promptTeams[s.TeamName]), uint64(promptZones[s.ParticipantZone]),
					uint64(teams[s.TeamName]), uint64(zones[s.ParticipantZone]), tieBreak(eventID, s.ID)}
				if best == nil || slices.Compare(key[:], bestKey[:]) < 0 {
					best, bestKey = s, key
				}
			}
			if best == nil {
				break
			}
			take(best)
		}
		// Starred first, then the picks in the order they came in.
		slices.SortStableFunc(pp.Spotlights, func(a, b *models.RevealSubmission) int {
			if a.Starred != b.Starred {
				if a.Starred {
					return -1
				}
				return 1
			}
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		var rest []*models.RevealSubmission
		for _, s := range subs {
			if !chosen[s.ID] {
				rest = append(rest, s)
			}
		}
		slices.SortStableFunc(rest, func(a, b *models.RevealSubmission) int {
			return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
		})
		for _, size := range pageSizes(len(rest), pp.Tiles) {
			pp.Mosaic = append(pp.Mosaic, rest[:size])
			rest = rest[size:]
		}
	}
}

// tieBreak orders equals by a hash of the answer and the event.
func tieBreak(eventID, submissionID uint) uint64 {
	h := fnv.New64a()
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(uint64(eventID) >> (8 * i))
		b[8+i] = byte(uint64(submissionID) >> (8 * i))
	}
	h.Write(b[:])
	return h.Sum64()
}

// ShowPlan loads the event and plans its show, for the organizer's plan
// page.
func ShowPlan(ctx context.Context, store *models.Store, eventID uint) (*Plan, error) {
	src, err := LoadSource(ctx, store, eventID)
	if err != nil {
		return nil, err
	}
	return src.Plan(ctx)
}
