package live

import (
	"context"
	"errors"
	"fmt"

	"retreat/models"
)

// Recap is what participants look back at after the reveal: what the show
// was built from (the answers it may show, by prompt, starred first, and
// the final leaderboards) and the awards it gave.
type Recap struct {
	*Source
	// Awards are, prompt by prompt, the audience's award the reveal
	// decided and the organizer's pick (the starred answers), then the
	// awards over the whole show. An event presented without awards, or
	// never, still has its picks.
	Awards []Slide
	// Plan is the show's plan: the recap follows it, each prompt's
	// spotlights first, then the answers its mosaics held.
	Plan *Plan
}

// LoadRecap reads an event's recap. It shares LoadSource with BuildDeck so
// the recap never shows an answer the reveal could not (hidden ones and
// those kept out of the live call stay out).
func LoadRecap(ctx context.Context, store *models.Store, eventID uint) (*Recap, error) {
	src, err := LoadSource(ctx, store, eventID)
	if err != nil {
		return nil, err
	}
	decided, err := decidedAwards(ctx, store, eventID)
	if err != nil {
		return nil, err
	}
	plan, err := src.Plan(ctx)
	if err != nil {
		return nil, err
	}
	return &Recap{Source: src, Awards: recapAwards(src, decided), Plan: plan}, nil
}

// decidedAwards reads the award slides of the event's saved deck whose
// winners are final and who have any ("no votes this time" has nothing
// to look back at).
func decidedAwards(ctx context.Context, store *models.Store, eventID uint) ([]Slide, error) {
	row, err := store.RevealState(ctx, eventID)
	if errors.Is(err, models.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var deck Deck
	if err := decodeJSON(row.Deck, &deck); err != nil {
		return nil, fmt.Errorf("decode deck of event %d: %w", eventID, err)
	}
	var out []Slide
	for _, sl := range deck.Slides {
		if sl.Kind == KindAward && sl.Decided && len(sl.Rows) > 0 {
			out = append(out, sl)
		}
	}
	return out, nil
}

// recapAwards orders the decided awards by prompt, each prompt's followed
// by its pick, and the show-wide ones last.
//
// Picks are made again from the stars as they are now rather than taken
// from the deck, and an award whose winning answer was hidden or kept out
// since the call is left out: their rows name and quote the answers, and
// a recap must not bring back what moderation or its sender withdrew.
func recapAwards(src *Source, decided []Slide) []Slide {
	inShow := map[uint]bool{}
	for _, s := range src.Submissions {
		inShow[s.ID] = true
	}
	byPrompt := map[uint][]Slide{}
	var overall []Slide
	for _, sl := range decided {
		if sl.Award == "pick" || sl.SubmissionID != 0 && !inShow[sl.SubmissionID] {
			continue
		}
		if sl.PromptID != 0 {
			byPrompt[sl.PromptID] = append(byPrompt[sl.PromptID], sl)
		} else {
			overall = append(overall, sl)
		}
	}
	picks := starredPicks(src)
	var out []Slide
	for _, p := range src.Prompts {
		out = append(out, byPrompt[p.ID]...)
		if pick, ok := picks[p.ID]; ok {
			out = append(out, pick)
		}
	}
	return append(out, overall...)
}

// starredPicks makes an "Organizer's pick" award of each prompt's starred
// answers, by prompt, worded as the reveal's own pick slides are.
func starredPicks(src *Source) map[uint]Slide {
	prompts := map[uint]*models.Prompt{}
	for i := range src.Prompts {
		prompts[src.Prompts[i].ID] = &src.Prompts[i]
	}
	out := map[uint]Slide{}
	for i := range src.Submissions {
		s := &src.Submissions[i]
		p := prompts[s.PromptID]
		if p == nil || !s.Starred {
			continue
		}
		ans := answerSlide(p, s, 0, 0)
		pick, ok := out[p.ID]
		if !ok {
			pick = Slide{Key: fmt.Sprintf("award-pick-%d", p.ID), Kind: KindAward, Award: "pick", Decided: true,
				Title: "Organizer's pick", Subtitle: p.Title, PromptID: p.ID, PromptTitle: p.Title,
				SubmissionID: ans.SubmissionID, PhotoKey: ans.PhotoKey, Version: ans.Version, Caption: ans.Caption, Text: ans.Text}
		}
		pick.Rows = append(pick.Rows, ScoreRow{Rank: 1, Name: ans.Author, Detail: ans.Caption})
		// Several starred answers share the pick.
		if len(pick.Rows) > 1 {
			for k := range pick.Rows {
				pick.Rows[k].Tied = true
			}
		}
		out[p.ID] = pick
	}
	return out
}
