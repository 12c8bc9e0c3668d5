package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

// These tests run a second real process (this test binary again) so the
// locks are proven between processes, not just goroutines.

const (
	childModeEnv = "TOKENTRAY_STORE_CHILD"
	childDirEnv  = "TOKENTRAY_STORE_CHILD_DIR"
	childArgEnv  = "TOKENTRAY_STORE_CHILD_ARG"
	rounds       = 40
)

// TestStoreChildProcess is not a test: it is the body of the child process.
func TestStoreChildProcess(t *testing.T) {
	mode := os.Getenv(childModeEnv)
	if mode == "" {
		t.Skip("runs only as a child of the cross-process tests")
	}
	dir, arg := os.Getenv(childDirEnv), os.Getenv(childArgEnv)
	s, err := Open(dir, testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	switch mode {
	case "hold":
		unlock, err := s.Lock(ctx, arg)
		if err != nil {
			t.Fatal(err)
		}
		touch(t, filepath.Join(dir, "held"))
		waitFile(t, filepath.Join(dir, "release"))
		touch(t, filepath.Join(dir, "released"))
		unlock()
	case "count":
		if err := countUnderLock(ctx, s, arg, "child"); err != nil {
			t.Fatal(err)
		}
	case "update":
		touch(t, filepath.Join(dir, "child-ready"))
		waitFile(t, filepath.Join(dir, "go"))
		if err := updateRounds(s, "child"); err != nil {
			t.Fatal(err)
		}
	case "die-inflight":
		unlock, err := s.Lock(ctx, arg)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
		if _, err := s.MarkInFlight(arg, "refresh"); err != nil {
			t.Fatal(err)
		}
		touch(t, filepath.Join(dir, "marked"))
		// The parent kills this process here, as a crash mid-call would.
		waitFile(t, filepath.Join(dir, "never"))
	default:
		t.Fatalf("unknown mode %q", mode)
	}
}

func touch(t *testing.T, path string) {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
}

// waitFile polls for a file another process creates.
func waitFile(t *testing.T, path string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never appeared", filepath.Base(path))
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func startChild(t *testing.T, mode, dir, arg string) func() {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStoreChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, childDirEnv+"="+dir, childArgEnv+"="+arg)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	var once sync.Once
	wait := func() {
		once.Do(func() {
			defer cancel()
			if err := cmd.Wait(); err != nil {
				t.Errorf("child %s failed: %v\n%s", mode, err, out.String())
			}
		})
	}
	t.Cleanup(wait)
	return wait
}

// countUnderLock increments a counter file rounds times, each time
// inside the credential lock, and fails if it ever finds another holder.
func countUnderLock(ctx context.Context, s *Store, credID, who string) error {
	counter := filepath.Join(s.Dir(), "counter")
	owner := filepath.Join(s.Dir(), "owner")
	for range rounds {
		unlock, err := s.Lock(ctx, credID)
		if err != nil {
			return err
		}
		// O_EXCL fails if the other process is inside the lock too.
		f, err := os.OpenFile(owner, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			unlock()
			return fmt.Errorf("%s entered the lock while another process held it: %v", who, err)
		}
		f.Close()
		b, _ := os.ReadFile(counter)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		time.Sleep(200 * time.Microsecond) // widen the window a missing lock would lose
		if err := os.WriteFile(counter, []byte(strconv.Itoa(n+1)), 0o600); err != nil {
			unlock()
			return err
		}
		if err := os.Remove(owner); err != nil {
			unlock()
			return err
		}
		unlock()
	}
	return nil
}

// updateRounds updates credential who and adds who-add-N, rounds times.
func updateRounds(s *Store, who string) error {
	for i := range rounds {
		c, err := s.Get(who)
		if err != nil {
			return err
		}
		c.TokenStatus = fmt.Sprintf("%s-%d", who, i)
		c.LastChecked = t0.Add(time.Duration(i) * time.Minute)
		if err := s.Update(c); err != nil {
			return err
		}
		if err := s.Add(newCred(fmt.Sprintf("%s-add-%d", who, i), auth.KindWebull), nil); err != nil {
			return err
		}
	}
	return nil
}

func TestLockIsHeldAcrossProcesses(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	wait := startChild(t, "hold", dir, "shared-cred")
	// Let the child go even when this test fails early (cleanups run last-in first-out).
	t.Cleanup(func() { _ = os.WriteFile(filepath.Join(dir, "release"), nil, 0o600) })
	waitFile(t, filepath.Join(dir, "held"))

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, "shared-cred"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while the child holds it = %v, want it to wait and give up with ctx", err)
	}
	// Other credentials are free meanwhile.
	other, err := s.Lock(context.Background(), "other-cred")
	if err != nil {
		t.Fatal(err)
	}
	other()

	touch(t, filepath.Join(dir, "release"))
	ctx2, cancel2 := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel2()
	unlock, err := s.Lock(ctx2, "shared-cred")
	if err != nil {
		t.Fatalf("Lock after the child let go: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "released")); err != nil {
		t.Fatal("got the lock before the child released it")
	}
	unlock()
	wait()
}

func TestLockIsMutuallyExclusiveBetweenProcesses(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	wait := startChild(t, "count", dir, "shared-cred")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := countUnderLock(ctx, s, "shared-cred", "parent"); err != nil {
		t.Fatal(err)
	}
	wait()
	b, err := os.ReadFile(filepath.Join(dir, "counter"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != strconv.Itoa(2*rounds) {
		t.Fatalf("counter = %s, want %d: increments were lost", got, 2*rounds)
	}
}

func TestConcurrentUpdatesFromTwoProcessesBothSurvive(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	for _, who := range []string{"parent", "child"} {
		if err := s.Add(newCred(who, auth.KindWebull), nil); err != nil {
			t.Fatal(err)
		}
	}
	wait := startChild(t, "update", dir, "")
	waitFile(t, filepath.Join(dir, "child-ready"))
	touch(t, filepath.Join(dir, "go"))
	if err := updateRounds(s, "parent"); err != nil {
		t.Fatal(err)
	}
	wait()

	cs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2+2*rounds {
		t.Fatalf("%d credentials survived, want %d: a read-modify-write lost the other's work", len(cs), 2+2*rounds)
	}
	for _, who := range []string{"parent", "child"} {
		c, err := s.Get(who)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("%s-%d", who, rounds-1); c.TokenStatus != want {
			t.Errorf("%s ends with status %q, want %q", who, c.TokenStatus, want)
		}
	}
}
