package handlers_test

// Request bodies: nothing anonymous is read before it is authorised, every
// body is bounded by its route's cap, a slow body is cut off, and no spool
// file outlives its request. Each case below was an attack that worked.

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"retreat/handlers"
	"retreat/handlers/handlertest"
	"retreat/models"
)

// countingBody counts what the server read of a request body.
type countingBody struct {
	r io.Reader
	n atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// bigMultipart is a multipart form with a file part of size bytes.
func bigMultipart(t *testing.T, fields map[string]string, size int) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	fw, err := w.CreateFormFile("photo", "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write(bytes.Repeat([]byte{0x55}, size)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), buf.Bytes()
}

// emptyDir fails the test if dir holds anything.
func emptyDir(t *testing.T, what, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("%s: %s left behind", what, e.Name())
	}
}

func TestUnauthorisedUploadsAreRefusedBeforeTheirBodyIsRead(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where a parsed form would spool its files
	w := newHardWorld(t)
	ct, body := bigMultipart(t, map[string]string{"caption": "hi"}, 4<<20)
	answer := handlertest.AnswerPath(w.evA, w.photo)
	stranger := w.app.Client()
	cases := []struct {
		name   string
		client *handlertest.Client
		path   string
		want   int
	}{
		// The attack as found: no session, no token, an event that does
		// not even exist.
		{"anonymous, no token, no such event", stranger, "/e/999/prompts/1/answer", http.StatusForbidden},
		{"anonymous, no token", stranger, answer, http.StatusForbidden},
		// A token of its own (a browser without a session keeps its
		// secret in the cookie) but no participant: the route's guard
		// answers before the handler reads.
		{"anonymous with its own token", stranger, answer + "?_csrf=" + url.QueryEscape(stranger.CSRF()), http.StatusNotFound},
		{"participant of B with a token", w.dee, answer + "?_csrf=" + url.QueryEscape(w.dee.CSRF()), http.StatusNotFound},
		// The participant's own session, without the token in the
		// query: a multipart body is never parsed to look for it.
		{"participant, token only in the body", w.bea, answer, http.StatusForbidden},
		{"tus creation without a token", stranger, "/tus/", http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &countingBody{r: bytes.NewReader(body)}
			req := httptest.NewRequest(http.MethodPost, tc.path, b)
			req.Header.Set("Content-Type", ct)
			req.Header.Set("Tus-Resumable", "1.0.0")
			req.Header.Set("Upload-Length", fmt.Sprint(len(body)))
			if tc.name == "participant, token only in the body" {
				// Put the token in the form, where a page's hidden field is.
				var buf bytes.Buffer
				mw := multipart.NewWriter(&buf)
				_ = mw.WriteField("_csrf", w.bea.CSRF())
				fw, _ := mw.CreateFormFile("photo", "big.bin")
				_, _ = fw.Write(bytes.Repeat([]byte{1}, 4<<20))
				_ = mw.Close()
				b = &countingBody{r: &buf}
				req = httptest.NewRequest(http.MethodPost, tc.path, b)
				req.Header.Set("Content-Type", mw.FormDataContentType())
			}
			rec := tc.client.Do(req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want, rec.Body.String())
			}
			if n := b.n.Load(); n != 0 {
				t.Errorf("the server read %d bytes of a body it refused", n)
			}
		})
	}
	emptyDir(t, "TMPDIR", tmp)
	for _, f := range w.app.UploadFiles() {
		t.Errorf("upload spool: %s left behind", f)
	}
	if n := len(w.answers(t)); n != 0 {
		t.Errorf("%d answers stored", n)
	}
}

