package participant

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"

	"retreat/models"
	"retreat/models/media"
)

// Resumable uploads shared by several instances. Behind a load balancer a
// phone's next request about an upload may reach another instance than
// the one it created it on, so with shared storage configured the parts
// of an unfinished upload live in the photo store (S3) rather than on one
// machine's disk, and the tus lock is a lease row in the database:
//
//	resumable/<id>/info.json              the upload (tusd's FileInfo) and its parts
//	resumable/<id>/part-<offset, 16 digits>  each PATCH's bytes, as received
//
// Each PATCH is spooled to a local temp file and then stored as one
// object, so the offset moves only once its bytes are safe; a PATCH cut
// off mid-way stores what arrived, and the phone resumes from there.

const sharedTusPrefix = "resumable/"

// tusStore is what the handler uses of either store (tusd's file store on
// this machine's disk, or sharedTusStore).
type tusStore interface {
	tusd.DataStore
	tusd.TerminaterDataStore
}

// sharedTusStore is a tusd DataStore (with termination) in a media.Store.
type sharedTusStore struct {
	files media.Store
	spool string // local folder for spooling PATCH bodies and finished uploads
}

type tusPart struct {
	Offset int64 `json:"offset"`
	Size   int64 `json:"size"`
}

type tusRecord struct {
	Info  tusd.FileInfo `json:"info"`
	Parts []tusPart     `json:"parts"`
}

type sharedUpload struct {
	store *sharedTusStore
	rec   tusRecord
}

func newSharedTusStore(files media.Store, spool string) (*sharedTusStore, error) {
	if err := os.MkdirAll(spool, 0o750); err != nil {
		return nil, fmt.Errorf("create resumable upload spool: %w", err)
	}
	return &sharedTusStore{files: files, spool: spool}, nil
}

func (s *sharedTusStore) useIn(c *tusd.StoreComposer, store *models.Store) {
	c.UseCore(s)
	c.UseTerminater(s)
	c.UseLocker(&leaseLocker{local: memorylocker.New(), store: store})
}

func tusKey(id, name string) string { return sharedTusPrefix + id + "/" + name }

// NewUpload records a new, empty upload under the id reserved for it, or
// a fresh one (the shape validTusID accepts).
func (s *sharedTusStore) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	if !validTusID(info.ID) {
		var b [16]byte
		_, _ = rand.Read(b[:])
		info.ID = hex.EncodeToString(b[:])
	}
	info.Storage = map[string]string{"Type": "shared"}
	up := &sharedUpload{store: s, rec: tusRecord{Info: info}}
	if err := up.save(ctx); err != nil {
		return nil, err
	}
	return up, nil
}

// GetUpload loads an upload made on any instance.
func (s *sharedTusStore) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	if !validTusID(id) {
		return nil, tusd.ErrNotFound
	}
	rc, err := s.files.Open(ctx, tusKey(id, "info.json"))
	if errors.Is(err, media.ErrNotExist) {
		return nil, tusd.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load resumable upload %s: %w", id, err)
	}
	defer rc.Close()
	up := &sharedUpload{store: s}
	if err := json.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&up.rec); err != nil {
		return nil, fmt.Errorf("read resumable upload %s: %w", id, err)
	}
	return up, nil
}

func (s *sharedTusStore) AsTerminatableUpload(up tusd.Upload) tusd.TerminatableUpload {
	return up.(*sharedUpload)
}

func (u *sharedUpload) save(ctx context.Context) error {
	b, err := json.Marshal(u.rec)
	if err != nil {
		return err
	}
	if err := u.store.files.Put(ctx, tusKey(u.rec.Info.ID, "info.json"), strings.NewReader(string(b))); err != nil {
		return fmt.Errorf("save resumable upload %s: %w", u.rec.Info.ID, err)
	}
	return nil
}

func (u *sharedUpload) GetInfo(context.Context) (tusd.FileInfo, error) { return u.rec.Info, nil }

