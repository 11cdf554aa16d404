package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"retreat/handlers/handlertest"
	"retreat/models"
	"retreat/models/backendtest"
	"retreat/models/media"
)

// An embedded install with people, teams, photos (replaced ones too),
// moderation, an invite and a reveal in progress moves to PostgreSQL + S3:
// every table's rows and every photo's bytes arrive, and a server on the
// new back end carries on where the old one stopped, with the same
// sessions, links and photos.
func TestMigrateStorageCopiesEverything(t *testing.T) {
	ctx := context.Background()
	pgURL := backendtest.PostgresURL(t)
	s3 := backendtest.S3Config(t)

	// The embedded install, built through the real app.
	old := handlertest.New(t, handlertest.Options{Embedded: true})
	o := old.Organizer("ana@example.com", "Ana")
	ev := old.Event(o, "Retreat", "Europe/Lisbon")
	swing := old.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	desk := old.Prompt(ev, models.KindPhoto, "Your desk", nil, nil)
	joke := old.Prompt(ev, models.KindText, "Your best joke", nil, nil)
	if _, err := old.Store.CreateTeam(ctx, ev, "Owls"); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Store.CreateInvite(ctx, ev, o.ID, models.InviteInput{Email: "cy@example.com", Role: models.RoleOrganizer}); err != nil {
		t.Fatal(err)
	}
	org := old.Client()
	org.SignIn(o.Email)
	var phones []*handlertest.Client
	photos := []string{"orient-6.jpg", "iphone.heic", "photo.webp", "photo-alpha.png", "orient-3.jpg", "progressive.jpg"}
	for i, name := range []string{"Bea", "Dan", "Eve"} {
		c := old.Client()
		c.Join(ev, name)
		for j, p := range []*models.Prompt{swing, desk} {
			if rec := c.Upload(handlertest.AnswerPath(ev, p), name+"'s photo", handlertest.PhotoPath(t, photos[2*i+j])); rec.Code != http.StatusSeeOther {
				t.Fatalf("%s uploads: %d\n%s", name, rec.Code, rec.Body.String())
			}
		}
		if rec := c.PostForm(handlertest.AnswerPath(ev, joke), url.Values{"text": {"knock knock from " + name}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s answers: %d", name, rec.Code)
		}
		phones = append(phones, c)
	}
	// A replaced photo: its old files are gone, the new ones are copied.
	if rec := phones[0].Upload(handlertest.AnswerPath(ev, swing), "better swing", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("replace: %d", rec.Code)
	}
	subs, err := old.Store.EventSubmissions(ctx, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.Store.SetStarred(ctx, ev.ID, subs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Store.AwardBonus(ctx, ev.ID, subs[1].ID, models.Bonus{Points: 5, Reason: "style"}); err != nil {
		t.Fatal(err)
	}
	if rec := org.PostForm(fmt.Sprintf("/dashboard/events/%d/reveal/start", ev.ID), nil); rec.Code >= 400 {
		t.Fatalf("start reveal: %d", rec.Code)
	}
	oldBoard := org.Get(fmt.Sprintf("/dashboard/events/%d/scores", ev.ID))

	// Move up.
	var out, errOut bytes.Buffer
	args := []string{"migrate-storage", "--data-dir", old.Dir, "--database-url", pgURL,
		"--s3-endpoint", s3.Endpoint, "--s3-bucket", s3.Bucket, "--s3-access-key", s3.AccessKey, "--s3-secret-key", s3.SecretKey,
		"--s3-region", s3.Region, "--s3-path-style"}
	if err := run(ctx, args, nil, &out, &errOut); err != nil {
		t.Fatalf("migrate-storage: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	t.Logf("migrate-storage said:\n%s", out.String())

	// Counts: every table, as the command reports and as we count again.
	dst, err := models.Open(ctx, pgURL, models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	tables, err := old.Store.DB().Migrator().GetTables()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, table := range tables {
		if strings.HasPrefix(table, "sqlite_") || table == "migrations" || table == "leases" {
			continue
		}
		var a, b int64
		if err := old.Store.DB().Table(table).Count(&a).Error; err != nil {
			t.Fatal(err)
		}
		if err := dst.DB().Table(table).Count(&b).Error; err != nil {
			t.Fatalf("count %s in PostgreSQL: %v", table, err)
		}
		if a != b {
			t.Errorf("%s: %d rows embedded, %d in PostgreSQL", table, a, b)
		}
		checked++
	}
	if checked < 10 {
		t.Errorf("compared only %d tables", checked)
	}

	// Bytes: every photo file, hashed on both sides.
	bucket, err := media.NewS3Store(ctx, s3)
	if err != nil {
		t.Fatal(err)
	}
	want := hashAll(t, old.Photos)
	got := hashAll(t, bucket)
	if len(want) < 6*4 {
		t.Fatalf("only %d photo files in the embedded install", len(want))
	}
	if len(got) != len(want) {
		t.Errorf("%d photo files in the bucket, want %d", len(got), len(want))
	}
	for key, h := range want {
		if got[key] != h {
			t.Errorf("photo %s differs in the bucket", key)
		}
	}

	// A server on the new back end: same sessions, links, photos, scores.
	next := handlertest.New(t, handlertest.Options{SameBackendAs: &handlertest.App{DatabaseURL: pgURL, S3: &s3, Clock: old.Clock}})
	bea := phones[0].On(next)
	if rec := bea.Get(fmt.Sprintf("/e/%d", ev.ID)); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Hi Bea") {
		t.Fatalf("Bea's phone on the new back end: %d", rec.Code)
	}
	for _, s := range subs {
		if !s.HasPhoto() {
			continue
		}
		path := fmt.Sprintf("/dashboard/events/%d/photos/%d/full", ev.ID, s.ID)
		a, b := org.Get(path), org.On(next).Get(path)
		if b.Code != http.StatusOK || !bytes.Equal(a.Body.Bytes(), b.Body.Bytes()) {
			t.Errorf("%s on the new back end: %d, %d bytes; before: %d bytes", path, b.Code, b.Body.Len(), a.Body.Len())
		}
	}
	// Pages carry a freshly masked CSRF token each time: compare the rest.
	unmasked := func(page string) string {
		return regexp.MustCompile(`name="_csrf" value="[^"]*"`).ReplaceAllString(page, "")
	}
	if board := org.On(next).Get(fmt.Sprintf("/dashboard/events/%d/scores", ev.ID)); unmasked(board.Body.String()) != unmasked(oldBoard.Body.String()) {
		t.Errorf("the scores page differs after the move")
	}
	st, err := next.Server.Live().Load(ctx, ev.ID)
	if err != nil || !st.Live() {
		t.Errorf("the reveal after the move: %+v, %v; want it still live", st, err)
	}
	// New rows get new ids (the sequences moved past the copied ones).
	fay := next.Client()
	fay.Join(ev, "Fay")
	if rec := fay.Upload(handlertest.AnswerPath(ev, swing), "new", handlertest.PhotoPath(t, "orient-2.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("a new upload after the move: %d\n%s", rec.Code, rec.Body.String())
	}

	// Running it again is refused: the database is no longer empty.
	out.Reset()
	errOut.Reset()
	if err := run(ctx, args, nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "empty database") {
		t.Errorf("second run: %v, want a refusal to copy into a database with data", err)
	}
}

func hashAll(t *testing.T, s media.Store) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	err := s.List(context.Background(), "", func(key string) error {
		rc, err := s.Open(context.Background(), key)
		if err != nil {
			return err
		}
		defer rc.Close()
		h := sha256.New()
		if _, err := io.Copy(h, rc); err != nil {
			return err
		}
		m[key] = [32]byte(h.Sum(nil))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMigrateStorageNeedsBothTargets(t *testing.T) {
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"migrate-storage", "--data-dir", t.TempDir(), "--database-url", "sqlite:///tmp/x.db"}, nil, &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "PostgreSQL") {
		t.Errorf("sqlite target: %v %q", err, errOut.String())
	}
	errOut.Reset()
	err = run(context.Background(), []string{"migrate-storage", "--data-dir", t.TempDir(), "--database-url", "postgres://u@127.0.0.1:1/x"}, nil, &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "bucket") {
		t.Errorf("no S3: %v %q", err, errOut.String())
	}
}
