//go:build unix

package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"
)

// A state file that is not a plain file (a pipe, a link to a device) or
// that is too big to be the sandbox's own is moved aside, never read
// forever or whole into memory.
func TestHostileStateFileIsMovedAside(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(t *testing.T, path string)
		why  string
	}{
		{"fifo", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Skip("no named pipes here:", err)
			}
		}, "not a plain file"},
		{"link to a device", func(t *testing.T, path string) {
			if err := os.Symlink("/dev/zero", path); err != nil {
				t.Skip("no symlinks here:", err)
			}
		}, "not a plain file"},
		{"huge", func(t *testing.T, path string) {
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if err := f.Truncate(maxState + 1); err != nil {
				t.Fatal(err)
			}
		}, "larger than"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, StateFile)
			tc.make(t, path)
			type result struct {
				st   *savedState
				note string
				err  error
			}
			done := make(chan result, 1)
			go func() {
				st, note, err := loadState(dir, clockwork.NewFakeClock())
				done <- result{st, note, err}
			}()
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				// Unblock a reader stuck on the pipe before failing.
				if f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
					f.Close()
				}
				t.Fatal("reading the state file did not end")
			}
			if r.err != nil || r.st != nil || !strings.Contains(r.note, tc.why) || !strings.Contains(r.note, "starts fresh") {
				t.Fatalf("state %v, note %q, err %v; want it moved aside because it is %s", r.st, r.note, r.err, tc.why)
			}
			if _, err := os.Lstat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the hostile file is still in place: %v", err)
			}
		})
	}
}