// WriteChunk spools what the phone sends, stores it as the next part and
// then moves the offset (tusd holds the upload's lock meanwhile).
func (u *sharedUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	if offset != u.rec.Info.Offset {
		return 0, tusd.ErrMismatchOffset
	}
	f, err := os.CreateTemp(u.store.spool, "part-*")
	if err != nil {
		return 0, fmt.Errorf("spool resumable upload: %w", err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	n, readErr := io.Copy(f, src)
	if n == 0 {
		return 0, readErr
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return 0, err
	}
	// The phone may have gone; what arrived is still stored.
	ctx = context.WithoutCancel(ctx)
	if err := u.store.files.Put(ctx, tusKey(u.rec.Info.ID, fmt.Sprintf("part-%016d", offset)), f); err != nil {
		return 0, fmt.Errorf("store resumable upload part: %w", err)
	}
	u.rec.Parts = append(u.rec.Parts, tusPart{Offset: offset, Size: n})
	u.rec.Info.Offset += n
	if err := u.save(ctx); err != nil {
		u.rec.Parts = u.rec.Parts[:len(u.rec.Parts)-1]
		u.rec.Info.Offset -= n
		return 0, err
	}
	return n, readErr
}

// GetReader reads the parts in order.
func (u *sharedUpload) GetReader(ctx context.Context) (io.ReadCloser, error) {
	return &partsReader{ctx: ctx, up: u}, nil
}

type partsReader struct {
	ctx  context.Context
	up   *sharedUpload
	next int
	cur  io.ReadCloser
}

func (r *partsReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			if r.next >= len(r.up.rec.Parts) {
				return 0, io.EOF
			}
			part := r.up.rec.Parts[r.next]
			rc, err := r.up.store.files.Open(r.ctx, tusKey(r.up.rec.Info.ID, fmt.Sprintf("part-%016d", part.Offset)))
			if err != nil {
				return 0, err
			}
			r.cur = struct {
				io.Reader
				io.Closer
			}{io.LimitReader(rc, part.Size), rc}
			r.next++
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.cur.Close()
			r.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		return n, err
	}
}

func (r *partsReader) Close() error {
	if r.cur != nil {
		return r.cur.Close()
	}
	return nil
}

func (u *sharedUpload) FinishUpload(context.Context) error { return nil }

// Terminate removes the upload's parts and record.
func (u *sharedUpload) Terminate(ctx context.Context) error {
	var keys []string
	if err := u.store.files.List(ctx, sharedTusPrefix+u.rec.Info.ID+"/", func(k string) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		return err
	}
	var errs []error
	for _, k := range keys {
		if err := u.store.files.Delete(ctx, k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// localCopy writes a finished upload to a temp file in the spool for the
// photo pipeline, which reads files; remove it after.
func (s *sharedTusStore) localCopy(ctx context.Context, up tusd.Upload) (string, error) {
	rc, err := up.GetReader(ctx)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	f, err := os.CreateTemp(s.spool, "finished-*")
	if err != nil {
		return "", fmt.Errorf("spool finished upload: %w", err)
	}
	if _, err := io.Copy(f, rc); err != nil {
		f.Close()
		os.Remove(f.Name())
		return "", fmt.Errorf("fetch finished upload: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// sweep removes uploads whose record was last written before cutoff.
func (s *sharedTusStore) sweep(ctx context.Context, cutoff time.Time) (int, error) {
	ager, ok := s.files.(interface {
		ModTime(ctx context.Context, key string) (time.Time, error)
	})
	if !ok {
		return 0, nil
	}
	var old []string
	err := s.files.List(ctx, sharedTusPrefix, func(k string) error {
		id, name, ok := strings.Cut(strings.TrimPrefix(k, sharedTusPrefix), "/")
		if !ok || name != "info.json" {
			return nil
		}
		if t, err := ager.ModTime(ctx, k); err == nil && t.Before(cutoff) {
			old = append(old, id)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("list resumable uploads: %w", err)
	}
	removed := 0
	var errs []error
	for _, id := range old {
		up := &sharedUpload{store: s, rec: tusRecord{Info: tusd.FileInfo{ID: id}}}
		if err := up.Terminate(ctx); err != nil {
			errs = append(errs, err)
			continue
		}
		removed++
	}
	return removed, errors.Join(errs...)
}

// leaseLocker is tusd's upload lock across instances: a lease row per
// upload (no database connection held while a slow phone sends), taken
// after the in-process lock, which keeps tusd's "ask the holder to let
// go" for a phone that reconnects to the same instance.
type leaseLocker struct {
	local *memorylocker.MemoryLocker
	store *models.Store
}

// tusLeaseTTL is how long a dead instance's lock on an upload lasts; a
// living one renews it while the PATCH runs.
const tusLeaseTTL = time.Minute

func (l *leaseLocker) NewLock(id string) (tusd.Lock, error) {
	local, err := l.local.NewLock(id)
	if err != nil {
		return nil, err
	}
	return &leaseLock{local: local, store: l.store, name: "tus:" + id}, nil
}

type leaseLock struct {
	local   tusd.Lock
	store   *models.Store
	name    string
	release func()
}

func (l *leaseLock) Lock(ctx context.Context, requestRelease func()) error {
	if err := l.local.Lock(ctx, requestRelease); err != nil {
		return err
	}
	release, err := l.store.HoldLease(ctx, l.name, tusLeaseTTL)
	if err != nil {
		_ = l.local.Unlock()
		if ctx.Err() != nil {
			// Still held by a request on another instance, which (unlike
			// one here) cannot be asked to let go: the upload is busy, not
			// broken. 423 Locked, as tusd answers for a locked upload (its
			// ErrLockTimeout is a 500); tus clients retry either way.
			return tusd.ErrFileLocked
		}
		return err
	}
	l.release = release
	return nil
}

func (l *leaseLock) Unlock() error {
	if l.release != nil {
		l.release()
		l.release = nil
	}
	return l.local.Unlock()
}
