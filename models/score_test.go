package models

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"retreat/models/backendtest"
)

func TestScoreOf(t *testing.T) {
	freeze := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	before, after := freeze.Add(-time.Hour), freeze.Add(time.Hour)
	p := &Prompt{Points: 15, LatePercent: 50}
	for _, tc := range []struct {
		name string
		sub  Submission
		asOf *time.Time
		want Score
	}{
		{"on time", Submission{}, nil, Score{Full: 15, Base: 15, LatePercent: 50, Total: 15}},
		{"late earns the late percent, rounded down", Submission{Late: true}, nil,
			Score{Full: 15, Base: 7, Late: true, LatePercent: 50, Total: 7}},
		{"bonus is added with its reason", Submission{BonusPoints: 3, BonusReason: "great angle", AwardedAt: &before}, nil,
			Score{Full: 15, Base: 15, LatePercent: 50, Bonus: 3, BonusReason: "great angle", Total: 18}},
		{"a penalty", Submission{BonusPoints: -5, AwardedAt: &before}, nil,
			Score{Full: 15, Base: 15, LatePercent: 50, Bonus: -5, Total: 10}},
		{"hidden earns nothing, bonus included", Submission{Hidden: true, BonusPoints: 3, AwardedAt: &before}, nil,
			Score{Full: 15, LatePercent: 50, Hidden: true}},
		{"frozen: sent before, bonus before", Submission{CreatedAt: before, BonusPoints: 2, AwardedAt: &before}, &freeze,
			Score{Full: 15, Base: 15, LatePercent: 50, Bonus: 2, Total: 17}},
		{"frozen: bonus set after the freeze is left out", Submission{CreatedAt: before, BonusPoints: 2, AwardedAt: &after}, &freeze,
			Score{Full: 15, Base: 15, LatePercent: 50, Total: 15}},
		{"frozen: sent after the freeze counts nothing yet", Submission{CreatedAt: after}, &freeze,
			Score{Full: 15, LatePercent: 50, AfterFreeze: true}},
		{"frozen: sent exactly at the freeze counts", Submission{CreatedAt: freeze}, &freeze,
			Score{Full: 15, Base: 15, LatePercent: 50, Total: 15}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, ScoreOf(p, &tc.sub, tc.asOf)); diff != "" {
				t.Errorf("ScoreOf (-want +got):\n%s", diff)
			}
		})
	}
	if got := ScoreOf(&Prompt{Points: 10, LatePercent: 0}, &Submission{Late: true}, nil).Total; got != 0 {
		t.Errorf("late with 0%%: got %d, want 0", got)
	}
}

func TestScoreCutoff(t *testing.T) {
	freeze := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	ev := &Event{}
	if got := ev.ScoreCutoff(freeze); got != nil {
		t.Errorf("no freeze set: cutoff %v, want nil (live)", got)
	}
	ev.FreezeAt = &freeze
	if got := ev.ScoreCutoff(freeze.Add(-time.Second)); got != nil {
		t.Errorf("before the freeze: cutoff %v, want nil (live)", got)
	}
	if got := ev.ScoreCutoff(freeze); got == nil || !got.Equal(freeze) {
		t.Errorf("at the freeze: cutoff %v, want %v", got, freeze)
	}
	if got := ev.ScoreCutoff(freeze.Add(30 * 24 * time.Hour)); got == nil || !got.Equal(freeze) {
		t.Errorf("long after: cutoff %v, want still %v", got, freeze)
	}
}

// scoreWorld is a store on a temp SQLite file with a settable clock.
type scoreWorld struct {
	t     testing.TB
	s     *Store
	mu    sync.Mutex
	now   time.Time
	ev    *Event
	ctx   context.Context
	names map[string]*Participant
	teams map[string]*Team
}

