package media

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// ErrNotExist is wrapped by errors from Store.Open for a key with no file.
var ErrNotExist = fs.ErrNotExist

// Store is where photo files live: a disk folder now, S3-compatible storage
// later. Keys are slash-separated, [a-z0-9._/-] only, no "..", no leading
// slash; anything else is refused with an error (never touches the FS).
type Store interface {
	// Put stores r's bytes under key atomically: readers see the old file
	// or the whole new one, never a part.
	Put(ctx context.Context, key string, r io.Reader) error
	// Open returns the file under key; a missing key gives an error
	// wrapping ErrNotExist.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the file under key; a missing key is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn with every key that starts with prefix, in lexical
	// order, stopping at fn's first error.
	List(ctx context.Context, prefix string, fn func(key string) error) error
}

// DiskStore is a Store in a folder on the local disk. Every operation goes
// through an os.Root, so even a symlink planted inside the folder cannot
// lead a key outside it.
type DiskStore struct {
	root *os.Root
}

var _ Store = (*DiskStore)(nil)

// NewDiskStore returns a DiskStore keeping its files under root, which it
// creates (0o750) if needed.
func NewDiskStore(root string) (*DiskStore, error) {
	if err := os.MkdirAll(root, 0o750); err != nil {
		return nil, fmt.Errorf("create media store: %w", err)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, fmt.Errorf("open media store: %w", err)
	}
	return &DiskStore{root: r}, nil
}

// Close releases the store's handle on its folder.
func (d *DiskStore) Close() error { return d.root.Close() }

// tempPrefix starts the names of files being written. Keys may not have a
// segment starting with a dot, so a temp file can never be mistaken for a
// key, and List skips them.
const tempPrefix = ".tmp-"

// Put writes r to a temp file in key's folder, syncs it, and renames it
// into place; on any error the temp file is removed and the old file, if
// any, stays.
func (d *DiskStore) Put(ctx context.Context, key string, r io.Reader) (err error) {
	if err := validKey(key); err != nil {
		return err
	}
	dir, name := path.Split(key)
	if dir != "" {
		if err := d.root.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
	}
	var rnd [8]byte
	_, _ = rand.Read(rnd[:]) // never fails (crypto/rand panics rather than return short)
	tmp := dir + tempPrefix + name + "-" + hex.EncodeToString(rnd[:])
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = d.root.Remove(tmp)
		}
	}()
	if _, err := io.Copy(f, ctxReader{ctx, r}); err != nil {
		return fmt.Errorf("put %s: write: %w", key, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("put %s: sync: %w", key, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("put %s: close: %w", key, err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	if err := d.root.Rename(tmp, key); err != nil {
		return fmt.Errorf("put %s: rename: %w", key, err)
	}
	// Make the rename itself durable before the database row that points
	// at the file is committed.
	if df, err := d.root.Open(path.Clean("./" + dir)); err == nil {
		_ = df.Sync()
		_ = df.Close()
	}
	return nil
}

// Open returns the file under key.
func (d *DiskStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := validKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := d.root.Open(key)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", key, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, fmt.Errorf("open %s: not a file: %w", key, ErrNotExist)
	}
	return f, nil
}

// Delete removes the file under key.
func (d *DiskStore) Delete(ctx context.Context, key string) error {
	if err := validKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := d.root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}

// List walks the keys under prefix. The prefix need not end at a folder:
// "photos/ab" lists "photos/abc.jpg".
func (d *DiskStore) List(ctx context.Context, prefix string, fn func(key string) error) error {
	if prefix != "" {
		if err := checkKeyChars(prefix); err != nil {
			return err
		}
	}
	start := path.Dir(prefix) // the deepest folder the prefix names
	if strings.HasSuffix(prefix, "/") {
		start = path.Clean(prefix)
	}
	fsys := d.root.FS()
	err := fs.WalkDir(fsys, start, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			if p == start && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll // nothing stored under this prefix yet
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if strings.HasPrefix(e.Name(), ".") && p != "." {
			if e.IsDir() {
				return fs.SkipDir
			}
			return nil // a temp file of a Put in progress
		}
		if e.IsDir() {
			if p != "." && !strings.HasPrefix(p+"/", prefix) && !strings.HasPrefix(prefix, p+"/") {
				return fs.SkipDir
			}
			return nil
		}
		if !strings.HasPrefix(p, prefix) {
			return nil
		}
		return fn(p)
	})
	if err != nil {
		return fmt.Errorf("list %q: %w", prefix, err)
	}
	return nil
}

// validKey refuses any key that is not a clean relative path of
// [a-z0-9._-] segments: no "..", no leading or trailing slash, no empty
// segment, and no segment starting with a dot (those are temp files).
func validKey(key string) error {
	if err := checkKeyChars(key); err != nil {
		return err
	}
	for seg := range strings.SplitSeq(key, "/") {
		if seg == "" || seg[0] == '.' {
			return fmt.Errorf("invalid media key %q", key)
		}
	}
	return nil
}

// checkKeyChars checks the rules a key and a List prefix share.
func checkKeyChars(key string) error {
	if key == "" || len(key) > 512 || key[0] == '/' || strings.Contains(key, "..") {
		return fmt.Errorf("invalid media key %q", key)
	}
	for _, c := range []byte(key) {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '/') {
			return fmt.Errorf("invalid media key %q", key)
		}
	}
	return nil
}

// ctxReader stops a copy when its context is done, so a Put abandoned by
// shutdown does not run to the end of a large file.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
