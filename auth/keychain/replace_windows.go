//go:build windows

package keychain

import (
	"os"
	"path/filepath"
)

// replaceFile writes data to a temporary file beside path (named
// ".<name><random>"), syncs it and renames it over path, which Windows
// does in one step (MoveFileEx with MOVEFILE_REPLACE_EXISTING).
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
