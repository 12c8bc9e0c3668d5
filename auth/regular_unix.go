//go:build unix

package auth

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// openNoWait opens with O_NONBLOCK, so that a named pipe with no writer
// (or, to write, no reader) opens at once instead of waiting; a regular
// file reads and writes as usual.
func openNoWait(path string, flag int, perm os.FileMode) (*os.File, error) {
	fh, err := os.OpenFile(path, flag|syscall.O_NONBLOCK, perm)
	if errors.Is(err, syscall.ENXIO) {
		// Only a named pipe (or a device) answers a write-only open so.
		return nil, &NotRegularError{Path: path, Mode: fs.ModeNamedPipe}
	}
	return fh, err
}
