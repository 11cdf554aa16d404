package organizer

import (
	"fmt"
	"strings"

	"retreat/handlers/web"
	"retreat/models"
	"retreat/models/media"
)

// Limits of the names inside an export zip, in characters. A full path
// stays well under the 255 bytes many file systems allow for a name.
const (
	maxFolderName = 60
	maxPersonName = 40
	maxCaption    = 60
)

// exportNames hands out the names of the photos in an export zip:
// "prompt-title/participant-caption.ext", made of letters, digits and
// dashes only (so no name can climb out of the folder it is unzipped in,
// or trip a file system), and unique: a second "Ana" in the same folder
// becomes "Ana-2". It remembers the names of one prompt's folder at a time
// (answers arrive prompt by prompt), so it stays small for any export.
type exportNames struct {
	folders  map[uint]string // prompt id → folder
	taken    map[string]bool // folder names in use
	promptID uint
	inFolder map[string]bool // file names used in the current folder
}

func newExportNames() *exportNames {
	return &exportNames{folders: map[uint]string{}, taken: map[string]bool{}}
}

// folder is the prompt's folder, made unique among the export's prompts.
func (n *exportNames) folder(p *models.Prompt) string {
	if f, ok := n.folders[p.ID]; ok {
		return f
	}
	f := unique(safeName(p.Title, maxFolderName, fmt.Sprintf("prompt-%d", p.ID)), n.taken)
	n.folders[p.ID] = f
	return f
}

// photo names the original of an answer to p.
func (n *exportNames) photo(p *models.Prompt, a *models.ExportAnswer) string {
	folder := n.folder(p)
	if n.promptID != p.ID || n.inFolder == nil {
		n.promptID, n.inFolder = p.ID, map[string]bool{}
	}
	base := safeName(a.ParticipantName, maxPersonName, fmt.Sprintf("participant-%d", a.ParticipantID))
	if caption := safeName(a.Caption, maxCaption, ""); caption != "" {
		base += "-" + caption
	}
	return folder + "/" + unique(base, n.inFolder) + media.Ext(a.PhotoFormat)
}

// unique returns name, or name-2, name-3 … whichever is not in taken yet,
// and marks it taken. Names are compared case-insensitively, as macOS and
// Windows file systems do.
func unique(name string, taken map[string]bool) string {
	candidate := name
	for i := 2; taken[strings.ToLower(candidate)]; i++ {
		candidate = fmt.Sprintf("%s-%d", name, i)
	}
	taken[strings.ToLower(candidate)] = true
	return candidate
}

// safeName is web.SafeName: the rule the app's downloads share.
func safeName(s string, max int, fallback string) string {
	return web.SafeName(s, max, fallback)
}
