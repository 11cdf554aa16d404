package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"retreat/handlers"
	"retreat/handlers/overload"
	"retreat/models"
	"retreat/models/live"
	"retreat/models/media"
)

const (
	benchEmail    = "presenter@example.com"
	benchPassword = "a long bench password"
)

// runServer starts the app on loopback with a seeded event, runs the
// phones process against it and reports.
func runServer(ctx context.Context, o options, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "livebench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	errs := &errorCounter{}
	log := slog.New(errs)
	store, err := models.Open(ctx, "sqlite://"+filepath.Join(dir, "retreat.db"), models.Options{Log: log})
	if err != nil {
		return err
	}
	defer store.Close()
	photos, err := media.NewDiskStore(filepath.Join(dir, "media"))
	if err != nil {
		return err
	}
	uploads := filepath.Join(dir, "uploads")
	if err := os.MkdirAll(uploads, 0o750); err != nil {
		return err
	}
	hub := live.NewMemoryHub(0)
	app, err := handlers.New(handlers.Config{UploadDir: uploads, Overload: overload.Options{PhotoSlots: o.slots}}, handlers.Deps{
		Store: store, Photos: photos, Images: media.NewProcessor(1, media.DefaultLimits()), Log: log, Hub: hub,
	})
	if err != nil {
		return err
	}
	defer app.Close()
	ev, prompts, err := seed(ctx, store)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	guard := app.Guard()
	ln = guard.Listen(ln)
	counter := &statusCounter{next: app.Echo}
	srv := &http.Server{Handler: counter, ReadHeaderTimeout: 20 * time.Second, IdleTimeout: 120 * time.Second}
	srv.RegisterOnShutdown(app.StopStreams)
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	url := "http://" + ln.Addr().String()
	if o.strict {
		fmt.Fprintf(stderr, "livebench: app on %s, %d phones, %d moves a %v apart without waiting\n", url, o.followers, o.moves, o.interval)
	} else {
		fmt.Fprintf(stderr, "livebench: app on %s, %d phones, %d moves (quiet, with %d reconnects/s, with %d reactions/s)\n", url, o.followers, o.moves, o.churnRate, o.reactRate)
	}
	fmt.Fprintf(stderr, "livebench: load budget %v\n", guard.Describe())

	self, err := os.Executable()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, self, "-role=phones", "-url="+url, "-join="+ev.JoinToken, "-event="+strconv.FormatUint(uint64(ev.ID), 10),
		"-email="+benchEmail, "-password="+benchPassword, "-followers="+strconv.Itoa(o.followers), "-moves="+strconv.Itoa(o.moves),
		"-interval="+o.interval.String(), "-churn="+strconv.Itoa(o.churnRate), "-react="+strconv.Itoa(o.reactRate), "-timeout="+o.timeout.String(),
		"-photos="+strconv.FormatBool(o.photos), "-strict="+strconv.FormatBool(o.strict), "-eager="+strconv.FormatBool(o.eager), "-spread="+o.spread.String(), "-v="+strconv.FormatBool(o.verbose))
	cmd.Stderr = stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	mem := newSampler()
	mem.conns = func() int64 { return guard.Stats().Conns }
	go mem.run(ctx)
	if o.profile != "" {
		f, err := os.Create(o.profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	var rep report
	rep.Followers = o.followers
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "joined":
			// Phones have joined; answers make the deck, then measure the
			// app's memory with nobody connected.
			if err := answer(ctx, store, photos, dir, ev, prompts); err != nil {
				return err
			}
			deck, err := app.Live().Builder.Build(ctx, store, ev.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(stderr, "livebench: deck %s\n", describeDeck(&deck))
			rep.Base = mem.settle()
			mem.resetPeak()
			fmt.Fprintln(in, "go")
		case line == "connected":
			rep.Connected = mem.settle()
			rep.Goroutines = runtime.NumGoroutine()
			if o.memprof != "" {
				if err := writeHeapProfile(o.memprof); err != nil {
					return err
				}
			}
			fmt.Fprintln(in, "go")
		case strings.HasPrefix(line, "result "):
			if err := json.Unmarshal([]byte(line[len("result "):]), &rep.Phones); err != nil {
				return fmt.Errorf("read the phones' result: %w", err)
			}
		default:
			fmt.Fprintln(stderr, "phones:", line)
		}
	}
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("phones process: %w", err)
	}
	rep.PeakRSS = mem.peak.Load()
	gs := guard.Stats()
	rep.Server = serverCounts{Status5xx: counter.status5xx.Load(), Shed503: counter.shed.Load(),
		ErrorLogs: errs.errors.Load(), DBErrorLogs: errs.database.Load(), PeakConns: mem.peakConns.Load(),
		Refused: gs.Refused, ShedPhotos: gs.ShedPhotos, ShedPages: gs.ShedPages, Abandoned: gs.Abandoned}
	if f, ok := errs.first.Load().(string); ok {
		rep.Server.FirstError = f
	}
	rep.Dropped = hub.Dropped()
	rep.print(stdout)
	return nil
}

