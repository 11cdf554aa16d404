package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/disintegration/imaging"
	"golang.org/x/sync/errgroup"

	"retreat/models"
	"retreat/models/media"
)

// answer is one planned answer and, once written, what the store made of it.
type answer struct {
	prompt, person int // indexes in prompts and people
	at             time.Time
	caption, text  string
	notForLive     bool
	hide           bool // an organizer will hide it
	photo          *photoSpec
	sub            *models.Submission
}

// planAnswers decides who answers what, when, and with what. Everyone
// answers in their own prompt windows (a daily prompt opens at 08:00 where
// each person is), mostly in their waking hours; some answer late, in the
// grace window. A team prompt gets one answer per team with members.
func (s *seeder) planAnswers(context.Context) error {
	photoNo := 0
	for j, spec := range prompts {
		pr := s.prompts[j]
		senders := s.sendersOf(j, spec)
		for _, i := range senders {
			p, pa := &s.people[i], s.members[i]
			a := answer{prompt: j, person: i}
			opens, closes := pr.Window(s.event, pa.Location())
			if spec.lateShare > 0 && s.rng.Float64() < spec.lateShare {
				a.at = between(s.rng, closes, pr.GraceEnds(closes))
			} else {
				a.at = awake(s.rng, opens, closes, pa.Location())
			}
			a.at = later(a.at, p.joinedAt.Add(time.Minute))
			a.notForLive = s.rng.Float64() < 0.03
			a.hide = s.rng.Float64() < 0.015
			if pr.Kind == models.KindText {
				a.text = spec.texts(s.rng, p)
			} else {
				photoNo++
				ph := planPhoto(s.rng, spec.scene)
				ph.label = "#" + strconv.Itoa(photoNo)
				ph.initials = initials(p.name)
				ph.takenAt = a.at.Add(-time.Duration(2+s.rng.IntN(180)) * time.Minute).In(pa.Location())
				a.photo = &ph
				a.caption = caption(s.rng, spec.captions, p)
				if a.hide {
					a.caption = hiddenCaptions[s.rng.IntN(len(hiddenCaptions))]
				}
			}
			if a.at.After(p.lastSeen) {
				p.lastSeen = a.at
			}
			s.answers = append(s.answers, a)
		}
	}
	for i := range s.people {
		p := &s.people[i]
		if p.lastSeen.IsZero() {
			p.lastSeen = p.joinedAt.Add(time.Duration(1+s.rng.IntN(72)) * time.Hour)
		}
		p.lastSeen = earlier(p.lastSeen.Add(time.Duration(1+s.rng.IntN(360))*time.Minute), s.tl.now.Add(-time.Minute))
	}
	// Written in the order they came in, so ids grow with time as in a
	// real event (workers may still swap neighbours).
	slices.SortStableFunc(s.answers, func(a, b answer) int { return a.at.Compare(b.at) })
	return nil
}

// sendersOf lists who answers prompt j: each person as likely as their
// engagement says, or one member of each team for a team prompt.
func (s *seeder) sendersOf(j int, spec promptSpec) []int {
	var out []int
	if s.prompts[j].TeamPrompt {
		for t := range s.teams {
			var members []int
			for i, p := range s.people {
				if p.team == t {
					members = append(members, i)
				}
			}
			if len(members) > 0 {
				out = append(out, members[s.rng.IntN(len(members))])
			}
		}
		return out
	}
	for i, p := range s.people {
		if s.rng.Float64() < min(p.engagement*spec.popularity, 1) {
			out = append(out, i)
		}
	}
	return out
}

// between is a whole second in [from, to).
func between(rng *rand.Rand, from, to time.Time) time.Time {
	secs := int64(to.Sub(from) / time.Second)
	if secs < 1 {
		return from
	}
	return from.Add(time.Duration(rng.Int64N(secs)) * time.Second)
}

