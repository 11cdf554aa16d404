package participant_test

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// nothingStored fails the test if a refused upload left a row, a photo
// or a file in the upload spool.
func nothingStored(t *testing.T, app *handlertest.App, ev *models.Event, what string) {
	t.Helper()
	if subs, err := app.Store.EventSubmissions(t.Context(), ev.ID); err != nil || len(subs) != 0 {
		t.Errorf("%s stored %d submissions (%v)", what, len(subs), err)
	}
	if files := app.MediaFiles(); len(files) != 0 {
		t.Errorf("%s left photo files: %v", what, files)
	}
	if files := app.UploadFiles(); len(files) != 0 {
		t.Errorf("%s left files in the upload spool: %v", what, files)
	}
}

// wantRefusal checks a refusal's status and message: the prompt page again
// with the message for a browser, {"error": message} for a script.
func wantRefusal(t *testing.T, what string, rec *httptest.ResponseRecorder, json bool, status int, message string) {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("%s: got %d, want %d\n%s", what, rec.Code, status, rec.Body.String())
	}
	if json {
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s: Content-Type %q, want JSON", what, ct)
		}
		m := handlertest.JSON(t, rec)
		if got, _ := m["error"].(string); !strings.Contains(got, message) {
			t.Errorf("%s: error %q, want it to say %q", what, got, message)
		}
		return
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("%s: Content-Type %q, want an HTML page", what, ct)
	}
	if body := rec.Body.String(); !strings.Contains(body, message) {
		t.Errorf("%s: the page does not say %q:\n%s", what, message, body)
	}
}

// garbageForm is a multipart body of n junk fields, with a real photo
// before or after them (or none).
func garbageForm(t *testing.T, n int, photo string, photoFirst bool) (string, *bytes.Buffer) {
	t.Helper()
	body := &bytes.Buffer{}
	w := multipart.NewWriter(body)
	addPhoto := func() {
		if photo == "" {
			return
		}
		data, err := os.ReadFile(photo)
		if err != nil {
			t.Fatal(err)
		}
		fw, _ := w.CreateFormFile("photo", filepath.Base(photo))
		fw.Write(data)
	}
	if photoFirst {
		addPhoto()
	}
	w.WriteField("caption", "a caption")
	for i := range n {
		w.WriteField(fmt.Sprintf("junk%d", i), strings.Repeat("\x00garbage<>&", 20))
	}
	if !photoFirst {
		addPhoto()
	}
	w.Close()
	return w.FormDataContentType(), body
}

// TestGarbageFormIsRefusedWithAMessageAndStoresNothing posts a form of 25
// junk fields, alone or around a good photo, as a browser and as a script.
func TestGarbageFormIsRefusedWithAMessageAndStoresNothing(t *testing.T) {
	app, ev, photo, _ := hunt(t)
	c := app.Client()
	c.Join(ev, "Bea")
	path := handlertest.AnswerPath(ev, photo) + "?_csrf=" + url.QueryEscape(c.CSRF())
	good := handlertest.PhotoPath(t, "orient-1.jpg")
	for _, tc := range []struct {
		name       string
		photo      string
		photoFirst bool
	}{
		{"junk only", "", false},
		{"junk then a photo", good, false},
		{"a photo then junk", good, true},
	} {
		for _, json := range []bool{false, true} {
			c.Accept = ""
			if json {
				c.Accept = "application/json"
			}
			what := fmt.Sprintf("%s (JSON %t)", tc.name, json)
			ct, body := garbageForm(t, 25, tc.photo, tc.photoFirst)
			rec := c.PostRaw(path, ct, body)
			wantRefusal(t, what, rec, json, http.StatusBadRequest, "The form has too many fields.")
			if !json && !strings.Contains(rec.Body.String(), photo.Title) {
				t.Errorf("%s: the refusal is not the prompt page again", what)
			}
			nothingStored(t, app, ev, what)
		}
	}
}

// TestOversizeUploadLeavesNothingBehind: a photo over the byte cap is
// refused with the cap in the message, and neither a row, a photo nor a
// spool file is left, for a browser and for a script.
func TestOversizeUploadLeavesNothingBehind(t *testing.T) {
	limits := handlertest.SmallLimits(1 << 20)
	app := handlertest.New(t, handlertest.Options{Limits: &limits})
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Hunt", "UTC")
	p := app.Prompt(ev, models.KindPhoto, "Big", nil, nil)
	c := app.Client()
	c.Join(ev, "Bea")
	for _, json := range []bool{false, true} {
		c.Accept = ""
		if json {
			c.Accept = "application/json"
		}
		rec := c.Upload(handlertest.AnswerPath(ev, p), "too big", handlertest.PhotoPath(t, "phone-12mp.jpg"))
		what := fmt.Sprintf("oversize upload (JSON %t)", json)
		wantRefusal(t, what, rec, json, http.StatusRequestEntityTooLarge, "larger than 1 MB")
		nothingStored(t, app, ev, what)
	}
}