func TestBodiesAreBoundedByTheirRoute(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	limits := handlertest.SmallLimits(1 << 20) // photos up to 1 MB
	w := newHardWorld(t, handlertest.Options{Limits: &limits})
	text := w.app.Prompt(w.evA, models.KindText, "Joke", nil, nil)
	withToken := func(path string) string { return path + "?_csrf=" + url.QueryEscape(w.bea.CSRF()) }

	t.Run("a photo over the cap is refused from its length", func(t *testing.T) {
		ct, body := bigMultipart(t, nil, 3<<20)
		b := &countingBody{r: bytes.NewReader(body)}
		req := httptest.NewRequest(http.MethodPost, withToken(handlertest.AnswerPath(w.evA, w.photo)), b)
		req.ContentLength = int64(len(body))
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept", "application/json")
		rec := w.bea.Do(req)
		if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "larger than 1 MB") {
			t.Fatalf("status %d %s, want 413 naming the cap", rec.Code, rec.Body.String())
		}
		if b.n.Load() != 0 {
			t.Errorf("read %d bytes of a body its length already refused", b.n.Load())
		}
	})
	t.Run("a chunked photo over the cap is stopped while read", func(t *testing.T) {
		ct, body := bigMultipart(t, nil, 3<<20)
		req := httptest.NewRequest(http.MethodPost, withToken(handlertest.AnswerPath(w.evA, w.photo)), io.MultiReader(bytes.NewReader(body)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", ct)
		req.Header.Set("Accept", "application/json")
		if rec := w.bea.Do(req); rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d %s, want 413", rec.Code, rec.Body.String())
		}
	})
	t.Run("a text answer carrying a file part", func(t *testing.T) {
		// The cap of a photo answer is no licence for a text answer: it
		// is parsed within a small bound, in memory, and never spooled.
		ct, body := bigMultipart(t, map[string]string{"text": "a joke"}, 512<<10)
		req := httptest.NewRequest(http.MethodPost, withToken(handlertest.AnswerPath(w.evA, text)), bytes.NewReader(body))
		req.Header.Set("Content-Type", ct)
		rec := w.bea.Do(req)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "could not be read") {
			t.Fatalf("status %d, want 400 with a message: %s", rec.Code, rec.Body.String())
		}
	})
	t.Run("a small text answer sent as multipart still works", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		_ = mw.WriteField("text", "Why did the photo go to jail? It was framed.")
		_ = mw.Close()
		if rec := w.bea.PostRaw(withToken(handlertest.AnswerPath(w.evA, text)), mw.FormDataContentType(), &buf); rec.Code != http.StatusSeeOther {
			t.Fatalf("status %d, want 303: %s", rec.Code, rec.Body.String())
		}
	})
	t.Run("a form over the form cap", func(t *testing.T) {
		form := url.Values{"name": {strings.Repeat("x", 2<<20)}}
		rec := w.bea.PostForm(fmt.Sprintf("/e/%d/me/email", w.evA.ID), form)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", rec.Code)
		}
	})
	emptyDir(t, "TMPDIR", tmp)
	for _, f := range w.app.UploadFiles() {
		t.Errorf("upload spool: %s left behind", f)
	}
	if subs := w.answers(t); len(subs) != 1 || subs[0].PromptID != text.ID {
		t.Errorf("answers stored: %+v, want only the small text answer", subs)
	}
}

// slowServer is the app behind a real listener (deadlines need a real
// connection) with small body pacing limits.
func slowServer(t *testing.T) (*hardWorld, string) {
	t.Helper()
	w := newHardWorld(t, handlertest.Options{Configure: func(c *handlers.Config) {
		c.MinBodyRate = 1000
		c.BodyGrace = 300 * time.Millisecond
		c.BodyIdle = 500 * time.Millisecond
	}})
	srv := httptest.NewServer(w.app.Echo)
	t.Cleanup(srv.Close)
	return w, strings.TrimPrefix(srv.URL, "http://")
}

// rawRequest sends a request's head and the first part of its body, then
// calls trickle to send the rest, and returns what the server answered
// and whether it closed the connection, waiting at most 20 s.
func rawRequest(t *testing.T, addr, head string, trickle func(net.Conn)) (status string) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := io.WriteString(conn, head); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		trickle(conn)
	}()
	_ = conn.SetReadDeadline(time.Now().Add(20 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil && line == "" {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatal("the server still held the connection after 20 s")
		}
		return "closed"
	}
	conn.Close()
	<-done
	return strings.TrimSpace(line)
}

func TestSlowBodiesAreCutOff(t *testing.T) {
	w, addr := slowServer(t)
	form := "time_zone=UTC&_csrf=" + url.QueryEscape(w.bea.CSRF())
	var cookies []string
	for _, c := range w.bea.Cookies() {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	head := func(length int) string {
		return fmt.Sprintf("POST /e/%d/me/time-zone HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nCookie: %s\r\n\r\n",
			w.evA.ID, addr, length, strings.Join(cookies, "; "))
	}
	t.Run("a byte a second", func(t *testing.T) {
		stop := make(chan struct{})
		defer close(stop)
		status := rawRequest(t, addr, head(len(form)), func(c net.Conn) {
			for i := 0; i < len(form); i++ {
				select {
				case <-stop:
					return
				case <-time.After(200 * time.Millisecond):
				}
				if _, err := c.Write([]byte{form[i]}); err != nil {
					return
				}
			}
		})
		if !strings.Contains(status, " 408 ") && status != "closed" {
			t.Fatalf("answer %q, want the connection cut (408 or closed)", status)
		}
	})
	t.Run("a length longer than the body", func(t *testing.T) {
		status := rawRequest(t, addr, head(len(form)+1000), func(c net.Conn) { _, _ = io.WriteString(c, form) })
		if !strings.Contains(status, " 408 ") && status != "closed" {
			t.Fatalf("answer %q, want the connection cut (408 or closed)", status)
		}
	})
	t.Run("a body sent at once is not affected", func(t *testing.T) {
		status := rawRequest(t, addr, head(len(form))+form, func(net.Conn) {})
		if !strings.Contains(status, "303") {
			t.Fatalf("answer %q, want 303", status)
		}
	})
}
