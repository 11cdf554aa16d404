package demo

import (
	"fmt"
	"math/rand/v2"
	"time"

	"retreat/models"
)

// homeZone is the company's (and the event's) time zone.
const homeZone = "Europe/Berlin"

// timeline is when the event happened, relative to the moment of seeding:
// it ran over five days in the home zone, from 09:00 on the first to 17:30
// on the last, which was the latest such day at least three hours ago;
// every late window has closed since, the leaderboard is frozen and the
// reveal is planned for the next hour. Being fixed to the home zone's
// clock, the event has the same shape whenever it is seeded (but for
// daylight-saving differences between zones).
type timeline struct {
	home                *time.Location
	now                 time.Time
	created             time.Time // the organizer set the event up
	start, end          time.Time
	freeze, reveal      time.Time
	coffeeCloses        time.Time // the one prompt with fixed times
	moderationDeadline  time.Time // organizers stop reviewing
	revealVotesAndGuess time.Time // phones vote and guess (see crowd.go)
}

func newTimeline(now time.Time, home *time.Location) timeline {
	latest := now.Add(-3 * time.Hour)
	y, m, d := latest.In(home).Date()
	end := time.Date(y, m, d, 17, 30, 0, 0, home)
	if end.After(latest) {
		end = time.Date(y, m, d-1, 17, 30, 0, 0, home)
		y, m, d = end.Date()
	}
	start := time.Date(y, m, d-4, 9, 0, 0, 0, home)
	return timeline{
		home:                home,
		now:                 now,
		created:             start.Add(-14 * 24 * time.Hour),
		start:               start.UTC(),
		end:                 end.UTC(),
		freeze:              end.Add(maxGrace + 15*time.Minute).UTC(),
		reveal:              now.Add(time.Hour).Truncate(30 * time.Minute).Add(30 * time.Minute).UTC(),
		coffeeCloses:        time.Date(y, m, d-2, 18, 0, 0, 0, home).UTC(),
		moderationDeadline:  end.Add(maxGrace + 10*time.Minute).UTC(),
		revealVotesAndGuess: end.Add(maxGrace + 20*time.Minute).UTC(),
	}
}

// maxGrace is the longest late window of the prompts below: the event's
// clock must have passed it so every prompt is closed.
const maxGrace = 2 * time.Hour

// promptSpec is one prompt of the hunt and how people answer it.
type promptSpec struct {
	input func(tl timeline) models.PromptInput
	// popularity scales how likely people answer it.
	popularity float64
	// lateShare is the share of its answers sent in the late window.
	lateShare float64
	scene     scene
	captions  []string
	texts     func(rng *rand.Rand, p *person) string
}

// prompts is the hunt: eight prompts, photo and text, one per team, one
// daily (at 08:00 in each person's own zone), one with fixed times, with
// different points and late windows.
var prompts = []promptSpec{
	{
		input: func(timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindPhoto, Title: "Your desk view",
				Description: "Show us where the work happens. Cables, plants, cats and coffee rings welcome; tidying up is cheating.",
				Points:      10, RemindMinutes: 24 * 60}
		},
		popularity: 1.0, scene: sceneDesk, captions: deskCaptions,
	},
	{
		input: func(timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindPhoto, Title: "Something blue",
				Description: "Anything blue within ten steps of where you are right now.", Points: 5}
		},
		popularity: 1.0, scene: sceneBlue, captions: blueCaptions,
	},
	{
		input: func(tl timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindPhoto, Title: "Best coffee in town",
				Description: fmt.Sprintf("Your favourite café, or your own setup if that is the best in town. Until %s 18:00 Berlin time; late entries get half points.",
					tl.coffeeCloses.In(tl.home).Weekday()),
				Points: 15, Schedule: models.ScheduleWindow, OpensAt: &tl.start, ClosesAt: &tl.coffeeCloses,
				GraceMinutes: 120, LatePercent: 50}
		},
		popularity: 0.97, lateShare: 0.08, scene: sceneCoffee, captions: coffeeCaptions,
	},
	{
		input: func(timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindText, Title: "What are you reading?",
				Description: "A book, a paper, a blog, the back of a cereal box: what is it, and would you recommend it?", Points: 5}
		},
		popularity: 0.98, texts: readingAnswer,
	},
	{
		input: func(tl timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindPhoto, Title: "Breakfast, wherever you are",
				Description: fmt.Sprintf("Opens %s at 08:00 in your own time zone, for a day. Show us what breakfast looks like where you live.",
					tl.start.In(tl.home).AddDate(0, 0, 1).Weekday()),
				Points: 10, Schedule: models.ScheduleDaily, DailyDay: 2, DailyMinute: 8 * 60, DailyDays: 1,
				GraceMinutes: 60, LatePercent: 50}
		},
		popularity: 0.96, lateShare: 0.06, scene: sceneBreakfast, captions: breakfastCaptions,
	},
	{
		input: func(timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindPhoto, Title: "Team album cover",
				Description: "Recreate a famous album cover with your team. A video-call screenshot counts; one per team, the last one sent wins.",
				Points:      25, TeamPrompt: true}
		},
		popularity: 1.0, scene: sceneAlbum, captions: albumCaptions,
	},
	{
		input: func(timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindText, Title: "Teach us a word",
				Description: "A word from your language (or your family's) that English is missing, and what it means.", Points: 10}
		},
		popularity: 0.95, texts: wordAnswer,
	},
	{
		input: func(timeline) models.PromptInput {
			return models.PromptInput{Kind: models.KindText, Title: "Two truths and a lie",
				Description: "Three things about you; the room guesses which one is made up at the reveal. Late answers until two hours after the end.",
				Points:      10, GraceMinutes: 120, LatePercent: 50}
		},
		popularity: 0.98, lateShare: 0.1, texts: truthsAnswer,
	},
}

// eventInput is the event as its organizer set it up.
func eventInput(tl timeline, name string) models.EventInput {
	return models.EventInput{
		Name: name,
		Description: "Five days, eight prompts, one company in a dozen time zones. Answer when it suits your day; " +
			"we reveal everything together on the Friday call.",
		StartsAt: tl.start, EndsAt: tl.end, TimeZone: homeZone,
		TeamsEnabled: true, FreezeAt: &tl.freeze, RevealAt: &tl.reveal,
	}
}

// eventName is the event's name once seeded. While it is being seeded it
// carries seedingSuffix, so an event left by a seed that was killed (not
// one that failed: that one is deleted) says what it is.
func eventName(tl timeline) string {
	return fmt.Sprintf("Lumen Labs retreat %d: the async hunt", tl.start.In(tl.home).Year())
}

const seedingSuffix = " (demo being seeded)"
