//go:build unix

package auth

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// A named pipe in place of a file is refused at once, with a sentence,
// instead of an open() that waits for a writer for ever.
func TestOpenRegularRefusesANamedPipeAtOnce(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "settings.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := ReadRegular(fifo, 1<<20); done <- err }()
	select {
	case err := <-done:
		var nr *NotRegularError
		if !errors.As(err, &nr) || err.Error() != fifo+" is a named pipe, not a regular file" {
			t.Fatalf("got %v", err)
		}
	case <-time.After(10 * time.Second):
		// Unblock the reader so the test ends.
		if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			w.Close()
		}
		t.Fatal("reading a named pipe waited")
	}
	for path, want := range map[string]string{dir: " is a folder", "/dev/null": " is a device"} {
		if _, err := ReadRegular(path, 10); err == nil || err.Error() != path+want+", not a regular file" {
			t.Errorf("%s: %v", path, err)
		}
	}
	plain := filepath.Join(dir, "plain")
	_ = os.WriteFile(plain, []byte("ok"), 0o600)
	link := filepath.Join(dir, "link")
	_ = os.Symlink(plain, link)
	if b, err := ReadRegular(link, 10); err != nil || string(b) != "ok" {
		t.Errorf("a link to a regular file: %q, %v", b, err)
	}
	if _, err := ReadRegular(plain, 1); err == nil {
		t.Error("a file over the limit was read")
	}
}
