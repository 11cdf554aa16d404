package web

import (
	"fmt"
	"strconv"

	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
)

// Recap is an event's recap ready for the "recap" partial, which the
// participants' page and the organizer's preview share: the winners, then
// every answer the reveal could show, by prompt.
type Recap struct {
	Awards []RecapAward
	// Teams and People are the podiums: the first three places, ties
	// included.
	Teams   Standings
	People  Standings
	Prompts []RecapPrompt
}

// RecapAward is one award with its winners.
type RecapAward struct {
	Title    string
	Subtitle string
	Winners  []RecapWinner
	// Photo is the first winner's answer, when the viewer may see it.
	Photo *RecapAnswer
}

// RecapWinner is one line of an award.
type RecapWinner struct {
	// Rank reads "=1" for a tie.
	Rank   string
	Name   string
	Detail string
	// Count says what won it ("12 votes"); "" for the organizer's pick.
	Count string
}

// RecapPrompt is a prompt with its answers as the show had them: its
// spotlights, then the answers on its mosaics (Photos and Texts).
type RecapPrompt struct {
	ID          uint
	Title       string
	Description string
	Spotlights  []RecapAnswer
	Photos      []RecapAnswer
	Texts       []RecapAnswer
}

// RecapAnswer is one answer as the recap prints it.
type RecapAnswer struct {
	ThumbURL string
	PhoneURL string
	Alt      string
	Text     string
	Caption  string
	// Name is who answered (a team prompt's team); Detail their team, or
	// who sent a team's answer.
	Name    string
	Detail  string
	Starred bool
	Mine    bool
}

// RecapViewer is whose recap is printed: what they may see, where their
// photo URLs point and which answers and rows are theirs.
type RecapViewer struct {
	// MaySee filters the answers (models.Submission.MayParticipantSee for a
	// participant).
	MaySee   func(*models.Submission) bool
	PhotoURL func(*models.Submission, media.Size) string
	// ParticipantID and TeamID mark the viewer's own answers and rows
	// (0: an organizer).
	ParticipantID uint
	TeamID        uint
}

// NewRecap prints r for viewer v.
func NewRecap(r *live.Recap, v RecapViewer) Recap {
	out := Recap{
		Teams:  NewStandings(podium(r.Board.Teams), true, v.TeamID),
		People: NewStandings(podium(r.Board.People), false, v.ParticipantID),
	}
	if !r.Event.TeamsEnabled {
		out.Teams = Standings{Teams: true}
	}
	teamPrompt := map[uint]bool{}
	for _, p := range r.Prompts {
		teamPrompt[p.ID] = p.TeamPrompt
	}
	seen := map[uint]RecapAnswer{}
	for i := range r.Plan.Prompts {
		pp := &r.Plan.Prompts[i]
		if pp.Out {
			continue
		}
		p := pp.Prompt
		rp := RecapPrompt{ID: p.ID, Title: p.Title, Description: p.Description}
		for _, s := range pp.Spotlights {
			if v.MaySee(&s.Submission) {
				a := v.answer(s, p.TeamPrompt, p.Title)
				seen[s.ID] = a
				rp.Spotlights = append(rp.Spotlights, a)
			}
		}
		for _, page := range pp.Mosaic {
			for _, s := range page {
				if !v.MaySee(&s.Submission) {
					continue
				}
				a := v.answer(s, p.TeamPrompt, p.Title)
				seen[s.ID] = a
				if a.ThumbURL != "" {
					rp.Photos = append(rp.Photos, a)
				} else {
					rp.Texts = append(rp.Texts, a)
				}
			}
		}
		out.Prompts = append(out.Prompts, rp)
	}
	for _, sl := range r.Awards {
		aw := RecapAward{Title: sl.Title, Subtitle: sl.Subtitle}
		// Only an answer the viewer may see gets its photo on the award:
		// it may have been hidden since the reveal.
		if a, ok := seen[sl.SubmissionID]; ok && a.ThumbURL != "" {
			aw.Photo = &a
		}
		for _, row := range sl.Rows {
			w := RecapWinner{Rank: strconv.Itoa(row.Rank), Name: row.Name, Detail: row.Detail, Count: awardCount(sl.Award, row.Points)}
			if row.Tied {
				w.Rank = "=" + w.Rank
			}
			aw.Winners = append(aw.Winners, w)
		}
		out.Awards = append(out.Awards, aw)
	}
	return out
}

func (v RecapViewer) answer(s *models.RevealSubmission, teamPrompt bool, prompt string) RecapAnswer {
	a := RecapAnswer{Text: s.Text, Caption: s.Caption, Name: s.ParticipantName, Detail: s.TeamName, Starred: s.Starred,
		Mine: v.ParticipantID != 0 && s.ParticipantID == v.ParticipantID}
	// A team prompt's answer is the team's, whoever sent it (as on the
	// reveal's slides).
	if teamPrompt && s.TeamID != nil && s.TeamName != "" {
		a.Name, a.Detail = s.TeamName, "sent by "+s.ParticipantName
		a.Mine = a.Mine || v.TeamID != 0 && *s.TeamID == v.TeamID
	}
	if s.HasPhoto() {
		a.ThumbURL, a.PhoneURL = v.PhotoURL(&s.Submission, media.Thumb), v.PhotoURL(&s.Submission, media.Phone)
		a.Alt = "Photo by " + a.Name + " for " + prompt
	}
	return a
}

// podium keeps the first three places of a board, ties included. Nobody
// with no points is on it: at the start everyone ties for first.
func podium(list []models.Standing) []models.Standing {
	var out []models.Standing
	for _, s := range list {
		if s.Rank <= 3 && s.Points > 0 {
			out = append(out, s)
		}
	}
	return out
}

// awardCount says an award row's count in words.
func awardCount(award string, n int) string {
	var one, many string
	switch award {
	case "votes":
		one, many = "vote", "votes"
	case "reactions":
		one, many = "reaction", "reactions"
	case "guessers":
		one, many = "right guess", "right guesses"
	default: // the organizer's pick has no count
		return ""
	}
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
