package main

import (
	"bufio"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestFirstStartSaysHowToCreateTheOrganizer starts the real binary (built
// without cgo) on an empty data folder, as README's first command does: it
// prints the address and both ways to create the first organizer; once one
// exists, a restart prints neither.
func TestFirstStartSaysHowToCreateTheOrganizer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	first := startupLines(t, bin, dir)
	for _, want := range []string{"Retreat is running at http://127.0.0.1:", "/setup", "retreat create-organizer --email"} {
		if !strings.Contains(first, want) {
			t.Errorf("first start does not say %q:\n%s", want, first)
		}
	}
	create := exec.Command(bin, "create-organizer", "--data-dir", dir, "--email", "ana@example.com", "--name", "Ana")
	create.Stdin = strings.NewReader("a long enough password\n")
	if out, err := create.CombinedOutput(); err != nil {
		t.Fatalf("create-organizer: %v\n%s", err, out)
	}
	again := startupLines(t, bin, dir)
	if !strings.Contains(again, "Retreat is running at") || strings.Contains(again, "/setup") || strings.Contains(again, "create-organizer") {
		t.Errorf("a start with an organizer still tells how to create one:\n%s", again)
	}
}

// startupLines starts the server on dir, reads what it prints until it is
// serving (and the lines right after), and stops it.
func startupLines(t *testing.T, bin, dir string) string {
	t.Helper()
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--data-dir", dir, "--log-level", "warn")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var out strings.Builder
	deadline := time.After(60 * time.Second)
	running := false
	for {
		var quiet <-chan time.Time
		if running {
			quiet = time.After(time.Second) // the help follows the address at once
		}
		select {
		case l, ok := <-lines:
			if !ok {
				return out.String()
			}
			out.WriteString(l + "\n")
			running = running || strings.Contains(l, "running at")
		case <-quiet:
			return out.String()
		case <-deadline:
			t.Fatalf("the server did not start:\n%s", out.String())
		}
	}
}
