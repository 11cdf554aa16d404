package media_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"retreat/models/backendtest"
	"retreat/models/media"
)

// These run against a real S3-compatible server (versitygw in CI, started
// by .ci/services.sh), a bucket per test.

func s3Keys(t *testing.T, s media.Store, prefix string) []string {
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

func s3Read(t *testing.T, s media.Store, key string) string {
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

func TestS3Store(t *testing.T) {
	ctx := context.Background()
	s := backendtest.S3Store(t)
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
	if got := s3Read(t, s, "e1/p1/abc-full.jpg"); got != "full" {
		t.Errorf("Open = %q, want %q", got, "full")
	}
	if err := s.Put(ctx, "e1/p1/abc-full.jpg", strings.NewReader("replaced")); err != nil {
		t.Fatal(err)
	}
	if got := s3Read(t, s, "e1/p1/abc-full.jpg"); got != "replaced" {
		t.Errorf("after overwrite Open = %q, want %q", got, "replaced")
	}
	for prefix, want := range map[string][]string{
		"":         {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg", "e1/p2/def.heic", "e2/x.jpg", "top.jpg"},
		"e1/":      {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg", "e1/p2/def.heic"},
		"e1/p1/ab": {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg"},
		"e":        {"e1/p1/abc-full.jpg", "e1/p1/abc-thumb.jpg", "e1/p2/def.heic", "e2/x.jpg"},
		"e3/":      nil,
	} {
		if diff := cmp.Diff(want, s3Keys(t, s, prefix)); diff != "" {
			t.Errorf("List(%q) (-want +got):\n%s", prefix, diff)
		}
	}
	if err := s.Delete(ctx, "e1/p2/def.heic"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "e1/p2/def.heic"); err != nil {
		t.Errorf("Delete of a missing key: %v, want nil", err)
	}
	if _, err := s.Open(ctx, "e1/p2/def.heic"); !errors.Is(err, media.ErrNotExist) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Open after Delete: %v, want ErrNotExist", err)
	}
	if mt, err := s.ModTime(ctx, "e2/x.jpg"); err != nil || time.Since(mt) > time.Hour || time.Until(mt) > time.Hour {
		t.Errorf("ModTime = %v, %v; want about now", mt, err)
	}
	stop := errors.New("stop")
	calls := 0
	if err := s.List(ctx, "", func(string) error { calls++; return stop }); !errors.Is(err, stop) || calls != 1 {
		t.Errorf("List stopping: %v after %d calls, want stop after 1", err, calls)
	}
}

func TestS3StoreRefusesBadKeys(t *testing.T) {
	ctx := context.Background()
	s := backendtest.S3Store(t)
	for _, key := range []string{"", "../x", "/abs", "a/../b", "A B", "Upper.jpg", "a//b", "a/", ".hidden", strings.Repeat("a", 600)} {
		if err := s.Put(ctx, key, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) accepted", key)
		}
		if _, err := s.Open(ctx, key); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) = %v, want a key error", key, err)
		}
		if err := s.Delete(ctx, key); err == nil {
			t.Errorf("Delete(%q) accepted", key)
		}
	}
	if keys := s3Keys(t, s, ""); len(keys) != 0 {
		t.Errorf("bucket holds %v after refused keys, want nothing", keys)
	}
}

// cutReader returns n bytes, then fails, as an upload cut off mid-way.
type cutReader struct{ n int }

func (c *cutReader) Read(p []byte) (int, error) {
	if c.n > 0 {
		n := min(len(p), c.n)
		c.n -= n
		return n, nil
	}
	return 0, errors.New("connection reset")
}

// A failed or cancelled Put leaves the old object, whole.
func TestS3StorePutFailureKeepsOldObject(t *testing.T) {
	ctx := context.Background()
	s := backendtest.S3Store(t)
	if err := s.Put(ctx, "e1/a.jpg", strings.NewReader("old")); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "e1/a.jpg", &cutReader{n: 100 << 10}); err == nil {
		t.Fatal("Put with a failing reader succeeded")
	}
	if got := s3Read(t, s, "e1/a.jpg"); got != "old" {
		t.Errorf("after a failed Put the object holds %q, want the old %q", got, "old")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Put(cancelled, "e1/b.jpg", strings.NewReader("new")); err == nil {
		t.Error("Put with a cancelled context succeeded")
	}
	if diff := cmp.Diff([]string{"e1/a.jpg"}, s3Keys(t, s, "e1/")); diff != "" {
		t.Errorf("objects in e1 (-want +got):\n%s", diff)
	}
}

// A stream of unknown length larger than one part (an original piped from
// elsewhere) arrives byte for byte.
func TestS3StoreStreamsLargeObjects(t *testing.T) {
	ctx := context.Background()
	s := backendtest.S3Store(t)
	want := make([]byte, 20<<20)
	_, _ = rand.Read(want)
	if err := s.Put(ctx, "big/original.jpg", io.MultiReader(bytes.NewReader(want[:1]), bytes.NewReader(want[1:]))); err != nil {
		t.Fatal(err)
	}
	if got := s3Read(t, s, "big/original.jpg"); got != string(want) {
		t.Errorf("read back %d bytes, want the %d written", len(got), len(want))
	}
	if n, err := s.Size(ctx, "big/original.jpg"); err != nil || n != int64(len(want)) {
		t.Errorf("Size = %d, %v; want %d", n, err, len(want))
	}
}

// The bucket is private: without credentials the object cannot be read,
// so photos reach browsers only through the app's authorisation.
func TestS3StoreObjectsArePrivate(t *testing.T) {
	ctx := context.Background()
	cfg := backendtest.S3Config(t)
	s, err := media.NewS3Store(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(ctx, "e1/p/full.jpg", strings.NewReader("secret photo")); err != nil {
		t.Fatal(err)
	}
	res, err := http.Get(strings.TrimRight(cfg.Endpoint, "/") + "/" + cfg.Bucket + "/e1/p/full.jpg")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode == http.StatusOK || strings.Contains(string(body), "secret photo") {
		t.Errorf("anonymous GET of an object: %d %q, want it refused", res.StatusCode, body)
	}
}

// A prefix keeps two stores in one bucket apart.
func TestS3StorePrefix(t *testing.T) {
	ctx := context.Background()
	cfg := backendtest.S3Config(t)
	a, err := media.NewS3Store(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Prefix = "install-b/"
	b, err := media.NewS3Store(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Put(ctx, "x.jpg", strings.NewReader("b")); err != nil {
		t.Fatal(err)
	}
	if err := a.Put(ctx, "x.jpg", strings.NewReader("a")); err != nil {
		t.Fatal(err)
	}
	if got := s3Read(t, b, "x.jpg"); got != "b" {
		t.Errorf("prefixed store reads %q, want %q", got, "b")
	}
	if diff := cmp.Diff([]string{"x.jpg"}, s3Keys(t, b, "")); diff != "" {
		t.Errorf("prefixed store lists (-want +got):\n%s", diff)
	}
}

func TestS3ConfigValidate(t *testing.T) {
	ok := media.S3Config{Endpoint: "http://127.0.0.1:7070", Bucket: "b", AccessKey: "k", SecretKey: "hunter2-secret"}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid config: %v", err)
	}
	for name, c := range map[string]media.S3Config{
		"no bucket":   {Endpoint: "http://h", AccessKey: "k", SecretKey: "s"},
		"no secret":   {Endpoint: "http://h", Bucket: "b", AccessKey: "k"},
		"bad scheme":  {Endpoint: "ftp://h", Bucket: "b", AccessKey: "k", SecretKey: "s"},
		"path":        {Endpoint: "http://h/bucket", Bucket: "b", AccessKey: "k", SecretKey: "s"},
		"prefix no /": {Endpoint: "http://h", Bucket: "b", AccessKey: "k", SecretKey: "s", Prefix: "x"},
	} {
		if err := c.Validate(); err == nil {
			t.Errorf("%s: Validate accepted %+v", name, c)
		}
	}
	if d := ok.Describe(); strings.Contains(d, "hunter2") || !strings.Contains(d, "***") {
		t.Errorf("Describe shows the secret: %s", d)
	}
}
