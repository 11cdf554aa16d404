package live

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"retreat/models"
)

// Awards come between the prompts and the scores. The organizer's picks
// are known when the deck is built (the starred answers); the others
// depend on what the audience does during the reveal (votes, reactions,
// guesses), so their slides are built empty and decided when the
// presenter first reaches them: that moment also closes the prompt's
// voting, and phones then see the winners.

// Award kinds (Slide.Award).
const (
	AwardVotes     = "votes"     // most votes in one prompt
	AwardPick      = "pick"      // the organizer's starred answers in one prompt
	AwardReactions = "reactions" // most emoji while on screen, over the show
	AwardGuessers  = "guessers"  // most authors guessed right
)

// awardPodium is how many rows an award over the whole show lists.
const awardPodium = 3

// VotesAwardKey is the key of the "most votes" slide of a prompt: once it
// is decided, voting in that prompt is closed.
func VotesAwardKey(promptID uint) string {
	return "award-votes-" + strconv.FormatUint(uint64(promptID), 10)
}

// Awards is the section of award slides: per prompt with answers, the
// audience's favourite (votes) and, when the organizer starred answers,
// their pick; then the most reactions and the best guessers over the show.
func Awards(_ context.Context, src *Source) ([]Slide, error) {
	byPrompt := map[uint][]models.RevealSubmission{}
	for _, s := range src.Submissions {
		byPrompt[s.PromptID] = append(byPrompt[s.PromptID], s)
	}
	var out []Slide
	for i := range src.Prompts {
		p := &src.Prompts[i]
		subs := byPrompt[p.ID]
		if len(subs) == 0 || p.ShowOut {
			continue
		}
		out = append(out, Slide{Key: VotesAwardKey(p.ID), Kind: KindAward, Award: AwardVotes,
			Title: "Audience favourite", Subtitle: p.Title, PromptID: p.ID, PromptTitle: p.Title, Fit: fitFor(p.Title, titleFits)})
		if pick := pickSlide(p, subs); pick != nil {
			out = append(out, *pick)
		}
	}
	if len(src.Submissions) > 0 {
		out = append(out,
			Slide{Key: "award-reactions", Kind: KindAward, Award: AwardReactions, Title: "Most reactions", Subtitle: "The answers the room cheered loudest"},
			Slide{Key: "award-guessers", Kind: KindAward, Award: AwardGuessers, Title: "Best guessers", Subtitle: "Who knew whose answer it was"})
	}
	return out, nil
}

// pickSlide is the organizer's pick of a prompt: its starred answers,
// decided from the start. Nil when nothing was starred.
func pickSlide(p *models.Prompt, subs []models.RevealSubmission) *Slide {
	sl := &Slide{Key: "award-pick-" + strconv.FormatUint(uint64(p.ID), 10), Kind: KindAward, Award: AwardPick,
		Title: "Organizer's pick", Subtitle: p.Title, PromptID: p.ID, PromptTitle: p.Title, Decided: true, Fit: fitFor(p.Title, titleFits)}
	for i := range subs {
		s := &subs[i]
		if !s.Starred {
			continue
		}
		ans := answerSlide(p, s, 0, 0)
		if len(sl.Rows) == 0 {
			winnerPhoto(sl, &ans)
		}
		sl.Rows = append(sl.Rows, ScoreRow{Rank: 1, Name: ans.Author, Detail: ans.Caption, Tied: false})
	}
	if len(sl.Rows) == 0 {
		return nil
	}
	if len(sl.Rows) > 1 {
		for i := range sl.Rows {
			sl.Rows[i].Tied = true
		}
	}
	return sl
}

// winnerPhoto puts a winning answer's photo (or text) on an award slide.
func winnerPhoto(award, ans *Slide) {
	award.SubmissionID = ans.SubmissionID
	award.PhotoKey, award.Version, award.Width, award.Height = ans.PhotoKey, ans.Version, ans.Width, ans.Height
	award.Caption, award.Text = ans.Caption, ans.Text
}

