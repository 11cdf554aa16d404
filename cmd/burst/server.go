package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"retreat/models"
)

// seeded is the event the participants join.
type seeded struct {
	eventID   uint
	joinToken string
	prompts   []uint // photo prompts
}

// seed creates an organizer, an event open now and its prompts in the
// new database at dbURL (which it migrates), before the servers start.
func seed(ctx context.Context, dbURL string) (*seeded, error) {
	store, err := models.Open(ctx, dbURL, models.Options{})
	if err != nil {
		return nil, err
	}
	defer store.Close()
	o, err := store.CreateOrganizer(ctx, models.NewOrganizer{Email: "burst@example.com", Name: "Burst", Password: "a long burst password"})
	if err != nil {
		return nil, err
	}
	now := time.Now()
	ev, err := store.CreateEvent(ctx, o.ID, models.EventInput{Name: "Last hour", TimeZone: "Europe/Lisbon",
		StartsAt: now.Add(-72 * time.Hour), EndsAt: now.Add(time.Hour)})
	if err != nil {
		return nil, err
	}
	s := &seeded{eventID: ev.ID, joinToken: ev.JoinToken}
	for i := range 10 {
		p, err := store.CreatePrompt(ctx, ev, models.PromptInput{Kind: models.KindPhoto, Title: fmt.Sprintf("Photo prompt %d", i+1), Points: 10})
		if err != nil {
			return nil, err
		}
		s.prompts = append(s.prompts, p.ID)
	}
	for i := range 2 {
		if _, err := store.CreatePrompt(ctx, ev, models.PromptInput{Kind: models.KindText, Title: fmt.Sprintf("Text prompt %d", i+1), Points: 5}); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// buildServer builds the retreat command of this module into dir.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "retreat")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "retreat/cmd/retreat")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build the server (or pass -server): %v\n%s", err, out)
	}
	return bin, nil
}

// server is the retreat binary running on loopback.
type server struct {
	cmd  *exec.Cmd
	base string
	log  *lockedBuffer
	// exited is closed when the process has exited (waitErr set).
	exited  chan struct{}
	waitErr error
	once    sync.Once
	err     error
	// maxRSS is the highest VmRSS sampled, a check on VmHWM.
	mu     sync.Mutex
	maxRSS int64
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServer starts bin on a port of its own with dataDir, configured by
// env (RETREAT_* settings of the back end) over this environment without
// its own RETREAT_* variables, so a shell's settings never redirect a run.
func startServer(ctx context.Context, bin, dataDir string, env []string, o options) (*server, error) {
	args := append([]string{"--addr", "127.0.0.1:0", "--data-dir", dataDir, "--photo-workers", strconv.Itoa(o.workers), "--log-level", "warn"}, o.serverArgs...)
	cmd := exec.Command(bin, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "RETREAT_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	s := &server{cmd: cmd, log: &lockedBuffer{}, exited: make(chan struct{})}
	cmd.Stderr = s.log
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the server: %w", err)
	}
	go func() {
		s.waitErr = cmd.Wait()
		close(s.exited)
	}()
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`running at (http://\S+)`)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case s.base = <-found:
	case <-s.exited:
		return nil, fmt.Errorf("the server exited at start: %v\n%s", s.waitErr, s.log.String())
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		return nil, fmt.Errorf("the server did not start:\n%s", s.log.String())
	case <-ctx.Done():
		cmd.Process.Kill()
		return nil, ctx.Err()
	}
	if !strings.HasPrefix(s.base, "http://127.0.0.1:") {
		cmd.Process.Kill()
		return nil, fmt.Errorf("the server is not on loopback: %s", s.base)
	}
	go s.sampleRSS()
	return s, nil
}

// sampleRSS records the highest resident size every 100 ms.
func (s *server) sampleRSS() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-s.exited:
			return
		case <-t.C:
		}
		if rss, err := s.status("VmRSS"); err == nil {
			s.mu.Lock()
			s.maxRSS = max(s.maxRSS, rss)
			s.mu.Unlock()
		}
	}
}

// status reads a size (in bytes) from /proc/<pid>/status.
func (s *server) status(field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no %s in /proc status", field)
}

// peakRSS is the kernel's high-water mark of the server's resident memory.
func (s *server) peakRSS() (int64, error) {
	hwm, err := s.status("VmHWM")
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(hwm, s.maxRSS), err
}

// stop sends SIGTERM and waits for the graceful exit.
func (s *server) stop() error {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
			if s.waitErr != nil {
				s.err = fmt.Errorf("server exit: %w", s.waitErr)
			}
		case <-time.After(90 * time.Second):
			s.cmd.Process.Kill()
			s.err = fmt.Errorf("the server did not stop within 90 s")
		}
	})
	return s.err
}

// count counts the server's log lines containing s.
func (s *server) count(sub string) int {
	return strings.Count(s.log.String(), sub)
}
