package models

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// zones.txt is the union of tzdata's zone.tab and zone1970.tab (one
// canonical name per populated place) plus UTC. Go cannot list the zones it
// knows, so the list the time-zone pickers offer is shipped with the binary.
//
//go:embed zones.txt
var zonesText string

// TimeZones returns the IANA zone names offered in time-zone pickers, sorted.
func TimeZones() []string {
	return strings.Fields(zonesText)
}

// LoadZone resolves an IANA zone name, refusing empty and unknown names.
// "Local" is refused because it means different things on different servers.
func LoadZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || strings.ContainsAny(name, " \\") || len(name) > 64 {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name like Europe/Paris", name)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is not an IANA zone name like Europe/Paris", name)
	}
	return loc, nil
}

// ZoneCity is the place part of a zone name, for labels such as "09:00 in
// Tokyo": "Asia/Tokyo" gives "Tokyo", "America/Argentina/Buenos_Aires" gives
// "Buenos Aires".
func ZoneCity(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return strings.ReplaceAll(name, "_", " ")
}
