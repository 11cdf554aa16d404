package main

// The upload attacks of the Hardening II review, against the real binary,
// where memory and disk are the point: bodies a stranger sends are never
// read, spooled or kept, and the server's peak memory stays bounded.

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"retreat/models"
)

// filesUnder lists the regular files under dir.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// streamedBody is a multipart form whose file part is size bytes, made as
// it is read, so the test itself holds none of it.
func streamedBody(size int64, fields map[string]string) (contentType string, body io.Reader, length int64) {
	var head, tail bytes.Buffer
	mw := multipart.NewWriter(&head)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	_, _ = mw.CreateFormFile("photo", "big.jpg")
	tail.WriteString("\r\n--" + mw.Boundary() + "--\r\n")
	fill := io.LimitReader(repeatReader('x'), size)
	return mw.FormDataContentType(), io.MultiReader(&head, fill, &tail), int64(head.Len()) + size + int64(tail.Len())
}

type repeatReader byte

func (r repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// post sends body and reports the status, or 0 when the server closed the
// connection before answering (it may, rather than read a refused body).
func post(client *http.Client, url, contentType string, body io.Reader, length int64) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Accept", "application/json")
	req.ContentLength = length
	res, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, nil
}

func TestAnonymousUploadsCannotFillDiskOrMemory(t *testing.T) {
	dir, tmp := t.TempDir(), t.TempDir()
	ev, photo := seedEvent(t, dir)
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	text, err := store.CreatePrompt(t.Context(), ev, models.PromptInput{Kind: models.KindText, Title: "Joke"})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	p := startProcessEnv(t, dir, []string{"TMPDIR=" + tmp})
	ph := newPhone(p.base)
	if err := ph.join(ev.JoinToken, "Bea"); err != nil {
		t.Fatal(err)
	}
	const size = 40 << 20 // over the 30 MB photo cap
	attacks := []struct {
		name    string
		client  *http.Client
		url     string
		chunked bool
		allowed []int // 0: the server closed the connection unread
	}{
		// The attack as found: no session, no token, an event that does not exist.
		{"anonymous to a made-up event", &http.Client{Timeout: time.Minute}, p.base + "/e/999/prompts/1/answer", false, []int{0, http.StatusForbidden, http.StatusRequestEntityTooLarge}},
		{"anonymous, chunked", &http.Client{Timeout: time.Minute}, p.base + "/e/999/prompts/1/answer", true, []int{0, http.StatusForbidden}},
		// A participant's own session and token: a file part on a text
		// answer, and photos over the cap, declared and chunked.
		{"participant, text answer with a file", ph.client, fmt.Sprintf("%s/e/%d/prompts/%d/answer?_csrf=%s", p.base, ev.ID, text.ID, url.QueryEscape(ph.csrf)), true, []int{0, http.StatusBadRequest}},
		{"participant, photo over the cap", ph.client, fmt.Sprintf("%s/e/%d/prompts/%d/answer?_csrf=%s", p.base, ev.ID, photo.ID, url.QueryEscape(ph.csrf)), false, []int{0, http.StatusRequestEntityTooLarge}},
		{"participant, chunked photo over the cap", ph.client, fmt.Sprintf("%s/e/%d/prompts/%d/answer?_csrf=%s", p.base, ev.ID, photo.ID, url.QueryEscape(ph.csrf)), true, []int{0, http.StatusRequestEntityTooLarge}},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			// Ten at once, as the review sent them.
			var wg sync.WaitGroup
			codes := make([]int, 10)
			for i := range codes {
				wg.Go(func() {
					ct, body, length := streamedBody(size, map[string]string{"caption": "x", "text": "a joke"})
					if a.chunked {
						length = -1
					}
					codes[i], _ = post(a.client, a.url, ct, body, length)
				})
			}
			wg.Wait()
			for _, code := range codes {
				ok := false
				for _, want := range a.allowed {
					ok = ok || code == want
				}
				if !ok {
					t.Errorf("status %d, want one of %v", code, a.allowed)
				}
			}
		})
	}
	// The review's 10 × 40 MB left 390 MB in TMPDIR and a peak of 1.4 GiB.
	for _, f := range filesUnder(t, tmp) {
		t.Errorf("left in TMPDIR: %s", f)
	}
	for _, f := range filesUnder(t, filepath.Join(dir, "uploads")) {
		t.Errorf("left in the upload spool: %s", f)
	}
	if rss := vmHWM(t, p.cmd.Process.Pid); rss > 400<<20 {
		t.Errorf("peak RSS %d MiB, want under 400 MiB", rss>>20)
	} else {
		t.Logf("peak RSS %d MiB", rss>>20)
	}
	// And the server still serves the participant.
	res, err := ph.client.Get(fmt.Sprintf("%s/e/%d", p.base, ev.ID))
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("prompt list after the attacks: %v %v", res, err)
	}
	res.Body.Close()
}
