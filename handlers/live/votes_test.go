package live_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models/live"
)

// goTo moves the reveal onto the slide with key and returns the state
// phones get.
func (s *show) goTo(t *testing.T, key string) live.FollowerState {
	t.Helper()
	d, err := s.app.Store.RevealState(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	var deck live.Deck
	if err := json.Unmarshal([]byte(d.Deck), &deck); err != nil {
		t.Fatal(err)
	}
	i := deck.Index(key)
	if i < 0 {
		t.Fatalf("no slide %q in the deck", key)
	}
	return s.act(t, s.ana, "goto", url.Values{"index": {strconv.Itoa(i)}})
}

// phonePost posts as a phone's script does, returning the status and the
// JSON body's "error" (if any).
func (s *show) phonePost(t *testing.T, c *handlertest.Client, action string, form url.Values) (int, map[string]any) {
	t.Helper()
	code, body := postJSON(c, s.live()+"/"+action, form)
	out := map[string]any{}
	if body != "" {
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatalf("%s: not JSON: %v\n%s", action, err, body)
		}
	}
	return code, out
}

func sub(id uint) url.Values { return url.Values{"submission": {strconv.FormatUint(uint64(id), 10)}} }

func TestVotesOnePerPersonPerPromptUntilTheAwardComesUp(t *testing.T) {
	s := newShow(t)
	vote := func(c *handlertest.Client, id uint) (int, string) {
		code, out := s.phonePost(t, c, "vote", sub(id))
		msg, _ := out["error"].(string)
		return code, msg
	}
	if code, msg := vote(s.cy, s.deePhoto); code != http.StatusConflict || !strings.Contains(msg, "closed") {
		t.Fatalf("a vote before the reveal: got %d %q, want 409", code, msg)
	}
	s.act(t, s.ana, "start", nil)
	if code, _ := vote(s.cy, s.deePhoto); code != http.StatusNotFound {
		t.Fatalf("a vote for an answer not shown yet: got %d, want 404", code)
	}
	st := s.goTo(t, live.SubmissionKey(s.deePhoto))
	if st.Slide == nil || st.Slide.SubmissionID != s.deePhoto || !st.Slide.VotingOpen {
		t.Fatalf("phones are not told they may vote on Dee's photo: %+v", st.Slide)
	}
	if code, msg := vote(s.dee, s.deePhoto); code != http.StatusUnprocessableEntity || !strings.Contains(msg, "your own") {
		t.Fatalf("Dee voting for her own photo: got %d %q, want 422", code, msg)
	}
	if code, _ := vote(s.bea, s.deePhoto); code != http.StatusOK {
		t.Fatalf("Bea's vote: got %d", code)
	}
	s.goTo(t, live.SubmissionKey(s.beaPhoto))
	// Cy votes for Bea, then changes her mind: one vote in the prompt.
	for _, id := range []uint{s.beaPhoto, s.deePhoto} {
		if code, msg := vote(s.cy, id); code != http.StatusOK {
			t.Fatalf("Cy's vote for %d: got %d %q", id, code, msg)
		}
	}
	if code, _ := vote(s.dee, s.beaPhoto); code != http.StatusOK {
		t.Fatalf("Dee's vote: got %d", code)
	}
	// Cy's kept out of the live call: never shown, never voted for.
	if code, _ := vote(s.bea, s.cyPhoto); code != http.StatusNotFound {
		t.Fatalf("a vote for an answer kept out of the reveal: got %d, want 404", code)
	}
	if code, _ := vote(s.bea, 0); code != http.StatusUnprocessableEntity {
		t.Fatalf("a vote without an answer: got %d, want 422", code)
	}
	totals, err := s.app.Store.VoteTotals(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if totals[s.deePhoto] != 2 || totals[s.beaPhoto] != 1 || len(totals) != 2 {
		t.Fatalf("vote totals: got %v, want Dee 2 and Bea 1", totals)
	}

	// The award comes up: decided from the votes, and voting closes.
	st = s.goTo(t, live.VotesAwardKey(s.swing.ID))
	a := st.Slide
	if a == nil || a.Kind != live.KindAward || !a.Decided || len(a.Rows) != 1 || a.Rows[0].Name != "Dee" || a.Rows[0].Points != 2 || a.Unit != "votes" {
		t.Fatalf("the favourite's award on phones: %+v", a)
	}
	if a.SubmissionID != s.deePhoto || a.Photo == "" {
		t.Fatalf("the award shows no winning photo: %+v", a)
	}
	if code := s.bea.Get(a.Photo).Code; code != http.StatusOK {
		t.Fatalf("the winning photo on a phone: got %d", code)
	}
	if code, msg := vote(s.cy, s.beaPhoto); code != http.StatusConflict || !strings.Contains(msg, "closed") {
		t.Fatalf("a vote after the award: got %d %q, want 409", code, msg)
	}
	// The joke prompt's voting is still open; going back and forth does
	// not decide the award again.
	s.goTo(t, live.SubmissionKey(s.beaJoke))
	if code, _ := vote(s.cy, s.beaJoke); code != http.StatusOK {
		t.Fatalf("a vote in the next prompt: got %d", code)
	}
	st = s.goTo(t, live.VotesAwardKey(s.swing.ID))
	if st.Slide.Rows[0].Points != 2 {
		t.Fatalf("the award changed when shown again: %+v", st.Slide.Rows)
	}

	// Without the script: a plain form post, back to the page with a note.
	s.goTo(t, live.SubmissionKey(s.beaJoke))
	rec := s.dee.PostForm(s.live()+"/vote", sub(s.beaJoke))
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("a form vote: got %d\n%s", rec.Code, rec.Body.String())
	}
	page := s.dee.Get(s.live()).Body.String()
	if !strings.Contains(page, "Vote saved") || !strings.Contains(page, "Your favourite") {
		t.Fatalf("the page after a form vote does not say so:\n%s", page)
	}
}

