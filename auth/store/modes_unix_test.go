//go:build unix

package store

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"tokentray/auth"
)

func TestFilesArePrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "config", "tokentray")
	s := openAt(t, dir, auth.NewMemorySecrets())
	c := newCred("m", auth.KindWebull)
	if err := s.Add(c, map[string]string{auth.FieldWebullToken: "test-webull-token-m"}); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	want := map[string]os.FileMode{
		dir:                              0o700,
		filepath.Join(dir, locksDir):     0o700,
		filepath.Join(dir, settingsName): 0o600,
		filepath.Join(dir, lockName):     0o600,
		filepath.Join(dir, locksDir, c.ID+".lock"): 0o600,
	}
	for path, mode := range want {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != mode {
			t.Errorf("%s has mode %o, want %o", path, got, mode)
		}
	}
}
