package organizer

import (
	"time"

	"github.com/labstack/echo/v4"

	"retreat/models"
)

// zoneCookie holds the organizer's browser time zone, set by static/js/zone.js:
// organizers have no stored zone, and dashboard times read best in their own.
const zoneCookie = "tz"

// viewerZone is the zone the organizer's browser reported, or the event's
// home zone when there is none (first visit, scripts off) or it is unknown.
func viewerZone(c echo.Context, ev *models.Event) *time.Location {
	if ck, err := c.Cookie(zoneCookie); err == nil {
		if loc, err := models.LoadZone(ck.Value); err == nil {
			return loc
		}
	}
	return ev.Location()
}
