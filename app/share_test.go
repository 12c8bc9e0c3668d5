package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/internal/testutil"
)

// TestDetailsShowEachShareTarget: the window lists a credential's share
// targets with how their pushes go, a failing one with its sentence and
// next attempt, read from the engine over the real store.
func TestDetailsShowEachShareTarget(t *testing.T) {
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: futu.NewKeyProvider(futu.Options{})}, nil)
	ctx := context.Background()
	if _, err := eng.AddWith(ctx, auth.Credential{Name: "futu-key1", Kind: auth.KindFutuKey, ExpiresAt: time.Now().Add(30 * 24 * time.Hour)},
		map[string]string{auth.FieldAppKey: "test-app-key-0001", auth.FieldAppSecret: "test-app-secret-0001", auth.FieldAccessToken: "test-access-token-0001"},
		engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	ok, _ := targets.ParseSSH("bot@vps.example.com:bot")
	down, _ := targets.ParseSSH("ssh://bot@backup.example.com:2222/srv/bot")
	now := time.Now()
	ok.State, _ = ok.State.Record(now, nil, time.Hour)
	down.State, _ = down.State.Record(now, errors.New("nothing answers SSH at bot@backup.example.com:2222 (connection refused)"), time.Hour)
	c, _ := eng.Get("futu-key1")
	if err := st.ChangeShared(c.ID, func(sh *targets.Shared) error { sh.Targets = []targets.Target{ok, down}; return nil }); err != nil {
		t.Fatal(err)
	}

	u := New(test.NewTempApp(t), service.Local{Eng: eng, Dir: st.Dir(), SettingsFile: st.Path(), Prefs: st}, Options{Clock: clockwork.NewFakeClockAt(now), Runner: syncRunner{}})
	u.Win.Show()
	if err := u.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	selectRow(t, u, "futu-key1")
	got := u.Details.Shares.Text
	for _, want := range []string{
		"bot@vps.example.com:bot: pushed " + now.Local().Format("2 Jan 15:04"),
		"ssh://bot@backup.example.com:2222/srv/bot: failing: nothing answers SSH at bot@backup.example.com:2222 (connection refused); next attempt " + now.Add(time.Minute).Local().Format("2 Jan 15:04"),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("the details say %q, want %q", got, want)
		}
	}
}
