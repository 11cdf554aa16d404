package main

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"retreat/models"
	"retreat/models/media"
)

// TestBackupUnderLoadRoundTrips backs up a running server (the real binary)
// while phones keep uploading and replacing photos, restores the file into
// a new data folder, and serves it: the restored database is sound, every
// answer acknowledged before the backup began is in it, every photo it
// names is whole, and the restored server serves them.
func TestBackupUnderLoadRoundTrips(t *testing.T) {
	dir := t.TempDir()
	ev, pr := seedEvent(t, dir)
	var photos [][]byte
	for _, name := range []string{"progressive.jpg", "grayscale.jpg", "photo.webp"} {
		b, err := os.ReadFile(samplePhoto(t, name))
		if err != nil {
			t.Fatal(err)
		}
		photos = append(photos, b)
	}
	p := startProcess(t, dir, "--photo-workers", "2")

	// Before the backup: ten phones answer.
	var before []*phone
	for i := range 10 {
		ph := newPhone(p.base)
		if err := ph.join(ev.JoinToken, fmt.Sprintf("Early %d", i)); err != nil {
			t.Fatal(err)
		}
		if _, err := ph.upload(pr.ID, photos[i%len(photos)], "early"); err != nil {
			t.Fatal(err)
		}
		before = append(before, ph)
	}

	// During it: those phones keep replacing their photos (so folders the
	// snapshot names get deleted under the backup) and new ones join.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var replaced, joined, failed atomic.Int64
	for i, ph := range before {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := ph.upload(pr.ID, photos[(i+n)%len(photos)], fmt.Sprintf("take %d", n)); err != nil {
					failed.Add(1)
					t.Errorf("replace during backup: %v", err)
					return
				}
				replaced.Add(1)
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ph := newPhone(p.base)
			if err := ph.join(ev.JoinToken, fmt.Sprintf("Late %d", i)); err != nil {
				t.Errorf("join during backup: %v", err)
				return
			}
			if _, err := ph.upload(pr.ID, photos[i%len(photos)], "late"); err != nil {
				t.Errorf("upload during backup: %v", err)
				return
			}
			joined.Add(1)
		}
	}()

	time.Sleep(500 * time.Millisecond) // the load is under way
	file := filepath.Join(t.TempDir(), "retreat.backup")
	var out, errOut bytes.Buffer
	start := time.Now()
	if err := run(t.Context(), []string{"backup", "--data-dir", dir, file}, nil, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	took := time.Since(start)
	time.Sleep(300 * time.Millisecond) // and goes on after it
	close(stop)
	wg.Wait()
	t.Logf("%s(took %s while %d photos were replaced and %d phones joined and answered)", out.String(), took.Round(time.Millisecond), replaced.Load(), joined.Load())
	if replaced.Load() == 0 {
		t.Error("no photo was replaced during the backup: the test did not load the server")
	}

	// Restore into a new folder: it refuses to overwrite one with data.
	if err := run(t.Context(), []string{"restore", "--data-dir", dir, file}, nil, &out, &errOut); err == nil {
		t.Error("restore over a data folder with a database was not refused")
	}
	restored := filepath.Join(t.TempDir(), "restored")
	out.Reset()
	if err := run(t.Context(), []string{"restore", "--data-dir", restored, file}, nil, &out, &errOut); err != nil {
		t.Fatalf("restore: %v\n%s", err, errOut.String())
	}
	t.Log(strings.TrimSpace(out.String()))

	store, err := models.Open(t.Context(), filepath.Join(restored, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.IntegrityCheck(t.Context()); err != nil {
		t.Fatal(err)
	}
	subs, err := store.EventSubmissions(t.Context(), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	store.Close()
	names := map[string]bool{}
	for _, s := range subs {
		names[s.ParticipantName] = true
		for _, f := range []string{models.PhotoFile(s.PhotoKey, media.Full), models.PhotoFile(s.PhotoKey, media.Phone),
			models.PhotoFile(s.PhotoKey, media.Thumb), models.OriginalFile(s.PhotoKey, s.PhotoFormat)} {
			if _, err := os.Stat(filepath.Join(restored, "media", f)); err != nil {
				t.Errorf("restored answer of %s lacks %s", s.ParticipantName, f)
			}
		}
	}
	for i := range 10 {
		if !names[fmt.Sprintf("Early %d", i)] {
			t.Errorf("Early %d answered before the backup but is not in it", i)
		}
	}

	// The restored data serves: the organizer downloads every original.
	p2 := startProcess(t, restored)
	org := newPhone(p2.base)
	res, err := org.client.Get(p2.base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	u, _ := url.Parse(p2.base)
	for _, c := range org.client.Jar.Cookies(u) {
		if c.Name == "retreat_csrf" {
			org.csrf = c.Value
		}
	}
	res, err = org.client.PostForm(p2.base+"/login", url.Values{"email": {"ana@example.com"}, "password": {"a long enough password"}, "_csrf": {org.csrf}})
	if err != nil || res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in on the restored server: %v %v", res, err)
	}
	res.Body.Close()
	for _, s := range subs {
		res, err := org.client.Get(fmt.Sprintf("%s/dashboard/events/%d/photos/%d/original", p2.base, ev.ID, s.ID))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("original of %s on the restored server: %d", s.ParticipantName, res.StatusCode)
		}
	}
	// A phone from before carries on where the backup left it: its
	// session was in the database.
	res, err = before[0].client.Get(fmt.Sprintf("%s/e/%d", p2.base, ev.ID))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("a participant's session after the restore: %d", res.StatusCode)
	}
}

func TestRestoreRefusesForeignEntries(t *testing.T) {
	for _, name := range []string{"../escape.txt", "media/../../escape.txt", "/etc/passwd", "media/events/1/x/.hidden", "other.txt"} {
		t.Run(name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "evil.tar")
			f, err := os.Create(file)
			if err != nil {
				t.Fatal(err)
			}
			tw := tar.NewWriter(f)
			tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: 4, Typeflag: tar.TypeReg})
			tw.Write([]byte("evil"))
			tw.Close()
			f.Close()
			parent := t.TempDir()
			var out, errOut bytes.Buffer
			if err := run(t.Context(), []string{"restore", "--data-dir", filepath.Join(parent, "data"), file}, nil, &out, &errOut); err == nil {
				t.Fatal("a backup with a foreign entry was restored")
			}
			entries, _ := os.ReadDir(parent)
			if len(entries) != 0 {
				t.Errorf("restore left %v behind", entries)
			}
			if _, err := os.Stat(filepath.Join(parent, "..", "escape.txt")); err == nil {
				t.Error("an entry escaped the data folder")
			}
		})
	}
}

