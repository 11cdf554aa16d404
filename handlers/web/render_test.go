package web_test

import (
	"io"
	"strings"
	"testing"

	"retreat/handlers/web"
	"retreat/static"
	"retreat/templates"
)

// PageData returns the renderer over the real embedded files.
func newRenderer(t *testing.T) *web.Renderer {
	t.Helper()
	assets, err := web.NewAssets(static.FS)
	if err != nil {
		t.Fatal(err)
	}
	r, err := web.NewRenderer(templates.FS, assets)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEveryPageParsesAndAssetsResolve(t *testing.T) {
	r := newRenderer(t)
	if len(r.Pages()) < 10 {
		t.Fatalf("only %d pages parsed: %v", len(r.Pages()), r.Pages())
	}
	var b strings.Builder
	if err := r.Execute(&b, "public/error", web.ErrorPage{Page: r.BarePage("Oops"), Status: 404, Message: "gone <b>"}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "/static/missing/") {
		t.Errorf("the layout links a static file that does not exist:\n%s", out)
	}
	if !strings.Contains(out, "gone &lt;b&gt;") {
		t.Errorf("message not escaped:\n%s", out)
	}
}

func TestRenderErrorWritesNothing(t *testing.T) {
	r := newRenderer(t)
	// Page data of the wrong type makes the template fail part-way; the
	// renderer must return the error without writing half a page.
	var w strings.Builder
	err := r.Render(&w, "organizer/event", struct{ web.Page }{r.BarePage("x")}, nil)
	if err == nil {
		t.Fatal("rendering with the wrong data succeeded")
	}
	if w.Len() != 0 {
		t.Errorf("wrote %d bytes before failing", w.Len())
	}
	if err := r.Render(io.Discard, "no/such/page", nil, nil); err == nil {
		t.Error("unknown page rendered")
	}
}
