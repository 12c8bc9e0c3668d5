//go:build !unix

package auth

import (
	"errors"
	"io/fs"
	"os"
)

// openNoWait looks before it opens: where there is no O_NONBLOCK, a file
// that is not regular is refused before open is tried.
func openNoWait(path string, flag int, perm os.FileMode) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil && !(errors.Is(err, fs.ErrNotExist) && flag&os.O_CREATE != 0) {
		return nil, err
	}
	if err == nil && !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return os.OpenFile(path, flag, perm)
}