// TestBackupRetakesTheSnapshotWhenAPhotoIsReplaced replaces a photo right
// after the first snapshot, as the app may: the folder the snapshot names
// is gone, so the backup takes a second snapshot and copies the new
// folder; the restored database points at a photo the file holds.
func TestBackupRetakesTheSnapshotWhenAPhotoIsReplaced(t *testing.T) {
	dir := t.TempDir()
	ev, pr := seedEvent(t, dir)
	store, photos, closeData := openData(t, dir)
	defer closeData()
	pa, err := store.Join(t.Context(), ev, models.JoinInput{Name: "Bea", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	save := func(name string) *models.Submission {
		t.Helper()
		return savePhoto(t, store, photos, ev, pr, pa, name)
	}
	first := save("progressive.jpg")
	var second *models.Submission
	afterSnapshot = func(n int) {
		if n == 1 {
			second = save("grayscale.jpg") // deletes the first folder
		}
	}
	t.Cleanup(func() { afterSnapshot = nil })
	file := filepath.Join(t.TempDir(), "b.tar")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"backup", "--data-dir", dir, file}, nil, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "2 snapshot(s)") {
		t.Errorf("backup output %q, want 2 snapshots", out.String())
	}
	restored := filepath.Join(t.TempDir(), "data")
	if err := run(t.Context(), []string{"restore", "--data-dir", restored, file}, nil, &out, &errOut); err != nil {
		t.Fatalf("restore: %v\n%s", err, errOut.String())
	}
	rs, err := models.Open(t.Context(), filepath.Join(restored, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	got, err := rs.EventSubmission(t.Context(), ev.ID, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.PhotoKey != second.PhotoKey || got.Caption != "grayscale.jpg" {
		t.Errorf("restored answer %s %q, want the replacement %s", got.PhotoKey, got.Caption, second.PhotoKey)
	}
	if _, err := os.Stat(filepath.Join(restored, "media", models.PhotoFile(second.PhotoKey, media.Full))); err != nil {
		t.Errorf("the replacement's files are not in the backup: %v", err)
	}
}

// TestRestoreForceKeepsTheReplacedDataAside restores over a data folder
// that has moved on since the backup: without --force nothing changes;
// a damaged backup with --force changes nothing either; with --force the
// backup's data takes the folder's place and what it replaced is kept,
// whole, beside it.
func TestRestoreForceKeepsTheReplacedDataAside(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "data")
	ev, pr := seedEvent(t, dir)
	names := func(dir string) []string {
		t.Helper()
		store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer store.Close()
		ps, err := store.Participants(t.Context(), ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, p := range ps {
			out = append(out, p.Name)
		}
		slices.Sort(out)
		return out
	}
	join := func(name, photo string) *models.Submission {
		t.Helper()
		store, photos, closeData := openData(t, dir)
		defer closeData()
		pa, err := store.Join(t.Context(), ev, models.JoinInput{Name: name, TimeZone: "UTC"})
		if err != nil {
			t.Fatal(err)
		}
		return savePhoto(t, store, photos, ev, pr, pa, photo)
	}
	bea := join("Bea", "progressive.jpg")
	file := filepath.Join(t.TempDir(), "b.tar")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"backup", "--data-dir", dir, file}, nil, &out, &errOut); err != nil {
		t.Fatalf("backup: %v\n%s", err, errOut.String())
	}
	late := join("Late", "grayscale.jpg") // after the backup
	current := []string{"Bea", "Late"}

	entries := func() []string {
		t.Helper()
		es, err := os.ReadDir(parent)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range es {
			out = append(out, e.Name())
		}
		return out
	}

	errOut.Reset()
	if err := run(t.Context(), []string{"restore", "--data-dir", dir, file}, nil, &out, &errOut); err == nil {
		t.Fatal("restore over a database without --force was not refused")
	}
	if !strings.Contains(errOut.String(), "--force") {
		t.Errorf("the refusal does not mention --force: %q", errOut.String())
	}

	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	damaged := filepath.Join(t.TempDir(), "damaged.tar")
	if err := os.WriteFile(damaged, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if err := run(t.Context(), []string{"restore", "--force", "--data-dir", dir, damaged}, nil, &out, &errOut); err == nil {
		t.Fatal("a damaged backup was restored")
	}
	if got := names(dir); !slices.Equal(got, current) || !slices.Equal(entries(), []string{"data"}) {
		t.Fatalf("after refused restores: participants %v, folders %v; want %v in data alone", got, entries(), current)
	}

	out.Reset()
	if err := run(t.Context(), []string{"restore", "--force", "--data-dir", dir, file}, nil, &out, &errOut); err != nil {
		t.Fatalf("restore --force: %v\n%s", err, errOut.String())
	}
	es := entries()
	if len(es) != 2 || es[0] != "data" || !strings.HasPrefix(es[1], "data.before-restore-") {
		t.Fatalf("folders after the restore: %v, want data and data.before-restore-TIME", es)
	}
	aside := filepath.Join(parent, es[1])
	if !strings.Contains(out.String(), "The data it replaced is in "+aside) {
		t.Errorf("the restore does not say where the old data went:\n%s", out.String())
	}
	if got := names(dir); !slices.Equal(got, []string{"Bea"}) {
		t.Errorf("restored participants %v, want the backup's [Bea]", got)
	}
	if got := names(aside); !slices.Equal(got, current) {
		t.Errorf("participants kept aside %v, want %v", got, current)
	}
	for _, s := range media.Sizes {
		if _, err := os.Stat(filepath.Join(dir, "media", models.PhotoFile(bea.PhotoKey, s))); err != nil {
			t.Errorf("restored photo: %v", err)
		}
		if _, err := os.Stat(filepath.Join(dir, "media", models.PhotoFile(late.PhotoKey, s))); err == nil {
			t.Errorf("the restored folder has a photo sent after the backup")
		}
		if _, err := os.Stat(filepath.Join(aside, "media", models.PhotoFile(late.PhotoKey, s))); err != nil {
			t.Errorf("photo kept aside: %v", err)
		}
	}
}

// openData opens a data folder's database and photos, as the server would.
func openData(t *testing.T, dir string) (*models.Store, *media.DiskStore, func()) {
	t.Helper()
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	photos, err := media.NewDiskStore(filepath.Join(dir, "media"))
	if err != nil {
		store.Close()
		t.Fatal(err)
	}
	return store, photos, func() { photos.Close(); store.Close() }
}

// savePhoto runs the sample photo name through the pipeline and stores it
// as pa's answer, its caption the file's name.
func savePhoto(t *testing.T, store *models.Store, photos media.Store, ev *models.Event, pr *models.Prompt, pa *models.Participant, name string) *models.Submission {
	t.Helper()
	path := samplePhoto(t, name)
	res, err := media.NewProcessor(1, media.DefaultLimits()).Process(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := store.StorePhotoAnswer(t.Context(), photos, ev, pr, pa, name, path, res)
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
