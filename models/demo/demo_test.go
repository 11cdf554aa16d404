package demo

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/alexedwards/argon2id"
	"github.com/google/go-cmp/cmp"

	"retreat/models"
	"retreat/models/backendtest"
	"retreat/models/media"
)

// testNow is the moment tests seed at, so two runs can be compared.
var testNow = time.Date(2026, 12, 4, 15, 30, 0, 0, time.UTC)

// cheapHashing keeps the organizer's password hash from costing 64 MiB
// (and seconds under the race detector); hashing has tests of its own.
var cheapHashing = &argon2id.Params{Memory: 64, Iterations: 1, Parallelism: 1, SaltLength: 16, KeyLength: 32}

// openStores opens a new database and photo store on the back end the
// tests run on (a SQLite file and a folder by default).
func openStores(t testing.TB) (*models.Store, media.Store) {
	t.Helper()
	store, err := models.Open(context.Background(), backendtest.DatabaseURL(t), models.Options{HashParams: cheapHashing})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	return store, backendtest.PhotoStore(t, filepath.Join(t.TempDir(), "media"))
}

func seed(t testing.TB, store *models.Store, photos media.Store, opts Options) *Result {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = testNow
	}
	res, err := Seed(context.Background(), store, photos, opts)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	return res
}

// TestDemoSeedShape seeds the full event and checks it through the
// store's own queries: what the dashboard and the reveal will read.
func TestDemoSeedShape(t *testing.T) {
	store, photos := openStores(t)
	ctx := t.Context()
	start := time.Now()
	res := seed(t, store, photos, Options{Photos: PhotoFast})
	t.Logf("seeded %+v in %s", res.Counts, time.Since(start))

	o, err := store.Authenticate(ctx, res.Organizer.Email, res.Organizer.Password)
	if err != nil || !res.Organizer.Created {
		t.Fatalf("sign in as the created organizer %+v: %v", res.Organizer, err)
	}
	oe, err := store.EventForOrganizer(ctx, o.ID, res.EventID)
	if err != nil {
		t.Fatal(err)
	}
	ev := &oe.Event
	t.Run("event is over, frozen, and its reveal is due", func(t *testing.T) {
		if ev.Name != res.EventName || strings.Contains(ev.Name, "seeded") {
			t.Errorf("name = %q, result says %q", ev.Name, res.EventName)
		}
		if !ev.TeamsEnabled || ev.GalleryOpen || ev.RecapOpen {
			t.Errorf("settings: teams %t gallery %t recap %t, want teams only", ev.TeamsEnabled, ev.GalleryOpen, ev.RecapOpen)
		}
		if !ev.EndsAt.Before(testNow) || ev.RevealAt == nil || !ev.RevealAt.After(testNow) ||
			ev.FreezeAt == nil || ev.FreezeAt.Before(ev.EndsAt) || ev.FreezeAt.After(testNow) {
			t.Errorf("ends %v, freezes %v, reveal %v: want ended, frozen since, reveal after %v", ev.EndsAt, ev.FreezeAt, ev.RevealAt, testNow)
		}
		if days := ev.EventDays(); days != 5 {
			t.Errorf("event spans %d days, want 5", days)
		}
	})

	people, err := store.Participants(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("people", func(t *testing.T) {
		if len(people) != 300 {
			t.Fatalf("participants = %d, want 300", len(people))
		}
		zones, emails, nonASCII, long := map[string]int{}, 0, 0, 0
		for _, p := range people {
			zones[p.TimeZone]++
			if p.Email != "" {
				emails++
			}
			if p.TeamID == nil {
				t.Errorf("%s has no team", p.Name)
			}
			if utf8.RuneCountInString(p.Name) != len(p.Name) {
				nonASCII++
			}
			if utf8.RuneCountInString(p.Name) >= 28 {
				long++
			}
			if !p.LastSeenAt.After(p.CreatedAt) || p.CreatedAt.After(ev.StartsAt) {
				t.Errorf("%s joined %v, last seen %v: want joined before the start, seen since", p.Name, p.CreatedAt, p.LastSeenAt)
			}
		}
		if len(zones) < 12 || zones["Asia/Kolkata"] == 0 || zones["Pacific/Auckland"] == 0 || zones["America/Los_Angeles"] == 0 || zones["Africa/Lagos"] == 0 {
			t.Errorf("zones = %v, want at least 12 over every continent, Kolkata's half hour included", zones)
		}
		if emails < 60 || emails > 240 {
			t.Errorf("%d of 300 gave an email, want some but not all", emails)
		}
		if nonASCII < 30 || long < 2 {
			t.Errorf("%d names with letters beyond ASCII and %d long ones, want plenty and a few", nonASCII, long)
		}
	})
	t.Run("teams", func(t *testing.T) {
		teams, err := store.TeamSummaries(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, tm := range teams {
			if tm.Members < 20 || tm.Answers != 1 {
				t.Errorf("team %s: %d members, %d team answers; want a real team with its one team answer", tm.Name, tm.Members, tm.Answers)
			}
			total += tm.Members
		}
		if len(teams) != 8 || total != 300 {
			t.Errorf("%d teams holding %d people, want 8 holding everyone", len(teams), total)
		}
	})

	prompts, err := store.Prompts(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("prompts", func(t *testing.T) {
		kinds, schedules, points := map[models.PromptKind]int{}, map[models.ScheduleKind]int{}, map[int]bool{}
		team, grace := 0, 0
		for _, p := range prompts {
			kinds[p.Kind]++
			schedules[p.Schedule]++
			points[p.Points] = true
			if p.TeamPrompt {
				team++
			}
			if p.GraceMinutes > 0 {
				grace++
			}
			for _, z := range []string{"Pacific/Auckland", "America/Los_Angeles", "Asia/Kathmandu"} {
				loc, _ := models.LoadZone(z)
				if st := p.StateAt(ev, loc, testNow); st != models.StateClosed {
					t.Errorf("%q is %s in %s, want closed: the event is over", p.Title, st, z)
				}
			}
		}
		if len(prompts) != 8 || kinds[models.KindPhoto] < 4 || kinds[models.KindText] < 2 ||
			schedules[models.ScheduleDaily] != 1 || schedules[models.ScheduleWindow] != 1 || team != 1 || grace < 2 || len(points) < 4 {
			t.Errorf("%d prompts: kinds %v schedules %v, %d team, %d with a late window, points %v", len(prompts), kinds, schedules, team, grace, points)
		}
	})

	subs, err := store.EventSubmissions(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("answers", func(t *testing.T) {
		if n := len(subs); n < 1800 || n > 2200 || n != res.Counts.Answers {
			t.Fatalf("answers = %d (result says %d), want about 2,000", n, res.Counts.Answers)
		}
		var late, nfl, hidden, starred, bonus, captions, emoji, texts, multiline int
		sizes, shapes := map[[2]int]bool{}, map[string]int{}
		perPerson := map[uint]int{}
		for _, s := range subs {
			perPerson[s.ParticipantID]++
			late += b2i(s.Late)
			nfl += b2i(s.NotForLive)
			hidden += b2i(s.Hidden)
			starred += b2i(s.Starred)
			bonus += b2i(s.BonusPoints > 0)
			if !s.HasPhoto() {
				texts++
				multiline += b2i(strings.Contains(s.Text, "\n"))
				continue
			}
			sizes[[2]int{s.PhotoWidth, s.PhotoHeight}] = true
			shapes[shape(s.PhotoWidth, s.PhotoHeight)]++
			if long := max(s.PhotoWidth, s.PhotoHeight); long < 640 || long > 3000 {
				t.Errorf("photo %d is %dx%d, want a long edge of 640 to 3000", s.ID, s.PhotoWidth, s.PhotoHeight)
			}
			if s.TakenAt == nil || !s.TakenAt.Before(s.CreatedAt) {
				t.Errorf("photo %d taken %v, sent %v: want taken first", s.ID, s.TakenAt, s.CreatedAt)
			}
			if s.Caption != "" {
				captions++
				emoji += b2i(strings.ContainsFunc(s.Caption, func(r rune) bool { return r > 0x1F000 }))
			}
		}
		photosN := len(subs) - texts
		t.Logf("%d photos in %d sizes %v; %d texts (%d multi-line); %d captions (%d with emoji); late %d, not for live %d, hidden %d, starred %d, bonus %d",
			photosN, len(sizes), shapes, texts, multiline, captions, emoji, late, nfl, hidden, starred, bonus)
		if photosN < 900 || texts < 500 || len(sizes) < photosN/2 || shapes["portrait"] < 200 || shapes["landscape"] < 200 || shapes["square"] < 50 {
			t.Errorf("%d photos in %d sizes %v, %d texts: want varied photos and texts", photosN, len(sizes), shapes, texts)
		}
		if captions < photosN/2 || captions == photosN || emoji < 20 || multiline < 50 {
			t.Errorf("%d of %d photos captioned (%d with emoji), %d multi-line texts", captions, photosN, emoji, multiline)
		}
		if late < 20 || nfl < 20 || hidden < 10 || starred < 40 || bonus < 5 {
			t.Errorf("late %d, not for live %d, hidden %d, starred %d, bonus %d: want some of each", late, nfl, hidden, starred, bonus)
		}
		if len(perPerson) < 290 {
			t.Errorf("only %d people answered anything", len(perPerson))
		}
		all := 0
		for _, n := range perPerson {
			if n >= 7 {
				all++
			}
		}
		if all == len(perPerson) || all < 150 {
			t.Errorf("%d of %d people answered every prompt: want most, not all", all, len(perPerson))
		}
	})
	t.Run("photo files", func(t *testing.T) {
		for _, s := range subs {
			if !s.HasPhoto() {
				continue
			}
			for _, key := range []string{models.PhotoFile(s.PhotoKey, media.Thumb), models.PhotoFile(s.PhotoKey, media.Phone),
				models.PhotoFile(s.PhotoKey, media.Full), models.OriginalFile(s.PhotoKey, s.PhotoFormat)} {
				f, err := photos.Open(ctx, key)
				if err != nil {
					t.Fatalf("answer %d: %v", s.ID, err)
				}
				f.Close()
			}
		}
	})
	t.Run("reveal, votes, guesses, reactions", func(t *testing.T) {
		deck, err := store.RevealSubmissions(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		shown := 0
		for _, s := range subs {
			shown += b2i(s.MayReveal())
		}
		if len(deck) != shown || shown >= len(subs) {
			t.Errorf("the reveal has %d answers, want the %d of %d not hidden nor kept out", len(deck), shown, len(subs))
		}
		votes, err := store.VoteTotals(ctx, ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, n := range votes {
			total += n
		}
		if total < 500 || total != res.Counts.Votes {
			t.Errorf("votes = %d (result says %d), want hundreds", total, res.Counts.Votes)
		}
		reactions, err := store.ReactionTotals(ctx, ev.ID)
		if err != nil || len(reactions) < 300 {
			t.Errorf("reactions on %d answers (%v), want hundreds", len(reactions), err)
		}
		var guesses, right int64
		store.DB().Table("guesses").Where("event_id = ?", ev.ID).Count(&guesses)
		store.DB().Table("guesses g").Joins("JOIN submissions s ON s.id = g.submission_id").
			Where("g.event_id = ? AND (g.guessed_participant_id = s.participant_id OR g.guessed_team_id = s.team_id)", ev.ID).Count(&right)
		if guesses < 200 || right < guesses/5 || right > guesses/2 {
			t.Errorf("%d guesses, %d right: want hundreds, about a third right", guesses, right)
		}
	})
}

func shape(w, h int) string {
	switch {
	case w > h:
		return "landscape"
	case w < h:
		return "portrait"
	}
	return "square"
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestDemoSeedIsDeterministic seeds twice with one seed into two
// databases: the same event, but for ids, tokens and photo keys (random
// by design); another seed makes another event.
func TestDemoSeedIsDeterministic(t *testing.T) {
	dumpOf := func(seedValue uint64) []string {
		store, photos := openStores(t)
		res := seed(t, store, photos, Options{People: 60, Seed: seedValue, Photos: PhotoFast})
		return dump(t, store, res.EventID)
	}
	a, b := dumpOf(42), dumpOf(42)
	if len(a) < 500 {
		t.Fatalf("dump has %d lines, want the whole event", len(a))
	}
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("two seeds with the same seed differ (-first +second):\n%s", diff)
	}
	if c := dumpOf(43); cmp.Equal(a, c) {
		t.Error("seeds 42 and 43 made the same event")
	}
}

// dump lists an event's rows as text, by names rather than ids.
func dump(t *testing.T, store *models.Store, eventID uint) []string {
	t.Helper()
	var out []string
	add := func(query string) {
		rows, err := store.DB().Raw(query, eventID).Rows()
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprint(vals...))
		}
	}
	add(`SELECT name, description, starts_at, ends_at, time_zone, freeze_at, reveal_at FROM events WHERE id = ?`)
	add(`SELECT title, kind, points, schedule, opens_at, closes_at, daily_day, grace_minutes, team_prompt FROM prompts WHERE event_id = ?`)
	add(`SELECT p.name, p.time_zone, p.email, t.name, p.created_at, p.last_seen_at FROM participants p JOIN teams t ON t.id = p.team_id WHERE p.event_id = ?`)
	add(`SELECT pr.title, pa.name, s.owner_key LIKE 't%', s.caption, s.text, s.photo_width, s.photo_height, s.taken_at, s.late, s.not_for_live,
		s.hidden, s.starred, s.bonus_points, s.bonus_reason, s.created_at, s.reviewed_at
		FROM submissions s JOIN prompts pr ON pr.id = s.prompt_id JOIN participants pa ON pa.id = s.participant_id WHERE s.event_id = ?`)
	add(`SELECT voter.name, pr.title, author.name, v.created_at FROM votes v JOIN participants voter ON voter.id = v.participant_id
		JOIN submissions s ON s.id = v.submission_id JOIN participants author ON author.id = s.participant_id
		JOIN prompts pr ON pr.id = s.prompt_id WHERE v.event_id = ?`)
	add(`SELECT guesser.name, author.name, pr.title, COALESCE(guessed.name, ''), COALESCE(tm.name, '')
		FROM guesses g JOIN participants guesser ON guesser.id = g.participant_id JOIN submissions s ON s.id = g.submission_id
		JOIN participants author ON author.id = s.participant_id JOIN prompts pr ON pr.id = s.prompt_id
		LEFT JOIN participants guessed ON guessed.id = g.guessed_participant_id LEFT JOIN teams tm ON tm.id = g.guessed_team_id
		WHERE g.event_id = ?`)
	add(`SELECT COALESCE(pa.name, ''), COALESCE(pr.title, ''), r.emoji, r.count FROM reaction_counts r
		LEFT JOIN submissions s ON s.id = r.submission_id LEFT JOIN participants pa ON pa.id = s.participant_id
		LEFT JOIN prompts pr ON pr.id = s.prompt_id WHERE r.event_id = ?`)
	slices.Sort(out)
	return out
}

// TestDemoSeedTwice makes a second event with a second organizer, and a
// third for an organizer named by email.
func TestDemoSeedTwice(t *testing.T) {
	store, photos := openStores(t)
	ctx := t.Context()
	first := seed(t, store, photos, Options{People: 12, Photos: PhotoFast})
	second := seed(t, store, photos, Options{People: 12, Photos: PhotoFast})
	if first.EventID == second.EventID || first.Organizer.Email != "demo@lumenlabs.example" ||
		second.Organizer.Email != "demo2@lumenlabs.example" || !second.Organizer.Created || second.Organizer.Password == first.Organizer.Password {
		t.Fatalf("seeding twice: %+v then %+v, want two events with an organizer each", first, second)
	}
	third := seed(t, store, photos, Options{People: 12, Photos: PhotoFast, OrganizerEmail: "DEMO@lumenlabs.example"})
	if third.Organizer.Created || third.Organizer.Password != "" || third.Organizer.Email != first.Organizer.Email {
		t.Errorf("seeding for an existing organizer: %+v, want that account, no password", third.Organizer)
	}
	o, err := store.OrganizerByEmail(ctx, first.Organizer.Email)
	if err != nil {
		t.Fatal(err)
	}
	events, err := store.EventsForOrganizer(ctx, o.ID)
	if err != nil || len(events) != 2 {
		t.Fatalf("the first organizer has %d events (%v), want 2", len(events), err)
	}
	for _, id := range []uint{first.EventID, second.EventID, third.EventID} {
		people, err := store.Participants(ctx, id)
		if err != nil || len(people) != 12 {
			t.Errorf("event %d has %d people (%v), want 12", id, len(people), err)
		}
	}
}

// failingPhotos fails every Put after the first ok ones.
type failingPhotos struct {
	media.Store
	ok, puts atomic.Int64
}

func (f *failingPhotos) Put(ctx context.Context, key string, r io.Reader) error {
	if f.puts.Add(1) > f.ok.Load() {
		return errors.New("disk full")
	}
	return f.Store.Put(ctx, key, r)
}

// TestDemoSeedFailureLeavesNothing stops seeding midway (a photo store
// that fills up, Ctrl+C during the answers, Ctrl+C after them) and finds
// nothing left: no event, no organizer, no rows, no photo files.
func TestDemoSeedFailureLeavesNothing(t *testing.T) {
	for _, tc := range []struct {
		name string
		// photosOK is how many files the store takes before failing
		// (0: all); cancelAt cancels when progress reports that stage.
		photosOK int64
		cancelAt string
		want     error
	}{
		{name: "photo store fills up", photosOK: 120},
		{name: "cancelled during the answers", cancelAt: "answers", want: context.Canceled},
		{name: "cancelled after the votes", cancelAt: "votes", want: context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store, disk := openStores(t)
			photos := &failingPhotos{Store: disk}
			photos.ok.Store(1 << 40)
			if tc.photosOK > 0 {
				photos.ok.Store(tc.photosOK)
			}
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			opts := Options{People: 40, Photos: PhotoFast, Now: testNow, Progress: func(p Progress) {
				if p.Stage == tc.cancelAt && p.Done >= min(100, p.Total) {
					cancel()
				}
			}}
			_, err := Seed(ctx, store, photos, opts)
			if err == nil || tc.want != nil && !errors.Is(err, tc.want) || !strings.Contains(err.Error(), "has been removed") {
				t.Fatalf("seed = %v, want it to fail with %v and say it cleaned up", err, tc.want)
			}
			if photos.puts.Load() == 0 {
				t.Fatal("the test stopped seeding before any photo was stored")
			}
			assertEmpty(t, store, disk)
		})
	}
}

// TestDemoSeedRefusesBadOptions writes nothing for options it refuses.
func TestDemoSeedRefusesBadOptions(t *testing.T) {
	store, photos := openStores(t)
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no people", Options{People: -1}, "people must be between"},
		{"too many people", Options{People: MaxPeople + 1}, "people must be between"},
		{"unknown photo mode", Options{Photos: 7}, "unknown photo mode"},
		{"negative workers", Options{Workers: -2}, "workers must be positive"},
		{"unknown organizer", Options{People: 3, Photos: PhotoFast, OrganizerEmail: "nobody@example.com"}, "no organizer has the email"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Seed(t.Context(), store, photos, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("seed = %v, want an error saying %q", err, tc.want)
			}
			assertEmpty(t, store, photos)
		})
	}
}

// assertEmpty fails unless the database holds no event data and no
// organizer, and the photo store no event files.
func assertEmpty(t *testing.T, store *models.Store, photos media.Store) {
	t.Helper()
	for _, table := range []string{"organizers", "events", "event_organizers", "teams", "prompts", "participants", "submissions", "votes", "guesses", "reaction_counts"} {
		var n int64
		if err := store.DB().Table(table).Count(&n).Error; err != nil || n != 0 {
			t.Errorf("%s holds %d rows (%v), want none", table, n, err)
		}
	}
	var files []string
	if err := photos.List(t.Context(), "events/", func(k string) error {
		files = append(files, k)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(files) > 0 {
		t.Errorf("%d photo files left, such as %s", len(files), files[0])
	}
}

// TestDemoSeedPipelinePhotos seeds a few people with full-size photos
// through the upload pipeline: every rendition decodes, upright (portraits
// were stored sideways with an EXIF orientation), with the capture time
// read from EXIF.
func TestDemoSeedPipelinePhotos(t *testing.T) {
	if testing.Short() {
		t.Skip("draws and processes full-size photos")
	}
	store, photos := openStores(t)
	ctx := t.Context()
	res := seed(t, store, photos, Options{People: 2})
	subs, err := store.EventSubmissions(ctx, res.EventID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range subs {
		if !s.HasPhoto() {
			continue
		}
		n++
		if s.TakenAt == nil {
			t.Errorf("photo %d has no capture time: the EXIF block was not read", s.ID)
		}
		f, err := photos.Open(ctx, models.PhotoFile(s.PhotoKey, media.Full))
		if err != nil {
			t.Fatal(err)
		}
		cfg, _, err := image.DecodeConfig(f)
		f.Close()
		if err != nil {
			t.Fatalf("photo %d full rendition: %v", s.ID, err)
		}
		if shape(cfg.Width, cfg.Height) != shape(s.PhotoWidth, s.PhotoHeight) || max(cfg.Width, cfg.Height) != min(2048, max(s.PhotoWidth, s.PhotoHeight)) {
			t.Errorf("photo %d is %dx%d, its full rendition %dx%d: want the same shape, upright, at most 2048", s.ID, s.PhotoWidth, s.PhotoHeight, cfg.Width, cfg.Height)
		}
	}
	if n < 6 || n != res.Counts.Photos {
		t.Errorf("%d photos stored, result says %d", n, res.Counts.Photos)
	}
}
