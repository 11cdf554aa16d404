// Package models owns Retreat's domain types and every query that loads or
// saves them: opening the database from a URL, migrations, and the rules that
// are about data (is this prompt open now, may this participant see that photo).
package models

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alexedwards/argon2id"
	"gorm.io/driver/sqlite"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	sqlitedriver "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// Sentinel errors handlers branch on with errors.Is.
var (
	ErrNotFound     = errors.New("not found")
	ErrPromptClosed = errors.New("prompt is closed")
	ErrNotOpenYet   = errors.New("prompt is not open yet")
	ErrNotAllowed   = errors.New("not allowed")
	ErrConflict     = errors.New("already exists")
)

// Store wraps the database. Every query in this package is a method on it.
type Store struct {
	db  *gorm.DB
	now func() time.Time
	log *slog.Logger
	// hasher bounds how many passwords are hashed at once (hasher.go).
	hasher *hasher
	// uploads bounds unfinished resumable uploads (resumable.go).
	uploads UploadLimits
	// answers is the reveal photo route's memory of answers
	// (answercache.go), shared by every copy of the store.
	answers *answerCache
}

// logf reports a failure that is handled (logged) but not returned, such as
// cleaning up files after an error that is returned instead.
func (s *Store) logf(format string, args ...any) {
	s.log.Warn(fmt.Sprintf(format, args...))
}

// Options tune Open; the zero value is fine.
type Options struct {
	// Now replaces the clock, for tests that pin time.
	Now func() time.Time
	// LogQueries logs every SQL statement (debugging only).
	LogQueries bool
	// Log receives warnings about handled failures; nil discards them.
	Log *slog.Logger
	// HashSlots is how many passwords may be hashed at once, 64 MiB each;
	// 0 means one per core the process may use (runtime.GOMAXPROCS).
	HashSlots int
	// HashWait is how long a password check waits for a slot before
	// ErrBusy; 0 means DefaultHashWait.
	HashWait time.Duration
	// HashParams are the Argon2id parameters new hashes are made with;
	// nil means argon2id.DefaultParams (64 MiB, what the server uses).
	// Tests of everything but hashing pass cheap ones: under the race
	// detector one 64 MiB hash takes seconds. A stored hash carries its
	// own parameters, so checking it never depends on these.
	HashParams *argon2id.Params
	// Uploads bounds unfinished resumable uploads; zero fields take their
	// DefaultUploadLimits values.
	Uploads UploadLimits
}

// sqliteConns is the SQLite pool's size.
const sqliteConns = 8

