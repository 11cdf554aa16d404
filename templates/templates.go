// Package templates embeds the html/template files: layouts, partials and
// one file per page, grouped by face.
package templates

import "embed"

// FS holds every template file.
//
//go:embed layouts partials pages
var FS embed.FS
