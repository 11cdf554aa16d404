package participant_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/models"
)

func randomUploadID(t *testing.T) string {
	t.Helper()
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b[:])
}

// TestBrowserShowsUploadLimits: a phone refused a new resumable upload
// shows the server's message, at once, instead of retrying as if the
// connection were lost: for its own unfinished uploads (429) and for the
// server out of room for unfinished uploads (507).
func TestBrowserShowsUploadLimits(t *testing.T) {
	s := newUploadSite(t)
	ctx := browsertest.New(t)
	do(t, ctx, "phone", chromedp.ActionFunc(browsertest.Phone))
	s.joinAs(t, ctx, "Dee")
	bg := context.Background()
	people, err := s.app.Store.Participants(bg, s.ev.ID)
	if err != nil || len(people) != 1 {
		t.Fatalf("participants: %d, %v", len(people), err)
	}
	dee := people[0].ID
	var mine []string
	for range 3 { // three photos Dee's other tab has on their way
		id := randomUploadID(t)
		if err := s.app.Store.ReserveUpload(bg, id, dee, 1<<20); err != nil {
			t.Fatal(err)
		}
		mine = append(mine, id)
	}
	refused := func(want string) {
		t.Helper()
		s.openPrompt(t, ctx, s.prompts[0])
		choose(t, ctx, "orient-1.jpg")
		var status string
		do(t, ctx, "upload while refused",
			chromedp.Click(`[data-submit]`, chromedp.ByQuery),
			chromedp.Poll(`(() => { const s = document.querySelector("[data-upload-status]");
				return s.classList.contains("bad") && !document.querySelector("[data-submit]").disabled ? s.textContent : null; })()`,
				&status, chromedp.WithPollingTimeout(20*time.Second)))
		if !strings.Contains(status, want) {
			t.Errorf("the phone says %q, want %q", status, want)
		}
	}
	refused("You already have 3 photos on their way")

	for _, id := range mine {
		if err := s.app.Store.ReleaseUpload(bg, id); err != nil {
			t.Fatal(err)
		}
	}
	// Someone else's uploads take all the room there is.
	other, err := s.app.Store.Join(bg, s.ev, models.JoinInput{Name: "Eli", TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.app.Store.ReserveUpload(bg, randomUploadID(t), other.ID, s.app.Store.UploadLimits().TotalBytes); err != nil {
		t.Fatal(err)
	}
	refused("no room for more photos right now")
	if sub, _ := s.app.Store.ParticipantSubmissions(bg, dee); len(sub) != 0 {
		t.Errorf("refused uploads stored %d answers", len(sub))
	}
}
