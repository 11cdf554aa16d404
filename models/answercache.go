package models

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gorm.io/gorm"
)

// The phones' photo route asks for the same few answers thousands of times
// a minute during a reveal (every phone, every photo, preloads included),
// and each ask was a database read: a quarter of the server's CPU at 5,000
// phones, and reads the presenter's next move queued behind. So the route
// reads answers through a short memory, RevealSubmission.
//
// What it may serve stale, and for how long: on this instance, nothing, as
// every write through the store to the tables an answer's visibility
// depends on (submissions, and the participants, prompts and events that
// delete theirs by cascade) makes the memory read again. A write that
// commits a moment after another request re-read the row, or a write by
// another instance sharing a PostgreSQL database, is seen within
// answerFresh: the same trust the preload gate gives a photo
// (models/live/preload.go), and less than a phone that preloaded the photo
// already holds.

// answerFresh is how long a remembered answer is used without reading it
// again.
const answerFresh = 2 * time.Second

// maxRememberedAnswers bounds the memory; past it, stale entries go, and if
// none is stale, all do.
const maxRememberedAnswers = 20_000

// answerTables are the tables whose writes may change whether an answer
// may be shown (or make it disappear).
var answerTables = []string{"submissions", "participants", "prompts", "events"}

type answerCache struct {
	// writes counts the store's writes to answerTables; an entry read
	// before the latest write is read again.
	writes atomic.Uint64

	mu   sync.Mutex
	rows map[answerKey]*answerEntry
}

type answerKey struct{ eventID, submissionID uint }

type answerEntry struct {
	// mu orders reads: one at a time per answer, and the requests waiting
	// meanwhile take what it read.
	mu     sync.Mutex
	read   time.Time
	writes uint64
	sub    *Submission // nil: not found
}

func newAnswerCache() *answerCache {
	return &answerCache{rows: map[answerKey]*answerEntry{}}
}

// watchAnswerWrites registers GORM callbacks that count the writes to
// answerTables (raw SQL naming one of them included).
func (c *answerCache) watchAnswerWrites(db *gorm.DB) error {
	count := func(tx *gorm.DB) {
		if writesAnswers(tx.Statement) {
			c.writes.Add(1)
		}
	}
	cb := db.Callback()
	for _, err := range []error{
		cb.Create().After("gorm:create").Register("retreat:answer_writes", count),
		cb.Update().After("gorm:update").Register("retreat:answer_writes", count),
		cb.Delete().After("gorm:delete").Register("retreat:answer_writes", count),
		cb.Raw().After("gorm:raw").Register("retreat:answer_writes", count),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// writesAnswers reports whether a statement may have written one of
// answerTables: by its table, or, for raw SQL (and a statement whose table
// is not known), by the text.
func writesAnswers(st *gorm.Statement) bool {
	if st.Table != "" {
		for _, t := range answerTables {
			if st.Table == t {
				return true
			}
		}
		return false
	}
	sql := strings.ToLower(st.SQL.String())
	if sql == "" {
		return true // nothing to tell by: assume it did
	}
	for _, t := range answerTables {
		if strings.Contains(sql, t) {
			return true
		}
	}
	return false
}

// RevealSubmission is EventSubmission for the reveal's phone photo route,
// answered from a memory of up to answerFresh (see above). The submission
// returned is shared with other callers: read it, never change it.
func (s *Store) RevealSubmission(ctx context.Context, eventID, submissionID uint) (*Submission, error) {
	c := s.answers
	key := answerKey{eventID, submissionID}
	now := s.now()
	c.mu.Lock()
	e := c.rows[key]
	if e == nil {
		if len(c.rows) >= maxRememberedAnswers {
			for k, old := range c.rows {
				if now.Sub(old.read) >= answerFresh {
					delete(c.rows, k)
				}
			}
			if len(c.rows) >= maxRememberedAnswers {
				clear(c.rows)
			}
		}
		e = &answerEntry{}
		c.rows[key] = e
	}
	c.mu.Unlock()

	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.read.IsZero() && e.writes == c.writes.Load() && now.Sub(e.read) < answerFresh && !now.Before(e.read) {
		if e.sub == nil {
			return nil, ErrNotFound
		}
		return e.sub, nil
	}
	writes := c.writes.Load() // before the read: a write during it reads again
	sub, err := s.EventSubmission(ctx, eventID, submissionID)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	e.read, e.writes, e.sub = now, writes, sub
	if sub == nil {
		return nil, err
	}
	return sub, nil
}
