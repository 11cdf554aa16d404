package handlers_test

import (
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"retreat/handlers/browsertest"
	"retreat/handlers/handlertest"
	"retreat/models"
)

func TestSpike(t *testing.T) {
	start := time.Now()
	app := handlertest.New(t)
	o := app.Organizer("ana@example.com", "Ana")
	ev := app.Event(o, "Spring hunt", "Europe/Lisbon")
	app.Prompt(ev, models.KindPhoto, "A picture of you on a swing", nil, nil)
	srv := httptest.NewServer(app.Echo)
	t.Cleanup(srv.Close)
	ctx := browsertest.New(t)
	t.Logf("browser up %v", time.Since(start))
	var tz string
	var ran bool
	err := chromedp.Run(ctx, browsertest.NoScript(true), chromedp.ActionFunc(browsertest.Phone), chromedp.Navigate(srv.URL+"/j/"+ev.JoinToken),
		chromedp.Evaluate(`1+1 == 2`, &ran),
		chromedp.WaitVisible(`input[name=name]`),
		chromedp.Value(`input[name=time_zone]`, &tz))
	t.Logf("err %v ran %v tz %q %v", err, ran, tz, time.Since(start))
	browsertest.Screenshot(t, ctx, "join")
	t.Logf("done %v", time.Since(start))
}
