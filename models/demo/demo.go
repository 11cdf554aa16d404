// Package demo seeds a finished company retreat into a store, through the
// store's own methods, for demos, screenshots and load tests: hundreds of
// people in a dozen time zones on eight teams, eight prompts of every
// kind, about seven answers a person with a generated photo or text each,
// moderation, votes, guesses and reactions, the event over and its reveal
// due. The same seed makes the same event, on dates set by the moment of
// seeding.
package demo

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"time"

	"retreat/models"
	"retreat/models/media"
)

// Defaults and bounds of Options.
const (
	DefaultPeople = 300
	// DefaultSeed makes the event `retreat demo` shows unless asked for
	// another.
	DefaultSeed uint64 = 20261204
	MaxPeople          = 5000
)

// PhotoMode says how the photos of photo answers are made.
type PhotoMode int

const (
	// PhotoPipeline draws each picture at its full size (640 to 3000
	// pixels), encodes it as a phone does (JPEG, EXIF capture time,
	// portraits often stored sideways with an orientation tag) and puts
	// it through the upload pipeline (media.Processor) before storing it
	// as an upload is stored: what a real event holds.
	PhotoPipeline PhotoMode = iota
	// PhotoFast draws each picture small (96 pixels) and stores that as
	// its original and its renditions, skipping the pipeline; the answer
	// still records the photo's full size and orientation. For tests:
	// everything but the pictures' sharpness is as PhotoPipeline makes it.
	PhotoFast
)

func (m PhotoMode) String() string {
	switch m {
	case PhotoPipeline:
		return "pipeline"
	case PhotoFast:
		return "fast"
	}
	return fmt.Sprintf("PhotoMode(%d)", int(m))
}

// Options tune Seed; the zero value seeds the default event.
type Options struct {
	// People is how many participants join (0: DefaultPeople).
	People int
	// Seed picks names, answers, pictures and everything else (0:
	// DefaultSeed). The organizer's password never comes from it.
	Seed uint64
	// Photos is how photos are made (default PhotoPipeline).
	Photos PhotoMode
	// OrganizerEmail names an existing organizer to own the event; empty
	// creates a new account with a generated password.
	OrganizerEmail string
	// Now is the moment the event is seeded at: it ended a few hours
	// before (zero: time.Now()).
	Now time.Time
	// Workers is how many answers are made at once (0: GOMAXPROCS, or
	// four times that with PhotoFast, whose answers mostly wait for the
	// disk to sync their files).
	Workers int
	// Processor runs the pipeline in PhotoPipeline mode (nil: one with
	// Workers slots and the default limits).
	Processor *media.Processor
	// Progress, when set, is told how far seeding is, from Seed's
	// goroutine or a worker's (never two at once).
	Progress func(Progress)
}

// Progress is how far one stage of seeding is. The stages, in order:
// "people" (joining), "answers", "moderation", "votes", "guesses".
type Progress struct {
	Stage       string
	Done, Total int
}

// Result says what Seed made.
type Result struct {
	EventID   uint
	EventName string
	JoinToken string
	Organizer Credentials
	Counts    Counts
}

// Credentials are the organizer the event belongs to.
type Credentials struct {
	Email string
	// Password is set only when Seed created the account (Created).
	Password string
	Created  bool
}

// Counts are the rows Seed wrote, by kind (Zones: the time zones the
// people are in).
type Counts struct {
	People, Teams, Zones, Prompts                        int
	Answers, Photos, Texts                               int
	Late, NotForLive, Starred, Hidden, Bonuses, Reviewed int
	Votes, Guesses                                       int
	// Reactions is the number of emoji, over every stored count.
	Reactions int
}