func TestGuessesCloseWhenTheNameComesOut(t *testing.T) {
	s := newShow(t)
	people, err := s.app.Store.Participants(t.Context(), s.ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	id := map[string]string{}
	for _, p := range people {
		id[p.Name] = strconv.FormatUint(uint64(p.ID), 10)
	}
	guess := func(c *handlertest.Client, answer uint, person string) (int, string) {
		form := sub(answer)
		form.Set("person", person)
		code, out := s.phonePost(t, c, "guess", form)
		msg, _ := out["error"].(string)
		return code, msg
	}
	s.act(t, s.ana, "start", nil)
	if code, _ := guess(s.cy, s.beaPhoto, id["Bea"]); code != http.StatusNotFound {
		t.Fatalf("a guess on an answer not shown yet: got %d, want 404", code)
	}
	st := s.goTo(t, live.SubmissionKey(s.beaPhoto))
	if st.Slide.Author != "" || strings.Contains(mustJSON(t, st), `"Bea"`) {
		t.Fatalf("the name reached phones before it was revealed: %+v", st.Slide)
	}
	if code, msg := guess(s.cy, s.beaPhoto, id["Bea"]); code != http.StatusOK {
		t.Fatalf("Cy's guess: got %d %q", code, msg)
	}
	if code, _ := guess(s.dee, s.beaPhoto, id["Bea"]); code != http.StatusOK {
		t.Fatalf("Dee's first guess: got %d", code)
	}
	if code, _ := guess(s.dee, s.beaPhoto, id["Cy"]); code != http.StatusOK { // changed her mind
		t.Fatalf("Dee's second guess: got %d", code)
	}
	if code, msg := guess(s.bea, s.beaPhoto, id["Cy"]); code != http.StatusUnprocessableEntity || !strings.Contains(msg, "your own") {
		t.Fatalf("Bea guessing on her own photo: got %d %q", code, msg)
	}
	for _, bad := range []string{"", "0", "999999", "abc"} {
		if code, _ := guess(s.cy, s.beaPhoto, bad); code != http.StatusUnprocessableEntity {
			t.Fatalf("a guess naming %q: got %d, want 422", bad, code)
		}
	}

	// The name comes out: the room sees how many guessed right.
	st = s.act(t, s.ana, "name", url.Values{"named": {"1"}})
	if !st.Named || st.Slide.Author != "Bea" || st.Slide.Guesses != 2 || st.Slide.GuessRight != 1 {
		t.Fatalf("after the name: %+v", st.Slide)
	}
	if code, msg := guess(s.dee, s.beaPhoto, id["Bea"]); code != http.StatusConflict || !strings.Contains(msg, "name is out") {
		t.Fatalf("a guess after the name: got %d %q, want 409", code, msg)
	}
	page := s.ana.Get(s.presenter()).Body.String()
	if !strings.Contains(page, "1 of 2 guessed right") {
		t.Fatalf("the presenter's page does not show the guesses")
	}

	// Dee's photo: Cy guesses right, but its name is never revealed, so
	// it does not count for the best guessers.
	s.goTo(t, live.SubmissionKey(s.deePhoto))
	if code, _ := guess(s.cy, s.deePhoto, id["Dee"]); code != http.StatusOK {
		t.Fatalf("Cy's guess on Dee's photo: got %d", code)
	}
	st = s.goTo(t, "award-guessers")
	if a := st.Slide; !a.Decided || len(a.Rows) != 1 || a.Rows[0].Name != "Cy" || a.Rows[0].Points != 1 {
		t.Fatalf("best guessers: %+v", a)
	}
}

func TestReactionsAreRateLimitedAndCountTowardsTheAward(t *testing.T) {
	s := newShow(t)
	react := func(c *handlertest.Client, emoji string) int {
		code, _ := s.phonePost(t, c, "react", url.Values{"emoji": {emoji}})
		return code
	}
	s.act(t, s.ana, "start", nil)
	s.goTo(t, live.SubmissionKey(s.deePhoto))
	for i := range 5 {
		if code := react(s.bea, "👏"); code != http.StatusNoContent {
			t.Fatalf("reaction %d: got %d, want 204", i+1, code)
		}
	}
	// The sixth in a row is too fast (the test's clock stands still, so the
	// bucket never refills).
	code, body := postJSON(s.bea, s.live()+"/react", url.Values{"emoji": {"👏"}})
	if code != http.StatusTooManyRequests || !strings.Contains(body, "Slow down") {
		t.Fatalf("a sixth reaction at once: got %d %s, want 429", code, body)
	}
	for _, bad := range []string{"", "💩", "<script>", strings.Repeat("👏", 2)} {
		if code := react(s.cy, bad); code != http.StatusUnprocessableEntity {
			t.Fatalf("reaction %q: got %d, want 422", bad, code)
		}
	}
	// Another phone is not held back by Bea's limit.
	if code := react(s.cy, "😂"); code != http.StatusNoContent {
		t.Fatalf("Cy's reaction: got %d", code)
	}
	// Reactions are saved in batches a moment later.
	deadline := time.Now().Add(10 * time.Second)
	for {
		totals, err := s.app.Store.ReactionTotals(t.Context(), s.ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if totals[s.deePhoto] == 6 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("reactions to Dee's photo: got %v, want 6", totals)
		}
		time.Sleep(50 * time.Millisecond)
	}
	st := s.goTo(t, "award-reactions")
	if a := st.Slide; !a.Decided || len(a.Rows) != 1 || a.Rows[0].Name != "Dee" || a.Rows[0].Points != 6 || a.Unit != "reactions" {
		t.Fatalf("most reactions: %+v", a)
	}
}

// TestReactionsWaitForTheReveal: before the presenter starts, a reaction
// is refused with a message saying why.
func TestReactionsWaitForTheReveal(t *testing.T) {
	s := newShow(t)
	code, out := s.phonePost(t, s.dee, "react", url.Values{"emoji": {"👏"}})
	if msg, _ := out["error"].(string); code != http.StatusConflict || !strings.Contains(msg, "isn't live") {
		t.Fatalf("a reaction before the reveal: got %d %q, want 409", code, msg)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
