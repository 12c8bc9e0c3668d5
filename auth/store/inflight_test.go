package store

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

func TestAMarkLeftByAKilledProcessIsFoundAndOnlyThen(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	c := newCred("a", auth.KindFutuOAuth)
	if err := s.Add(c, nil); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStoreChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childModeEnv+"=die-inflight", childDirEnv+"="+dir, childArgEnv+"="+c.ID)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitFile(t, filepath.Join(dir, "marked"))

	// Its owner is alive and holds the lock: not interrupted.
	if ids, err := s.Interrupted(); err != nil || len(ids) != 0 {
		t.Fatalf("a call still running reads as interrupted: %v, %v", ids, err)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

	ids, err := s.Interrupted()
	if err != nil || !slices.Equal(ids, []string{c.ID}) {
		t.Fatalf("after kill -9: Interrupted = %v, %v; want [%s]\n%s", ids, err, c.ID, out.String())
	}
	// The next owner of the lock sees the mark, and its own clear ends it.
	unlock, err := s.Lock(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !s.InFlight(c.ID) {
		t.Fatal("the lock's next owner does not see the mark")
	}
	// While this process holds the lock, it is not someone else's leftover.
	if ids, _ := s.Interrupted(); len(ids) != 0 {
		t.Fatalf("a credential this process is working on reads as interrupted: %v", ids)
	}
	clear, err := s.MarkInFlight(c.ID, "refresh")
	if err != nil {
		t.Fatal(err)
	}
	clear()
	unlock()
	if ids, _ := s.Interrupted(); len(ids) != 0 || s.InFlight(c.ID) {
		t.Fatalf("a finished check left the mark: %v", ids)
	}
}

func TestAMarkLeftUnclearedStaysForTheNextProcess(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	c := newCred("a", auth.KindWebull)
	if err := s.Add(c, nil); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.MarkInFlight(c.ID, "refresh"); err != nil {
		t.Fatal(err)
	}
	unlock() // the broker did not answer: the outcome is still unknown
	if ids, _ := openAt(t, dir, testutil.NewMemorySecrets()).Interrupted(); !slices.Equal(ids, []string{c.ID}) {
		t.Fatalf("Interrupted = %v", ids)
	}
	// Removing the credential removes its mark.
	if err := s.Remove("a"); err != nil {
		t.Fatal(err)
	}
	if ids, _ := s.Interrupted(); len(ids) != 0 {
		t.Fatalf("a removed credential is still marked: %v", ids)
	}
}

// TestAFinishedCallsMarkIsNotProbed: the emptied mark of a call that
// finished is passed over without touching its credential's lock (which
// would create the lock file here): a status of a thousand credentials
// made two thousand lock calls for them.
func TestAFinishedCallsMarkIsNotProbed(t *testing.T) {
	s := openAt(t, t.TempDir(), testutil.NewMemorySecrets())
	c := newCred("a", auth.KindFutuKey)
	if err := s.Add(c, nil); err != nil {
		t.Fatal(err)
	}
	clear, err := s.MarkInFlight(c.ID, "refresh")
	if err != nil {
		t.Fatal(err)
	}
	clear()
	if err := os.Remove(s.lockPath(c.ID)); err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	if ids, err := s.Interrupted(); err != nil || len(ids) != 0 {
		t.Fatalf("a finished call reads as interrupted: %v, %v", ids, err)
	}
	if _, err := os.Stat(s.lockPath(c.ID)); !os.IsNotExist(err) {
		t.Fatalf("the lock of a credential with an emptied mark was probed (%v)", err)
	}
}
