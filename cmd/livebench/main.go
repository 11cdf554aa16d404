// Command livebench measures the live reveal under load, on this machine:
// the real app on 127.0.0.1 with a seeded event, N phones following the
// reveal over Server-Sent Events, and a presenter moving through the deck.
//
//	go run ./cmd/livebench                      # 1000 phones, 30 moves quiet, 30 with reconnects, 30 with reactions
//	go run ./cmd/livebench -followers 200 -moves 10
//
// A presenter spends 10-20 s on a slide, and phones preload the photos
// coming up over several seconds (see preload.go): to see that, give the
// moves a presenter's pace,
//
//	go run ./cmd/livebench -followers 5000 -moves 12 -interval 10s -react 0 -timeout 9m
//
// It reports how long a slide change takes to reach every phone (from the
// presenter's request to each phone reading the event: p50, p99, max),
// how long until the slide's photos are on screen too (at once when
// preloaded), and the presenter's request time, three times: quiet, while
// 200 phones a second reconnect, and while phones send 200 emoji
// reactions a second (-react); then the server's memory per phone, and
// whether the target holds (a change reaches every phone within 250 ms at
// p99, and the presenter is not slowed by the reactions).
//
// The app and the phones run in two processes (this one re-runs itself
// with -role=phones), so the server's memory is measured alone. Everything
// is on loopback, bounded in count and time, and stops by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	role      string
	followers int
	moves     int
	interval  time.Duration
	churnRate int
	reactRate int
	photos    bool
	strict    bool
	eager     bool
	slots     int
	spread    time.Duration
	verbose   bool
	timeout   time.Duration
	profile   string
	memprof   string
	// set for the phones process
	url, joinToken, email, password string
	eventID                         uint
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "livebench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("livebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.role, "role", "server", "server (default: runs everything) or phones (started by the server)")
	fs.IntVar(&o.followers, "followers", 1000, "phones following the reveal")
	fs.IntVar(&o.moves, "moves", 30, "slide changes measured, quiet and again under load")
	fs.DurationVar(&o.interval, "interval", 300*time.Millisecond, "pause between slide changes")
	fs.IntVar(&o.churnRate, "churn", 200, "phone requests per second during the loaded run (reconnects)")
	fs.IntVar(&o.reactRate, "react", 200, "emoji reactions per second (from random phones) during a third run; 0 skips it")
	fs.BoolVar(&o.photos, "photos", true, "phones load the photos of each photo slide and preload those coming up, as the page does")
	fs.BoolVar(&o.strict, "strict", false, "the presenter moves every -interval without waiting for phones, through -moves photo and text slides; phones retry shed photos as the page does (replaces the three phases)")
	fs.BoolVar(&o.eager, "eager", false, "phones ask for a slide's photos the moment it comes, without the page's pause (a client that does not skip photos: the server's shedding alone protects it)")
	fs.IntVar(&o.slots, "photo-slots", 0, "photos the app sends at once (0: its default; to explore)")
	fs.BoolVar(&o.verbose, "v", false, "print each move's numbers as it goes")
	fs.DurationVar(&o.spread, "spread", preloadSpread, "the longest pause before each preload (the page's SPREAD_MS; change it only to explore)")
	fs.StringVar(&o.profile, "cpuprofile", "", "write the app's CPU profile here")
	fs.StringVar(&o.memprof, "memprofile", "", "write the app's heap profile here, taken once every phone is connected")
	fs.DurationVar(&o.timeout, "timeout", 4*time.Minute, "stop after this long, whatever happens")
	fs.StringVar(&o.url, "url", "", "(phones) the server's address")
	fs.StringVar(&o.joinToken, "join", "", "(phones) the event's join token")
	fs.StringVar(&o.email, "email", "", "(phones) the presenter's email")
	fs.StringVar(&o.password, "password", "", "(phones) the presenter's password")
	fs.UintVar(&o.eventID, "event", 0, "(phones) the event id")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.followers < 1 || o.followers > 20000 || o.moves < 1 || o.moves > 1000 || o.churnRate < 0 || o.churnRate > 5000 || o.reactRate < 0 || o.reactRate > 5000 {
		return fmt.Errorf("followers 1..20000, moves 1..1000, churn and react 0..5000")
	}
	if o.strict && o.moves > 60 {
		return fmt.Errorf("-strict walks -moves different slides: at most 60")
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	raiseFileLimit(stderr)
	switch o.role {
	case "server":
		return runServer(ctx, o, stdout, stderr)
	case "phones":
		return runPhones(ctx, o, stdout, stderr)
	}
	return fmt.Errorf("unknown role %q", o.role)
}

// raiseFileLimit lifts the soft open-files limit to the hard one: every
// phone is a socket on each side.
func raiseFileLimit(stderr io.Writer) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			fmt.Fprintln(stderr, "livebench: cannot raise the open-files limit:", err)
		}
	}
}
