package organizer_test

import (
	"fmt"
	"html"
	"image/png"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"retreat/handlers/handlertest"
	"retreat/models"
)

// passwordHash reads an organizer's stored hash straight from the table.
func passwordHash(t *testing.T, app *handlertest.App, email string) string {
	t.Helper()
	var hash string
	if err := app.Store.DB().Raw("SELECT password_hash FROM organizers WHERE email = ?", email).Scan(&hash).Error; err != nil {
		t.Fatal(err)
	}
	return hash
}

// TestOrganizerPasswordsAreStoredAsArgon2id checks the hash of an account
// made on the setup page and of one made by the store (the CLI's path):
// Argon2id in PHC form, with at least OWASP's minimum memory, never the
// password itself.
func TestOrganizerPasswordsAreStoredAsArgon2id(t *testing.T) {
	app := handlertest.New(t, handlertest.Options{RealHashing: true})
	c := app.Client()
	rec := c.PostForm("/setup", url.Values{"email": {"ana@example.com"}, "name": {"Ana"}, "password": {handlertest.Password}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("setup: got %d\n%s", rec.Code, rec.Body.String())
	}
	app.Organizer("bo@example.com", "Bo")
	for _, email := range []string{"ana@example.com", "bo@example.com"} {
		hash := passwordHash(t, app, email)
		if !strings.HasPrefix(hash, "$argon2id$v=19$") {
			t.Errorf("%s: stored hash %q is not Argon2id", email, hash)
			continue
		}
		if strings.Contains(hash, handlertest.Password) {
			t.Errorf("%s: stored hash contains the password: %q", email, hash)
		}
		// $argon2id$v=19$m=65536,t=1,p=2$salt$key
		parts := strings.Split(hash, "$")
		if len(parts) != 6 {
			t.Fatalf("%s: hash %q is not in PHC form", email, hash)
		}
		var memKiB int
		for _, kv := range strings.Split(parts[3], ",") {
			if v, ok := strings.CutPrefix(kv, "m="); ok {
				memKiB, _ = strconv.Atoi(v)
			}
		}
		if memKiB < 19456 {
			t.Errorf("%s: Argon2id memory %d KiB, want at least 19 MiB (OWASP)", email, memKiB)
		}
	}
	if hash := passwordHash(t, app, "ana@example.com"); hash == passwordHash(t, app, "bo@example.com") {
		t.Error("two accounts with the same password have the same hash: no salt")
	}
}

// decodeQR reads the text a PNG QR code carries.
func decodeQR(t *testing.T, rec *http.Response) string {
	t.Helper()
	img, err := png.Decode(rec.Body)
	if err != nil {
		t.Fatalf("QR code is not a PNG: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// PURE_BARCODE: the image is the code as drawn, square and unrotated,
	// so its modules are read where they are. gozxing's finder-pattern
	// search (meant for photos of codes) misses about 1 in 300 random join
	// links, a flaky test rather than a bad code: 0 in 3000 this way.
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		t.Fatalf("decode QR code: %v", err)
	}
	return res.GetText()
}

// TestJoinQRCodeEncodesTheJoinLink decodes the QR code the dashboard serves
// and compares it with the join link on the event page: the request's host
// by default, the configured base URL when there is one.
func TestJoinQRCodeEncodesTheJoinLink(t *testing.T) {
	for _, tc := range []struct {
		name, baseURL, wantBase string
	}{
		{"request host", "", "http://retreat.test"},
		{"base URL", "https://retreat.example.com/", "https://retreat.example.com"},
		{"base URL under a path", "https://example.org/retreat", "https://example.org/retreat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := handlertest.New(t, handlertest.Options{BaseURL: tc.baseURL})
			o := app.Organizer("ana@example.com", "Ana")
			ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
			c := app.Client()
			c.SignIn("ana@example.com")
			joinURL := tc.wantBase + "/j/" + ev.JoinToken

			page := c.Get(fmt.Sprintf("/dashboard/events/%d", ev.ID))
			body := html.UnescapeString(page.Body.String())
			if page.Code != http.StatusOK || !strings.Contains(body, `value="`+joinURL+`"`) {
				t.Fatalf("event page: got %d, want the join link %s\n%s", page.Code, joinURL, body)
			}
			if tc.baseURL != "" && strings.Contains(body, "retreat.test/j/") {
				t.Errorf("event page still shows the request's host in a join link")
			}

			for _, path := range []string{"/qr.png", "/qr.png?download=1"} {
				rec := c.Get(fmt.Sprintf("/dashboard/events/%d%s", ev.ID, path))
				if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/png" {
					t.Fatalf("GET %s: got %d %q", path, rec.Code, rec.Header().Get("Content-Type"))
				}
				if got := decodeQR(t, rec.Result()); got != joinURL {
					t.Errorf("GET %s: QR code says %q, want %q", path, got, joinURL)
				}
			}
			// The link in the QR code, past the public base, joins the event.
			path := strings.TrimPrefix(joinURL, tc.wantBase)
			if rec := app.Client().Get(path); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Spring hunt") {
				t.Errorf("GET %s (the QR code's path): got %d", path, rec.Code)
			}
		})
	}
}

