package store

import (
	"fmt"
	"os"
	"runtime"
	"tokentray/internal/msg"
)

// Exposure says, as one sentence, why the settings can be read or
// changed by someone other than the person tokentray runs for: a
// settings file other users may read or write, a folder they may write
// (and so replace the file), or either one owned by another user, who
// could point a credential's endpoint at a host of their choosing.
// Empty when neither; tokentray goes on either way, and its next save
// writes the file private again.
func (s *Store) Exposure() string { return s.ExposureWhy().String() }

// ExposureWhy is Exposure as a message; zero when the settings are
// private.
func (s *Store) ExposureWhy() msg.Message {
	if runtime.GOOS == "windows" {
		return msg.Message{} // permissions are ACLs there, not mode bits
	}
	uid := os.Getuid()
	for _, c := range []struct {
		path  string
		what  msg.Message
		loose os.FileMode
	}{
		{s.Path(), msg.New("store.the_settings_file"), 0o077},
		{s.dir, msg.New("store.the_settings_folder"), 0o022},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			continue
		}
		if owner, ok := fileOwner(fi); ok && owner != uid {
			return msg.New("store.exposed_owner", "What", c.what, "Path", c.path, "UID", owner)
		}
		if m := fi.Mode().Perm(); m&c.loose != 0 {
			return msg.New("store.exposed_mode", "What", c.what, "Path", c.path, "Mode", fmt.Sprintf("%04o", m), "Private", fmt.Sprintf("%04o", privateMode(fi)))
		}
	}
	return msg.Message{}
}

func privateMode(fi os.FileInfo) os.FileMode {
	if fi.IsDir() {
		return 0o700
	}
	return 0o600
}
