package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// report is one run's results as labelled rows, printed alone or beside
// another run's.
type report struct {
	title string // the back end and instances
	head  string
	rows  []row
}

type row struct {
	label, value string
	detail       []string // printed under the row (not side by side)
}

func (r *result) report(o options, backend string, photoBytes int) *report {
	ms := func(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }
	mb := func(b int64) string { return fmt.Sprintf("%.0f MB", float64(b)/(1<<20)) }
	rep := &report{
		title: fmt.Sprintf("%s, %d instance%s", backend, o.instances, plural(o.instances)),
		head: fmt.Sprintf("burst: %d participants, %d at once, %.1f MB photo, %d photo workers per instance",
			o.participants, o.inFlight, float64(photoBytes)/(1<<20), o.workers),
	}
	add := func(label, format string, args ...any) *row {
		rep.rows = append(rep.rows, row{label: label, value: fmt.Sprintf(format, args...)})
		return &rep.rows[len(rep.rows)-1]
	}
	be := add("back end", "%s", rep.title)
	if len(r.requests) > 1 {
		var n []string
		for _, c := range r.requests {
			n = append(n, fmt.Sprint(c))
		}
		be.value += ", requests round-robin: " + strings.Join(n, " / ")
	}
	add("wall time", "%s", r.wall.Round(time.Millisecond))
	add("uploads", "%d ok, %.2f uploads/s", len(r.uploads), float64(len(r.uploads))/r.wall.Seconds())
	add("upload latency", "p50 %s, p99 %s, max %s", ms(percentile(r.uploads, .5)), ms(percentile(r.uploads, .99)), ms(percentile(r.uploads, 1)))
	add("prompt page (prober)", "p50 %s, p99 %s, max %s over %d loads", ms(percentile(r.pages, .5)), ms(percentile(r.pages, .99)), ms(percentile(r.pages, 1)), len(r.pages))
	add("prompt page (participants)", "p50 %s, p99 %s over %d loads", ms(percentile(r.ownPages, .5)), ms(percentile(r.ownPages, .99)), len(r.ownPages))
	errs := add("errors", "%d", len(r.errors))
	for i, e := range r.errors {
		if i == 10 {
			errs.detail = append(errs.detail, fmt.Sprintf("… and %d more", len(r.errors)-10))
			break
		}
		errs.detail = append(errs.detail, e)
	}
	add("'database is locked'", "%d in replies, %d in the server log", r.lockedReplies, r.lockedInLog)
	add("server errors logged", "%d", r.serverErrors)
	switch {
	case r.rssErr != nil:
		add("peak RSS", "unknown: %v", r.rssErr)
	case len(r.peakRSS) == 1:
		add("peak RSS (server)", "%s", mb(r.peakRSS[0]))
	default:
		var sum, top int64
		var each []string
		for _, b := range r.peakRSS {
			sum += b
			top = max(top, b)
			each = append(each, mb(b))
		}
		add("peak RSS (servers)", "sum %s, max of one %s (%s)", mb(sum), mb(top), strings.Join(each, ", "))
	}
	return rep
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (rep *report) print(w io.Writer) {
	fmt.Fprintln(w, rep.head)
	for _, r := range rep.rows {
		fmt.Fprintf(w, "  %-25s %s\n", r.label, r.value)
		for _, d := range r.detail {
			fmt.Fprintf(w, "    %s\n", d)
		}
	}
}

// sideBySide prints two runs' rows in two columns (a run that stopped
// before its report shows as missing).
func sideBySide(w io.Writer, a, b *report) {
	col := func(rep *report, i int) string {
		switch {
		case rep == nil:
			return "(no report)"
		case i < 0:
			return rep.title
		case i < len(rep.rows):
			return rep.rows[i].value
		}
		return ""
	}
	labels := a
	if labels == nil {
		labels = b
	}
	if labels == nil {
		return
	}
	width := len(col(a, -1))
	for i := range labels.rows {
		width = max(width, len(col(a, i)))
	}
	fmt.Fprintln(w, "burst: side by side")
	fmt.Fprintf(w, "  %-26s %-*s | %s\n", "", width, col(a, -1), col(b, -1))
	for i, r := range labels.rows {
		if r.label == "back end" {
			continue
		}
		label := r.label
		if strings.HasPrefix(label, "peak RSS") {
			label = "peak RSS" // (server) or (servers): the values say
		}
		fmt.Fprintf(w, "  %-26s %-*s | %s\n", label, width, col(a, i), col(b, i))
	}
}
