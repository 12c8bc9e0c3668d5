package app

import (
	"testing"

	"fyne.io/fyne/v2/test"

	"tokentray/auth"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// A login started from the window asks for the browser's page at its end
// in the window's language.
func TestLoginFromTheWindowSpeaksTheWindowsLanguage(t *testing.T) {
	r := &asyncRunner{}
	b := &memBackend{
		rows:    []Row{{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.ActionNeeded, Reason: "not logged in", Next: auth.Next(auth.ActionLogin, "futu-main")}}},
		loginGo: make(chan struct{}),
	}
	u, _ := newTestUI(t, b, r)
	r.settle()
	var want msg.Lang
	r.read(func() {
		want = u.lang
		selectRow(t, u, "futu-main")
		test.Tap(u.Details.Next)
	})
	testutil.Eventually(t, "the login to start", func() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.logins == 1 })
	b.mu.Lock()
	got := b.loginLangs
	b.mu.Unlock()
	if want == "" || len(got) != 1 || got[0] != want {
		t.Errorf("the login was asked for the page in %q, want the window's %q", got, want)
	}
	close(b.loginGo)
	r.settle()
}
