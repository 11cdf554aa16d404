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
// Scaled out, it runs -instances copies of the binary on one PostgreSQL
// database and one S3 bucket, each with a data folder (upload spool) and a
// port of its own, and sends each request to the next instance in turn, as
// a load balancer without sticky sessions would (sessions are in the
// database):
//
//	go run ./cmd/burst -instances 2 -database-url postgres://postgres@127.0.0.1:55432/postgres \
//	    -s3-endpoint http://127.0.0.1:7070 -s3-access-key … -s3-secret-key … -s3-path-style
//
// The run gets a new database (retreat_burst_<random>, created on the
// server the URL names and dropped afterwards) and a new bucket
// (retreat-burst-<random>, removed afterwards; with -s3-bucket, a new
// prefix in that bucket, emptied afterwards). -compare runs the embedded
// single instance first, then the scaled-out one, and prints both reports
// side by side.
//
// Everything is on loopback (the database and S3 servers too: others are
// refused), bounded in count (at most 2000 participants, 200 at once, 8
// instances) and time (-timeout per run, at most 30 minutes), and stops by
// itself.
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

	"retreat/models/media"
)

type options struct {
	participants int
	inFlight     int
	instances    int
	photo        string
	server       string
	workers      int
	timeout      time.Duration
	keep         bool
	compare      bool
	databaseURL  string // a PostgreSQL server; "" for embedded SQLite
	s3           media.S3Config
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
	fs.IntVar(&o.instances, "instances", 1, "copies of the server on one database and bucket, requests sent to each in turn (at most 8; above 1 needs -database-url and -s3-endpoint)")
	fs.StringVar(&o.photo, "photo", defaultPhoto(), "the photo every participant uploads")
	fs.StringVar(&o.server, "server", "", "the retreat binary to run (default: built from this module)")
	fs.IntVar(&o.workers, "photo-workers", runtime.NumCPU(), "each server's --photo-workers")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "stop a run after this long, whatever happens (at most 30m)")
	fs.BoolVar(&o.keep, "keep", false, "keep the data folders, database and bucket afterwards (their names are printed)")
	fs.BoolVar(&o.compare, "compare", false, "run embedded (SQLite + disk, one instance) first, then as configured, and print both side by side")
	fs.StringVar(&o.databaseURL, "database-url", "", "a PostgreSQL server on loopback, postgres://user@127.0.0.1:port/db: the run creates a database of its own there and drops it (default: embedded SQLite)")
	fs.StringVar(&o.s3.Endpoint, "s3-endpoint", "", "an S3-compatible server on loopback, http://127.0.0.1:port, for the photos (default: disk)")
	fs.StringVar(&o.s3.Bucket, "s3-bucket", "", "use a new prefix in this bucket (default: a new bucket, removed afterwards)")
	fs.StringVar(&o.s3.AccessKey, "s3-access-key", "", "S3 access key")
	fs.StringVar(&o.s3.SecretKey, "s3-secret-key", "", "S3 secret key")
	fs.StringVar(&o.s3.Region, "s3-region", "", "S3 region (default: asked from the server)")
	fs.BoolVar(&o.s3.PathStyle, "s3-path-style", false, "path-style bucket addresses, as most self-hosted servers want")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.serverArgs = fs.Args()
	if o.participants < 1 || o.participants > 2000 || o.inFlight < 1 || o.inFlight > 200 || o.timeout <= 0 || o.timeout > 30*time.Minute || o.instances < 1 || o.instances > 8 {
		return errors.New("-participants 1..2000, -in-flight 1..200, -instances 1..8, -timeout up to 30m")
	}
	if o.s3.Endpoint == "" && (o.s3.Bucket != "" || o.s3.AccessKey != "" || o.s3.SecretKey != "") {
		return errors.New("S3 settings without -s3-endpoint")
	}
	if o.instances > 1 && (o.databaseURL == "" || o.s3.Endpoint == "") {
		return errors.New("-instances above 1 needs -database-url and -s3-endpoint: every instance must see the same rows and photos")
	}
	if o.compare && o.databaseURL == "" && o.s3.Endpoint == "" {
		return errors.New("-compare needs -database-url and/or -s3-endpoint to compare the embedded run with")
	}
	// Refuse a remote server before building anything.
	if o.databaseURL != "" {
		if err := checkDatabaseURL(o.databaseURL); err != nil {
			return err
		}
	}
	if o.s3.Endpoint != "" {
		if err := s3OnLoopback(o.s3.Endpoint); err != nil {
			return err
		}
	}
	photo, err := os.ReadFile(o.photo)
	if err != nil {
		return fmt.Errorf("read the photo: %w", err)
	}

	dir, err := os.MkdirTemp("", "burst-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(stderr, "burst: data folders under", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.server
	if bin == "" {
		bctx, cancel := context.WithTimeout(ctx, o.timeout)
		bin, err = buildServer(bctx, dir)
		cancel()
		if err != nil {
			return err
		}
	}
	if !o.compare {
		_, err := runOnce(ctx, bin, dir, o, photo, stdout, stderr)
		return err
	}
	embedded := o
	embedded.instances, embedded.databaseURL, embedded.s3 = 1, "", media.S3Config{}
	a, errA := runOnce(ctx, bin, dir, embedded, photo, stdout, stderr)
	fmt.Fprintln(stdout)
	if ctx.Err() != nil {
		return errA
	}
	b, errB := runOnce(ctx, bin, dir, o, photo, stdout, stderr)
	fmt.Fprintln(stdout)
	sideBySide(stdout, a, b)
	return errors.Join(errA, errB)
}

