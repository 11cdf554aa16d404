package participant

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/models"
	"retreat/models/calendar"
)

// downloadCalendar serves an .ics file with one event per prompt at the
// moment it opens for this participant, in their own zone, so their phone
// reminds them as each one opens.
func (h *Handler) downloadCalendar(c echo.Context) error {
	ev, pa := h.current(c)
	prompts, err := h.store.Prompts(c.Request().Context(), ev.ID)
	if err != nil {
		return err
	}
	zone := pa.Location()
	base := c.Scheme() + "://" + c.Request().Host
	entries := make([]calendar.Entry, 0, len(prompts))
	for _, p := range prompts {
		opens, closes := p.Window(ev, zone)
		desc := fmt.Sprintf("%s is open in %s until %s (%s time).", p.Title, ev.Name,
			closes.In(zone).Format("Mon 2 Jan 15:04"), models.ZoneCity(pa.TimeZone))
		if p.Description != "" {
			desc = p.Description + "\n\n" + desc
		}
		entries = append(entries, calendar.Entry{
			UID:   fmt.Sprintf("prompt-%d-participant-%d@%s", p.ID, pa.ID, c.Request().Host),
			Title: p.Title, Description: desc, URL: fmt.Sprintf("%s/e/%d/prompts/%d", base, ev.ID, p.ID),
			Opens: opens, Closes: closes,
		})
	}
	var buf bytes.Buffer
	if err := calendar.Write(&buf, ev.Name, zone, entries, h.store.Now()); err != nil {
		return err
	}
	resp := c.Response().Header()
	resp.Set(echo.HeaderContentDisposition, mime.FormatMediaType("attachment", map[string]string{"filename": "retreat-prompts.ics"}))
	resp.Set("Cache-Control", "private, no-cache")
	return c.Blob(http.StatusOK, "text/calendar; charset=utf-8", buf.Bytes())
}
