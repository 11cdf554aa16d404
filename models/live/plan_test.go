package live

import (
	"context"
	"fmt"
	"testing"
	"time"

	"retreat/models"
)

// companySource is a company's event in memory: people in teams and
// zones, prompts (every other one text) answered by most of them, a few
// answers starred, and a board of 10 teams and everyone.
func companySource(people, prompts int, answerEvery int) *Source {
	ev := &models.Event{ID: 7, Name: "Company retreat", TeamsEnabled: true}
	src := &Source{Event: ev, Board: &models.Leaderboard{}}
	zones := []string{"America/Los_Angeles", "America/New_York", "America/Sao_Paulo", "Europe/London", "Europe/Berlin",
		"Africa/Lagos", "Asia/Kolkata", "Asia/Singapore", "Asia/Tokyo", "Australia/Sydney", "Pacific/Auckland", "Europe/Kyiv"}
	teams := []string{"Otters", "Falcons", "Badgers", "Owls", "Foxes", "Lynxes", "Herons", "Wolves"}
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	id := uint(0)
	for p := range prompts {
		kind := models.KindPhoto
		if p%2 == 1 {
			kind = models.KindText
		}
		src.Prompts = append(src.Prompts, models.Prompt{ID: uint(p + 1), EventID: ev.ID, Kind: kind, Title: fmt.Sprintf("Prompt %d", p+1), Position: p})
		for person := range people {
			if (person+p)%answerEvery == 0 {
				continue // not everyone answers everything
			}
			id++
			s := models.RevealSubmission{ParticipantName: fmt.Sprintf("Person %d", person+1),
				TeamName: teams[person%len(teams)], ParticipantZone: zones[(person/3)%len(zones)]}
			s.ID, s.EventID, s.PromptID, s.ParticipantID = id, ev.ID, uint(p+1), uint(person+1)
			s.CreatedAt = start.Add(time.Duration(id) * time.Minute)
			s.Starred = (person+31*p)%97 == 5
			if kind == models.KindPhoto {
				s.PhotoKey, s.PhotoWidth, s.PhotoHeight = fmt.Sprintf("events/7/%08x", id), 1600, 1200
			} else {
				s.Text = fmt.Sprintf("Answer %d", id)
			}
			src.Submissions = append(src.Submissions, s)
		}
	}
	for i, t := range teams {
		src.Board.Teams = append(src.Board.Teams, models.Standing{ID: uint(i + 1), Name: t, Rank: i + 1, Points: 100 - i})
	}
	for i := range people {
		src.Board.People = append(src.Board.People, models.Standing{ID: uint(i + 1), Name: fmt.Sprintf("Person %d", i+1), Rank: i + 1, Points: 1000 - i})
	}
	return src
}

