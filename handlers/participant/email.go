package participant

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"retreat/handlers/web"
	"retreat/models"
)

// emailField is the reminder address on the "You" page: the stored one, or
// what was typed and why it was refused.
type emailField struct {
	Value string
	Error string
}

// keyRefusedEmail carries a refused address from saveEmail to the page it
// re-renders.
const keyRefusedEmail = "refused-email"

func emailFieldFor(c echo.Context, pa *models.Participant) emailField {
	if f, ok := c.Get(keyRefusedEmail).(emailField); ok {
		return f
	}
	return emailField{Value: pa.Email}
}

// saveEmail sets or removes the address reminders go to. A refused address
// re-renders the page with the message and what was typed.
func (h *Handler) saveEmail(c echo.Context) error {
	ev, pa := h.current(c)
	typed := c.FormValue("email")
	err := h.store.SetParticipantEmail(c.Request().Context(), pa, typed)
	var ve *models.ValidationError
	if errors.As(err, &ve) {
		if web.WantsJSON(c) {
			return err
		}
		c.Set(keyRefusedEmail, emailField{Value: typed, Error: ve.Fields["email"]})
		return h.renderMe(c, http.StatusUnprocessableEntity, "")
	}
	if err != nil {
		return err
	}
	if pa.Email == "" {
		h.sessions.Flash(c, "Your email was removed. You won't get reminders.")
	} else {
		h.sessions.Flash(c, "Saved. Reminders go to "+pa.Email+".")
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/e/%d/me", ev.ID))
}
