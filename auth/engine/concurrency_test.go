package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// otherProcess opens the same profile as f with a store of its own: its
// locks are separate open files, so they exclude f's as another
// process's would.
func otherProcess(t *testing.T, dir string, secrets auth.SecretStore) *store.Store {
	t.Helper()
	st, err := store.Open(dir, secrets)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestABatchLetsGoOfEachCredentialOnceItIsSaved(t *testing.T) {
	f := newFixture(t)
	x := f.add(t, "x", t0.Add(2*time.Hour))
	y := f.add(t, "y", t0.Add(2*time.Hour))
	other := otherProcess(t, f.dir, f.secrets)
	holdY, err := other.Lock(testutil.Context(t, 5*time.Second), y.ID)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan []engine.Result, 1)
	go func() { done <- f.eng.RefreshNames(testutil.Context(t, 20*time.Second), []string{"x", "y"}, true) }()
	// While the batch waits for y, x is checked, saved and let go: the
	// batch never holds one credential while it waits for another.
	testutil.Eventually(t, "x saved and free while the batch waits for y", func() bool {
		c, err := other.GetByID(x.ID)
		if err != nil || c.RefreshedAt.IsZero() {
			return false
		}
		unlock, ok, err := other.TryLock(x.ID)
		if err != nil || !ok {
			return false
		}
		unlock()
		return true
	})
	holdY()
	for _, r := range <-done {
		if r.Err != nil || r.Health.State != auth.OK {
			t.Errorf("%s: %v, %v", r.Name, r.Health, r.Err)
		}
	}
}

// TestConcurrentBatchesOverOverlappingCredentialsAllFinish is several
// processes refreshing overlapping sets in different orders at once (a
// cron job's `tokentray refresh` beside the agent and a person's
// `refresh --force`): every batch ends, and every credential is checked.
func TestConcurrentBatchesOverOverlappingCredentialsAllFinish(t *testing.T) {
	dir, secrets := t.TempDir(), testutil.NewMemorySecrets()
	clock := clockwork.NewFakeClockAt(t0)
	const procs, creds, rounds = 6, 8, 5
	engines := make([]*engine.Engine, procs)
	providers := make([]*testutil.FakeProvider, procs)
	for i := range engines {
		st := otherProcess(t, dir, secrets)
		providers[i] = testutil.NewFakeProvider(auth.KindFutuKey, clock)
		engines[i] = engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: providers[i]}, clock)
	}
	var names []string
	for i := range creds {
		n := fmt.Sprintf("cred%d", i)
		names = append(names, n)
		if _, err := engines[0].Add(context.Background(), auth.Credential{Name: n, Kind: auth.KindFutuKey}, map[string]string{
			auth.FieldAccessToken: "test-token-old", auth.FieldAppSecret: "test-app-secret-0001",
		}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, procs*rounds*creds)
	for i, eng := range engines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 7))
			for range rounds {
				set := append([]string(nil), names...)
				r.Shuffle(len(set), func(a, b int) { set[a], set[b] = set[b], set[a] })
				set = set[:2+r.IntN(len(set)-1)]
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				for _, res := range eng.RefreshNames(ctx, set, true) {
					if res.Err != nil || res.Health.State != auth.OK {
						errs <- fmt.Sprintf("process %d, %s: %v, %v", i, res.Name, res.Health, res.Err)
					}
				}
				cancel()
			}
		}()
	}
	wg.Wait()
	close(errs)
	var failed []string
	for e := range errs {
		failed = append(failed, e)
	}
	if len(failed) > 0 {
		t.Fatalf("%d refreshes failed, first: %s", len(failed), strings.Join(failed[:min(3, len(failed))], "; "))
	}
}

func TestARefreshThatCannotGetALockInItsTimeNamesTheCredential(t *testing.T) {
	f := newFixture(t)
	f.add(t, "free", t0.Add(2*time.Hour))
	held := f.add(t, "held", t0.Add(2*time.Hour))
	eng := engine.NewWithWaits(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: f.p}, Clock: f.clock}, engine.Waits{Lock: 300 * time.Millisecond})
	other := otherProcess(t, f.dir, f.secrets)
	unlock, err := other.Lock(testutil.Context(t, 5*time.Second), held.ID)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	rs := eng.RefreshNames(testutil.Context(t, 20*time.Second), []string{"free", "held"}, true)
	if rs[0].Err != nil || rs[0].Health.State != auth.OK {
		t.Errorf("free: %v, %v", rs[0].Health, rs[0].Err)
	}
	if m := said(rs[1].Err); !errors.Is(rs[1].Err, engine.ErrBusy) || !slices.Contains(engine.BusyCodes, m.ID) || m.Arg("Name") != "held" {
		t.Errorf("held: %v, want busy naming the credential", rs[1].Err)
	}
	if actionOf(rs[1].Err) != auth.Next(auth.ActionRetry, "held") {
		t.Errorf("held: next %v, want to try again", actionOf(rs[1].Err))
	}
}

// renewable assesses an expired token as one to renew, not one the user
// must replace (an OAuth access token whose refresh token lives on).
type renewable struct{ *testutil.FakeProvider }

func (r renewable) Assess(c auth.Credential, now time.Time) auth.Health {
	h := r.FakeProvider.Assess(c, now)
	if h.State == auth.Broken {
		h = auth.Health{State: auth.Expiring, Reason: "the access token expired; it is renewed", ExpiresAt: c.ExpiresAt, CheckedAt: now}
	}
	return h
}

func TestTokenOfAHeldCredentialDoesNotWaitForIt(t *testing.T) {
	f := newFixture(t)
	// Due for renewal (inside the lead time) but still valid.
	f.add(t, "soon", t0.Add(3*time.Minute))
	// Expired: no token to hand out until the holder is done.
	f.add(t, "gone", t0.Add(3*time.Minute))
	eng := engine.NewWithWaits(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: renewable{f.p}}, Clock: f.clock}, engine.Waits{Lock: 300 * time.Millisecond})
	other := otherProcess(t, f.dir, f.secrets)
	for _, n := range []string{"soon", "gone"} {
		c, _ := f.st.Get(n)
		unlock, err := other.Lock(testutil.Context(t, 5*time.Second), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		defer unlock()
	}
	tok, err := eng.Token(testutil.Context(t, 20*time.Second), "soon")
	if err != nil || tok != "test-token-old" {
		t.Errorf("token of a valid credential another process renews = %q, %v; want the stored one", tok, err)
	}
	f.clock.Advance(4 * time.Minute)
	_, err = eng.Token(testutil.Context(t, 20*time.Second), "gone")
	if m := said(err); !errors.Is(err, engine.ErrBusy) || !slices.Contains(engine.BusyCodes, m.ID) || m.Arg("Name") != "gone" {
		t.Errorf("token of an expired credential another process holds = %v, want busy naming it", err)
	}
	if f.p.Refreshes() != 0 {
		t.Errorf("%d renewals while another process held the credentials", f.p.Refreshes())
	}
}