func buildFrom(t testing.TB, src *Source) Deck {
	t.Helper()
	d := Deck{EventID: src.Event.ID}
	for _, sec := range DefaultSections() {
		slides, err := sec(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		d.Slides = append(d.Slides, slides...)
	}
	for i := range d.Slides {
		d.Slides[i].Seconds = PlannedSeconds(&d.Slides[i])
	}
	return d
}

// TestTwentyMinutesOfTwoThousandAnswers: the default plan for 300 people
// and about 2,000 answers fits 20 minutes, puts every answer on screen
// exactly once, gives every prompt a spotlight, and spreads them.
func TestTwentyMinutesOfTwoThousandAnswers(t *testing.T) {
	src := companySource(300, 8, 6)
	if n := len(src.Submissions); n < 1900 || n > 2100 {
		t.Fatalf("%d answers, want about 2,000", n)
	}
	d := buildFrom(t, src)
	total := 0
	seen := map[uint]int{}
	spotlit := map[uint]int{} // person → spotlights
	perPrompt := map[uint]int{}
	for _, sl := range d.Slides {
		total += sl.Seconds
		switch sl.Kind {
		case KindPhoto, KindText:
			seen[sl.SubmissionID]++
			perPrompt[sl.PromptID]++
		case KindMosaic:
			if len(sl.Tiles) > MaxShowTilesForTest {
				t.Errorf("%s holds %d answers", sl.Key, len(sl.Tiles))
			}
			for _, tile := range sl.Tiles {
				seen[tile.SubmissionID]++
			}
		}
	}
	if total > 20*60 {
		t.Errorf("the deck is planned at %d s, over 20 minutes", total)
	}
	if total < 15*60 {
		t.Errorf("the deck is planned at %d s: a 20-minute show left a quarter unused", total)
	}
	for _, s := range src.Submissions {
		if seen[s.ID] != 1 {
			t.Errorf("answer %d is on %d slides, want 1", s.ID, seen[s.ID])
		}
		if s.Starred && perPrompt[s.PromptID] == 0 {
			t.Errorf("prompt %d has a starred answer but no spotlight", s.PromptID)
		}
	}
	for _, s := range src.Submissions {
		if d.Index(SubmissionKey(s.ID)) >= 0 {
			spotlit[s.ParticipantID]++
		}
	}
	for p := range src.Prompts {
		if perPrompt[uint(p+1)] == 0 {
			t.Errorf("prompt %d has no spotlight", p+1)
		}
	}
	for person, n := range spotlit {
		if n > 1 {
			t.Errorf("person %d is in the spotlight %d times while others never are", person, n)
		}
	}
	plan, err := src.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if plan.Seconds != total || plan.Slides != len(d.Slides) {
		t.Errorf("the plan says %d s in %d slides, the deck is %d s in %d", plan.Seconds, plan.Slides, total, len(d.Slides))
	}
	t.Logf("%d answers: %d slides, %d:%02d planned, %d spotlights", len(src.Submissions), len(d.Slides), total/60, total%60, len(seen)-countTiles(d))
}

// MaxShowTilesForTest is the most a planned mosaic screen may hold.
const MaxShowTilesForTest = models.MaxShowTiles

func countTiles(d Deck) int {
	n := 0
	for _, sl := range d.Slides {
		n += len(sl.Tiles)
	}
	return n
}

// TestSpotlightsSpreadAcrossTeamsAndZones: within a prompt, the fair pick
// takes from every team and many zones before any repeats.
func TestSpotlightsSpreadAcrossTeamsAndZones(t *testing.T) {
	src := companySource(300, 1, 1000)
	eight := 8
	src.Prompts[0].ShowSpotlights = &eight
	for i := range src.Submissions {
		src.Submissions[i].Starred = false
	}
	d := buildFrom(t, src)
	teams, zones := map[string]int{}, map[string]int{}
	byID := map[uint]*models.RevealSubmission{}
	for i := range src.Submissions {
		byID[src.Submissions[i].ID] = &src.Submissions[i]
	}
	n := 0
	for _, sl := range d.Slides {
		if sl.Kind == KindPhoto {
			s := byID[sl.SubmissionID]
			teams[s.TeamName]++
			zones[s.ParticipantZone]++
			n++
		}
	}
	if n != 8 || len(teams) != 8 || len(zones) != 8 {
		t.Errorf("8 spotlights from %d teams and %d zones (of %d): %v %v", len(teams), len(zones), n, teams, zones)
	}
	// The same event rebuilt picks the same answers.
	src.plan = nil
	d2 := buildFrom(t, src)
	for i := range d.Slides {
		if d.Slides[i].Key != d2.Slides[i].Key {
			t.Fatalf("a rebuild changed slide %d: %s, then %s", i, d.Slides[i].Key, d2.Slides[i].Key)
		}
	}
}

// TestPlanKeepsTheOrganizersChoices: a prompt left out has no slides, set
// spotlights and tiles are kept whatever the time, and an over-long plan
// says so.
func TestPlanKeepsTheOrganizersChoices(t *testing.T) {
	src := companySource(120, 3, 1000)
	src.Event.ShowMinutes = 3
	twenty := 20
	src.Prompts[0].ShowSpotlights = &twenty
	src.Prompts[0].ShowTiles = 12
	src.Prompts[1].ShowOut = true
	d := buildFrom(t, src)
	spot, pages := 0, 0
	for _, sl := range d.Slides {
		switch {
		case sl.PromptID == 2:
			t.Errorf("slide %s of the prompt left out", sl.Key)
		case sl.PromptID == 1 && sl.Kind == KindPhoto:
			spot++
		case sl.PromptID == 1 && sl.Kind == KindMosaic:
			pages++
			if len(sl.Tiles) > 12 {
				t.Errorf("%s holds %d, over the 12 set", sl.Key, len(sl.Tiles))
			}
		}
	}
	if spot != 20 || pages != 9 { // 100 others at 12 a screen: 9 screens
		t.Errorf("prompt 1: %d spotlights on %d mosaic screens, want 20 on 9", spot, pages)
	}
	plan, _ := src.Plan(context.Background())
	if plan.Fits() {
		t.Errorf("a 3-minute show of %d s fits", plan.Seconds)
	}
}

// BenchmarkDeckBuild2000 times planning and building the deck of 2,000
// answers from a loaded source (the database read is BenchmarkBuildDeck's,
// in handlers/live).
func BenchmarkDeckBuild2000(b *testing.B) {
	base := companySource(300, 8, 6)
	b.ReportAllocs()
	for b.Loop() {
		src := *base
		src.plan = nil
		buildFrom(b, &src)
	}
}
