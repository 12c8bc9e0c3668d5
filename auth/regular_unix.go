//go:build unix

package auth

import (
	"os"
	"syscall"
)

// openNoWait opens with O_NONBLOCK, so that a named pipe with no writer
// opens at once instead of waiting; a regular file reads as usual.
func openNoWait(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}
