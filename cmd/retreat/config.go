package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"retreat/models"
	"retreat/models/mail"
	"retreat/models/media"
)

// config is everything the server reads at start. Each flag falls back to
// an environment variable: --data-dir is RETREAT_DATA_DIR.
type config struct {
	Addr          string
	DataDir       string
	DatabaseURL   string
	BaseURL       string
	SecureCookies bool
	TrustProxy    bool
	MaxUploadMB   int64
	MaxMegapixels int64
	PhotoTimeout  time.Duration
	PhotoWorkers  int
	// BodyMinRate, BodyIdle and HeaderTimeout bound slow clients: the
	// slowest a request body may arrive (bytes a second, after its first
	// 10 s), the longest it may pause, and the longest a request's head
	// may take.
	BodyMinRate   int64
	BodyIdle      time.Duration
	HeaderTimeout time.Duration
	// JoinBurst, JoinInterval and StreamsPerSession are the limits on
	// what one client can multiply: joins per network per event, live
	// streams per session.
	JoinBurst         int
	JoinInterval      time.Duration
	StreamsPerSession int
	// HashSlots bounds passwords hashed at once (64 MiB each).
	HashSlots int
	// Uploads bounds unfinished resumable uploads.
	UploadsPerParticipant int
	UploadsTotalMB        int64
	UploadStaleAfter      time.Duration
	LogLevel              string
	LogFormat             string
	// SMTP is the mail server nudges go through (off without a host).
	SMTP mail.Config
	// S3 is the object storage photos go to (off without an endpoint:
	// photos stay in the data folder).
	S3 media.S3Config
}

func (c *config) register(fs *flag.FlagSet) {
	fs.StringVar(&c.DataDir, "data-dir", "./retreat-data", "folder for the database and photos")
	fs.StringVar(&c.DatabaseURL, "database-url", "", "database URL (default: sqlite in the data folder)")
}

