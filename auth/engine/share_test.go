//go:build unix

package engine_test

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/internal/testutil"
)

// sharingBroker is the fake broker handing its token out as a file that
// bots read once, as Webull's token.txt is.
type sharingBroker struct{ *testutil.FakeProvider }

func (b sharingBroker) SharedFile(c auth.Credential, s auth.Secrets) (auth.SharedFile, error) {
	tok, err := s.Get(auth.FieldAccessToken)
	if err != nil {
		return auth.SharedFile{}, err
	}
	return auth.SharedFile{Name: "token.txt", Content: []byte(tok + "\n"), ExpiresAt: c.ExpiresAt, Token: tok, Secrets: []string{tok}, ReadOnce: true}, nil
}

type told struct {
	mu  sync.Mutex
	all []engine.PushResult
}

func (t *told) add(r engine.PushResult) { t.mu.Lock(); t.all = append(t.all, r); t.mu.Unlock() }
func (t *told) list() []engine.PushResult {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]engine.PushResult(nil), t.all...)
}

// TestShareKeeperTellsANewTokenAndAFailureOnce: a renewal that gives a new
// token string is pushed and told once with its time (bots started
// before keep the old token); an extend that keeps the string is pushed
// and not told; a target that starts failing is told once, whoever
// pushed it.
func TestShareKeeperTellsANewTokenAndAFailureOnce(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	fake := testutil.NewFakeProvider(auth.KindWebull, clock)
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindWebull: sharingBroker{fake}}, clock)
	ctx := testutil.Context(t, time.Minute)
	if _, err := eng.AddWith(ctx, auth.Credential{Name: "wb", Kind: auth.KindWebull, ExpiresAt: clock.Now().Add(2 * time.Hour)},
		map[string]string{auth.FieldAccessToken: "test-token-first"}, engine.CheckOptions{NoCheck: true}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "got")
	cmd, err := targets.ParseExec("cat > " + out)
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.AddTarget(ctx, "wb", cmd); err != nil {
		t.Fatal(err)
	}
	n := &told{}
	k := eng.NewShareKeeper(n.add)
	read := func() string { b, _ := os.ReadFile(out); return string(b) }

	k.Round(ctx)
	if read() != "test-token-first\n" || len(n.list()) != 0 {
		t.Fatalf("first round: file %q, told %v", read(), n.list())
	}

	clock.Advance(10 * time.Minute)
	if _, err := eng.Refresh(ctx, "wb", true); err != nil {
		t.Fatal(err)
	}
	renewed := clock.Now().UTC()
	k.Round(ctx)
	tok, _ := eng.Token(ctx, "wb")
	if read() != tok+"\n" || tok == "test-token-first" {
		t.Fatalf("after a renewal the command got %q, want %q", read(), tok)
	}
	got := n.list()
	if len(got) != 1 || !got[0].NewToken || !got[0].TokenChangedAt.Equal(renewed) || len(got[0].Targets) != 1 {
		t.Fatalf("told %+v, want one new token at %v naming the target", got, renewed)
	}
	if _, sh, _ := eng.Shared("wb"); !sh.TokenChangedAt.Equal(renewed) || sh.Fingerprint == "" || strings.Contains(sh.Fingerprint, tok) {
		t.Fatalf("stored %+v", sh)
	}
	k.Round(ctx)
	if len(n.list()) != 1 {
		t.Fatalf("told again with nothing new: %+v", n.list())
	}

	// An extend keeps the token string: pushed, not told.
	clock.Advance(10 * time.Minute)
	if _, err := eng.Extend(ctx, "wb", clock.Now().Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	k.Round(ctx)
	if len(n.list()) != 1 {
		t.Fatalf("an extend that kept the token was told as new: %+v", n.list())
	}

	// A target added while the keeper runs fails from its first push,
	// pushed by another process (share --push): told once.
	bad, _ := targets.ParseExec("echo 'vault is sealed' >&2; exit 2")
	if err := eng.AddTarget(ctx, "wb", bad); err != nil {
		t.Fatal(err)
	}
	k.Round(ctx) // the keeper pushes the new target itself
	got = n.list()
	if len(got) != 2 || len(got[1].Targets) != 1 || got[1].Targets[0].Change != targets.StartedFailing ||
		!strings.Contains(got[1].Targets[0].Err.Error(), "the command ended with status 2: vault is sealed") {
		t.Fatalf("told %+v, want the failing target once", got)
	}
	if _, err := eng.Push(ctx, "wb", nil); err != nil { // another push, elsewhere
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	k.Round(ctx)
	if len(n.list()) != 2 {
		t.Fatalf("a target still failing was told again: %+v", n.list())
	}
}
