package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"retreat/models"
	"retreat/models/demo"
)

// errUsage is a command line refused before anything ran (an unknown flag,
// a value out of range), already explained on stderr. It wraps
// errReported, so main prints nothing more; exitCode makes it status 2,
// the status flag.ExitOnError and most Unix tools use for it.
var errUsage = fmt.Errorf("bad command line: %w", errReported)

// exitCode is the process status for what run returned.
func exitCode(err error) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	return 1
}

// demoCommand seeds a finished demo event (models/demo) into the data
// folder, the database and photo storage the server uses, and prints how
// to sign in and where the event's dashboard is:
//
//	retreat demo [--people 300] [--seed N] [--photos pipeline|fast] [--email E]
//
// Each run adds another event. A run that fails, or is interrupted with
// Ctrl+C, removes what it wrote.
func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := &config{}
	fs := flag.NewFlagSet("retreat demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.register(fs)
	registerS3(fs, &cfg.S3)
	people := fs.Int("people", demo.DefaultPeople, fmt.Sprintf("participants, 1 to %d", demo.MaxPeople))
	seed := fs.Uint64("seed", demo.DefaultSeed, "picks names, answers and pictures: the same seed makes the same event")
	photos := fs.String("photos", "pipeline", "pipeline: full-size photos through the upload pipeline, as uploads are (minutes); fast: small placeholder pictures (seconds)")
	email := fs.String("email", "", "an existing organizer to own the event (default: a new account demo@lumenlabs.example, or demo2@… when taken, with a generated password)")
	baseURL := fs.String("base-url", "http://localhost:8080", "where the server is reached, for the printed links")
	workers := fs.Int("workers", 0, "answers made at once (default: one per core; four per core with --photos fast)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage // the flag package has said what is wrong, and printed the usage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "retreat demo: unexpected argument %q\n", fs.Arg(0))
		return errUsage
	}
	// Then RETREAT_* for the flags not given (the arguments were parsed above).
	if err := parseWithEnv(fs, nil); err != nil {
		fmt.Fprintln(stderr, "retreat demo:", err)
		return errUsage
	}
	mode, problem := demoPhotoMode(*photos)
	switch {
	case problem != "":
	case *people < 1 || *people > demo.MaxPeople:
		problem = fmt.Sprintf("--people must be between 1 and %d", demo.MaxPeople)
	case *seed == 0:
		problem = "--seed must not be 0"
	case *workers < 0:
		problem = "--workers must be positive"
	case !strings.HasPrefix(*baseURL, "http://") && !strings.HasPrefix(*baseURL, "https://"):
		problem = "--base-url must start with http:// or https://"
	}
	if problem != "" {
		fmt.Fprintln(stderr, "retreat demo:", problem)
		return errUsage
	}
	if cfg.S3.Enabled() {
		if err := cfg.S3.Validate(); err != nil {
			return err
		}
	}
	cfg.fillDefaults()

	store, err := models.Open(ctx, cfg.DatabaseURL, models.Options{})
	if err != nil {
		return err
	}
	defer store.Close()
	photoStore, err := openPhotoStore(ctx, cfg)
	if err != nil {
		return err
	}
	if c, ok := photoStore.(io.Closer); ok {
		defer c.Close()
	}
	started := time.Now()
	fmt.Fprintf(stderr, "Seeding a demo event of %d people (%s photos) into %s…\n", *people, mode, models.RedactURL(cfg.DatabaseURL))
	res, err := demo.Seed(ctx, store, photoStore, demo.Options{
		People: *people, Seed: *seed, Photos: mode, OrganizerEmail: *email, Workers: *workers,
		Progress: demoProgress(stderr),
	})
	if err != nil {
		return err
	}
	printDemo(stdout, res, strings.TrimRight(*baseURL, "/"), cfg.DataDir, time.Since(started))
	return nil
}

func demoPhotoMode(s string) (demo.PhotoMode, string) {
	switch s {
	case "pipeline":
		return demo.PhotoPipeline, ""
	case "fast":
		return demo.PhotoFast, ""
	}
	return 0, fmt.Sprintf("--photos must be pipeline or fast, not %q", s)
}

// demoProgress prints a line per stage, and one per tenth of the answers.
func demoProgress(w io.Writer) func(demo.Progress) {
	tenth := -1
	return func(p demo.Progress) {
		switch {
		case p.Stage == "answers":
			if t := 10 * p.Done / max(p.Total, 1); t != tenth {
				tenth = t
				fmt.Fprintf(w, "  answers: %d of %d\n", p.Done, p.Total)
			}
		case p.Done == p.Total:
			fmt.Fprintf(w, "  %s: %d\n", p.Stage, p.Total)
		}
	}
}

func printDemo(w io.Writer, res *demo.Result, base, dataDir string, took time.Duration) {
	c := res.Counts
	fmt.Fprintf(w, "\nSeeded %q in %s: %d people in %d time zones on %d teams, %d prompts, %d answers (%d photos, %d texts; %d late, %d starred, %d hidden, %d kept out of the reveal), %d votes, %d guesses, %d reactions.\n",
		res.EventName, took.Round(100*time.Millisecond), c.People, c.Zones, c.Teams, c.Prompts, c.Answers, c.Photos, c.Texts,
		c.Late, c.Starred, c.Hidden, c.NotForLive, c.Votes, c.Guesses, c.Reactions)
	fmt.Fprintf(w, "\nSign in at %s/login\n", base)
	fmt.Fprintf(w, "  email:    %s\n", res.Organizer.Email)
	if res.Organizer.Created {
		fmt.Fprintf(w, "  password: %s   (a new account: note the password, it is not shown again)\n", res.Organizer.Password)
	} else {
		fmt.Fprintln(w, "  password: the account's own")
	}
	fmt.Fprintf(w, "Dashboard: %s/dashboard/events/%d\n", base, res.EventID)
	fmt.Fprintf(w, "Join link: %s/j/%s\n", base, res.JoinToken)
	fmt.Fprintf(w, "\nStart the server with: retreat serve --data-dir %s\n", dataDir)
}
