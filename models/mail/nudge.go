package mail

import (
	"embed"
	"fmt"
	htmltemplate "html/template"
	texttemplate "text/template"
)

//go:embed templates
var templateFS embed.FS

var (
	nudgeText = texttemplate.Must(texttemplate.ParseFS(templateFS, "templates/nudge.txt"))
	nudgeHTML = htmltemplate.Must(htmltemplate.ParseFS(templateFS, "templates/nudge.html"))
)

// Nudge is what a reminder email says: who it is for, the prompts still
// waiting for them, and their personal link.
type Nudge struct {
	Name      string
	EventName string
	Prompts   []NudgePrompt
	// Link is the participant's absolute personal link (/r/<token>).
	Link string
}

// NudgePrompt is one prompt in a reminder, its close already written in the
// participant's zone ("Fri 4 Dec 18:00 your time").
type NudgePrompt struct {
	Title  string
	Closes string
	Left   string // "in 3 h"
}

// NudgeMessage builds the reminder email for one participant.
func NudgeMessage(to string, n Nudge) *Message {
	subject := fmt.Sprintf("%d prompts are waiting for you in %s", len(n.Prompts), n.EventName)
	if len(n.Prompts) == 1 {
		subject = fmt.Sprintf("Reminder: %q closes %s", n.Prompts[0].Title, n.Prompts[0].Left)
	}
	return &Message{To: to, ToName: n.Name, Subject: subject, Text: nudgeText, HTML: nudgeHTML, Data: n}
}
