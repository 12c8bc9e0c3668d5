package tray

import (
	"context"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// Who a login is and what it may do, beside its line in the tooltip and
// the menu, is said in the tray's language, not in English.
func TestTheTraySaysWhoALoginIsInItsLanguage(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: &flakyBroker{clock: clock, life: time.Hour}}, clock)
	c := auth.Credential{Name: "futu-main", Kind: auth.KindFutuKey, Account: auth.Account{FutuID: "1234", AccountNo: "5678"},
		Access: &auth.Access{Quote: true, Trade: true, Checked: true, Accounts: []string{"5678"}}}
	if _, err := eng.AddWith(context.Background(), c, map[string]string{auth.FieldAppSecret: "test-app-secret-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	stored, err := eng.Get("futu-main")
	if err != nil || stored.Access == nil {
		t.Fatalf("the credential was stored as %+v (%v)", stored, err)
	}
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Dir: st.Dir(), Prefs: st,
		Language: func(string) msg.Lang { return msg.HongKongChinese }})
	es := a.Snapshot()
	if len(es) != 1 {
		t.Fatalf("snapshot %+v", es)
	}
	want := msg.HongKongChinese.Render(stored.WhoMsg())
	if es[0].Account != want || want == stored.Who() {
		t.Errorf("the tray says who futu-main is as %q, want %q (not the English %q)", es[0].Account, want, stored.Who())
	}
}
