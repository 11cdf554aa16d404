package web

import (
	"strconv"

	"retreat/models"
)

// Standings is a leaderboard ready for the "standings" partial, which the
// dashboard and the participants' scores page share.
type Standings struct {
	// Teams says the rows are teams (a members column instead of a team one).
	Teams bool
	// WithTeams shows people's team column.
	WithTeams bool
	Rows      []StandingRow
}

// StandingRow is one printed leaderboard line.
type StandingRow struct {
	// Rank reads "=2" for a tie.
	Rank string
	Tied bool
	// Podium marks the first three places (ties included).
	Podium  bool
	Name    string
	Team    string
	Members int
	Points  int
	Answers int
	Stars   int
	// Mine marks the viewer's own row (or their team's).
	Mine bool
}

// NewStandings prints a board's rows; mine is the id of the viewer's row
// (0: none).
func NewStandings(list []models.Standing, teams bool, mine uint) Standings {
	st := Standings{Teams: teams, Rows: make([]StandingRow, 0, len(list))}
	for _, s := range list {
		r := StandingRow{Rank: strconv.Itoa(s.Rank), Tied: s.Tied, Name: s.Name, Team: s.TeamName,
			Members: s.Members, Points: s.Points, Answers: s.Answers, Stars: s.Stars, Mine: mine != 0 && s.ID == mine, Podium: s.Rank <= 3}
		if s.Tied {
			r.Rank = "=" + r.Rank
		}
		if s.TeamName != "" {
			st.WithTeams = true
		}
		st.Rows = append(st.Rows, r)
	}
	return st
}
