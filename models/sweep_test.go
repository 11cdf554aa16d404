package models

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"retreat/models/backendtest"
	"retreat/models/media"
)

// TestSweepOrphanPhotos plays what a process killed mid-save leaves on
// disk, and checks the start-up sweep removes exactly that.
func TestSweepOrphanPhotos(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, backendtest.DatabaseURL(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := t.TempDir()
	photos, err := media.NewDiskStore(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	defer photos.Close()
	o, err := s.CreateOrganizer(ctx, NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "a long enough password"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ev, err := s.CreateEvent(ctx, o.ID, EventInput{Name: "Hunt", TimeZone: "UTC", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	pr, err := s.CreatePrompt(ctx, ev, PromptInput{Kind: KindPhoto, Title: "Desk"})
	if err != nil {
		t.Fatal(err)
	}
	pa, err := s.Join(ctx, ev, JoinInput{Name: "Bea", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	put := func(key string) {
		t.Helper()
		if err := photos.Put(ctx, key, strings.NewReader("x")); err != nil {
			t.Fatal(err)
		}
	}
	used, orphan, young, onlyTemp := NewPhotoKey(ev.ID), NewPhotoKey(ev.ID), NewPhotoKey(ev.ID), NewPhotoKey(ev.ID)
	for _, folder := range []string{used, orphan, young} {
		for _, f := range []string{"full.jpg", "phone.jpg", "thumb.jpg", "original.jpg"} {
			put(folder + "/" + f)
		}
	}
	if _, _, err := s.SavePhotoAnswer(ctx, ev, pr, pa, "", PhotoMeta{Key: used, Format: "jpeg"}); err != nil {
		t.Fatal(err)
	}
	// Leftovers of Puts that never finished: one beside a stored photo,
	// one alone in its folder (killed during the first file), one fresh.
	root := filepath.Join(dir, "media")
	for _, p := range []string{used + "/.tmp-full.jpg-1", onlyTemp + "/.tmp-full.jpg-2", young + "/.tmp-thumb.jpg-3"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(p)), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte("partial"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	// Everything is an hour old except the young folder.
	old := now.Add(-time.Hour)
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !strings.Contains(p, filepath.Base(young)) {
			os.Chtimes(p, old, old)
		}
		return nil
	})

	rep, err := s.SweepOrphanPhotos(ctx, photos, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Folders != 1 || rep.Files != 4 {
		t.Errorf("report %+v, want 1 folder of 4 files", rep)
	}
	var left []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != root {
			rel, _ := filepath.Rel(root, p)
			left = append(left, filepath.ToSlash(rel))
		}
		return nil
	})
	for _, want := range []string{used + "/full.jpg", used + "/original.jpg", young + "/thumb.jpg", young + "/.tmp-thumb.jpg-3"} {
		if !slices.Contains(left, want) {
			t.Errorf("%s was removed", want)
		}
	}
	for _, gone := range []string{orphan, orphan + "/full.jpg", used + "/.tmp-full.jpg-1", onlyTemp, onlyTemp + "/.tmp-full.jpg-2"} {
		if slices.Contains(left, gone) {
			t.Errorf("%s is still there", gone)
		}
	}
	// A second sweep finds nothing.
	if rep, err := s.SweepOrphanPhotos(ctx, photos, 10*time.Minute); err != nil || rep.Folders != 0 {
		t.Errorf("second sweep: %+v %v", rep, err)
	}
}
