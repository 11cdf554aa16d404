package demo

import (
	"context"
	"time"

	"retreat/models"
	"retreat/models/live"
)

// What happens around the answers: organizers moderating during the week,
// and the room's votes, guesses and reactions. Those last three are what
// phones send during the live reveal; the demo has them already, so the
// award slides (most votes, most reactions, best guessers) have something
// to show on the first run-through.

// moderate has the organizers review answers as they come in: hide the
// few that were sent by mistake, star favourites, award a few bonuses,
// mark many more as seen.
func (s *seeder) moderate(ctx context.Context) error {
	for i := range s.answers {
		a := &s.answers[i]
		when := earlier(a.at.Add(time.Duration(10+s.rng.IntN(8*60))*time.Minute), s.tl.moderationDeadline)
		st := s.at(when)
		var err error
		switch {
		case a.hide:
			a.sub, err = st.SetHidden(ctx, s.event.ID, a.sub.ID, true)
			s.counts.Hidden++
		case s.rng.Float64() < starChance(a):
			a.sub, err = st.SetStarred(ctx, s.event.ID, a.sub.ID, true)
			s.counts.Starred++
			if err == nil && s.rng.IntN(6) == 0 {
				b := models.Bonus{Points: 2 + s.rng.IntN(4), Reason: bonusReasons[s.rng.IntN(len(bonusReasons))]}
				a.sub, err = s.at(when.Add(time.Minute)).AwardBonus(ctx, s.event.ID, a.sub.ID, b)
				s.counts.Bonuses++
			}
		case s.rng.Float64() < 0.4:
			a.sub, err = st.MarkReviewed(ctx, s.event.ID, a.sub.ID)
			s.counts.Reviewed++
		}
		if err != nil {
			return err
		}
	}
	s.progress("moderation", len(s.answers), len(s.answers))
	return nil
}

// starChance favours photos with a caption: the ones the reveal shows first.
func starChance(a *answer) float64 {
	switch {
	case a.photo != nil && a.caption != "":
		return 0.09
	case a.photo != nil:
		return 0.04
	}
	return 0.03
}

// candidates lists, by prompt, the answers the reveal may show.
func (s *seeder) candidates() [][]*answer {
	out := make([][]*answer, len(s.prompts))
	for i := range s.answers {
		a := &s.answers[i]
		if a.sub.MayReveal() {
			out[a.prompt] = append(out[a.prompt], a)
		}
	}
	return out
}

// vote has about half the room vote in most prompts, for someone else's
// answer; starred ones are the popular picks.
func (s *seeder) vote(ctx context.Context) error {
	cands := s.candidates()
	for i := range s.people {
		if s.rng.Float64() >= 0.55 {
			continue
		}
		pa := s.members[i]
		for j := range s.prompts {
			if s.rng.Float64() >= 0.8 {
				continue
			}
			a := s.pickAnswer(cands[j], pa, func(a *answer) int {
				if a.sub.Starred {
					return 8
				}
				return 1
			})
			if a == nil {
				continue
			}
			when := s.tl.revealVotesAndGuess.Add(time.Duration(s.rng.IntN(40*60)) * time.Second)
			if _, err := s.at(when).SaveVote(ctx, pa, a.sub); err != nil {
				return err
			}
			s.counts.Votes++
		}
	}
	s.progress("votes", s.counts.Votes, s.counts.Votes)
	return nil
}

// pickAnswer draws one of list that pa did not send (nor their team),
// with the given weights; nil if there is none.
func (s *seeder) pickAnswer(list []*answer, pa *models.Participant, weight func(*answer) int) *answer {
	total := 0
	for _, a := range list {
		if !a.sub.IsOwnAnswer(pa) {
			total += weight(a)
		}
	}
	if total == 0 {
		return nil
	}
	n := s.rng.IntN(total)
	for _, a := range list {
		if a.sub.IsOwnAnswer(pa) {
			continue
		}
		if n -= weight(a); n < 0 {
			return a
		}
	}
	return nil
}

// guess has a third of the room guess who sent a few answers; about a
// third of the guesses are right.
func (s *seeder) guess(ctx context.Context) error {
	var all []*answer
	for _, list := range s.candidates() {
		all = append(all, list...)
	}
	for i := range s.people {
		if s.rng.Float64() >= 0.35 {
			continue
		}
		pa := s.members[i]
		for range 2 + s.rng.IntN(6) {
			a := s.pickAnswer(all, pa, func(*answer) int { return 1 })
			if a == nil {
				break
			}
			var person, team uint
			right := s.rng.Float64() < 0.33
			if a.sub.GuessesTeam(s.prompts[a.prompt]) {
				team = s.teams[s.rng.IntN(len(s.teams))].ID
				if right {
					team = *a.sub.TeamID
				}
			} else {
				person = s.members[s.rng.IntN(len(s.members))].ID
				if right {
					person = a.sub.ParticipantID
				}
			}
			when := s.tl.revealVotesAndGuess.Add(time.Duration(s.rng.IntN(40*60)) * time.Second)
			if _, err := s.at(when).SaveGuess(ctx, pa, a.sub, person, team); err != nil {
				return err
			}
			s.counts.Guesses++
		}
	}
	s.progress("guesses", s.counts.Guesses, s.counts.Guesses)
	return nil
}

// react stores the emoji counts of half the answers the reveal shows
// (starred ones got the most), and of the slides between them.
func (s *seeder) react(ctx context.Context) error {
	counts := map[models.ReactionKey]int64{}
	add := func(sub uint, scale int) {
		for _, r := range live.Reactions {
			if s.rng.IntN(2) == 0 {
				n := int64((1 + s.rng.IntN(6)) * scale)
				counts[models.ReactionKey{EventID: s.event.ID, SubmissionID: sub, Emoji: r.Emoji}] += n
				s.counts.Reactions += int(n)
			}
		}
	}
	for _, list := range s.candidates() {
		for _, a := range list {
			switch {
			case a.sub.Starred:
				add(a.sub.ID, 3)
			case s.rng.IntN(2) == 0:
				add(a.sub.ID, 1)
			}
		}
	}
	add(0, 5) // the cover, prompt titles and scores
	return s.store.AddReactions(ctx, counts)
}