// Seed writes a demo event into store and its photos into photos. If it
// fails (or ctx is cancelled) midway, it deletes what it wrote: the event
// with everything in it, its photo files, and the organizer if it made
// one. Seeding again makes another event.
func Seed(ctx context.Context, store *models.Store, photos media.Store, opts Options) (*Result, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	home, err := models.LoadZone(homeZone)
	if err != nil {
		return nil, err
	}
	s := &seeder{
		store: store, photos: photos, opts: opts,
		rng: mrand.New(mrand.NewPCG(opts.Seed, opts.Seed^0x5eed)),
		tl:  newTimeline(opts.Now, home),
	}
	if opts.Photos == PhotoPipeline && s.opts.Processor == nil {
		s.opts.Processor = media.NewProcessor(opts.Workers, media.DefaultLimits())
	}
	if s.tmp, err = os.MkdirTemp("", "retreat-demo-"); err != nil {
		return nil, fmt.Errorf("seed demo: %w", err)
	}
	defer os.RemoveAll(s.tmp)
	res, err := s.seed(ctx)
	if err != nil {
		// Clean up even when ctx was what stopped us.
		if uerr := s.undo(context.WithoutCancel(ctx)); uerr != nil {
			return nil, fmt.Errorf("seed demo: %w", errors.Join(err, fmt.Errorf("remove what was written: %w", uerr)))
		}
		return nil, fmt.Errorf("seed demo: %w (what was written has been removed)", err)
	}
	return res, nil
}

func (o *Options) fill() error {
	switch {
	case o.People == 0:
		o.People = DefaultPeople
	case o.People < 1 || o.People > MaxPeople:
		return fmt.Errorf("seed demo: people must be between 1 and %d, not %d", MaxPeople, o.People)
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Photos != PhotoPipeline && o.Photos != PhotoFast {
		return fmt.Errorf("seed demo: unknown photo mode %v", o.Photos)
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	switch {
	case o.Workers == 0 && o.Photos == PhotoFast:
		o.Workers = 4 * runtime.GOMAXPROCS(0)
	case o.Workers == 0:
		o.Workers = runtime.GOMAXPROCS(0)
	case o.Workers < 0:
		return fmt.Errorf("seed demo: workers must be positive, not %d", o.Workers)
	}
	return nil
}

// seeder holds one run of Seed: the plan, and what has been stored.
type seeder struct {
	store  *models.Store
	photos media.Store
	opts   Options
	rng    *mrand.Rand
	tl     timeline
	tmp    string // originals are written here before they are stored

	people  []person
	answers []answer

	creds   Credentials
	orgID   uint
	event   *models.Event
	teams   []*models.Team
	prompts []*models.Prompt
	members []*models.Participant // by index in people
	counts  Counts
}

// at is the store with its clock at t: what it writes happened then.
func (s *seeder) at(t time.Time) *models.Store {
	return s.store.WithClock(func() time.Time { return t })
}

func (s *seeder) progress(stage string, done, total int) {
	if s.opts.Progress != nil {
		s.opts.Progress(Progress{Stage: stage, Done: done, Total: total})
	}
}

func (s *seeder) seed(ctx context.Context) (*Result, error) {
	s.people = planPeople(s.rng, s.opts.People, s.tl)
	steps := []func(context.Context) error{
		s.organizer, s.createEvent, s.join, s.planAnswers, s.writeAnswers, s.touch, s.moderate, s.vote, s.guess, s.react, s.finish,
	}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := step(ctx); err != nil {
			return nil, err
		}
	}
	return &Result{EventID: s.event.ID, EventName: s.event.Name, JoinToken: s.event.JoinToken, Organizer: s.creds, Counts: s.counts}, nil
}

// demoEmail is the login of the organizer Seed creates: demo@…, then
// demo2@… and on when seeding again.
func demoEmail(n int) string {
	if n == 1 {
		return "demo@lumenlabs.example"
	}
	return fmt.Sprintf("demo%d@lumenlabs.example", n)
}

// organizer finds the organizer named in the options, or creates one.
func (s *seeder) organizer(ctx context.Context) error {
	if email := s.opts.OrganizerEmail; email != "" {
		o, err := s.store.OrganizerByEmail(ctx, email)
		if errors.Is(err, models.ErrNotFound) {
			return fmt.Errorf("no organizer has the email %q: create one first (retreat create-organizer), or leave the email out to get a new one", email)
		}
		if err != nil {
			return err
		}
		s.orgID, s.creds = o.ID, Credentials{Email: o.Email}
		return nil
	}
	for n := 1; n < 1000; n++ {
		email := demoEmail(n)
		_, err := s.store.OrganizerByEmail(ctx, email)
		if err == nil {
			continue
		}
		if !errors.Is(err, models.ErrNotFound) {
			return err
		}
		password := newPassword()
		o, err := s.store.CreateOrganizer(ctx, models.NewOrganizer{Email: email, Name: "Dana Demo", Password: password})
		if err != nil {
			return err
		}
		s.orgID, s.creds = o.ID, Credentials{Email: o.Email, Password: password, Created: true}
		return nil
	}
	return errors.New("every demo organizer email is taken: pass one with OrganizerEmail")
}

// newPassword is 20 random letters and digits in groups of five, from
// crypto/rand: the seed makes the event, never the password.
func newPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i
	var b [20]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return short)
	out := make([]byte, 0, 23)
	for i, x := range b {
		if i > 0 && i%5 == 0 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(x)%len(alphabet)])
	}
	return string(out)
}

