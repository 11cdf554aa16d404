package media

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func newTestStore(t *testing.T) (*DiskStore, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "media")
	s, err := NewDiskStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func readKey(t *testing.T, s Store, key string) string {
	t.Helper()
	rc, err := s.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func listKeys(t *testing.T, s Store, prefix string) []string {
	t.Helper()
	var keys []string
	if err := s.List(context.Background(), prefix, func(k string) error {
		keys = append(keys, k)
		return nil
	}); err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}

func TestDiskStore(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() || st.Mode().Perm()&0o007 != 0 {
		t.Fatalf("root: %v, %v; want a folder others cannot read (0750)", st, err)
	}

	for key, body := range map[string]string{
		"e1/p1/abc-full.jpg":  "full",
		"e1/p1/abc-thumb.jpg": "thumb",
		"e1/p2/def.heic":      "original",
		"e2/x.jpg":            "other event",
		"top.jpg":             "top",
	} {
		if err := s.Put(ctx, key, strings.NewReader(body)); err != nil {
			t.Fatalf("Put(%q): %v", key, err)
		}
	}
	if got := readKey(t, s, "e1/p1/abc-full.jpg"); got != "full" {
		t.Errorf("Open = %q, want %q", got, "full")
	}
	if err := s.Put(ctx, "e1/p1/abc-full.jpg", strings.NewReader("replaced")); err != nil {
		t.Fatal(err)
	}
	if got := readKey(t, s, "e1/p1/abc-full.jpg"); got != "replaced" {
		t.Errorf("after overwrite Open = %q, want %q", got, "replaced")
	}

	listTests := map[string][]string{
		"":         {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg", "e1/p2/def.heic", "e2/x.jpg", "top.jpg"},
		"e1/":      {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg", "e1/p2/def.heic"},
		"e1/p1/ab": {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg"},
		"e":        {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg", "e1/p2/def.heic", "e2/x.jpg"},
		"e3/":      nil,
		"nothing":  nil,
	}
	for prefix, want := range listTests {
		if diff := cmp.Diff(want, listKeys(t, s, prefix)); diff != "" {
			t.Errorf("List(%q) (-want +got):\n%s", prefix, diff)
		}
	}

	if err := s.Delete(ctx, "e1/p2/def.heic"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "e1/p2/def.heic"); err != nil {
		t.Errorf("Delete of a missing key: %v, want nil", err)
	}
	_, err := s.Open(ctx, "e1/p2/def.heic")
	if !errors.Is(err, ErrNotExist) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open after Delete: %v, want ErrNotExist", err)
	}
	if _, err := s.Open(ctx, "e1"); !errors.Is(err, ErrNotExist) {
		t.Errorf("Open of a folder: %v, want ErrNotExist", err)
	}

	stop := errors.New("stop")
	calls := 0
	err = s.List(ctx, "", func(string) error { calls++; return stop })
	if !errors.Is(err, stop) || calls != 1 {
		t.Errorf("List stopping: %v after %d calls, want stop after 1", err, calls)
	}
}

func TestDiskStoreRefusesBadKeys(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	bad := []string{
		"", "../x", "/abs", "a/../b", "A B", "Upper.jpg", "a//b", "a/", "a/./b", "./a",
		"..", "x/..", "a\\b", "a b", "é.jpg", "a\x00b", ".hidden", "a/.tmp-x", strings.Repeat("a", 600),
	}
	for _, key := range bad {
		if err := s.Put(ctx, key, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) accepted", key)
		}
		if _, err := s.Open(ctx, key); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want a key error (not a file lookup)", key, err)
		}
		if err := s.Delete(ctx, key); err == nil {
			t.Errorf("Delete(%q) accepted", key)
		}
	}
	for _, prefix := range []string{"../", "/abs", "A"} {
		if err := s.List(ctx, prefix, func(string) error { return nil }); err == nil {
			t.Errorf("List(%q) accepted", prefix)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("root holds %v (%v) after refused keys, want nothing", entries, err)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(dir), "x")); err == nil {
		t.Error("a refused key wrote outside the store")
	}
}

// failingReader returns some bytes, then an error, as an upload cut off
// mid-way would.
type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n > 0 {
		n := min(len(p), f.n)
		f.n -= n
		return n, nil
	}
	return 0, errors.New("connection reset")
}

func TestDiskStorePutFailureLeavesNothing(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	if err := s.Put(ctx, "e1/a.jpg", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "e1/a.jpg", &failingReader{n: 100 << 10}); err == nil {
		t.Fatal("Put with a failing reader succeeded")
	}
	if got := readKey(t, s, "e1/a.jpg"); got != "old" {
		t.Errorf("after a failed Put the file holds %q, want the old %q", got, "old")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Put(cancelled, "e1/b.jpg", strings.NewReader("new")); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context: %v, want context.Canceled", err)
	}
	entries, err := os.ReadDir(filepath.Join(dir, "e1"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"a.jpg"}, names); diff != "" {
		t.Errorf("files left in e1 (-want +got):\n%s", diff)
	}
}

func TestDiskStoreStaysInsideRoot(t *testing.T) {
	ctx := context.Background()
	s, dir := newTestStore(t)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := s.Put(ctx, "link/x.jpg", strings.NewReader("x")); err == nil {
		t.Error("Put through a symlink leading out of the store succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("wrote %v outside the store", entries)
	}
}
