//go:build !unix

package webull

import "io/fs"

// owner is not known from mode bits on this platform.
func owner(fs.FileInfo) (int, bool) { return 0, false }
