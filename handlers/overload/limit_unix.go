//go:build unix

package overload

import (
	"fmt"
	"syscall"
)

// RaiseFileLimit lifts the soft open-files limit to the hard one (Go does
// so itself at start on Linux; saying it here makes it true everywhere and
// gives the figure the budget is cut from). It returns the limit now in
// force.
func RaiseFileLimit() (int, error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, fmt.Errorf("read the open-files limit: %w", err)
	}
	if l.Cur < l.Max {
		raised := l
		raised.Cur = raised.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			l = raised
		}
	}
	if l.Cur > 1<<30 { // "unlimited": budget a large, finite figure
		return 1 << 30, nil
	}
	return int(l.Cur), nil
}
