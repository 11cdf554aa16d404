package templates

import "embed"

// Offline holds the offline copy of the reveal's index.html: a document
// of its own, opened from disk (no layout, no partials, no asset URLs),
// so it is kept apart from the pages the renderer parses.
//
//go:embed offline
var Offline embed.FS
