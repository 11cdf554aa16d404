package live

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"retreat/models"
)

// preloadDeck is event 7's deck: a cover, a prompt, three photos, a text
// answer, a mosaic of 14 tiles (one a text), an undecided award with a
// photo already chosen, a fourth photo and the scores.
func preloadDeck() Deck {
	photo := func(id uint) Slide {
		return Slide{Key: SubmissionKey(id), Kind: KindPhoto, SubmissionID: id, PhotoKey: fmt.Sprintf("e7/p%d/abcdef%02d", id, id),
			Version: fmt.Sprintf("abcdef%02d", id), Author: "Someone"}
	}
	var tiles []Tile
	for id := uint(100); id < 114; id++ {
		t := Tile{SubmissionID: id, PhotoKey: fmt.Sprintf("e7/p%d/v%d", id, id), Version: fmt.Sprintf("v%d", id)}
		if id == 101 {
			t = Tile{SubmissionID: id, Text: "a text answer"}
		}
		tiles = append(tiles, t)
	}
	return Deck{EventID: 7, Slides: []Slide{
		{Key: "cover", Kind: KindCover},     // 0
		{Key: "prompt-1", Kind: KindPrompt}, // 1
		photo(11),                           // 2
		photo(12),                           // 3
		{Key: "sub-13", Kind: KindText, SubmissionID: 13}, // 4
		photo(14), // 5
		{Key: MosaicKey(1, 1), Kind: KindMosaic, Tiles: tiles},                                                      // 6
		{Key: "award-votes-1", Kind: KindAward, SubmissionID: 11, PhotoKey: "e7/p11/abcdef11", Version: "abcdef11"}, // 7
		photo(15), // 8
		{Key: "scores-people-0", Kind: KindScores}, // 9
	}}
}

func url7(id uint, v string) string { return FollowerPhotoURL(7, id, v) }

// thumb7 is a mosaic tile's URL: the grid shows thumbnails.
func thumb7(id uint, v string) string { return FollowerThumbURL(7, id, v) }

func mosaicURLs() []string {
	var out []string
	for id := uint(100); len(out) < PreloadTiles; id++ {
		if id != 101 {
			out = append(out, thumb7(id, fmt.Sprintf("v%d", id)))
		}
	}
	return out
}

func TestPreloadURLsListTheNextPhotoSlides(t *testing.T) {
	d := preloadDeck()
	tests := []struct {
		name  string
		index int
		want  []string
	}{
		{"from the cover: the next three photos", 0, []string{url7(11, "abcdef11"), url7(12, "abcdef12"), url7(14, "abcdef14")}},
		{"a text answer does not count", 3, append([]string{url7(14, "abcdef14")}, append(mosaicURLs(), url7(15, "abcdef15"))...)},
		{"a mosaic's first screenful of photo tiles, then past the award", 5,
			append(mosaicURLs(), url7(15, "abcdef15"))},
		{"an award's photo never: it names the winner", 6, []string{url7(15, "abcdef15")}},
		{"the last photo: nothing after it", 8, nil},
		{"past the end", 9, nil},
		{"out of range", 42, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, d.PreloadURLs(tc.index)); diff != "" {
				t.Errorf("PreloadURLs(%d) (-want +got):\n%s", tc.index, diff)
			}
		})
	}
}

func TestFollowerMessageListsPreloadsOnlyWhileLive(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status models.RevealStatus
		want   []string
	}{
		{"live", models.RevealLive, []string{url7(12, "abcdef12"), url7(14, "abcdef14"), thumb7(100, "v100")}},
		{"idle", models.RevealIdle, nil},
		{"ended", models.RevealEnded, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := &State{EventID: 7, Seq: 3, Status: tc.status, Index: 2, Deck: preloadDeck(),
				Shown: map[string]bool{}, Named: map[string]bool{}}
			msg, err := encodeFollower(st)
			if err != nil {
				t.Fatal(err)
			}
			var fs FollowerState
			if err := json.Unmarshal(msg.Data, &fs); err != nil {
				t.Fatal(err)
			}
			got := fs.Preload
			if len(got) > 3 {
				got = got[:3]
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("preload of a %q reveal at slide 2 (-want +got):\n%s", tc.status, diff)
			}
		})
	}
}

