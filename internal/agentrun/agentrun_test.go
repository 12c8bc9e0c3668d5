package agentrun

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestTheRecordCountsOnlyWhileTheAgentHoldsItsLock(t *testing.T) {
	dir := t.TempDir()
	if _, ok := Running(dir); ok {
		t.Fatal("an agent runs in an empty folder")
	}
	unlock, ok, err := Lock(dir)
	if err != nil || !ok {
		t.Fatalf("Lock: %v %v", ok, err)
	}
	since := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	if err := Write(dir, Record{PID: 4242, Mode: Headless, Since: since}); err != nil {
		t.Fatal(err)
	}
	if r, ok := Running(dir); !ok || r.PID != 4242 || r.Mode != Headless || !r.Since.Equal(since) {
		t.Fatalf("Running = %+v, %v", r, ok)
	}
	if _, again, _ := Lock(dir); again {
		t.Fatal("a second agent took the lock")
	}
	unlock()
	if _, ok := Running(dir); ok {
		t.Fatal("the agent still runs after it let go")
	}
	if _, err := os.Stat(filepath.Join(dir, recordName)); err == nil {
		t.Error("the record outlived the agent")
	}
	// A record a killed agent left, with nobody holding the lock.
	if err := Write(dir, Record{PID: 4243, Mode: Headless}); err != nil {
		t.Fatal(err)
	}
	if _, ok := Running(dir); ok {
		t.Fatal("a record with no agent behind it reads as running")
	}
}