// TestEventPageListsEachSubmissionWithItsCaption: answers sent from phones
// show on the organizer's event page under their prompt, a photo as its
// thumbnail with the sender's name and caption, a text answer as its text.
func TestEventPageListsEachSubmissionWithItsCaption(t *testing.T) {
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	photo := app.Prompt(ev, models.KindPhoto, "Your desk right now", nil, nil)
	text := app.Prompt(ev, models.KindText, "Your best joke", nil, nil)

	bea := app.Client()
	bea.Join(ev, "Bea")
	if rec := bea.Upload(handlertest.AnswerPath(ev, photo), "Plants & a <cat>", handlertest.PhotoPath(t, "orient-1.jpg")); rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: got %d\n%s", rec.Code, rec.Body.String())
	}
	cy := app.Client()
	cy.Join(ev, "Cy")
	if rec := cy.PostForm(handlertest.AnswerPath(ev, text), url.Values{"text": {"Why did the photo go to jail? It was framed."}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("text answer: got %d\n%s", rec.Code, rec.Body.String())
	}
	subs, err := app.Store.EventSubmissions(t.Context(), ev.ID)
	if err != nil || len(subs) != 2 {
		t.Fatalf("submissions = %+v, %v", subs, err)
	}
	var photoSub models.SubmissionWithName
	for _, s := range subs {
		if s.PromptID == photo.ID {
			photoSub = s
		}
	}

	org := app.Client()
	org.SignIn("ana@example.com")
	rec := org.Get(fmt.Sprintf("/dashboard/events/%d", ev.ID))
	body := rec.Body.String()
	if rec.Code != http.StatusOK {
		t.Fatalf("event page: got %d", rec.Code)
	}
	thumb := fmt.Sprintf("/dashboard/events/%d/photos/%d/thumb", ev.ID, photoSub.ID)
	photoBlock := promptBlock(t, body, "Your desk right now")
	for _, want := range []string{
		`<img src="` + thumb + `"`,
		`alt="Photo by Bea"`,
		`<p class="who">Bea</p>`,
		`<p class="caption">Plants &amp; a &lt;cat&gt;</p>`, // escaped, never markup
	} {
		if !strings.Contains(photoBlock, want) {
			t.Errorf("photo prompt's answers lack %s:\n%s", want, photoBlock)
		}
	}
	textBlock := promptBlock(t, body, "Your best joke")
	for _, want := range []string{
		`<blockquote class="text-answer">Why did the photo go to jail? It was framed.</blockquote>`,
		`<p class="who">Cy</p>`,
	} {
		if !strings.Contains(textBlock, want) {
			t.Errorf("text prompt's answers lack %s:\n%s", want, textBlock)
		}
	}
	if strings.Contains(textBlock, "Plants") || strings.Contains(photoBlock, "framed") {
		t.Error("an answer is listed under the wrong prompt")
	}
	// The thumbnail the page links is served to the organizer.
	if rec := org.Get(thumb); rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/jpeg" {
		t.Errorf("GET %s: got %d %q", thumb, rec.Code, rec.Header().Get("Content-Type"))
	}
}

// promptBlock is the part of the event page from a prompt's title to the
// next prompt's article.
func promptBlock(t *testing.T, body, title string) string {
	t.Helper()
	i := strings.Index(body, title)
	if i < 0 {
		t.Fatalf("event page has no prompt %q", title)
	}
	rest := body[i:]
	if j := strings.Index(rest, "</article>"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}