// Open opens the database named by rawURL and applies pending migrations.
//
// Accepted forms: "sqlite:///abs/path.db", "sqlite://rel/path.db",
// "file:path.db" or a bare file path, all meaning an embedded SQLite file.
// "postgres://…" or "postgresql://…" is a PostgreSQL server (several
// instances may share it). An unknown scheme is refused, so a typo never
// silently falls back to SQLite.
func Open(ctx context.Context, rawURL string, opts Options) (*Store, error) {
	dialector, err := dialectorFor(rawURL)
	if err != nil {
		return nil, err
	}
	cfg := &gorm.Config{
		Logger:         logger.Discard,
		TranslateError: true,
		NowFunc:        func() time.Time { return time.Now().UTC() },
	}
	if dialector.Name() == "sqlite" {
		// The pure-Go SQLite spends more on parsing a statement than on
		// running it: on the reveal's hot routes (thousands of phones
		// asking for photos and streams) preparing was a sixth of the
		// server's CPU. GORM keeps each statement prepared, per
		// connection, and reuses it. pgx caches PostgreSQL's statements
		// itself. The bound keeps statements with IN lists of every length
		// from piling up.
		cfg.PrepareStmt = true
		cfg.PrepareStmtMaxSize = preparedStatements
	}
	if opts.LogQueries {
		cfg.Logger = logger.Default.LogMode(logger.Info)
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	if db.Dialector.Name() == "sqlite" {
		// SQLite allows one writer at a time; a small pool with a busy
		// timeout (in the DSN) makes writers queue instead of failing with
		// "database is locked", while WAL lets readers proceed meanwhile.
		// The pool keeps all its connections (database/sql keeps two
		// idle by default): under load a connection closed after each
		// burst had to reopen the database file, its journal and shared
		// memory, and a process out of files then failed with "unable to
		// open database file".
		sqlDB.SetMaxOpenConns(sqliteConns)
		sqlDB.SetMaxIdleConns(sqliteConns)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		tunePostgresPool(sqlDB)
	}
	s := &Store{db: db, now: time.Now, log: opts.Log, hasher: newHasher(opts.HashSlots, opts.HashWait, opts.HashParams), uploads: opts.Uploads.withDefaults(), answers: newAnswerCache()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := s.answers.watchAnswerWrites(db); err != nil {
		sqlDB.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	if opts.Now != nil {
		s.now = opts.Now
		db.Config.NowFunc = func() time.Time { return opts.Now().UTC() }
	}
	if err := s.migrate(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	return s, nil
}

// preparedStatements bounds the SQLite statements kept prepared (least
// recently used go first): the app has a few hundred distinct ones.
const preparedStatements = 1000

func dialectorFor(rawURL string) (gorm.Dialector, error) {
	switch {
	case IsPostgresURL(rawURL):
		return postgresDialector(rawURL), nil
	case strings.HasPrefix(rawURL, "sqlite://"):
		return sqliteDialector(strings.TrimPrefix(rawURL, "sqlite://"))
	case strings.HasPrefix(rawURL, "file:"):
		return sqliteDialector(strings.TrimPrefix(rawURL, "file:"))
	case strings.Contains(rawURL, "://"):
		return nil, fmt.Errorf("database URL %q: unknown scheme (use postgres://, sqlite:// or a file path)", redactURL(rawURL))
	case rawURL == "":
		return nil, errors.New("database URL is empty")
	default:
		return sqliteDialector(rawURL)
	}
}

func sqliteDialector(path string) (gorm.Dialector, error) {
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i] // our own pragmas below are the ones that matter
	}
	if path == "" {
		return nil, errors.New("sqlite database path is empty")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("create database folder: %w", err)
	}
	// Pragmas run on every new connection, busy_timeout first so that the
	// others wait for a writer instead of failing.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// _txlock=immediate takes the write lock at BEGIN, so two writers never
	// deadlock upgrading read locks (the classic SQLITE_BUSY in WAL mode).
	q.Add("_txlock", "immediate")
	// Times as SQLite's own text format (sortable, no monotonic clock).
	q.Add("_time_format", "sqlite")
	// SQL compares those as text, which orders instants only if all are
	// in one zone: the driver writes every time (columns and parameters
	// alike, time.Now() in the server's zone included) in UTC, and reads
	// them back in UTC.
	q.Add("_timezone", "UTC")
	return sqliteDialect{&sqlite.Dialector{DriverName: sqliteDriver, DSN: "file:" + path + "?" + q.Encode()}}, nil
}

// sqliteDriver is modernc.org/sqlite, SQLite in pure Go: the binary builds
// and runs without a C compiler (CGO_ENABLED=0 too), so one binary runs
// anywhere. GORM's SQLite dialect drives it as it would the cgo driver.
const sqliteDriver = "sqlite"

// sqliteDialect is GORM's SQLite dialect over the pure-Go driver. Its
// error translation reads the cgo driver's errors only, so this one reads
// the extended result codes of modernc's: a unique key taken (2067, 1555)
// is gorm.ErrDuplicatedKey, a foreign key missing (787)
// gorm.ErrForeignKeyViolated, as the models expect from either database.
type sqliteDialect struct{ *sqlite.Dialector }

func (d sqliteDialect) Translate(err error) error {
	var se *sqlitedriver.Error
	if !errors.As(err, &se) {
		return err
	}
	switch se.Code() {
	case sqlite3lib.SQLITE_CONSTRAINT_UNIQUE, sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY:
		return gorm.ErrDuplicatedKey
	case sqlite3lib.SQLITE_CONSTRAINT_FOREIGNKEY:
		return gorm.ErrForeignKeyViolated
	}
	return err
}

// redactURL hides a password in a database URL before it is printed.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	// libpq (and pgx) also take the password as a parameter.
	if q := u.Query(); q.Has("password") {
		q.Set("password", "xxxxx")
		u.RawQuery = q.Encode()
	}
	return u.Redacted()
}

// RedactURL is exported for printing the configuration at start.
func RedactURL(raw string) string { return redactURL(raw) }

// DB exposes the connection for the session store, which keeps its own table.
func (s *Store) DB() *gorm.DB { return s.db }

// Now is the store's clock (pinned in tests).
func (s *Store) Now() time.Time { return s.now() }

// WithClock returns a store on the same database and pool whose clock is
// now: what it writes is stamped, and checked, as if done at that moment
// (a join's time, whether an answer is on time or late, when a moderator
// acted). It exists to replay activity, as `retreat demo` does; requests
// always use the real clock. Close the original store, not this one.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	c.db = s.db.Session(&gorm.Session{NewDB: true, NowFunc: func() time.Time { return now().UTC() }})
	return &c
}

// Close closes the database connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping checks the database answers, for /healthz.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// notFound turns GORM's not-found into ErrNotFound, wrapping with context.
func notFound(err error, what string) error {
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return fmt.Errorf("%s: %w", what, ErrConflict)
	}
	return fmt.Errorf("%s: %w", what, err)
}