// decideAward fills an award slide's winners from the audience's votes,
// reactions or guesses so far; the deck's answer slides say whose answers
// are in the show. named holds the answer slides whose authors were
// revealed (only those count for guessers).
func (s *Service) decideAward(ctx context.Context, st *State, sl *Slide) error {
	if sl.Kind != KindAward || sl.Decided {
		return nil
	}
	answers := map[uint]*Slide{}
	for i := range st.Deck.Slides {
		a := &st.Deck.Slides[i]
		if a.SubmissionID != 0 && (a.Kind == KindPhoto || a.Kind == KindText) {
			answers[a.SubmissionID] = a
		}
	}
	var counts map[uint]int
	var err error
	switch sl.Award {
	case AwardVotes:
		if counts, err = s.store.VoteTotals(ctx, st.EventID); err != nil {
			return err
		}
		rankAnswers(sl, answers, counts, func(a *Slide) bool { return a.PromptID == sl.PromptID }, 1, "vote", "votes")
	case AwardReactions:
		if counts, err = s.store.ReactionTotals(ctx, st.EventID); err != nil {
			return err
		}
		rankAnswers(sl, answers, counts, func(*Slide) bool { return true }, awardPodium, "reaction", "reactions")
	case AwardGuessers:
		var ids []uint
		for id, a := range answers {
			if st.Named[a.Key] {
				ids = append(ids, id)
			}
		}
		scores, err := s.store.GuessScores(ctx, st.EventID, ids)
		if err != nil {
			return err
		}
		rankGuessers(sl, scores)
	}
	sl.Decided = true
	return nil
}

// rankAnswers lists the answers (among those keep allows) with the most
// counts: the winners only (ties included) when podium is 1, else the top
// podium ranks. The first winner's photo goes on the slide.
func rankAnswers(sl *Slide, answers map[uint]*Slide, counts map[uint]int, keep func(*Slide) bool, podium int, one, many string) {
	type entry struct {
		a *Slide
		n int
	}
	var list []entry
	for id, n := range counts {
		if a := answers[id]; a != nil && n > 0 && keep(a) {
			list = append(list, entry{a, n})
		}
	}
	// Most first; between equals, deck order (starred first, then first in).
	slices.SortFunc(list, func(x, y entry) int {
		return cmp.Or(cmp.Compare(y.n, x.n), cmp.Compare(x.a.Number, y.a.Number), cmp.Compare(x.a.SubmissionID, y.a.SubmissionID))
	})
	counted := make([]int, len(list))
	for i, e := range list {
		counted[i] = e.n
	}
	for i, rank := range ranks(counted) {
		if rank > podium {
			break
		}
		e := list[i]
		name := e.a.Author
		if e.a.AuthorDetail != "" && strings.HasPrefix(e.a.AuthorDetail, "sent by ") {
			name += " (" + e.a.AuthorDetail + ")"
		}
		detail := e.a.Caption
		if podium > 1 && e.a.PromptTitle != "" {
			detail = e.a.PromptTitle
		}
		sl.Rows = append(sl.Rows, ScoreRow{Rank: rank, Name: name, Detail: detail, Points: e.n})
		if i == 0 {
			winnerPhoto(sl, e.a)
		}
	}
	markTies(sl.Rows)
	if len(sl.Rows) == 0 {
		sl.Subtitle = strings.TrimSpace(sl.Subtitle + " · no " + many + " this time")
		return
	}
	if sl.Rows[0].Points == 1 {
		sl.Unit = one
	} else {
		sl.Unit = many
	}
}

// rankGuessers lists the top guessers.
func rankGuessers(sl *Slide, scores []models.GuessScore) {
	counted := make([]int, len(scores))
	for i, g := range scores {
		counted[i] = g.Right
	}
	for i, rank := range ranks(counted) {
		if rank > awardPodium {
			break
		}
		sl.Rows = append(sl.Rows, ScoreRow{Rank: rank, Name: scores[i].Name, Detail: scores[i].TeamName, Points: scores[i].Right})
	}
	markTies(sl.Rows)
	if len(sl.Rows) == 0 {
		sl.Subtitle = "Nobody guessed right this time"
		return
	}
	sl.Unit = "right"
}

// ranks gives competition ranks (1, 1, 3) to counts sorted most first.
func ranks(sorted []int) []int {
	out := make([]int, len(sorted))
	for i, n := range sorted {
		if i > 0 && n == sorted[i-1] {
			out[i] = out[i-1]
		} else {
			out[i] = i + 1
		}
	}
	return out
}

