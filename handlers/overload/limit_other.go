//go:build !unix

package overload

import "errors"

// RaiseFileLimit cannot read the open-files limit on this system: the
// budget then bounds photos only.
func RaiseFileLimit() (int, error) {
	return 0, errors.New("the open-files limit is not known on this system")
}
