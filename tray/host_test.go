//go:build linux

package tray

import (
	"strings"
	"testing"

	"tokentray/internal/testutil"
)

func TestHostPresentFollowsThePanel(t *testing.T) {
	panel := testutil.SessionBus(t)
	if HostPresent() {
		t.Fatal("a tray host is reported in a session with no panel")
	}
	testutil.PlayService(t, panel, watcher, nil, "", "")
	if !HostPresent() {
		t.Error("the panel's watcher is not seen")
	}
}

func TestWithoutHostNoiseDropsOnlyThePanelComplaint(t *testing.T) {
	var b strings.Builder
	w := WithoutHostNoise(&b)
	_, _ = w.Write([]byte("systray error: failed to register: The name org.kde.StatusNotifierWatcher was not provided by any .service files\n"))
	_, _ = w.Write([]byte("systray error: failed to export status notifier item\n"))
	if got := b.String(); got != "systray error: failed to export status notifier item\n" {
		t.Errorf("log = %q", got)
	}
}