// markTies flags rows sharing their rank with another.
func markTies(rows []ScoreRow) {
	for i := range rows {
		rows[i].Tied = (i > 0 && rows[i-1].Rank == rows[i].Rank) || (i+1 < len(rows) && rows[i+1].Rank == rows[i].Rank)
	}
}

// VotingOpen reports whether votes in the prompt are still taken: the
// reveal is live and the prompt's "most votes" award is not decided.
func (st *State) VotingOpen(promptID uint) bool {
	if !st.Live() || slices.Contains(st.Deck.VotingClosed, promptID) {
		return false
	}
	i := st.Deck.Index(VotesAwardKey(promptID))
	return i < 0 || !st.Deck.Slides[i].Decided
}

// Errors a phone's vote or guess may meet, besides models' own.
var (
	// ErrNotShown: the answer has not been on screen yet (or is not in
	// the show), so it cannot be voted for or guessed at.
	ErrNotShown = fmt.Errorf("that answer has not been shown: %w", models.ErrNotFound)
)

// Vote records a phone's vote for an answer already shown in the running
// reveal, while its prompt's voting is open.
func (s *Service) Vote(ctx context.Context, pa *models.Participant, submissionID uint) (*models.Vote, error) {
	st, err := s.Load(ctx, pa.EventID)
	if err != nil {
		return nil, err
	}
	key := SubmissionKey(submissionID)
	if !st.Shown[key] || st.Deck.Index(key) < 0 {
		if !st.Live() {
			return nil, models.ErrVotingClosed
		}
		return nil, ErrNotShown
	}
	sub, err := s.store.EventSubmission(ctx, pa.EventID, submissionID)
	if err != nil {
		return nil, err
	}
	if !sub.MayReveal() {
		return nil, ErrNotShown
	}
	if !st.VotingOpen(sub.PromptID) {
		return nil, models.ErrVotingClosed
	}
	return s.store.SaveVote(ctx, pa, sub)
}

// Guess records a phone's guess at whose an answer is, while the answer
// has been shown and its author is still hidden.
func (s *Service) Guess(ctx context.Context, pa *models.Participant, submissionID, personID, teamID uint) (*models.Guess, error) {
	status, raw, err := s.store.RevealNamed(ctx, pa.EventID)
	if err != nil {
		return nil, err
	}
	key := SubmissionKey(submissionID)
	shown, err := s.WasShown(ctx, pa.EventID, key)
	if err != nil {
		return nil, err
	}
	if !shown {
		return nil, ErrNotShown
	}
	if status != models.RevealLive {
		return nil, models.ErrGuessClosed
	}
	named, err := decodeSet(raw)
	if err != nil {
		return nil, fmt.Errorf("decode named slides of event %d: %w", pa.EventID, err)
	}
	if named[key] {
		return nil, models.ErrGuessClosed
	}
	sub, err := s.store.EventSubmission(ctx, pa.EventID, submissionID)
	if err != nil {
		return nil, err
	}
	if !sub.MayReveal() {
		return nil, ErrNotShown
	}
	return s.store.SaveGuess(ctx, pa, sub, personID, teamID)
}

// OfflineDeck is the deck for a copy to present from disk: built from the
// event as it is now, with the awards the reveal already decided kept as
// they were, and the rest decided from the votes, reactions and guesses so
// far (a copy cannot wait for the room).
func (s *Service) OfflineDeck(ctx context.Context, eventID uint) (Deck, error) {
	deck, err := s.Builder.Build(ctx, s.store, eventID)
	if err != nil {
		return Deck{}, err
	}
	st, err := s.Load(ctx, eventID)
	if err != nil {
		return Deck{}, err
	}
	keepDecided(&st.Deck, &deck)
	st.Deck = deck
	for i := range st.Deck.Slides {
		if err := s.decideAward(ctx, st, &st.Deck.Slides[i]); err != nil {
			return Deck{}, err
		}
	}
	// As live, an award nobody won is not shown.
	st.Deck.Slides = slices.DeleteFunc(st.Deck.Slides, func(sl Slide) bool {
		return sl.Kind == KindAward && sl.Decided && len(sl.Rows) == 0
	})
	return st.Deck, nil
}