func newScoreWorld(t testing.TB) *scoreWorld {
	t.Helper()
	w := &scoreWorld{t: t, now: time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC), ctx: context.Background(),
		names: map[string]*Participant{}, teams: map[string]*Team{}}
	s, err := Open(w.ctx, backendtest.DatabaseURL(t), Options{Now: w.clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	w.s = s
	o := &Organizer{Email: "ana@example.com", Name: "Ana", PasswordHash: "x"}
	if err := s.db.Create(o).Error; err != nil {
		t.Fatal(err)
	}
	ev, err := s.CreateEvent(w.ctx, o.ID, EventInput{Name: "Hunt", TimeZone: "UTC",
		StartsAt: w.now.Add(-24 * time.Hour), EndsAt: w.now.Add(72 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	ev.TeamsEnabled = true
	if err := s.db.Model(ev).Update("teams_enabled", true).Error; err != nil {
		t.Fatal(err)
	}
	w.ev = ev
	return w
}

func (w *scoreWorld) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *scoreWorld) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

func (w *scoreWorld) team(name string) *Team {
	w.t.Helper()
	tm, err := w.s.CreateTeam(w.ctx, w.ev, name)
	if err != nil {
		w.t.Fatal(err)
	}
	w.teams[name] = tm
	return tm
}

func (w *scoreWorld) person(name string, team *Team) *Participant {
	w.t.Helper()
	// Stored directly: joining insists on a team once the event has some,
	// and these tests want people without one too.
	p := &Participant{EventID: w.ev.ID, Name: name, NameKey: strings.ToLower(name), TimeZone: "UTC", ReturnToken: newToken()}
	if team != nil {
		p.TeamID = &team.ID
	}
	if err := w.s.db.Create(p).Error; err != nil {
		w.t.Fatal(err)
	}
	w.names[name] = p
	return p
}

func (w *scoreWorld) prompt(title string, points, latePercent int, team bool) *Prompt {
	w.t.Helper()
	p, err := w.s.CreatePrompt(w.ctx, w.ev, PromptInput{Kind: KindText, Title: title, Points: points, LatePercent: latePercent, TeamPrompt: team})
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// answer stores an answer as the answer form would, then marks it late if
// asked (the grace window itself is tested with the schedule).
func (w *scoreWorld) answer(p *Prompt, pa *Participant, late bool) *Submission {
	w.t.Helper()
	sub, _, err := w.s.SaveTextAnswer(w.ctx, w.ev, p, pa, "answer by "+pa.Name)
	if err != nil {
		w.t.Fatal(err)
	}
	if late {
		if err := w.s.db.Model(sub).UpdateColumn("late", true).Error; err != nil {
			w.t.Fatal(err)
		}
		sub.Late = true
	}
	return sub
}

type row struct {
	Name    string
	Points  int
	Rank    int
	Tied    bool
	Answers int
}

func rows(list []Standing) []row {
	out := make([]row, len(list))
	for i, s := range list {
		out[i] = row{s.Name, s.Points, s.Rank, s.Tied, s.Answers}
	}
	return out
}

func (w *scoreWorld) board(asOf *time.Time) *Leaderboard {
	w.t.Helper()
	lb, err := w.s.Leaderboard(w.ctx, w.ev.ID, asOf)
	if err != nil {
		w.t.Fatal(err)
	}
	return lb
}

func TestLeaderboardScoresLateBonusHiddenAndTeams(t *testing.T) {
	w := newScoreWorld(t)
	red, blue := w.team("Red"), w.team("Blue")
	w.team("Green") // no members: still on the board, with 0
	ana, bo, cy := w.person("Ana", red), w.person("Bo", red), w.person("Cy", blue)
	w.person("Dee", nil) // no answers: on the board with 0

	swing := w.prompt("Swing", 10, 50, false)
	desk := w.prompt("Desk", 15, 50, false)
	huddle := w.prompt("Team huddle", 20, 50, true)

	w.answer(swing, ana, false)          // Ana 10
	w.answer(desk, ana, true)            // Ana +7 (late, 15*50% rounded down)
	w.answer(swing, bo, false)           // Bo 10
	bDesk := w.answer(desk, bo, false)   // Bo +15, then hidden: 0
	cSwing := w.answer(swing, cy, false) // Cy 10 + bonus 7
	hRed := w.answer(huddle, bo, false)  // Red team 20, not Bo's
	w.answer(huddle, cy, true)           // Blue team 10 (late)
	if _, err := w.s.SetHidden(w.ctx, w.ev.ID, bDesk.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.AwardBonus(w.ctx, w.ev.ID, cSwing.ID, Bonus{Points: 7, Reason: "Best swing"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.s.AwardBonus(w.ctx, w.ev.ID, hRed.ID, Bonus{Points: 1}); err != nil {
		t.Fatal(err)
	}

	lb := w.board(nil)
	wantPeople := []row{
		{"Ana", 17, 1, true, 2},
		{"Cy", 17, 1, true, 1}, // team prompt answers are not counted for the sender
		{"Bo", 10, 3, false, 1},
		{"Dee", 0, 4, false, 0},
	}
	if diff := cmp.Diff(wantPeople, rows(lb.People)); diff != "" {
		t.Errorf("people (-want +got):\n%s", diff)
	}
	// Red: Ana 17 + Bo 10 + huddle 20+1 = 48; Blue: Cy 17 + late huddle 10 = 27.
	wantTeams := []row{{"Red", 48, 1, false, 4}, {"Blue", 27, 2, false, 2}, {"Green", 0, 3, false, 0}}
	if diff := cmp.Diff(wantTeams, rows(lb.Teams)); diff != "" {
		t.Errorf("teams (-want +got):\n%s", diff)
	}
	if lb.People[0].TeamName != "Red" || lb.Teams[0].Members != 2 || lb.Teams[2].Members != 0 {
		t.Errorf("names: person team %q, Red members %d, Green members %d", lb.People[0].TeamName, lb.Teams[0].Members, lb.Teams[2].Members)
	}

	// The SQL and Go forms of the rule agree, answer by answer.
	queue, err := w.s.ReviewQueue(w.ctx, w.ev.ID, ReviewFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sum := map[string]int{}
	for _, it := range queue {
		if !it.TeamPrompt {
			sum[it.ParticipantName] += ScoreOf(it.ScoringPrompt(), &it.Submission, nil).Total
		}
	}
	for _, st := range lb.People {
		if sum[st.Name] != st.Points {
			t.Errorf("%s: board says %d, ScoreOf sums to %d", st.Name, st.Points, sum[st.Name])
		}
	}

	// Moving Bo to Blue moves his own answers' points with him; the Red
	// huddle answer stays Red's.
	if err := w.s.db.Model(bo).Update("team_id", blue.ID).Error; err != nil {
		t.Fatal(err)
	}
	lb = w.board(nil)
	if got := rows(lb.Teams); got[0].Name != "Red" || got[0].Points != 38 || got[1].Points != 37 {
		t.Errorf("after moving Bo to Blue: %+v, want Red 38 (17+21), Blue 37 (27+10)", got)
	}
}

func TestLeaderboardTiesShareARankAndSkip(t *testing.T) {
	list := []Standing{{Points: 9}, {Points: 5}, {Points: 5}, {Points: 3}, {Points: 3}, {Points: 3}, {Points: 0}}
	rank(list)
	var got []int
	for _, s := range list {
		got = append(got, s.Rank)
	}
	if diff := cmp.Diff([]int{1, 2, 2, 4, 4, 4, 7}, got); diff != "" {
		t.Errorf("ranks (-want +got):\n%s", diff)
	}
	if list[0].Tied || !list[1].Tied || !list[2].Tied || !list[5].Tied || list[6].Tied {
		t.Errorf("tied flags wrong: %+v", list)
	}
}

func TestFrozenLeaderboardIgnoresAnswersAndBonusesAfterTheFreeze(t *testing.T) {
	w := newScoreWorld(t)
	red := w.team("Red")
	ana, bo := w.person("Ana", red), w.person("Bo", nil)
	swing := w.prompt("Swing", 10, 50, false)
	desk := w.prompt("Desk", 10, 50, false)
	huddle := w.prompt("Huddle", 20, 50, true)

	aSwing := w.answer(swing, ana, false)
	bSwing := w.answer(swing, bo, false)
	if _, err := w.s.AwardBonus(w.ctx, w.ev.ID, bSwing.ID, Bonus{Points: 2, Reason: "early"}); err != nil {
		t.Fatal(err)
	}
	w.advance(time.Hour)
	freeze := w.clock()
	w.advance(time.Minute)

	// After the freeze: a new answer, a team answer, a bonus, a replaced
	// answer and a changed bonus.
	w.answer(desk, ana, false)
	w.answer(huddle, ana, false)
	if _, err := w.s.AwardBonus(w.ctx, w.ev.ID, aSwing.ID, Bonus{Points: 5}); err != nil {
		t.Fatal(err)
	}
	w.answer(swing, bo, false) // replaced: it existed at the freeze, keeps counting

	live := w.board(nil)
	if diff := cmp.Diff([]row{{"Ana", 25, 1, false, 2}, {"Bo", 12, 2, false, 1}}, rows(live.People)); diff != "" {
		t.Errorf("live people (-want +got):\n%s", diff)
	}
	if live.Teams[0].Points != 45 {
		t.Errorf("live Red = %d, want 45 (Ana 25 + huddle 20)", live.Teams[0].Points)
	}
	frozen := w.board(&freeze)
	if diff := cmp.Diff([]row{{"Bo", 12, 1, false, 1}, {"Ana", 10, 2, false, 1}}, rows(frozen.People)); diff != "" {
		t.Errorf("frozen people (-want +got):\n%s", diff)
	}
	if frozen.Teams[0].Points != 10 {
		t.Errorf("frozen Red = %d, want 10 (Ana's swing only)", frozen.Teams[0].Points)
	}
	if frozen.AsOf == nil || !frozen.AsOf.Equal(freeze) {
		t.Errorf("frozen board AsOf = %v, want %v", frozen.AsOf, freeze)
	}
}

func TestModerationMarksReviewedAndKeepsAnswerTime(t *testing.T) {
	w := newScoreWorld(t)
	ana := w.person("Ana", nil)
	swing := w.prompt("Swing", 10, 50, false)
	sub := w.answer(swing, ana, false)
	sent := sub.UpdatedAt

	counts := func() ReviewCounts {
		c, err := w.s.ReviewCounts(w.ctx, w.ev.ID, ReviewFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := counts(); c != (ReviewCounts{Total: 1, Pending: 1}) {
		t.Fatalf("before review: %+v", c)
	}
	w.advance(time.Minute)
	got, err := w.s.SetStarred(w.ctx, w.ev.ID, sub.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Starred || !got.Reviewed() || !got.UpdatedAt.Equal(sent) {
		t.Errorf("after star: starred %v reviewed %v updated %v (want the answer time %v kept)", got.Starred, got.Reviewed(), got.UpdatedAt, sent)
	}
	if c := counts(); c != (ReviewCounts{Total: 1, Starred: 1}) {
		t.Errorf("after star: %+v", c)
	}
	// A replaced answer goes back in the queue; its moderation stays.
	w.advance(time.Minute)
	w.answer(swing, ana, false)
	if c := counts(); c != (ReviewCounts{Total: 1, Pending: 1, Starred: 1}) {
		t.Errorf("after replacing: %+v", c)
	}

	// Another event's id is not found, and nothing changes.
	if _, err := w.s.SetHidden(w.ctx, w.ev.ID+1, sub.ID, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("hide through another event: %v, want ErrNotFound", err)
	}
	if _, err := w.s.AwardBonus(w.ctx, w.ev.ID, sub.ID, Bonus{Points: MaxBonus + 1}); err == nil {
		t.Errorf("a bonus of %d was accepted", MaxBonus+1)
	}
	long := strings.Repeat("a", MaxBonusReason+1)
	if _, err := w.s.AwardBonus(w.ctx, w.ev.ID, sub.ID, Bonus{Points: 1, Reason: long}); err == nil {
		t.Errorf("a %d-character reason was accepted", len(long))
	}
	// A zero bonus clears the reason and the award time.
	if _, err := w.s.AwardBonus(w.ctx, w.ev.ID, sub.ID, Bonus{Points: 4, Reason: "nice"}); err != nil {
		t.Fatal(err)
	}
	got, err = w.s.AwardBonus(w.ctx, w.ev.ID, sub.ID, Bonus{Points: 0, Reason: "ignored"})
	if err != nil || got.BonusPoints != 0 || got.BonusReason != "" || got.AwardedAt != nil {
		t.Errorf("cleared bonus: %+v, %v", got, err)
	}
	key, err := w.s.DeleteSubmission(w.ctx, w.ev.ID, sub.ID)
	if err != nil || key != "" {
		t.Errorf("delete: key %q err %v", key, err)
	}
	if c := counts(); c != (ReviewCounts{}) {
		t.Errorf("after delete: %+v", c)
	}
}
