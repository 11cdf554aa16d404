//go:build unix

// Command photobench measures the photo pipeline against libvips, process
// against process: `retreat photo --out DIR FILE` (decode, three upright
// renditions, JPEG encode, files written) next to Debian's vipsthumbnail
// (libvips-tools) making the same three renditions of the same file.
//
//	go run ./cmd/photobench                                          # phone-12mp.jpg, 10 rounds
//	go run ./cmd/photobench -file ../shared/testdata/photos/iphone.heic -rounds 5
//
// After one untimed warm-up run of each side (which also checks that both
// made the same three sizes), it runs N rounds, each running both sides once
// in alternating order so that drift in the machine's load falls on both
// alike. For each side it prints the wall time per photo (min, median, max),
// the CPU time (user + system, median) and the peak resident memory of the
// child processes (ru_maxrss from wait4), then the ratio of the medians.
//
// Everything runs as child processes with a deadline (-timeout), at most 100
// rounds; it stops by itself.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// The renditions of models/media (fullEdge, phoneEdge, thumbSide and
// jpegQuality there). They are repeated here rather than imported so this
// process stays small (see peakFloor); the warm-up compares the sizes both
// sides made, so drift shows as a warning.
const (
	fullEdge  = 2048 // long edge of Full
	phoneEdge = 1080 // long edge of Phone
	thumbSide = 320  // side of the square, centre-cropped Thumb
	quality   = 82   // JPEG quality of every rendition
)

// Targets from the Photos issue.
const (
	targetRatio = 1.5
	targetPeak  = 120e6 // bytes (120 MB)
)

type options struct {
	file    string
	retreat string
	vips    string
	rounds  int
	timeout time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run is the command; it returns the exit code: 0 measured, 1 failed,
// 2 bad flags or vipsthumbnail missing.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var o options
	fs := flag.NewFlagSet("photobench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.file, "file", "", "the photo to process (default: ../shared/testdata/photos/phone-12mp.jpg beside the retreat module)")
	fs.StringVar(&o.retreat, "retreat", "", "a built retreat binary (default: go build ./cmd/retreat into a temp folder)")
	fs.StringVar(&o.vips, "vipsthumbnail", "vipsthumbnail", "the vipsthumbnail command")
	fs.IntVar(&o.rounds, "rounds", 10, "measured rounds, each running both sides once (1..100)")
	fs.DurationVar(&o.timeout, "timeout", 15*time.Minute, "stop after this long, build included, whatever happens (at most 1h)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || o.rounds < 1 || o.rounds > 100 || o.timeout <= 0 || o.timeout > time.Hour {
		fmt.Fprintln(stderr, "photobench: no arguments; -rounds 1..100, -timeout up to 1h")
		return 2
	}
	vips, err := exec.LookPath(o.vips)
	if err != nil {
		fmt.Fprintf(stderr, "photobench: %s not found: apt-get install libvips-tools (%v)\n", o.vips, err)
		return 2
	}
	o.vips = vips
	if err := bench(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "photobench:", err)
		return 1
	}
	return 0
}

