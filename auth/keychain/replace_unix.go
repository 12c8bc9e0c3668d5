//go:build !windows

package keychain

import (
	"path/filepath"

	"github.com/google/renameio/v2"
)

// replaceFile writes data to a temporary file beside path (named
// ".<name><random>"), syncs it and renames it over path: a reader sees
// the old file or the new one, never a part.
func replaceFile(path string, data []byte) error {
	pf, err := renameio.NewPendingFile(path, renameio.WithTempDir(filepath.Dir(path)), renameio.WithStaticPermissions(0o600))
	if err != nil {
		return err
	}
	defer pf.Cleanup()
	if _, err := pf.Write(data); err != nil {
		return err
	}
	return pf.CloseAtomicallyReplace()
}
