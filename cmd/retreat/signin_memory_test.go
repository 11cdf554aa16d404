package main

// Password hashing under a flood, tested on the real binary: Argon2id takes
// 64 MiB a hash, and before hashes were bounded 40 parallel wrong sign-ins
// took the server from 235 MB to 2.5 GB. Now at most one hash per core
// runs at once and the rest wait, then are refused with 503.

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"retreat/models"
)

func TestWrongSignInFloodKeepsMemoryBounded(t *testing.T) {
	dir := t.TempDir()
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.CreateOrganizer(t.Context(), models.NewOrganizer{Email: "ana@example.com", Name: "Ana", Password: "a long enough password"}); err != nil {
		t.Fatal(err)
	}
	store.Close()
	// Two slots whatever the machine: the hasher takes one per core the
	// process may use, and the bound below is for two.
	t.Setenv("GOMAXPROCS", "2")
	p := startProcess(t, dir, "--trust-proxy")

	const flood = 40
	codes := make([]int, flood)
	errs := make([]error, flood)
	var ready, wg sync.WaitGroup
	start := make(chan struct{})
	ready.Add(flood)
	for i := range flood {
		wg.Go(func() {
			client, form, err := signInForm(p.base)
			ready.Done()
			if err != nil {
				errs[i] = err
				return
			}
			<-start
			// Each from an address of its own, and an email of its own
			// (unknown ones are checked against a dummy hash), so that no
			// limit stops any of them before its password is hashed.
			form.Set("email", fmt.Sprintf("guess%d@example.com", i))
			form.Set("password", fmt.Sprintf("wrong guess %d", i))
			req, _ := http.NewRequest(http.MethodPost, p.base+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("203.0.113.%d", i+1))
			res, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			res.Body.Close()
			codes[i] = res.StatusCode
		})
	}
	ready.Wait()
	close(start)
	wg.Wait()

	count := map[int]int{}
	for i, code := range codes {
		if errs[i] != nil {
			t.Errorf("sign-in %d: %v", i, errs[i])
			continue
		}
		count[code]++
		switch code {
		case http.StatusUnauthorized, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		default:
			t.Errorf("sign-in %d: status %d, want 401, 429 or 503", i, code)
		}
	}
	hwm := vmHWM(t, p.cmd.Process.Pid)
	t.Logf("statuses %v; peak resident memory (VmHWM) %d MiB", count, hwm>>20)
	if hwm >= 400<<20 {
		t.Errorf("peak resident memory %d MiB after %d parallel wrong sign-ins, want under 400 MiB", hwm>>20, flood)
	}
}

// signInForm opens the sign-in page as a browser would, for its cookies
// and the CSRF token the form carries.
func signInForm(base string) (*http.Client, url.Values, error) {
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 2 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Get(base + "/login")
	if err != nil {
		return nil, nil, err
	}
	res.Body.Close()
	u, _ := url.Parse(base)
	for _, c := range jar.Cookies(u) {
		if c.Name == "retreat_csrf" {
			return client, url.Values{"_csrf": {c.Value}}, nil
		}
	}
	return nil, nil, fmt.Errorf("GET /login: %d, no CSRF cookie", res.StatusCode)
}

// vmHWM reads a process's peak resident set size from /proc.
func vmHWM(t *testing.T, pid int) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc to read peak memory from: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}
