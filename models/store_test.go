package models

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm"
)

// sqliteStore opens a store on a SQLite file in a temp dir, whatever back
// end the other tests run on: these tests are about the embedded driver.
func sqliteStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), "sqlite://"+filepath.Join(t.TempDir(), "retreat.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSQLiteSettingsHoldOnEveryConnection holds several connections of the
// pool at once (so each is a separate SQLite connection) and reads the
// settings the DSN asks for on each: a pragma run only on the first
// connection would show up here as a default on the others.
func TestSQLiteSettingsHoldOnEveryConnection(t *testing.T) {
	s := sqliteStore(t)
	sqlDB, err := s.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	const held = 5
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range held {
		c, err := sqlDB.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	if open := sqlDB.Stats().OpenConnections; open < held {
		t.Fatalf("open connections = %d, want at least %d held at once", open, held)
	}
	want := []struct {
		pragma string
		value  string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"busy_timeout", "10000"},
		{"synchronous", "1"}, // NORMAL
	}
	for i, c := range conns {
		for _, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+w.pragma).Scan(&got); err != nil {
				t.Fatalf("connection %d: PRAGMA %s: %v", i, w.pragma, err)
			}
			if strings.ToLower(got) != w.value {
				t.Errorf("connection %d: PRAGMA %s = %q, want %q", i, w.pragma, got, w.value)
			}
		}
	}
}

// TestSQLiteRefusesForeignKeyViolations: a row pointing at nothing is
// refused as gorm.ErrForeignKeyViolated (the driver's error translated),
// and a store method that hits one stores nothing half-way.
func TestSQLiteRefusesForeignKeyViolations(t *testing.T) {
	s := sqliteStore(t)
	ctx := t.Context()
	err := s.DB().WithContext(ctx).Create(&Team{EventID: 424242, Name: "Reds", NameKey: "reds"}).Error
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("team of a missing event: err = %v, want gorm.ErrForeignKeyViolated", err)
	}
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	_, err = s.CreateEvent(ctx, 424242, EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: start, EndsAt: start.Add(48 * time.Hour)})
	if !errors.Is(err, gorm.ErrForeignKeyViolated) {
		t.Fatalf("event of a missing organizer: err = %v, want gorm.ErrForeignKeyViolated", err)
	}
	var n int64
	if err := s.DB().Model(&Event{}).Count(&n).Error; err != nil || n != 0 {
		t.Errorf("events after a refused create = %d (%v), want 0: the transaction was not rolled back", n, err)
	}
}

