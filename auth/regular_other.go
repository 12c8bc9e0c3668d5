//go:build !unix

package auth

import (
	"os"
)

// openNoWait looks before it opens: where there is no O_NONBLOCK, a file
// that is not regular is refused before open is tried.
func openNoWait(path string) (*os.File, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: fi.Mode()}
	}
	return os.Open(path)
}