// createEvent sets up the event, its teams and its prompts, as the
// organizer did two weeks before it started.
func (s *seeder) createEvent(ctx context.Context) error {
	st := s.at(s.tl.created)
	ev, err := st.CreateEvent(ctx, s.orgID, eventInput(s.tl, eventName(s.tl)+seedingSuffix))
	if err != nil {
		return err
	}
	s.event = ev
	for i, name := range teamNames {
		t, err := s.at(s.tl.created.Add(time.Duration(i)*time.Minute)).CreateTeam(ctx, ev, name)
		if err != nil {
			return err
		}
		s.teams = append(s.teams, t)
	}
	for i, spec := range prompts {
		p, err := s.at(s.tl.created.Add(time.Hour+time.Duration(i)*3*time.Minute)).CreatePrompt(ctx, ev, spec.input(s.tl))
		if err != nil {
			return fmt.Errorf("prompt %d: %w", i+1, err)
		}
		s.prompts = append(s.prompts, p)
	}
	s.counts.Teams, s.counts.Prompts = len(s.teams), len(s.prompts)
	return nil
}

// join has everyone open the join link, in the order they did.
func (s *seeder) join(ctx context.Context) error {
	s.members = make([]*models.Participant, len(s.people))
	zones := map[string]bool{}
	for n, i := range byJoinTime(s.people) {
		p := &s.people[i]
		pa, err := s.at(p.joinedAt).Join(ctx, s.event, models.JoinInput{
			Name: p.name, TimeZone: p.zone, TeamID: s.teams[p.team].ID, Email: p.email,
		})
		if err != nil {
			return fmt.Errorf("join %q: %w", p.name, err)
		}
		s.members[i] = pa
		zones[p.zone] = true
		if n%50 == 49 {
			s.progress("people", n+1, len(s.people))
		}
	}
	s.counts.People, s.counts.Zones = len(s.people), len(zones)
	return nil
}

// touch records everyone's last visit.
func (s *seeder) touch(ctx context.Context) error {
	for i, p := range s.people {
		if err := s.at(p.lastSeen).TouchParticipant(ctx, s.members[i]); err != nil {
			return err
		}
	}
	return nil
}

// finish gives the event its name: it is complete.
func (s *seeder) finish(ctx context.Context) error {
	return s.at(s.tl.created).UpdateEvent(ctx, s.event, eventInput(s.tl, eventName(s.tl)))
}

// undo deletes what a failed run wrote: the event and everything in it,
// every file under its photo folder (referenced or not: a photo may have
// been stored while another failed), and the organizer it created.
func (s *seeder) undo(ctx context.Context) error {
	var errs []error
	if s.event != nil {
		if _, err := s.store.DeleteEvent(ctx, s.event.ID); err != nil {
			errs = append(errs, err)
		}
		if err := deleteUnder(ctx, s.photos, fmt.Sprintf("events/%d/", s.event.ID)); err != nil {
			errs = append(errs, err)
		}
	}
	if s.creds.Created {
		if err := s.store.DeleteOrganizer(ctx, s.orgID); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// deleteUnder removes every file whose key starts with prefix.
func deleteUnder(ctx context.Context, photos media.Store, prefix string) error {
	var keys []string
	if err := photos.List(ctx, prefix, func(k string) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		return fmt.Errorf("list %s: %w", prefix, err)
	}
	var errs []error
	for _, k := range keys {
		if err := photos.Delete(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