func bench(ctx context.Context, o options, stdout, stderr io.Writer) error {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if o.file == "" || o.retreat == "" {
		root, err := moduleRoot()
		if err != nil {
			return err
		}
		if o.file == "" {
			o.file = filepath.Join(root, "..", "shared", "testdata", "photos", "phone-12mp.jpg")
		}
		if o.retreat == "" {
			if o.retreat, err = buildRetreat(ctx, root, stderr); err != nil {
				return err
			}
			defer os.RemoveAll(filepath.Dir(o.retreat))
		}
	}
	file, err := filepath.Abs(o.file)
	if err != nil {
		return err
	}
	st, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("the photo: %w", err)
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("the photo %s is not a regular file", file)
	}

	tmp, err := os.MkdirTemp("", "photobench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	ours := retreatSide(o.retreat, file, filepath.Join(tmp, "retreat"))
	theirs := vipsSide(o.vips, file, filepath.Join(tmp, "vips"), embeddedProfile(ctx, o.vips, file))
	for _, s := range []*side{ours, theirs} {
		if err := os.MkdirAll(s.out, 0o750); err != nil {
			return err
		}
	}

	fmt.Fprintf(stdout, "photo %s (%.1f MB), %d rounds, %d CPUs\n", file, float64(st.Size())/1e6, o.rounds, runtime.NumCPU())
	fmt.Fprintf(stdout, "retreat:       %s photo --out DIR FILE\n", o.retreat)
	fmt.Fprintf(stdout, "vipsthumbnail: %s (%s), three processes:\n", o.vips, vipsVersion(ctx, o.vips))
	for _, st := range theirs.steps {
		fmt.Fprintf(stdout, "  vipsthumbnail %s\n", strings.Join(st.args, " "))
	}

	// Warm-up: page cache, dynamic linking, and a check of what each made.
	if _, err := ours.run(ctx); err != nil {
		return fmt.Errorf("retreat photo: %w", err)
	}
	sides := []*side{ours, theirs}
	if _, err := theirs.run(ctx); err != nil {
		fmt.Fprintf(stdout, "\nvipsthumbnail cannot do this file, so retreat photo is measured alone:\n  %v\n", err)
		sides = sides[:1]
	}
	if err := compareOutputs(stdout, sides); err != nil {
		return err
	}

	for i := range o.rounds {
		order := sides
		if i%2 == 1 {
			order = slices.Clone(sides)
			slices.Reverse(order)
		}
		for _, s := range order {
			r, err := s.run(ctx)
			if err != nil {
				return fmt.Errorf("round %d: %s: %w", i+1, s.name, err)
			}
			s.results = append(s.results, r)
		}
	}
	report(stdout, sides, peakFloor())
	return nil
}

// side is one contender: a sequence of processes that together make the
// three renditions of one photo.
type side struct {
	name    string
	out     string // folder the renditions go to
	steps   []step
	files   []string // the renditions, Full, Phone, Thumb, in out
	results []result
}

type step struct {
	label string // for the per-step breakdown; "" with a single step
	cmd   string
	args  []string
}

// result is one run of a side. Times are summed over its steps; peak is
// the largest step's, since they run one after another, never together.
type result struct {
	wall, cpu time.Duration
	peak      int64   // bytes
	steps     []usage // per step, in steps order
}

type usage struct {
	wall, cpu time.Duration
	peak      int64
}

func retreatSide(bin, file, out string) *side {
	base := strings.TrimSuffix(filepath.Base(file), filepath.Ext(file))
	s := &side{name: "retreat photo", out: out, steps: []step{{cmd: bin, args: []string{"photo", "--out", out, file}}}}
	for _, size := range []string{"full", "phone", "thumb"} {
		s.files = append(s.files, filepath.Join(out, base+"-"+size+".jpg"))
	}
	return s
}

// vipsSide is the libvips chain: three vipsthumbnail processes, each from
// the original file, the way one makes three sizes with the command line.
// A process cannot hand its decode to the next, and chaining Full -> Phone
// -> Thumb through the JPEG files would re-decode lossy intermediates, so
// each reads the source, with libvips's shrink-on-load (libjpeg's DCT
// scaling: 1/2 for Phone, 1/8 for Thumb here) doing part of the work.
// Each process is timed on its own and the times summed: the sum is the
// chain's time without this program's few microseconds between them, and
// separate processes give each its own ru_maxrss, whose maximum is the
// chain's peak (only one runs at a time). Sizes end in ">" (shrink only,
// like fit in models/media); strip drops metadata as re-encoding does in
// ours. With profile (the source embeds an ICC profile), -e srgb converts
// to sRGB as our pipeline does; without one it is left out, as our
// pipeline leaves an untagged source alone while libvips 8.14 would still
// run an sRGB-to-sRGB transform (~40 ms, a fifth of the Full step here).
func vipsSide(bin, file, out string, profile bool) *side {
	s := &side{name: "vipsthumbnail x3", out: out}
	for _, r := range []struct {
		label string
		edge  int
		crop  bool
	}{{"full", fullEdge, false}, {"phone", phoneEdge, false}, {"thumb", thumbSide, true}} {
		dst := filepath.Join(out, r.label+".jpg")
		args := []string{file, "--size", fmt.Sprintf("%dx%d>", r.edge, r.edge)}
		if r.crop {
			args = append(args, "--smartcrop", "centre")
		}
		if profile {
			args = append(args, "-e", "srgb")
		}
		args = append(args, "-o", fmt.Sprintf("%s[Q=%d,strip]", dst, quality))
		label := fmt.Sprintf("%s (%d", r.label, r.edge)
		if r.crop {
			label += " crop"
		}
		s.steps = append(s.steps, step{label: label + ")", cmd: bin, args: args})
		s.files = append(s.files, dst)
	}
	return s
}