func TestFollowerPhotoID(t *testing.T) {
	for url, want := range map[string]uint{
		FollowerPhotoURL(7, 42, "abc"): 42,
		"/e/7/live/photos/42":          42,
		FollowerPhotoURL(8, 42, "abc"): 0, // another event's
		"/e/7/live/photos/x?v=1":       0,
		"":                             0,
	} {
		if got := followerPhotoID(7, url); got != want {
			t.Errorf("followerPhotoID(7, %q) = %d, want %d", url, got, want)
		}
	}
}

// fakeReveal is the follower state a gate reads, counting the reads.
type fakeReveal struct {
	mu    sync.Mutex
	st    State
	reads int
}

func (f *fakeReveal) set(status models.RevealStatus, index int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.st.Seq++
	f.st.Status, f.st.Index = status, index
}

func (f *fakeReveal) current(_ context.Context, eventID uint) (Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads++
	if eventID != f.st.EventID {
		return encodeFollower(&State{EventID: eventID})
	}
	return encodeFollower(&f.st)
}

func (f *fakeReveal) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

func TestPreloadGateAllowsTheWindowAndReadsLittle(t *testing.T) {
	rev := &fakeReveal{st: State{EventID: 7, Deck: preloadDeck(), Shown: map[string]bool{}, Named: map[string]bool{}}}
	now := time.Date(2026, 12, 7, 18, 0, 0, 0, time.UTC)
	g := &PreloadGate{current: rev.current, now: func() time.Time { return now }, events: map[uint]*preloadWindow{}}
	ctx := t.Context()
	may := func(id uint) bool {
		t.Helper()
		ok, err := g.MayPreload(ctx, 7, id)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}

	if may(11) {
		t.Error("a photo is allowed before the reveal starts")
	}
	rev.set(models.RevealLive, 0)
	now = now.Add(preloadRecheck)
	for _, id := range []uint{11, 12, 14} {
		if !may(id) {
			t.Errorf("photo %d, in the window of the cover, is refused", id)
		}
	}
	if may(15) || may(100) {
		t.Error("a photo past the window is allowed")
	}
	if n := rev.readCount(); n != 2 {
		t.Errorf("the gate read the state %d times, want 2 (once idle, once live)", n)
	}

	// The presenter moves on to the mosaic: its tiles are on screen, the
	// next photo is in the window. Until the gate reads the state again,
	// the old window stands (for at most preloadFresh)...
	rev.set(models.RevealLive, 6)
	if !may(11) {
		t.Error("a photo of the window a moment ago is refused before the gate read the state again")
	}
	// ... and the next miss reads it.
	now = now.Add(preloadRecheck)
	for _, id := range []uint{113, 15} {
		if !may(id) {
			t.Errorf("photo %d (the mosaic on screen, the next photo) is refused", id)
		}
	}
	if may(11) {
		t.Error("a photo of the old window is allowed after the gate read the new one")
	}
	// A photo found is trusted for preloadFresh, then read again.
	reads := rev.readCount()
	now = now.Add(preloadFresh - time.Millisecond)
	if !may(15) || rev.readCount() != reads {
		t.Errorf("a photo in the window read the state again within preloadFresh")
	}
	rev.set(models.RevealLive, 9)
	now = now.Add(time.Millisecond)
	if may(15) {
		t.Error("a photo of a window older than preloadFresh is allowed")
	}
	if n := rev.readCount(); n != reads+1 {
		t.Errorf("reads after the window aged: %d, want %d", n, reads+1)
	}

	// Asking for photos far ahead over and over reads at most once per
	// preloadRecheck.
	reads = rev.readCount()
	for i := 0; i < 100; i++ {
		may(999)
	}
	if n := rev.readCount(); n != reads {
		t.Errorf("100 misses within preloadRecheck read the state %d times", n-reads)
	}

	rev.set(models.RevealEnded, 6)
	now = now.Add(preloadFresh)
	if may(15) {
		t.Error("a photo is allowed after the reveal ended")
	}
	if ok, _ := g.MayPreload(ctx, 8, 15); ok {
		t.Error("another event's reveal allows event 7's photo")
	}
}