// awake is an instant in [opens, closes), between 07:00 and 23:00 in zone
// if a few tries find one (a short window may fall in the night).
func awake(rng *rand.Rand, opens, closes time.Time, zone *time.Location) time.Time {
	t := between(rng, opens, closes)
	for range 6 {
		if h := t.In(zone).Hour(); h >= 7 && h < 23 {
			return t
		}
		t = between(rng, opens, closes)
	}
	return t
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// initials are the first letters of the first and last words of a name.
func initials(name string) string {
	words := strings.FieldsFunc(name, func(r rune) bool { return unicode.IsSpace(r) || r == '-' })
	var out []rune
	for _, w := range []string{words[0], words[len(words)-1]} {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLetter(r) {
			out = append(out, unicode.ToUpper(r))
		}
	}
	if len(words) == 1 {
		out = out[:1]
	}
	return string(out)
}

// writeAnswers sends every planned answer through the store, photos first
// through the pipeline, Workers at a time.
func (s *seeder) writeAnswers(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(s.opts.Workers)
	var mu sync.Mutex
	done := 0
	for i := range s.answers {
		a := &s.answers[i]
		g.Go(func() error {
			if err := s.writeAnswer(gctx, i, a); err != nil {
				return fmt.Errorf("answer of %q to %q: %w", s.people[a.person].name, s.prompts[a.prompt].Title, err)
			}
			mu.Lock()
			defer mu.Unlock()
			done++
			if done%100 == 0 || done == len(s.answers) {
				s.progress("answers", done, len(s.answers))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, a := range s.answers {
		s.counts.Answers++
		switch {
		case a.photo != nil:
			s.counts.Photos++
		default:
			s.counts.Texts++
		}
		if a.sub.Late {
			s.counts.Late++
		}
		if a.sub.NotForLive {
			s.counts.NotForLive++
		}
	}
	return nil
}

func (s *seeder) writeAnswer(ctx context.Context, i int, a *answer) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.at(a.at)
	ev, pr, pa := s.event, s.prompts[a.prompt], s.members[a.person]
	opts := models.AnswerOptions{NotForLive: a.notForLive}
	if a.photo == nil {
		sub, _, err := st.SaveTextAnswer(ctx, ev, pr, pa, a.text, opts)
		a.sub = sub
		return err
	}
	path := filepath.Join(s.tmp, fmt.Sprintf("photo-%d.jpg", i))
	defer os.Remove(path)
	var res *media.Result
	var err error
	if s.opts.Photos == PhotoFast {
		res, err = a.photo.small(path)
	} else {
		res, err = s.fullPhoto(ctx, a, path)
	}
	if err != nil {
		return err
	}
	a.sub, err = st.StorePhotoAnswer(ctx, s.photos, ev, pr, pa, a.caption, path, res, opts)
	return err
}

// fullPhoto writes the picture as a phone uploads it to path and runs the
// upload pipeline on it.
func (s *seeder) fullPhoto(ctx context.Context, a *answer, path string) (*media.Result, error) {
	b, err := a.photo.encodePhone(a.photo.draw(a.photo.width, a.photo.height))
	if err != nil {
		return nil, fmt.Errorf("encode photo: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return nil, fmt.Errorf("write photo: %w", err)
	}
	owner := strconv.FormatUint(uint64(s.members[a.person].ID), 10)
	return s.opts.Processor.ProcessFor(ctx, owner, path)
}

// fastEdge is the long edge of PhotoFast's pictures.
const fastEdge = 96

// small draws the picture fastEdge pixels long, writes it to path as its
// original and returns it as its renditions (the thumbnail cropped
// square, as the pipeline's is), with the full size the photo stands for.
func (p *photoSpec) small(path string) (*media.Result, error) {
	w, h := fastEdge, fastEdge
	if p.width > p.height {
		h = max(fastEdge*p.height/p.width, 1)
	} else {
		w = max(fastEdge*p.width/p.height, 1)
	}
	img := p.draw(w, h)
	enc := func(im image.Image) ([]byte, error) {
		var buf bytes.Buffer
		err := jpeg.Encode(&buf, im, &jpeg.Options{Quality: 80})
		return buf.Bytes(), err
	}
	full, err := enc(img)
	if err != nil {
		return nil, fmt.Errorf("encode photo: %w", err)
	}
	side := min(w, h)
	thumb, err := enc(imaging.Fill(img, side, side, imaging.Center, imaging.Box))
	if err != nil {
		return nil, fmt.Errorf("encode photo: %w", err)
	}
	if err := os.WriteFile(path, full, 0o600); err != nil {
		return nil, fmt.Errorf("write photo: %w", err)
	}
	wall := p.takenAt
	return &media.Result{
		Format: "jpeg", Width: p.width, Height: p.height,
		TakenAt:      time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, time.UTC),
		TakenAtLocal: true,
		Renditions: []media.Rendition{
			{Size: media.Full, Width: w, Height: h, Data: full},
			{Size: media.Phone, Width: w, Height: h, Data: full},
			{Size: media.Thumb, Width: side, Height: side, Data: thumb},
		},
	}, nil
}
