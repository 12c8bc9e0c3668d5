package store

import (
	"fmt"
	"os"
	"runtime"
)

// Exposure says, as one sentence, why the settings can be read or
// changed by someone other than the person tokentray runs for: a
// settings file other users may read or write, a folder they may write
// (and so replace the file), or either one owned by another user, who
// could point a credential's endpoint at a host of their choosing.
// Empty when neither; tokentray goes on either way, and its next save
// writes the file private again.
func (s *Store) Exposure() string {
	if runtime.GOOS == "windows" {
		return "" // permissions are ACLs there, not mode bits
	}
	uid := os.Getuid()
	for _, c := range []struct {
		path, what string
		loose      os.FileMode
	}{
		{s.Path(), "the settings file", 0o077},
		{s.dir, "the settings folder", 0o022},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			continue
		}
		if owner, ok := fileOwner(fi); ok && owner != uid {
			return fmt.Sprintf("%s %s belongs to another user (uid %d), who can change what tokentray does with your credentials; make it yours or move it away", c.what, c.path, owner)
		}
		if m := fi.Mode().Perm(); m&c.loose != 0 {
			return fmt.Sprintf("%s %s can be read or changed by other users (mode %04o); make it private to you (mode %04o)", c.what, c.path, m, privateMode(fi))
		}
	}
	return ""
}

func privateMode(fi os.FileInfo) os.FileMode {
	if fi.IsDir() {
		return 0o700
	}
	return 0o600
}
