// Package atomicfile replaces files so that a reader sees the old file or
// the new one, never a part, and a crash leaves one of the two: every
// file tokentray writes (settings, tokens for bots, records, entries for
// other programs) goes through Write.
package atomicfile

import (
	"os"
	"path/filepath"
	"runtime"
)

// TempPrefix is how the temporary files Write makes beside name begin
// (followed by random digits): a writer that crashed may leave one, and
// whoever owns the folder may delete such files.
func TempPrefix(name string) string { return "." + name + ".tmp-" }

// Write replaces path with data, given mode perm: a temporary file in the same folder is written, synced
// to disk and renamed over path, and the folder is synced so that the
// rename lasts. On any error path is left as it was and the temporary
// file is removed.
func Write(path string, data []byte, perm os.FileMode) (err error) {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, TempPrefix(name)+"*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if runtime.GOOS != "windows" {
		// CreateTemp makes the file 0600; a wider mode is the caller's
		// (an autostart entry, a service unit).
		if err = tmp.Chmod(perm); err != nil {
			return err
		}
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable where the platform allows it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // folders cannot be synced there; the rename is durable enough
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
