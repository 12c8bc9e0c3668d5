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
	deadline := time.Now().Add(WaitTimeout)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
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
