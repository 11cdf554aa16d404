package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"retreat/models"
)

// TestDemoCommandThenServe seeds a small demo into a data folder, serves
// that folder, signs in with what the command printed and opens the
// event's dashboard over HTTP.
func TestDemoCommandThenServe(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"demo", "--data-dir", dir, "--people", "12", "--photos", "fast", "--base-url", "http://retreat.test/"}, nil, &out, &errOut)
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, errOut.String())
	}
	printed := regexp.MustCompile(`(?s)email: +(\S+)\n +password: +(\S+).*Dashboard: http://retreat\.test(/dashboard/events/\d+)\n`).FindStringSubmatch(out.String())
	if printed == nil {
		t.Fatalf("the command did not print the sign-in and the dashboard:\n%s", out.String())
	}
	email, password, dashboard := printed[1], printed[2], printed[3]
	if !strings.Contains(out.String(), "12 people") || !strings.Contains(errOut.String(), "answers:") {
		t.Errorf("output does not say what was seeded, or progress is missing:\n%s\n%s", out.String(), errOut.String())
	}

	base, _, _ := startServer(t, dir)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get(t, client, base+"/login") // the CSRF cookie
	res, err := client.PostForm(base+"/login", url.Values{"email": {email}, "password": {password}, "_csrf": {cookieValue(jar, base, "retreat_csrf")}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther || strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("sign in with the printed password: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	status, page := get(t, client, base+dashboard)
	if status != http.StatusOK {
		t.Fatalf("dashboard: status %d", status)
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	stats := statsOf(doc)
	if stats["Participants"] != "12" || stats["Prompts"] != "8" || stats["Answers"] == "" || stats["Answers"] == "0" {
		t.Errorf("dashboard stats = %v, want 12 participants, 8 prompts and their answers", stats)
	}
	if h1 := textOf(find(doc, "h1")); !strings.HasPrefix(h1, "Lumen Labs retreat") {
		t.Errorf("dashboard heading = %q", h1)
	}
	// A thumbnail the dashboard links to is served.
	thumb := regexp.MustCompile(`/dashboard/events/\d+/photos/\d+/`).FindString(page)
	if thumb == "" {
		t.Fatal("the dashboard shows no photo")
	}
	res, err = client.Get(base + thumb + "thumb")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("thumbnail: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

func get(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	res, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, string(b)
}

// statsOf reads the dashboard's figures: each <dt> and the <dd> after it.
func statsOf(doc *html.Node) map[string]string {
	out := map[string]string{}
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "dt" {
			for dd := n.NextSibling; dd != nil; dd = dd.NextSibling {
				if dd.Type == html.ElementNode && dd.Data == "dd" {
					out[textOf(n)] = textOf(dd)
					break
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func find(n *html.Node, tag string) *html.Node {
	if n.Type == html.ElementNode && n.Data == tag {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, tag); f != nil {
			return f
		}
	}
	return nil
}

func textOf(n *html.Node) string {
	if n == nil {
		return ""
	}
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.TrimSpace(b.String())
}

// TestDemoCommandRefusesBadFlags refuses a bad command line with status 2
// and a message naming the problem, before touching the data folder.
func TestDemoCommandRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  string // RETREAT_PEOPLE
		want string
	}{
		{"unknown flag", []string{"--nope"}, "", "flag provided but not defined: -nope"},
		{"not a number", []string{"--people", "many"}, "", `invalid value "many" for flag -people`},
		{"no people", []string{"--people", "0"}, "", "--people must be between 1 and 5000"},
		{"too many people", []string{"--people", "100000"}, "", "--people must be between 1 and 5000"},
		{"unknown photo mode", []string{"--photos", "huge"}, "", `--photos must be pipeline or fast, not "huge"`},
		{"seed zero", []string{"--seed", "0"}, "", "--seed must not be 0"},
		{"base URL without a scheme", []string{"--base-url", "localhost:8080"}, "", "--base-url must start with http://"},
		{"stray argument", []string{"300"}, "", `unexpected argument "300"`},
		{"bad environment", nil, "lots", `RETREAT_PEOPLE="lots"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("RETREAT_PEOPLE", tc.env)
			if tc.env == "" {
				os.Unsetenv("RETREAT_PEOPLE")
			}
			dir := t.TempDir()
			var out, errOut bytes.Buffer
			err := run(t.Context(), append([]string{"demo", "--data-dir", dir}, tc.args...), nil, &out, &errOut)
			if code := exitCode(err); code != 2 || !strings.Contains(errOut.String(), tc.want) {
				t.Errorf("demo %v: exit %d (%v), stderr %q; want 2 and %q", tc.args, code, err, errOut.String(), tc.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "retreat.db")); !os.IsNotExist(err) {
				t.Errorf("a refused command line created the database (%v)", err)
			}
		})
	}
}

// TestDemoCommandUnknownOrganizer fails (status 1) for an organizer the
// database does not have, and leaves no event behind.
func TestDemoCommandUnknownOrganizer(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"demo", "--data-dir", dir, "--people", "3", "--photos", "fast", "--email", "nobody@example.com"}, nil, &out, &errOut)
	if exitCode(err) != 1 || !strings.Contains(err.Error(), `no organizer has the email "nobody@example.com"`) {
		t.Fatalf("demo --email nobody: %v", err)
	}
	store, err := models.Open(t.Context(), filepath.Join(dir, "retreat.db"), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	if n, err := store.OrganizerCount(t.Context()); err != nil || n != 0 {
		t.Errorf("organizers = %d (%v), want none", n, err)
	}
}