func parseServeConfig(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("retreat serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.Addr, "addr", ":8080", "address to listen on")
	c.register(fs)
	fs.StringVar(&c.BaseURL, "base-url", "", "public address for links and QR codes, e.g. https://retreat.example.com (default: the address each request came in on)")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", false, "mark cookies Secure (default: on when --base-url is https)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", false, "behind a reverse proxy on a private or loopback address: take the client address from X-Forwarded-For and mark cookies Secure when X-Forwarded-Proto is https")
	c.registerPhotoLimits(fs)
	fs.IntVar(&c.PhotoWorkers, "photo-workers", runtime.NumCPU(), "photos processed at once; more uploads wait their turn")
	fs.Int64Var(&c.BodyMinRate, "body-min-rate", 1024, "slowest a request body may arrive, in bytes a second after its first 10s (0: no floor); slower clients are cut off")
	fs.DurationVar(&c.BodyIdle, "body-idle-timeout", 30*time.Second, "longest a request body may pause; a resumable upload carries on where it stopped")
	fs.DurationVar(&c.HeaderTimeout, "header-timeout", 10*time.Second, "longest a request's head may take to arrive")
	fs.IntVar(&c.JoinBurst, "join-burst", 100, "joins at once from one network (IPv4 address or IPv6 /64) into one event, then one every --join-interval")
	fs.DurationVar(&c.JoinInterval, "join-interval", time.Second, "pace of joins from one network past --join-burst")
	fs.IntVar(&c.StreamsPerSession, "live-streams-per-session", 4, "live-reveal streams one browser session may hold per event")
	fs.IntVar(&c.HashSlots, "hash-slots", runtime.GOMAXPROCS(0), "passwords hashed at once (64 MiB each); more sign-ins wait up to 3s, then get 503")
	fs.IntVar(&c.UploadsPerParticipant, "uploads-pending-per-participant", 3, "unfinished resumable uploads one participant may have at once")
	fs.Int64Var(&c.UploadsTotalMB, "uploads-pending-total-mb", 4096, "announced size all unfinished resumable uploads together may claim, in MB")
	fs.DurationVar(&c.UploadStaleAfter, "upload-stale-after", time.Hour, "an unfinished upload with no progress for this long is dropped")
	fs.StringVar(&c.LogLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "text or json")
	registerSMTP(fs, &c.SMTP)
	registerS3(fs, &c.S3)
	if err := parseWithEnv(fs, args); err != nil {
		return nil, err
	}
	if err := c.SMTP.Validate(); err != nil {
		return nil, err
	}
	if c.S3.Enabled() {
		if err := c.S3.Validate(); err != nil {
			return nil, err
		}
	}
	if strings.HasPrefix(c.BaseURL, "https://") && !flagSet(fs, "secure-cookies") {
		c.SecureCookies = true
	}
	c.fillDefaults()
	if c.MaxUploadMB < 1 || c.MaxMegapixels < 1 || c.PhotoWorkers < 1 {
		return nil, fmt.Errorf("--max-upload-mb, --max-megapixels and --photo-workers must be at least 1")
	}
	if c.PhotoTimeout < time.Second {
		return nil, fmt.Errorf("--photo-timeout must be at least 1s")
	}
	if c.BodyMinRate < 0 || c.BodyIdle < time.Second || c.HeaderTimeout < time.Second {
		return nil, fmt.Errorf("--body-min-rate must be 0 or more, --body-idle-timeout and --header-timeout at least 1s")
	}
	if c.JoinBurst < 1 || c.JoinInterval <= 0 || c.StreamsPerSession < 1 || c.HashSlots < 1 ||
		c.UploadsPerParticipant < 1 || c.UploadsTotalMB < 1 || c.UploadStaleAfter < time.Minute {
		return nil, fmt.Errorf("--join-burst, --live-streams-per-session, --hash-slots, --uploads-pending-per-participant and --uploads-pending-total-mb must be at least 1, --join-interval positive and --upload-stale-after at least 1m")
	}
	return c, nil
}

// registerPhotoLimits adds the flags that bound an uploaded photo. The
// server and `retreat photo` both take them (and their RETREAT_*
// fallbacks), so the command refuses exactly what an upload would.
func (c *config) registerPhotoLimits(fs *flag.FlagSet) {
	fs.Int64Var(&c.MaxUploadMB, "max-upload-mb", 30, "largest photo accepted, in MB")
	fs.Int64Var(&c.MaxMegapixels, "max-megapixels", 50, "largest photo accepted, in megapixels (read from the header before decoding)")
	fs.DurationVar(&c.PhotoTimeout, "photo-timeout", time.Minute, "longest one photo may take to decode and render; slower ones are refused")
}

// photoLimits returns the photo flags as the pipeline's limits.
func (c *config) photoLimits() (media.Limits, error) {
	if c.MaxUploadMB < 1 || c.MaxMegapixels < 1 {
		return media.Limits{}, fmt.Errorf("--max-upload-mb and --max-megapixels must be at least 1")
	}
	if c.PhotoTimeout != 0 && c.PhotoTimeout < time.Second { // zero: the pipeline's default
		return media.Limits{}, fmt.Errorf("--photo-timeout must be at least 1s")
	}
	return media.Limits{MaxBytes: c.MaxUploadMB << 20, MaxPixels: c.MaxMegapixels * 1_000_000, MaxProcessTime: c.PhotoTimeout}, nil
}

func (c *config) fillDefaults() {
	if c.DatabaseURL == "" {
		c.DatabaseURL = "sqlite://" + filepath.Join(c.DataDir, "retreat.db")
	}
}

// parseWithEnv parses args, then fills every flag not given on the command
// line from RETREAT_<NAME> (dashes as underscores).
func parseWithEnv(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || flagSet(fs, f.Name) {
			return
		}
		env := "RETREAT_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if serr := fs.Set(f.Name, v); serr != nil {
				err = fmt.Errorf("%s=%q: %w", env, v, serr)
			}
		}
	})
	return err
}

func flagSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) {
		if f.Name == name {
			set = true
		}
	})
	return set
}

// describe prints the configuration at start, the database password masked.
func (c *config) describe() string {
	return fmt.Sprintf("addr=%s data-dir=%s database-url=%s base-url=%q secure-cookies=%t trust-proxy=%t max-upload-mb=%d max-megapixels=%d photo-timeout=%s photo-workers=%d body-min-rate=%d body-idle-timeout=%s header-timeout=%s join-burst=%d join-interval=%s live-streams-per-session=%d hash-slots=%d uploads-pending-per-participant=%d uploads-pending-total-mb=%d upload-stale-after=%s smtp=%s s3=%s",
		c.Addr, c.DataDir, models.RedactURL(c.DatabaseURL), c.BaseURL, c.SecureCookies, c.TrustProxy, c.MaxUploadMB, c.MaxMegapixels, c.PhotoTimeout, c.PhotoWorkers,
		c.BodyMinRate, c.BodyIdle, c.HeaderTimeout, c.JoinBurst, c.JoinInterval, c.StreamsPerSession, c.HashSlots,
		c.UploadsPerParticipant, c.UploadsTotalMB, c.UploadStaleAfter, c.SMTP.Describe(), c.S3.Describe())
}