// TestSQLiteDuplicateKeysAreConflicts: a unique key taken twice comes back
// as gorm.ErrDuplicatedKey (so ErrConflict through notFound), and the
// store's own methods turn it into the message the form shows.
func TestSQLiteDuplicateKeysAreConflicts(t *testing.T) {
	s := sqliteStore(t)
	ctx := t.Context()
	in := NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery"}
	if _, err := s.CreateOrganizer(ctx, in); err != nil {
		t.Fatal(err)
	}
	_, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ANA@example.com", Name: "Other Ana", Password: "another long password"})
	var ve *ValidationError
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["email"], "already exists") {
		t.Fatalf("second organizer with the same email: err = %v, want a ValidationError on email", err)
	}
	err = s.DB().WithContext(ctx).Create(&Organizer{Email: "ana@example.com", Name: "Raw", PasswordHash: "x"}).Error
	if !errors.Is(err, gorm.ErrDuplicatedKey) {
		t.Fatalf("raw duplicate insert: err = %v, want gorm.ErrDuplicatedKey", err)
	}
	if err := notFound(err, "create organizer"); !errors.Is(err, ErrConflict) {
		t.Errorf("notFound(duplicate) = %v, want ErrConflict", err)
	}
	if n, _ := s.OrganizerCount(ctx); n != 1 {
		t.Errorf("organizers = %d, want 1", n)
	}

	// The same through a participant's join: one name per event.
	o, err := s.OrganizerByEmail(ctx, "ana@example.com")
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ev, err := s.CreateEvent(ctx, o.ID, EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: start, EndsAt: start.Add(48 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Join(ctx, ev, JoinInput{Name: "Bea", TimeZone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Join(ctx, ev, JoinInput{Name: "bea", TimeZone: "UTC"})
	if !errors.As(err, &ve) || !strings.Contains(ve.Fields["name"], "already joined") {
		t.Errorf("second join as bea: err = %v, want a ValidationError on name", err)
	}
}

// TestSQLiteTimesRoundTripInUTCAndSortInSQL: times are stored as SQLite's
// text format (_time_format=sqlite), compared as text by SQL. That only
// sorts right if every time is written in one zone, whatever zone the Go
// value was in (time.Now() is in the server's local zone).
func TestSQLiteTimesRoundTripInUTCAndSortInSQL(t *testing.T) {
	s := sqliteStore(t)
	ctx := t.Context()
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}

	// Through the store: an event's start, with nanoseconds, read back.
	o, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 2, 9, 4, 5, 123456789, tokyo)
	ev, err := s.CreateEvent(ctx, o.ID, EventInput{Name: "Hunt", TimeZone: "Asia/Tokyo", StartsAt: start, EndsAt: start.Add(50 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Event(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.StartsAt.Equal(start) || got.StartsAt.Location() != time.UTC {
		t.Errorf("starts_at read back as %v (%s), want %v in UTC", got.StartsAt, got.StartsAt.Location(), start.UTC())
	}
	var raw string
	if err := s.DB().Raw("SELECT CAST(starts_at AS TEXT) FROM events WHERE id = ?", ev.ID).Scan(&raw).Error; err != nil {
		t.Fatal(err)
	}
	if want := "2026-12-02 00:04:05.123456789+00:00"; raw != want {
		t.Errorf("starts_at stored as %q, want %q", raw, want)
	}

	// Straight through the driver: instants written from Go values in
	// three zones, then compared and ordered by SQL.
	if err := s.DB().Exec("CREATE TABLE clock_test (name TEXT NOT NULL, at DATETIME NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	noon := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	rows := []struct {
		name string
		at   time.Time
	}{
		{"b-noon-tokyo", noon.In(tokyo)},                                  // 21:00+09:00
		{"a-morning-newyork", noon.Add(-3 * time.Hour).In(newYork)},       // 04:00-05:00
		{"c-afternoon-utc", noon.Add(3*time.Hour + 500*time.Millisecond)}, // 15:00:00.5Z
		{"d-evening-local", noon.Add(6 * time.Hour).Local()},
	}
	for _, r := range rows {
		if err := s.DB().Exec("INSERT INTO clock_test (name, at) VALUES (?, ?)", r.name, r.at).Error; err != nil {
			t.Fatal(err)
		}
	}
	var order []string
	if err := s.DB().Raw("SELECT name FROM clock_test ORDER BY at").Scan(&order).Error; err != nil {
		t.Fatal(err)
	}
	if want := "a-morning-newyork b-noon-tokyo c-afternoon-utc d-evening-local"; strings.Join(order, " ") != want {
		t.Errorf("ORDER BY at = %v, want %s", order, want)
	}
	// A bound parameter in another zone compares as the same instant.
	var after []string
	if err := s.DB().Raw("SELECT name FROM clock_test WHERE at > ? ORDER BY at", noon.Add(time.Hour).In(tokyo)).Scan(&after).Error; err != nil {
		t.Fatal(err)
	}
	if want := "c-afternoon-utc d-evening-local"; strings.Join(after, " ") != want {
		t.Errorf("WHERE at > 13:00 UTC (as Tokyo time) = %v, want %s", after, want)
	}
	var back []time.Time
	if err := s.DB().Raw("SELECT at FROM clock_test ORDER BY at").Scan(&back).Error; err != nil {
		t.Fatal(err)
	}
	for i, r := range []time.Time{rows[1].at, rows[0].at, rows[2].at, rows[3].at} {
		if i >= len(back) || !back[i].Equal(r) || back[i].Location() != time.UTC {
			t.Errorf("row %d read back as %v, want %v in UTC", i, back, r.UTC())
			break
		}
	}
}

// TestSQLiteConcurrentWriteTransactionsWait: transactions that read and
// then write, started together, all commit. With deferred BEGIN two of
// them would hold read snapshots and fail upgrading ("database is
// locked"); BEGIN IMMEDIATE plus the busy timeout makes them queue.
func TestSQLiteConcurrentWriteTransactionsWait(t *testing.T) {
	s := sqliteStore(t)
	ctx := t.Context()
	if err := s.DB().Exec("CREATE TABLE counter_test (n INTEGER NOT NULL)").Error; err != nil {
		t.Fatal(err)
	}
	if err := s.DB().Exec("INSERT INTO counter_test (n) VALUES (0)").Error; err != nil {
		t.Fatal(err)
	}
	const writers = 6
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	startLine := make(chan struct{})
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startLine
			errs <- s.DB().WithContext(ctx).Transaction(func(tx *gorm.DB) error {
				var n int
				if err := tx.Raw("SELECT n FROM counter_test").Scan(&n).Error; err != nil {
					return err
				}
				// Hold the snapshot while the others begin.
				time.Sleep(30 * time.Millisecond)
				return tx.Exec("UPDATE counter_test SET n = ?", n+1).Error
			})
		}()
	}
	close(startLine)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("write transaction: %v", err)
		}
	}
	var n int
	if err := s.DB().Raw("SELECT n FROM counter_test").Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	if n != writers {
		t.Errorf("counter = %d after %d read-then-write transactions, want %d (a lost update)", n, writers, writers)
	}
}
