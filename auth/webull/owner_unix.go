//go:build unix

package webull

import (
	"io/fs"
	"syscall"
)

// owner is the user ID that owns a file, where the platform says.
func owner(fi fs.FileInfo) (int, bool) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return int(st.Uid), true
	}
	return 0, false
}
