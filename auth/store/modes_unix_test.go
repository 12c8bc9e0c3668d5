//go:build unix

package store

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

func TestFilesArePrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "config", "tokentray")
	s := openAt(t, dir, testutil.NewMemorySecrets())
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

// A named pipe as settings.json is refused at once with a sentence, not
// waited on (which no signal would end), and is left where it is.
func TestANamedPipeAsTheSettingsIsRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, settingsName)
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		s, err := Open(dir, testutil.NewMemorySecrets())
		if err == nil {
			_, err = s.List()
		}
		done <- err
	}()
	select {
	case err := <-done:
		want := "the settings file " + path + " is a named pipe, not a regular file, so tokentray did not read it and left it untouched; move it away (tokentray then starts with empty settings) or put the settings file back"
		if err == nil || err.Error() != want {
			t.Fatalf("got %v\nwant %s", err, want)
		}
	case <-time.After(10 * time.Second):
		if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("reading the settings waited on the named pipe")
	}
	if fi, err := os.Lstat(path); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the named pipe was not left in place: %v", err)
	}
}

// A named pipe where the in-flight mark goes stops the call at once with
// a sentence, instead of a write that waits for a reader.
func TestANamedPipeAsAnInFlightMarkIsRefusedAtOnce(t *testing.T) {
	s := openAt(t, t.TempDir(), testutil.NewMemorySecrets())
	id := auth.NewID()
	if err := os.MkdirAll(filepath.Dir(s.markPath(id)), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(s.markPath(id), 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := s.MarkInFlight(id, "refresh"); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is a named pipe, not a regular file") {
			t.Fatalf("got %v", err)
		}
	case <-time.After(10 * time.Second):
		if r, err := os.OpenFile(s.markPath(id), os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			r.Close()
		}
		t.Fatal("the mark waited on the named pipe")
	}
}
