package tray

import (
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// setLanguage changes the profile's language setting the way the
// command line and the window do: in the settings file.
func setLanguage(t *testing.T, st interface {
	Prefs() (store.Prefs, error)
	SetPrefs(store.Prefs) error
}, setting string) {
	t.Helper()
	p, err := st.Prefs()
	if err != nil {
		t.Fatal(err)
	}
	p.Language = setting
	if err := st.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
}

// The agent speaks the language the wiring resolves from the setting,
// and follows a change of the setting made by another process while it
// runs: no restart, and no timer (the clock never moves).
func TestTheAgentFollowsTheLanguageSetting(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	hongKong := func(k string) string {
		if k == "LANG" {
			return "zh_HK.UTF-8"
		}
		return ""
	}
	ta := runAgent(t, clock, &flakyBroker{}, func(o *AgentOptions) {
		o.NoWatch = false
		o.Language = func(setting string) msg.Lang { return msg.Choose(setting, hongKong, nil) }
	})
	ta.settle(t, 1)
	if got := ta.Lang(); got != msg.HongKongChinese {
		t.Fatalf("with the setting auto and LANG=zh_HK.UTF-8 the agent speaks %s", got)
	}
	st := ta.opts.Prefs.(*store.Store)
	for _, c := range []struct {
		setting string
		want    msg.Lang
	}{{"zh-CN", msg.SimplifiedChinese}, {"en", msg.English}, {"auto", msg.HongKongChinese}} {
		setLanguage(t, st, c.setting)
		testutil.EventuallyWithin(t, 10*time.Second, "the agent to speak "+string(c.want), func() bool { return ta.Lang() == c.want })
	}
	if !clock.Now().Equal(t0) {
		t.Fatal("the clock moved")
	}
}
