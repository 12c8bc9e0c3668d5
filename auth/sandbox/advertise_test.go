package sandbox

import (
	"errors"
	"testing"
)

func TestAdvertisedBrokersAreFoundWhileTheyRun(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := Running(dir); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("before any sandbox: %v", err)
	}
	sb := start(t, Options{})
	done, err := sb.Advertise(dir)
	if err != nil {
		t.Fatal(err)
	}
	f, w, err := Running(dir)
	if err != nil || f != sb.FutuURL || w != sb.WebullURL {
		t.Fatalf("Running = %q %q %v", f, w, err)
	}
	sb.Close()
	if _, _, err := Running(dir); !errors.Is(err, ErrNotRunning) {
		t.Errorf("a stopped sandbox is reported running: %v", err)
	}
	done()
}
