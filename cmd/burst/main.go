// Command burst plays the last hour before a reveal on this machine: the
// real retreat binary on 127.0.0.1 with a seeded event, and N participants
// who join, browse and upload a 12-megapixel photo each, at most M at once.
//
//	go run ./cmd/burst                          # 300 participants, 50 at once
//	go run ./cmd/burst -participants 50 -in-flight 10
//
// It reports uploads per second, upload latency (p50, p99), the prompt
// page's latency during the burst (p50, p99, from a participant who keeps
// reloading it), every error (there must be none), "database is locked"
// errors (in responses and the server's log; there must be none), and the
// server's peak resident memory (VmHWM).
//
// Everything is on loopback, bounded in count (at most 2000 participants,
// 200 at once) and time (-timeout, at most 30 minutes), and stops by itself.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"
)

type options struct {
	participants int
	inFlight     int
	photo        string
	server       string
	workers      int
	timeout      time.Duration
	keep         bool
	serverArgs   []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "burst:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("burst", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.participants, "participants", 300, "participants who join, browse and upload (at most 2000)")
	fs.IntVar(&o.inFlight, "in-flight", 50, "participants active at once, so uploads in flight (at most 200)")
	fs.StringVar(&o.photo, "photo", defaultPhoto(), "the photo every participant uploads")
	fs.StringVar(&o.server, "server", "", "the retreat binary to run (default: built from this module)")
	fs.IntVar(&o.workers, "photo-workers", runtime.NumCPU(), "the server's --photo-workers")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "stop after this long, whatever happens (at most 30m)")
	fs.BoolVar(&o.keep, "keep", false, "keep the data folder afterwards (its path is printed)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.serverArgs = fs.Args()
	if o.participants < 1 || o.participants > 2000 || o.inFlight < 1 || o.inFlight > 200 || o.timeout <= 0 || o.timeout > 30*time.Minute {
		return errors.New("-participants 1..2000, -in-flight 1..200, -timeout up to 30m")
	}
	photo, err := os.ReadFile(o.photo)
	if err != nil {
		return fmt.Errorf("read the photo: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()

	dir, err := os.MkdirTemp("", "burst-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stderr, "burst: data folder", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.server
	if bin == "" {
		if bin, err = buildServer(ctx, dir); err != nil {
			return err
		}
	}
	seeded, err := seed(ctx, filepath.Join(dir, "data"))
	if err != nil {
		return err
	}
	srv, err := startServer(ctx, bin, filepath.Join(dir, "data"), o)
	if err != nil {
		return err
	}
	defer srv.stop()
	fmt.Fprintf(stderr, "burst: %d participants, %d at once, uploading %s (%.1f MB) to %s (pid %d)\n",
		o.participants, o.inFlight, filepath.Base(o.photo), float64(len(photo))/(1<<20), srv.base, srv.cmd.Process.Pid)

	res := runBurst(ctx, srv, seeded, photo, o)
	res.peakRSS, res.rssErr = srv.peakRSS()
	if err := srv.stop(); err != nil {
		res.errors = append(res.errors, fmt.Sprintf("server stop: %v", err))
	}
	res.lockedInLog = srv.count("database is locked")
	res.serverErrors = srv.count("level=ERROR")
	res.report(stdout, o, len(photo))
	if ctx.Err() != nil {
		return fmt.Errorf("stopped by -timeout or a signal: %w", ctx.Err())
	}
	if res.failed() {
		return errors.New("the burst had errors")
	}
	return nil
}

// defaultPhoto is ../shared/testdata/photos/phone-12mp.jpg beside the module.
func defaultPhoto() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "phone-12mp.jpg"
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "photos", "phone-12mp.jpg")
}
