package handlers_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/media"
)

// FuzzLiveForms sends arbitrary reactions, votes, guesses and presenter
// moves during a running reveal: each is taken or refused with a 4xx,
// never a 5xx, and however many votes go in, a person has at most one per
// prompt and never one for their own answer. It also opens bursts of event
// streams on one session: at most four are held, the rest refused with
// 429, and once they end the session connects again.
func FuzzLiveForms(f *testing.F) {
	f.Add(uint8(0), "👏", "", "", "", "")
	f.Add(uint8(0), "💩\x00", "", "", "", "")
	f.Add(uint8(1), "", "1", "", "", "")
	f.Add(uint8(1), "", "-1", "", "", "")
	f.Add(uint8(1), "", "99999999999999999999", "", "", "")
	f.Add(uint8(2), "", "1", "2", "", "")
	f.Add(uint8(2), "", "1", "", "1", "")
	f.Add(uint8(2), "", "1", "abc", "0x10", "")
	f.Add(uint8(3), "", "", "", "", "3")
	f.Add(uint8(3), "", "", "", "", "-2147483649")
	f.Add(uint8(3), "", "", "", "", "1e9")
	f.Add(uint8(4), "", "", "", "", "")
	f.Add(uint8(4+5*6), "", "", "", "", "presenter")
	s := newFuzzSite(f, media.DefaultLimits())
	joke := s.app.Prompt(s.ev, models.KindText, "Your best joke", nil, nil)
	cy := s.app.Client()
	cy.Join(s.ev, "Cy")
	if rec := cy.PostForm(handlertest.AnswerPath(s.ev, joke), url.Values{"text": {"Knock knock"}}); rec.Code != http.StatusSeeOther {
		f.Fatalf("Cy's answer: %d", rec.Code)
	}
	reveal := fmt.Sprintf("/dashboard/events/%d/reveal", s.ev.ID)
	if rec := s.postForm(reveal+"/start", url.Values{}, s.organizer); rec.Code != http.StatusSeeOther {
		f.Fatalf("start the reveal: %d", rec.Code)
	}
	live := fmt.Sprintf("/e/%d/live", s.ev.ID)
	f.Fuzz(func(t *testing.T, action uint8, emoji, submission, person, team, index string) {
		switch action % 5 {
		case 0:
			r := s.postForm(live+"/react", url.Values{"emoji": {emoji}}, s.member)
			wantStatus(t, "react", r, http.StatusSeeOther, http.StatusConflict, http.StatusUnprocessableEntity, http.StatusTooManyRequests)
		case 1:
			r := s.postForm(live+"/vote", url.Values{"submission": {submission}}, s.member)
			wantStatus(t, "vote", r, http.StatusSeeOther, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
		case 2:
			r := s.postForm(live+"/guess", url.Values{"submission": {submission}, "person": {person}, "team": {team}}, s.member)
			wantStatus(t, "guess", r, http.StatusSeeOther, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
		case 3:
			r := s.postForm(reveal+"/goto", url.Values{"index": {index}}, s.organizer)
			wantStatus(t, "goto", r, http.StatusSeeOther, http.StatusBadRequest, http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity)
		case 4:
			path, cookies := live+"/stream", s.member
			if index == "presenter" {
				path, cookies = reveal+"/stream", s.organizer
			}
			s.checkStreamBurst(t, path, cookies, 1+int(action/5)%8)
		}
		var votes []models.Vote
		if err := s.app.Store.DB().Where("participant_id = ?", s.pa.ID).Find(&votes).Error; err != nil {
			t.Fatal(err)
		}
		seen := map[uint]bool{}
		for _, v := range votes {
			if seen[v.PromptID] {
				t.Fatalf("two votes in prompt %d: %+v", v.PromptID, votes)
			}
			seen[v.PromptID] = true
			sub, err := s.app.Store.EventSubmission(t.Context(), s.ev.ID, v.SubmissionID)
			if err != nil {
				t.Fatal(err)
			}
			if sub.ParticipantID == s.pa.ID {
				t.Fatalf("a vote for the voter's own answer: %+v", v)
			}
		}
	})
}

// checkStreamBurst opens n event streams at once on one session and holds
// them: min(n, 4) are served, the others refused with 429; once all have
// ended, one more is served (no place was kept).
func (s *fuzzSite) checkStreamBurst(t *testing.T, path string, cookies []*http.Cookie, n int) {
	ctx, cancel := context.WithCancel(t.Context())
	served, refused := 0, 0
	var ended []chan struct{}
	for range n {
		code, done := s.openHeld(ctx, path, cookies)
		ended = append(ended, done)
		switch code {
		case http.StatusOK:
			served++
		case http.StatusTooManyRequests:
			refused++
		default:
			t.Fatalf("stream: status %d", code)
		}
	}
	cancel()
	for _, done := range ended {
		<-done
	}
	if want := min(n, 4); served != want || refused != n-want {
		t.Fatalf("%d streams at once: %d served and %d refused, want %d served", n, served, refused, want)
	}
	ctx, cancel = context.WithCancel(t.Context())
	code, done := s.openHeld(ctx, path, cookies)
	cancel()
	<-done
	if code != http.StatusOK {
		t.Fatalf("a stream after the burst ended: %d", code)
	}
}

// openHeld starts a stream request held open until ctx ends, and returns
// its status once the handler has flushed or finished, with a channel
// closed when the handler has returned.
func (s *fuzzSite) openHeld(ctx context.Context, path string, cookies []*http.Cookie) (int, chan struct{}) {
	req := httptest.NewRequestWithContext(ctx, http.MethodGet, path, nil)
	req.Header.Set("Accept", "text/event-stream")
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := &streamRecorder{ResponseRecorder: httptest.NewRecorder(), flushed: make(chan struct{})}
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.app.Echo.ServeHTTP(rec, req)
	}()
	select {
	case <-rec.flushed:
	case <-done:
	case <-time.After(20 * time.Second):
		return 0, done
	}
	return rec.Code, done
}
