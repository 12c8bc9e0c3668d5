//go:build !unix

package store

import "os"

// fileOwner is not known from a FileInfo here.
func fileOwner(os.FileInfo) (int, bool) { return 0, false }
