package handlers_test

import (
	"net/http"
	"testing"

	"retreat/handlers"
	"retreat/handlers/handlertest"
)

// TestRouteClassesAreRoutes keeps the overload priorities true to the
// router: a renamed route would otherwise silently become a page, shed
// before the presenter's moves.
func TestRouteClassesAreRoutes(t *testing.T) {
	app := handlertest.New(t)
	routes := map[string]bool{}
	for _, r := range app.Echo.Routes() {
		routes[r.Path] = true
	}
	for path := range handlers.RouteClasses() {
		if !routes[path] {
			t.Errorf("%s has an overload class but is not a route", path)
		}
	}
	if rec := app.Client().Get("/healthz"); rec.Code != http.StatusOK {
		t.Errorf("healthz: %d", rec.Code)
	}
}