// runOnce runs one burst against o's back end and prints its report.
func runOnce(ctx context.Context, bin, dir string, o options, photo []byte, stdout, stderr io.Writer) (_ *report, err error) {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	runDir, err := os.MkdirTemp(dir, "run-")
	if err != nil {
		return nil, err
	}
	be, err := newBackend(ctx, o)
	if err != nil {
		return nil, err
	}
	if o.keep {
		for _, n := range be.names {
			fmt.Fprintln(stderr, "burst: kept", n)
		}
	} else {
		defer func() {
			if cerr := be.cleanup(); cerr != nil {
				err = errors.Join(err, fmt.Errorf("clean up: %w", cerr))
			}
		}()
	}
	dataDirs := make([]string, o.instances)
	for i := range dataDirs {
		dataDirs[i] = filepath.Join(runDir, fmt.Sprintf("data-%d", i+1))
	}
	dbURL := be.databaseURL
	if dbURL == "" {
		dbURL = "sqlite://" + filepath.Join(dataDirs[0], "retreat.db") // the server's default
	}
	seeded, err := seed(ctx, dbURL)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	var servers []*server
	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	var bases []string
	for _, d := range dataDirs {
		srv, err := startServer(ctx, bin, d, be.env(), o)
		if err != nil {
			return nil, err
		}
		servers = append(servers, srv)
		bases = append(bases, srv.base)
		fmt.Fprintf(stderr, "burst: server %s (pid %d) on %s\n", srv.base, srv.cmd.Process.Pid, be.describe())
	}
	fmt.Fprintf(stderr, "burst: %d participants, %d at once, uploading %s (%.1f MB) to %d instance(s)\n",
		o.participants, o.inFlight, filepath.Base(o.photo), float64(len(photo))/(1<<20), len(servers))

	lb := newBalancer(bases)
	res := runBurst(ctx, lb, seeded, photo, o)
	for _, s := range servers {
		rss, rerr := s.peakRSS()
		res.peakRSS = append(res.peakRSS, rss)
		res.rssErr = errors.Join(res.rssErr, rerr)
	}
	for _, s := range servers {
		if err := s.stop(); err != nil {
			res.errors = append(res.errors, fmt.Sprintf("server %s stop: %v", s.base, err))
		}
		res.lockedInLog += s.count("database is locked")
		res.serverErrors += s.count("level=ERROR")
	}
	res.requests = lb.counts()
	rep := res.report(o, be.describe(), len(photo))
	rep.print(stdout)
	if ctx.Err() != nil {
		return rep, fmt.Errorf("stopped by -timeout or a signal: %w", ctx.Err())
	}
	if res.failed() {
		return rep, errors.New("the burst had errors")
	}
	return rep, nil
}

// defaultPhoto is ../shared/testdata/photos/phone-12mp.jpg beside the module.
func defaultPhoto() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "phone-12mp.jpg"
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "shared", "testdata", "photos", "phone-12mp.jpg")
}