// run runs the side's steps once, one after another.
func (s *side) run(ctx context.Context) (result, error) {
	for _, f := range s.files {
		if err := os.Remove(f); err != nil && !errors.Is(err, os.ErrNotExist) {
			return result{}, err
		}
	}
	var r result
	for _, st := range s.steps {
		u, err := measure(ctx, st.cmd, st.args...)
		if err != nil {
			return result{}, err
		}
		r.wall += u.wall
		r.cpu += u.cpu
		r.peak = max(r.peak, u.peak)
		r.steps = append(r.steps, u)
	}
	for _, f := range s.files {
		if _, err := os.Stat(f); err != nil {
			return result{}, fmt.Errorf("no rendition: %w", err)
		}
	}
	return r, nil
}

// measure runs one process to the end and reads its wall time, CPU time and
// peak resident memory.
func measure(ctx context.Context, name string, args ...string) (usage, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return usage{}, fmt.Errorf("stopped by -timeout or a signal: %w", ctx.Err())
		}
		return usage{}, fmt.Errorf("%s: %v\n%s", filepath.Base(name), err, tail(out.String(), 2000))
	}
	u := usage{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		u.peak = maxrssBytes(ru.Maxrss)
	}
	return u, nil
}

// maxrssBytes converts ru_maxrss, in KiB on Linux and the BSDs but in bytes
// on macOS, to bytes.
func maxrssBytes(v int64) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return v
	}
	return v * 1024
}

// peakFloor is the high-water mark of this process's memory. Linux charges
// a child's ru_maxrss with the memory of the process it was forked from as
// it stood at exec (Go starts children with vfork, sharing this process's
// memory until then), so no child's peak reads below this; it stays a few
// MiB because this program holds no image. It is VmHWM, not getrusage's
// RUSAGE_SELF, which carries over the peak of whatever exec'd this program
// (`go run`'s go command, hundreds of MiB) without that reaching children.
func peakFloor() int64 {
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				var kib int64
				if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kib); err == nil {
					return kib * 1024
				}
			}
		}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return maxrssBytes(ru.Maxrss)
}

// compareOutputs prints the renditions each side made in the warm-up and
// warns when their sizes differ.
func compareOutputs(w io.Writer, sides []*side) error {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "rendition")
	for _, s := range sides {
		fmt.Fprintf(tw, "\t%s", s.name)
	}
	fmt.Fprintln(tw)
	same := true
	for i, label := range []string{"full", "phone", "thumb"} {
		fmt.Fprint(tw, label)
		var dims []string
		for _, s := range sides {
			d, n, err := jpegSize(s.files[i])
			if err != nil {
				return fmt.Errorf("%s %s: %w", s.name, label, err)
			}
			dims = append(dims, d)
			fmt.Fprintf(tw, "\t%s %d KB", d, (n+500)/1000)
		}
		fmt.Fprintln(tw)
		same = same && len(slices.Compact(dims)) == 1
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !same {
		fmt.Fprintln(w, "WARNING: the two sides made different sizes; the comparison is not like for like")
	}
	return nil
}

// jpegSize reads a JPEG's dimensions from its header and its file size.
func jpegSize(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	cfg, err := jpeg.DecodeConfig(f)
	if err != nil {
		return "", 0, err
	}
	st, err := f.Stat()
	if err != nil {
		return "", 0, err
	}
	return fmt.Sprintf("%dx%d", cfg.Width, cfg.Height), st.Size(), nil
}

