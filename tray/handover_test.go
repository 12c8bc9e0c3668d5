package tray

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// An extension made by any face is announced once by the agent: the
// old token no longer works, what got the new one, and that processes
// started by exec or env must be restarted.
func TestAnExtensionIsAnnouncedWithWhatKeepsTheOldToken(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: testutil.NewFakeProvider(auth.KindFutuKey, clock)}, clock)
	c := auth.Credential{Name: "futu-key1", Kind: auth.KindFutuKey, ExpiresAt: t0.Add(5 * 24 * time.Hour)}
	if _, err := eng.AddWith(context.Background(), c, map[string]string{auth.FieldAccessToken: "test-token-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	rec := &recordingNotifier{}
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{Clock: clock, Notifier: rec, Dir: st.Dir()})
	a.reload()
	if _, _, err := eng.ExtendWith(context.Background(), "futu-key1", t0.Add(90*24*time.Hour), engine.ExtendOptions{}); err != nil {
		t.Fatal(err)
	}
	a.reload()
	a.reload() // seen already: not announced again
	var got []Notification
	testutil.Poll(5*time.Second, 2*time.Millisecond, func() bool {
		got = nil
		for _, n := range rec.all() {
			if strings.Contains(n.Title, "new token") {
				got = append(got, n)
			}
		}
		return len(got) > 0
	})
	if len(got) != 1 {
		t.Fatalf("%d notifications of the new token, want 1: %+v", len(got), rec.all())
	}
	for _, want := range []string{"21 Feb 2027", "old token no longer works", "tokentray exec", "restart them"} {
		if !strings.Contains(got[0].Body, want) {
			t.Fatalf("the notification says %q, want %q", got[0].Body, want)
		}
	}
}

func TestReplacementsAreAnnouncedOnceAndNotAtStart(t *testing.T) {
	var r replacements
	e := Entry{Name: "k", Replaced: auth.Replacement{At: t0, Until: t0.Add(90 * 24 * time.Hour),
		Handover: auth.Handover{Updated: []auth.Handoff{{Kind: auth.HandoffFile, Where: "/bots/conf/token.txt"}}}}}
	if n := r.Due([]Entry{e}, false); len(n) != 0 {
		t.Fatalf("a swap made before the agent started was announced: %+v", n)
	}
	e.Replaced.At = t0.Add(time.Minute)
	n := r.Due([]Entry{e}, true)
	if len(n) != 1 || !strings.Contains(n[0].Body, "/bots/conf/token.txt") || !strings.Contains(n[0].Title, "(sandbox)") || n[0].Key != "k" {
		t.Fatalf("a new swap gave %+v, want one notification naming the updated file", n)
	}
	if n := r.Due([]Entry{e}, false); len(n) != 0 {
		t.Fatalf("a swap was announced twice: %+v", n)
	}
}