// seed makes the presenter's account and an event with a photo prompt and
// two text prompts.
func seed(ctx context.Context, s *models.Store) (*models.Event, []*models.Prompt, error) {
	o, err := s.CreateOrganizer(ctx, models.NewOrganizer{Email: benchEmail, Name: "Presenter", Password: benchPassword})
	if err != nil {
		return nil, nil, err
	}
	now := time.Now()
	ev, err := s.CreateEvent(ctx, o.ID, models.EventInput{Name: "Load test", TimeZone: "UTC",
		StartsAt: now.Add(-24 * time.Hour), EndsAt: now.Add(24 * time.Hour)})
	if err != nil {
		return nil, nil, err
	}
	var prompts []*models.Prompt
	for i, kind := range []models.PromptKind{models.KindPhoto, models.KindText, models.KindText} {
		p, err := s.CreatePrompt(ctx, ev, models.PromptInput{Kind: kind, Title: fmt.Sprintf("Prompt %d", i+1), Points: 10})
		if err != nil {
			return nil, nil, err
		}
		prompts = append(prompts, p)
	}
	return ev, prompts, nil
}

// How many phones answer the photo prompt and each text prompt.
const (
	photoAnswers = 32
	textAnswers  = 20
)

// answer has the first 32 phones answer the photo prompt (one 12-megapixel
// photo, run through the real pipeline once and stored for each) and the
// first 20 the text prompts. The show plan makes a deck of 52 slides:
// cover, prompt, 8 photo spotlights, a mosaic of the other 24 photos
// (slides 2-10, the ones the moves walk first), then the text prompts'
// spotlights and mosaics, awards and scores.
func answer(ctx context.Context, s *models.Store, photos media.Store, dir string, ev *models.Event, prompts []*models.Prompt) error {
	people, err := s.Participants(ctx, ev.ID)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "photo.jpg")
	if err := writePhoto(path); err != nil {
		return err
	}
	res, err := media.NewProcessor(1, media.DefaultLimits()).Process(ctx, path)
	if err != nil {
		return err
	}
	for i := range people {
		if i >= photoAnswers {
			break
		}
		for _, p := range prompts {
			if p.Kind == models.KindPhoto {
				if _, err := s.StorePhotoAnswer(ctx, photos, ev, p, &people[i], "A view worth the climb", path, res); err != nil {
					return err
				}
				continue
			}
			if i >= textAnswers {
				continue
			}
			text := fmt.Sprintf("Answer of %s to %s: something the room will laugh at", people[i].Name, p.Title)
			if _, _, err := s.SaveTextAnswer(ctx, ev, p, &people[i], text); err != nil {
				return err
			}
		}
	}
	return nil
}

// describeDeck says what the deck's slides are, in order ("cover, prompt,
// 8 photo, mosaic(24), ...").
func describeDeck(d *live.Deck) string {
	var parts []string
	for i := 0; i < len(d.Slides); {
		sl := &d.Slides[i]
		if sl.Kind == live.KindMosaic {
			parts = append(parts, fmt.Sprintf("mosaic(%d)", len(sl.Tiles)))
			i++
			continue
		}
		j := i
		for j < len(d.Slides) && d.Slides[j].Kind == sl.Kind {
			j++
		}
		if j-i > 1 {
			parts = append(parts, fmt.Sprintf("%d %s", j-i, sl.Kind))
		} else {
			parts = append(parts, string(sl.Kind))
		}
		i = j
	}
	return fmt.Sprintf("of %d slides: %s", len(d.Slides), strings.Join(parts, ", "))
}

