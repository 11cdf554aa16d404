package models

import (
	"context"
	"fmt"
	"time"
)

// Scoring rules, in one place. ScoreOf (one answer, in Go) and scoreSQL (the
// same rule as an SQL expression, for leaderboards) must agree; a test
// checks they do.
//
//   - An answer earns its prompt's points. A late answer (sent in the grace
//     window) earns LatePercent of them, rounded down.
//   - A bonus set by an organizer is added (it may be negative: a penalty).
//   - A hidden answer earns nothing, bonus included. Hiding is removal, so it
//     applies at once, to frozen boards too.
//   - A team prompt's answer scores for its team only: it stands for the
//     whole team whoever sent it last, and crediting the sender would move
//     points between teammates each time one of them replaced the photo.
//   - A person's answers to ordinary prompts score for them, and for the
//     team they are in now (an organizer moving someone moves their points).
//   - Frozen boards (what participants see after Event.FreezeAt) count only
//     answers first sent by the freeze and bonuses last set by it. An answer
//     replaced after the freeze keeps counting: it existed at the freeze.

// MaxBonus bounds the bonus points of one answer, either way.
const MaxBonus = 1000

// Score is what one answer earns, broken down for display.
type Score struct {
	// Full is the prompt's points; Base what the answer earns of them.
	Full, Base  int
	Late        bool
	LatePercent int
	Bonus       int
	BonusReason string
	Hidden      bool
	// AfterFreeze: the answer was first sent after the cutoff, so a frozen
	// board does not count it yet.
	AfterFreeze bool
	Total       int
}

// ScoreOf works out what sub (an answer to p) earns. With asOf set it is the
// score as a frozen board counts it: nothing for an answer first sent after
// asOf, and no bonus set after it.
func ScoreOf(p *Prompt, sub *Submission, asOf *time.Time) Score {
	sc := Score{Full: p.Points, Late: sub.Late, LatePercent: p.LatePercent, Hidden: sub.Hidden}
	if asOf != nil && sub.CreatedAt.After(*asOf) {
		sc.AfterFreeze = true
		return sc
	}
	if sub.Hidden {
		return sc
	}
	sc.Base = p.Points
	if sub.Late {
		sc.Base = p.Points * p.LatePercent / 100
	}
	if sub.BonusPoints != 0 && (asOf == nil || (sub.AwardedAt != nil && !sub.AwardedAt.After(*asOf))) {
		sc.Bonus, sc.BonusReason = sub.BonusPoints, sub.BonusReason
	}
	sc.Total = sc.Base + sc.Bonus
	return sc
}

// scoreSQL is ScoreOf as SQL over submissions s joined to prompts p. The
// placeholder (when asOf is set) is the cutoff for bonuses; the caller
// filters answers sent after it. Integer division rounds down, as the
// operands are never negative.
func scoreSQL(asOf *time.Time) (string, []any) {
	base := "(p.points * CASE WHEN s.late THEN p.late_percent ELSE 100 END) / 100"
	bonus := "s.bonus_points"
	var args []any
	if asOf != nil {
		bonus = "CASE WHEN s.awarded_at IS NOT NULL AND s.awarded_at <= ? THEN s.bonus_points ELSE 0 END"
		args = append(args, asOf.UTC())
	}
	return "CASE WHEN s.hidden THEN 0 ELSE " + base + " + " + bonus + " END", args
}

// Standing is one row of a leaderboard: a person or a team.
type Standing struct {
	ID   uint
	Name string
	// TeamName is a person's team ("" for none, and for team rows).
	TeamName string
	// Members counts a team's people (0 for person rows).
	Members int
	Points  int
	// Answers counts the answers that score (hidden ones do not).
	Answers int
	Stars   int
	// Rank is shared by ties and skips after them: 1, 2, 2, 4.
	Rank int
	Tied bool
}

// Leaderboard is an event's standings.
type Leaderboard struct {
	// AsOf is the freeze the board was computed at (nil: live).
	AsOf   *time.Time
	People []Standing
	Teams  []Standing
}

