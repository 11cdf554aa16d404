package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"retreat/models"
	"retreat/models/live"
)

// TestLivebenchSmoke runs the load tool small (20 phones, two moves per
// phase) as a user would, built and run as its own binary (it re-runs
// itself for the phones): every phase reports, the reactions phase really
// sends reactions and they are taken, and the verdict lines are printed.
func TestLivebenchSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the load tool")
	}
	bin := filepath.Join(t.TempDir(), "livebench")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	// -spread short, so the phones surely preload within the phase.
	out, err := exec.CommandContext(ctx, bin, "-followers", "20", "-moves", "3", "-interval", "100ms", "-spread", "200ms",
		"-churn", "20", "-react", "20", "-timeout", "2m").CombinedOutput()
	report := string(out)
	if err != nil {
		t.Fatalf("livebench: %v\n%s", err, report)
	}
	for _, want := range []string{"quiet, 3 slide changes", "20 phone requests/s, 3 slide changes", "20 reactions/s, 3 slide changes",
		"photo downloaded too", "there at once", "per phone:", "delivery p99", "slowed by reactions:"} {
		if !strings.Contains(report, want) {
			t.Errorf("the report lacks %q:\n%s", want, report)
		}
	}
	// Slides 2 and 3 are photos, preloaded while the cover showed.
	for _, m := range regexp.MustCompile(`photos preloaded\s+(\d+) \((\d+) refused`).FindAllStringSubmatch(report, -1) {
		if m[1] == "0" || m[2] != "0" {
			t.Errorf("preloads: %s done, %s refused, want some and none refused:\n%s", m[1], m[2], report)
		}
	}
	if n := strings.Count(report, "photos preloaded"); n != 3 {
		t.Errorf("%d phases report preloads, want 3:\n%s", n, report)
	}
	m := regexp.MustCompile(`reactions\s+\d+/s done \((\d+), (\d+) errors\)`).FindStringSubmatch(report)
	if m == nil {
		t.Fatalf("no reactions line in the report:\n%s", report)
	}
	done, _ := strconv.Atoi(m[1])
	refused, _ := strconv.Atoi(m[2])
	if done == 0 {
		t.Errorf("no reaction was taken:\n%s", report)
	}
	// A reaction sent as the slide changes can meet the next slide, and
	// one that takes no reactions (a mosaic, a title) refuses it, as it
	// would a phone's: a few of those, never most.
	if refused > done/10 {
		t.Errorf("%d of %d reactions were refused:\n%s", refused, done, report)
	}
}

// TestReadsTheFollowerState: the phones read a slide's photos (a mosaic's
// first screenful) and the preload list from the state's bytes without
// decoding them; check them against a real encoded state.
func TestReadsTheFollowerState(t *testing.T) {
	fs := live.FollowerState{Seq: 9, Status: models.RevealLive, Slide: &live.FollowerSlide{Kind: live.KindMosaic, Title: "A \"photo\": yes",
		Tiles: []live.FollowerTile{{SubmissionID: 1, Photo: live.FollowerPhotoURL(3, 1, "a&b"), Thumb: live.FollowerThumbURL(3, 1, "a&b")}, {SubmissionID: 2, Text: "no photo"}}},
		Preload: []string{live.FollowerPhotoURL(3, 4, "v4"), live.FollowerPhotoURL(3, 5, "v5")}}
	for i := 6; i < 30; i++ {
		fs.Slide.Tiles = append(fs.Slide.Tiles, live.FollowerTile{SubmissionID: uint(i), Photo: live.FollowerPhotoURL(3, uint(i), "v"),
			Thumb: live.FollowerThumbURL(3, uint(i), "v")})
	}
	data, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	if got := seqOf(data); got != 9 {
		t.Errorf("seq: got %d, want 9", got)
	}
	photos := slidePhotos(data)
	if len(photos) != screenTiles || photos[0] != "/e/3/live/photos/1?v=a&b&size=thumb" || photos[1] != "/e/3/live/photos/6?v=v&size=thumb" {
		t.Errorf("slide photos: got %v", photos)
	}
	if got := preloadOf(data); !slices.Equal(got, fs.Preload) {
		t.Errorf("preload: got %v, want %v", got, fs.Preload)
	}
	data, _ = json.Marshal(live.FollowerState{Seq: 1, Status: models.RevealLive, Slide: &live.FollowerSlide{Kind: live.KindCover}})
	if p, l := slidePhotos(data), preloadOf(data); p != nil || l != nil {
		t.Errorf("the cover: photos %v, preload %v", p, l)
	}
}

// TestFollowReadsLongEvents: a state longer than the phone's read buffer
// (a mosaic's runs to several kilobytes) still arrives whole.
func TestFollowReadsLongEvents(t *testing.T) {
	long := `{"seq":7,"slide":{"caption":"` + strings.Repeat("x", 10000) + `"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "id: 6\nevent: slide\ndata: {\"seq\":6}\n\nid: 7\nevent: slide\ndata: %s\n\n", long)
	}))
	defer srv.Close()
	b := &bench{o: options{eventID: 1}, base: srv.URL, client: srv.Client()}
	var got []string
	err := b.follow(t.Context(), &phone{cookies: map[string]string{}}, func(seq int64, data []byte) { got = append(got, string(data)) })
	if !errors.Is(err, io.EOF) {
		t.Errorf("follow: %v, want EOF at the end of the stream", err)
	}
	if len(got) != 2 || got[1] != long+"\n" {
		t.Errorf("got %d events, the second of %d bytes, want 2 and %d", len(got), len(got[len(got)-1]), len(long)+1)
	}
}