// writePhoto writes a 4000x3000 JPEG with some texture, so renditions
// weigh what real ones do.
func writePhoto(path string) error {
	img := image.NewRGBA(image.Rect(0, 0, 4000, 3000))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := 0; y < 3000; y++ {
		for x := 0; x < 4000; x++ {
			n := uint8(rng.IntN(40))
			img.Pix[img.PixOffset(x, y)+0] = uint8(x*200/4000) + n
			img.Pix[img.PixOffset(x, y)+1] = uint8(y*200/3000) + n
			img.Pix[img.PixOffset(x, y)+2] = 120 + n
			img.Pix[img.PixOffset(x, y)+3] = 255
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := jpeg.Encode(f, img, &jpeg.Options{Quality: 88}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// memory is the app process's memory at one moment.
type memory struct {
	RSS       int64 // resident set, from /proc
	HeapInuse uint64
	StackIn   uint64
}

// sampler follows the process's resident memory and keeps the peak.
type sampler struct {
	peak atomic.Int64
	mu   sync.Mutex
	// conns, when set, reads the app's open connections; peakConns is
	// the most seen.
	conns     func() int64
	peakConns atomic.Int64
}

func newSampler() *sampler { return &sampler{} }

func (s *sampler) run(ctx context.Context) {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		if rss, err := readRSS(); err == nil {
			for {
				p := s.peak.Load()
				if rss <= p || s.peak.CompareAndSwap(p, rss) {
					break
				}
			}
		}
		if s.conns != nil {
			if n := s.conns(); n > s.peakConns.Load() {
				s.peakConns.Store(n) // one sampler goroutine: no race to lose
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *sampler) resetPeak() {
	if rss, err := readRSS(); err == nil {
		s.peak.Store(rss)
	}
}

// settle collects garbage and reads the memory in use.
func (s *sampler) settle() memory {
	// Return freed memory to the system too, so resident size compares.
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss, _ := readRSS()
	return memory{RSS: rss, HeapInuse: ms.HeapInuse, StackIn: ms.StackInuse}
}

// readRSS reads VmRSS (bytes) from /proc/self/status.
func readRSS() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest)
			if len(f) < 1 {
				break
			}
			kb, err := strconv.ParseInt(f[0], 10, 64)
			return kb << 10, err
		}
	}
	return 0, errors.New("no VmRSS in /proc/self/status")
}

// serverCounts are what the app did in the run, seen from inside it.
type serverCounts struct {
	Status5xx   int64 // responses 500-599 other than load shed (503)
	Shed503     int64 // 503 answers, from the overload guard
	ErrorLogs   int64 // log records at Error level
	DBErrorLogs int64 // ... of which mention the database
	FirstError  string
	PeakConns   int64
	Refused     int64 // connections refused beyond the budget
	ShedPhotos  int64
	ShedPages   int64
	Abandoned   int64
}

// statusCounter counts the app's 5xx responses.
type statusCounter struct {
	next            http.Handler
	status5xx, shed atomic.Int64
}

func (h *statusCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	h.next.ServeHTTP(sw, r)
	switch {
	case sw.status == http.StatusServiceUnavailable:
		h.shed.Add(1)
	case sw.status >= 500:
		h.status5xx.Add(1)
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ReadFrom keeps net/http's sendfile for photos (handlers/web.copyBody):
// without it the bench would measure a copy the app never makes.
func (w *statusWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		return rf.ReadFrom(r)
	}
	return io.Copy(w.ResponseWriter, r)
}

// errorCounter is a log handler that counts Error records (and those
// that name the database) and keeps the first.
type errorCounter struct {
	errors, database atomic.Int64
	first            atomic.Value
}

func (h *errorCounter) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }

func (h *errorCounter) Handle(_ context.Context, r slog.Record) error {
	h.errors.Add(1)
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	})
	line := b.String()
	if strings.Contains(strings.ToLower(line), "database") || strings.Contains(line, "sql") {
		h.database.Add(1)
	}
	h.first.CompareAndSwap(nil, line)
	return nil
}

func (h *errorCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *errorCounter) WithGroup(string) slog.Handler      { return h }

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	runtime.GC()
	return pprof.Lookup("heap").WriteTo(f, 0)
}