// TestEveryBadSampleIsRefusedAndStoresNothing uploads every file in
// ../shared/testdata/photos/bad (the folder as it is, so a sample added
// there is covered) and checks each is refused with a 4xx and a message,
// leaving no row and no file.
func TestEveryBadSampleIsRefusedAndStoresNothing(t *testing.T) {
	dir := handlertest.PhotoPath(t, "bad")
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 7 {
		t.Fatalf("found %d files in %s, want the 7 or more samples", len(files), dir)
	}
	app, ev, photo, _ := hunt(t)
	c := app.Client()
	c.Join(ev, "Bea")
	for _, file := range files {
		rel, _ := filepath.Rel(dir, file)
		t.Run(rel, func(t *testing.T) {
			// A script gets {"error": message}; a browser the prompt page
			// again with the same message.
			c.Accept = "application/json"
			rec := c.Upload(handlertest.AnswerPath(ev, photo), "bad sample", file)
			if rec.Code < 400 || rec.Code > 499 {
				t.Fatalf("JSON: got %d, want a 4xx\n%s", rec.Code, rec.Body.String())
			}
			msg, _ := handlertest.JSON(t, rec)["error"].(string)
			if msg == "" {
				t.Fatalf("JSON: no error message in %s", rec.Body.String())
			}
			nothingStored(t, app, ev, rel+" (JSON)")
			c.Accept = ""
			rec2 := c.Upload(handlertest.AnswerPath(ev, photo), "bad sample", file)
			wantRefusal(t, rel+" (HTML)", rec2, false, rec.Code, html.EscapeString(msg))
			nothingStored(t, app, ev, rel+" (HTML)")
		})
	}
}

// zeros reads as an endless run of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// countingReader counts what the server read of a request body.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// bigUpload is a multipart upload generated as it is read, never held
// whole by the test either: a real JPEG followed by padding bytes.
func bigUpload(t *testing.T, padding int64) (contentType string, body *countingReader, size int64) {
	t.Helper()
	jpeg, err := os.ReadFile(handlertest.PhotoPath(t, "orient-1.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var head bytes.Buffer
	w := multipart.NewWriter(&head)
	w.WriteField("caption", "a big one")
	if _, err := w.CreateFormFile("photo", "big.jpg"); err != nil {
		t.Fatal(err)
	}
	tail := "\r\n--" + w.Boundary() + "--\r\n"
	size = int64(head.Len()+len(jpeg)+len(tail)) + padding
	r := io.MultiReader(bytes.NewReader(head.Bytes()), bytes.NewReader(jpeg), io.LimitReader(zeros{}, padding), strings.NewReader(tail))
	return w.FormDataContentType(), &countingReader{r: r}, size
}

// heapGrowthDuring runs f while sampling the heap, and returns how far the
// heap in use rose above where it was before, at its peak.
func heapGrowthDuring(f func()) (grow int64, allocated uint64) {
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	peak.Store(base.HeapInuse)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	f()
	close(stop)
	wg.Wait()
	var end runtime.MemStats
	runtime.ReadMemStats(&end)
	return int64(peak.Load()) - int64(base.HeapInuse), end.TotalAlloc - base.TotalAlloc
}

// TestUploadIsNeverHeldWholeInMemory streams a 40 MiB upload through the
// real router, once within the byte cap (spooled to disk, processed and
// stored) and once over it (refused while streaming, without reading the
// rest), and checks the heap never grows by more than a small part of it.
func TestUploadIsNeverHeldWholeInMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 40 MiB uploads")
	}
	const padding = 40 << 20
	for _, tc := range []struct {
		name     string
		maxBytes int64
		status   int
	}{
		{"within the cap", 64 << 20, http.StatusOK},
		{"over the cap", 8 << 20, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			limits := handlertest.SmallLimits(tc.maxBytes)
			// On disk whatever the test back end: this is about the
			// request path, not an S3 client's part buffers.
			app := handlertest.New(t, handlertest.Options{Limits: &limits, Embedded: true})
			o := app.Organizer("ana@example.com", "Ana")
			ev := app.Event(o, "Hunt", "UTC")
			p := app.Prompt(ev, models.KindPhoto, "Big", nil, nil)
			c := app.Client()
			c.Join(ev, "Bea")
			c.Accept = "application/json"
			ct, body, size := bigUpload(t, padding)
			req := httptest.NewRequest(http.MethodPost, handlertest.AnswerPath(ev, p)+"?_csrf="+url.QueryEscape(c.CSRF()), body)
			req.Header.Set("Content-Type", ct)
			req.ContentLength = size

			var rec *httptest.ResponseRecorder
			start := time.Now()
			grow, allocated := heapGrowthDuring(func() { rec = c.Do(req) })
			t.Logf("%.0f MiB upload, %.1f MiB read by the server in %v: heap grew by %.1f MiB at most, %.1f MiB allocated",
				float64(size)/(1<<20), float64(body.n.Load())/(1<<20), time.Since(start).Round(time.Millisecond),
				float64(grow)/(1<<20), float64(allocated)/(1<<20))
			if rec.Code != tc.status {
				t.Fatalf("got %d, want %d\n%s", rec.Code, tc.status, rec.Body.String())
			}
			if grow > 12<<20 {
				t.Errorf("heap grew by %.1f MiB while a %.0f MiB upload streamed in: it is being buffered",
					float64(grow)/(1<<20), float64(size)/(1<<20))
			}
			if allocated > uint64(size)/2 {
				t.Errorf("%.1f MiB allocated for a %.0f MiB upload: it is being copied through memory",
					float64(allocated)/(1<<20), float64(size)/(1<<20))
			}
			switch tc.status {
			case http.StatusOK:
				subs, err := app.Store.EventSubmissions(t.Context(), ev.ID)
				if err != nil || len(subs) != 1 || subs[0].Caption != "a big one" {
					t.Fatalf("submissions = %+v, %v", subs, err)
				}
				if files := app.UploadFiles(); len(files) != 0 {
					t.Errorf("the spool kept %v after the upload was stored", files)
				}
			default:
				if read := body.n.Load(); read > tc.maxBytes+(1<<20) {
					t.Errorf("the server read %.1f MiB of a refused upload, past its %d MiB cap", float64(read)/(1<<20), tc.maxBytes>>20)
				}
				nothingStored(t, app, ev, "an upload over the cap")
			}
		})
	}
}