// report prints each side's times and memory, then the ratio of medians.
func report(w io.Writer, sides []*side, floor int64) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "per photo\tmin ms\tmedian ms\tmax ms\tCPU ms (median)\tpeak MiB (max)\t")
	row := func(name string, wall, cpu []time.Duration, peak []int64) {
		lo, mid, hi := spread(wall)
		_, cpuMid, _ := spread(cpu)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%.1f\t\n", name, ms(lo), ms(mid), ms(hi), ms(cpuMid), mib(slices.Max(peak)))
	}
	for _, s := range sides {
		var wall, cpu []time.Duration
		var peak []int64
		for _, r := range s.results {
			wall, cpu, peak = append(wall, r.wall), append(cpu, r.cpu), append(peak, r.peak)
		}
		row(s.name, wall, cpu, peak)
		if len(s.steps) < 2 {
			continue
		}
		for i, st := range s.steps {
			wall, cpu, peak = wall[:0], cpu[:0], peak[:0]
			for _, r := range s.results {
				wall, cpu, peak = append(wall, r.steps[i].wall), append(cpu, r.steps[i].cpu), append(peak, r.steps[i].peak)
			}
			row("  "+st.label, wall, cpu, peak)
		}
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "(peaks are ru_maxrss of each child, which Linux never reports below this process's own %.1f MiB)\n", mib(floor))

	ours := sides[0]
	oursPeak := int64(0)
	for _, r := range ours.results {
		oursPeak = max(oursPeak, r.peak)
	}
	fmt.Fprintf(w, "\nretreat photo peak: %.1f MiB = %.0f MB, target under %.0f MB: %s\n",
		mib(oursPeak), float64(oursPeak)/1e6, targetPeak/1e6, verdict(float64(oursPeak) < targetPeak))
	if len(sides) < 2 {
		return
	}
	ratio := float64(median(ours.walls())) / float64(median(sides[1].walls()))
	fmt.Fprintf(w, "ratio of medians, retreat photo / vipsthumbnail x3: %.2fx, target within %.1fx: %s\n",
		ratio, targetRatio, verdict(ratio <= targetRatio))
}

func (s *side) walls() []time.Duration {
	var d []time.Duration
	for _, r := range s.results {
		d = append(d, r.wall)
	}
	return d
}

func verdict(ok bool) string {
	if ok {
		return "met"
	}
	return "NOT met"
}

// spread returns the minimum, median and maximum of d (not empty).
func spread(d []time.Duration) (lo, mid, hi time.Duration) {
	return slices.Min(d), median(d), slices.Max(d)
}

// median of d (not empty): the middle value, or the mean of the two middle
// ones.
func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func ms(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Millisecond)) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// moduleRoot finds the retreat module's folder: the working directory or
// one above it, else the folder this source file was compiled from.
func moduleRoot() (string, error) {
	if wd, err := os.Getwd(); err == nil {
		for d := wd; ; d = filepath.Dir(d) {
			if isRetreatModule(d) {
				return d, nil
			}
			if filepath.Dir(d) == d {
				break
			}
		}
	}
	if _, file, _, ok := runtime.Caller(0); ok {
		if d := filepath.Join(filepath.Dir(file), "..", ".."); isRetreatModule(d) {
			return filepath.Clean(d), nil
		}
	}
	return "", errors.New("cannot find the retreat module: run inside it, or pass -file and -retreat")
}

// isRetreatModule reports whether dir holds the go.mod of module retreat.
func isRetreatModule(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		return false
	}
	for line := range strings.Lines(string(b)) {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "module" && strings.Trim(f[1], `"`) == "retreat" {
			return true
		}
	}
	return false
}

// buildRetreat builds ./cmd/retreat into a new temp folder.
func buildRetreat(ctx context.Context, root string, stderr io.Writer) (string, error) {
	dir, err := os.MkdirTemp("", "photobench-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "retreat")
	fmt.Fprintln(stderr, "photobench: go build ./cmd/retreat")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/retreat")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("build retreat (or pass -retreat): %v\n%s", err, out)
	}
	return bin, nil
}

// embeddedProfile reports whether libvips finds an ICC profile in file,
// asking vipsheader (beside vipsthumbnail in libvips-tools), which fails
// when the field is missing. If it cannot tell, it says no.
func embeddedProfile(ctx context.Context, vipsthumbnail, file string) bool {
	bin := filepath.Join(filepath.Dir(vipsthumbnail), "vipsheader")
	if _, err := os.Stat(bin); err != nil {
		if bin, err = exec.LookPath("vipsheader"); err != nil {
			return false
		}
	}
	return exec.CommandContext(ctx, bin, "-f", "icc-profile-data", file).Run() == nil
}

func vipsVersion(ctx context.Context, bin string) string {
	out, err := exec.CommandContext(ctx, bin, "--vips-version").Output()
	if err != nil {
		return "version unknown"
	}
	return strings.TrimSpace(string(out))
}

// tail returns at most the last n bytes of s.
func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}