// ScoreCutoff is the instant participants' scores are frozen at, or nil
// while they are live. Scores stay frozen from FreezeAt on, until an
// organizer clears it: thawing on a clock could spoil the reveal if the
// call starts late.
func (e *Event) ScoreCutoff(now time.Time) *time.Time {
	if e.FreezeAt == nil || now.Before(*e.FreezeAt) {
		return nil
	}
	t := e.FreezeAt.UTC()
	return &t
}

// Leaderboard computes the event's individual and team standings, live when
// asOf is nil or frozen at asOf. Each board is one aggregate query.
func (s *Store) Leaderboard(ctx context.Context, eventID uint, asOf *time.Time) (*Leaderboard, error) {
	lb := &Leaderboard{AsOf: asOf}
	points, args := scoreSQL(asOf)
	cutoff, cutoffArgs := "", []any(nil)
	if asOf != nil {
		cutoff = " AND s.created_at <= ?"
		cutoffArgs = []any{asOf.UTC()}
	}
	aggregates := "SUM(" + points + ") AS points, " +
		"SUM(CASE WHEN s.hidden THEN 0 ELSE 1 END) AS answers, " +
		"SUM(CASE WHEN s.starred AND NOT s.hidden THEN 1 ELSE 0 END) AS stars"

	people := `SELECT pa.id, pa.name, COALESCE(t.name, '') AS team_name, 0 AS members,
		COALESCE(x.points, 0) AS points, COALESCE(x.answers, 0) AS answers, COALESCE(x.stars, 0) AS stars
	FROM participants pa
	LEFT JOIN teams t ON t.id = pa.team_id
	LEFT JOIN (
		SELECT s.participant_id AS pid, ` + aggregates + `
		FROM submissions s JOIN prompts p ON p.id = s.prompt_id
		WHERE s.event_id = ? AND NOT p.team_prompt` + cutoff + `
		GROUP BY s.participant_id
	) x ON x.pid = pa.id
	WHERE pa.event_id = ?
	ORDER BY points DESC, pa.name_key, pa.id`
	q := append(append(append([]any{}, args...), eventID), cutoffArgs...)
	q = append(q, eventID)
	if err := s.db.WithContext(ctx).Raw(people, q...).Scan(&lb.People).Error; err != nil {
		return nil, fmt.Errorf("individual leaderboard of event %d: %w", eventID, err)
	}

	teams := `SELECT t.id, t.name, '' AS team_name,
		(SELECT COUNT(*) FROM participants m WHERE m.team_id = t.id) AS members,
		COALESCE(x.points, 0) AS points, COALESCE(x.answers, 0) AS answers, COALESCE(x.stars, 0) AS stars
	FROM teams t
	LEFT JOIN (
		SELECT CASE WHEN p.team_prompt THEN s.team_id ELSE pa.team_id END AS tid, ` + aggregates + `
		FROM submissions s
		JOIN prompts p ON p.id = s.prompt_id
		JOIN participants pa ON pa.id = s.participant_id
		WHERE s.event_id = ?` + cutoff + `
		GROUP BY CASE WHEN p.team_prompt THEN s.team_id ELSE pa.team_id END
	) x ON x.tid = t.id
	WHERE t.event_id = ?
	ORDER BY points DESC, t.name_key, t.id`
	if err := s.db.WithContext(ctx).Raw(teams, q...).Scan(&lb.Teams).Error; err != nil {
		return nil, fmt.Errorf("team leaderboard of event %d: %w", eventID, err)
	}
	rank(lb.People)
	rank(lb.Teams)
	return lb, nil
}

// rank numbers rows sorted by points, best first: equal points share a rank
// and the next rank skips as many places (1, 2, 2, 4).
func rank(rows []Standing) {
	for i := range rows {
		if i > 0 && rows[i].Points == rows[i-1].Points {
			rows[i].Rank = rows[i-1].Rank
			rows[i].Tied, rows[i-1].Tied = true, true
			continue
		}
		rows[i].Rank = i + 1
	}
}
