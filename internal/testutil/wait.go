package testutil

import (
	"context"
	"testing"
	"time"
)

// WaitTimeout is how long Eventually waits before failing the test.
const WaitTimeout = 10 * time.Second

// Eventually polls ok until it holds, failing the test with what after
// WaitTimeout. It is for conditions another goroutine or process makes
// true (a file written, a D-Bus property set), never for proving that
// nothing happened: that is the fake clock's job.
func Eventually(t testing.TB, what string, ok func() bool) {
	t.Helper()
	EventuallyWithin(t, WaitTimeout, what, ok)
}

// EventuallyWithin is Eventually with a wait of its own, for another
// process that takes its time (a binary starting up, a broker's page).
func EventuallyWithin(t testing.TB, d time.Duration, what string, ok func() bool) {
	t.Helper()
	if !Poll(d, 5*time.Millisecond, ok) {
		t.Fatalf("timed out waiting for %s", what)
	}
}

// Poll calls ok every interval until it holds or d has passed, and
// reports whether it held (ok is asked once more at the deadline): for a
// wait whose failure the caller describes with what it saw. A slow
// check, such as running a command, wants a longer interval.
func Poll(d, every time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(every)
	}
	return true
}

// Context returns a context that ends after d or with the test,
// whichever comes first, so a stuck call fails the test instead of
// hanging it.
func Context(t testing.TB, d time.Duration) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}
