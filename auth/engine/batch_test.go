package engine_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// gatedBroker holds every check until the test lets it go and counts
// how many run at once, overall, per host and per app key.
type gatedBroker struct {
	*testutil.FakeProvider
	release chan struct{}

	mu               sync.Mutex
	now, max         int
	perHost, maxHost map[string]int
	perKey, maxKey   map[string]int
	entered, left    int
}

func newGatedBroker(clock clockwork.Clock) *gatedBroker {
	return &gatedBroker{
		FakeProvider: testutil.NewFakeProvider(auth.KindFutuKey, clock),
		release:      make(chan struct{}, 1000),
		perHost:      map[string]int{}, maxHost: map[string]int{},
		perKey: map[string]int{}, maxKey: map[string]int{},
	}
}

func (b *gatedBroker) Refresh(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.RefreshOptions) (auth.Health, error) {
	key, _ := s.Get(auth.FieldAppKey)
	b.mu.Lock()
	b.entered++
	b.now++
	b.max = max(b.max, b.now)
	b.perHost[c.Endpoint]++
	b.maxHost[c.Endpoint] = max(b.maxHost[c.Endpoint], b.perHost[c.Endpoint])
	b.perKey[key]++
	b.maxKey[key] = max(b.maxKey[key], b.perKey[key])
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		b.left++
		b.now--
		b.perHost[c.Endpoint]--
		b.perKey[key]--
		b.mu.Unlock()
	}()
	select {
	case <-b.release:
	case <-ctx.Done():
		return auth.Health{}, ctx.Err()
	}
	return b.FakeProvider.Refresh(ctx, c, s, auth.RefreshOptions{Force: true, Lead: opts.Lead})
}

func (b *gatedBroker) inFlight() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.now
}

type batchFixture struct {
	st    *store.Store
	clock *clockwork.FakeClock
	b     *gatedBroker
	eng   *engine.Engine
}

func newBatch(t *testing.T, perHost int) *batchFixture {
	t.Helper()
	f := &batchFixture{clock: clockwork.NewFakeClockAt(t0)}
	var err error
	if f.st, err = store.Open(t.TempDir(), testutil.NewMemorySecrets()); err != nil {
		t.Fatal(err)
	}
	f.b = newGatedBroker(f.clock)
	f.eng = engine.NewWithOptions(engine.Options{Store: f.st, Providers: map[auth.Kind]auth.Provider{auth.KindFutuKey: f.b}, Clock: f.clock, PerHost: perHost})
	return f
}

func (f *batchFixture) add(t *testing.T, name, endpoint, appKey string) {
	t.Helper()
	// Straight into the store: settings written before one app key had
	// one name may hold a key several times.
	c := auth.Credential{ID: auth.NewID(), Name: name, Kind: auth.KindFutuKey, Endpoint: endpoint}
	if err := f.st.Add(c, map[string]string{
		auth.FieldAppKey: appKey, auth.FieldAppSecret: "test-app-secret", auth.FieldAccessToken: "test-token-old",
	}); err != nil {
		t.Fatal(err)
	}
}

// run refreshes everything in the background and returns its results.
func (f *batchFixture) run(t *testing.T) <-chan []engine.Result {
	done := make(chan []engine.Result, 1)
	go func() {
		rs, err := f.eng.RefreshAll(testutil.Context(t, 20*time.Second), true)
		if err != nil {
			t.Error(err)
		}
		done <- rs
	}()
	return done
}

func (f *batchFixture) finish(t *testing.T, done <-chan []engine.Result, n int) {
	t.Helper()
	for range n {
		f.b.release <- struct{}{}
	}
	rs := <-done
	for _, r := range rs {
		if r.Err != nil || r.Health.State != auth.OK {
			t.Errorf("%s: %v, %v", r.Name, r.Health, r.Err)
		}
	}
}

func TestRefreshAllChecksEveryCredentialAtOnce(t *testing.T) {
	f := newBatch(t, 0)
	for i := range 50 {
		f.add(t, fmt.Sprintf("key%02d", i), "https://broker.test", fmt.Sprintf("test-app-key-%02d", i))
	}
	done := f.run(t)
	// All 50 are with the broker together before any answer comes back.
	testutil.Eventually(t, "50 checks in flight", func() bool { return f.b.inFlight() == 50 })
	f.finish(t, done, 50)
}

func TestRefreshAllIsBoundedPerHostAndPerAppKey(t *testing.T) {
	f := newBatch(t, 3)
	for i := range 8 {
		f.add(t, fmt.Sprintf("a%d", i), "https://a.test", fmt.Sprintf("test-app-key-a%d", i))
	}
	f.add(t, "b0", "https://b.test", "test-app-key-b0")
	// Three credentials of one app key: one call at a time.
	for i := range 3 {
		f.add(t, fmt.Sprintf("shared%d", i), "https://c.test", "test-app-key-shared")
	}
	done := f.run(t)
	// a.test is full (3), b.test has its one, the shared key its one.
	testutil.Eventually(t, "every slot taken", func() bool { return f.b.inFlight() == 5 })
	// Let them go one at a time; whoever waits takes the freed slot.
	for i := range 12 {
		f.b.release <- struct{}{}
		testutil.Eventually(t, "a check to finish", func() bool {
			f.b.mu.Lock()
			defer f.b.mu.Unlock()
			return f.b.left == i+1
		})
	}
	f.finish(t, done, 0)
	f.b.mu.Lock()
	defer f.b.mu.Unlock()
	if f.b.maxHost["https://a.test"] != 3 {
		t.Errorf("at most %d calls at once to a.test, want exactly the bound 3", f.b.maxHost["https://a.test"])
	}
	if f.b.maxKey["test-app-key-shared"] != 1 {
		t.Errorf("%d calls at once for one app key, want 1", f.b.maxKey["test-app-key-shared"])
	}
	if f.b.entered != 12 {
		t.Errorf("%d checks for 12 credentials", f.b.entered)
	}
}

func TestWebullChecksStayWithinTenPerThirtySecondsPerToken(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	p := testutil.NewFakeProvider(auth.KindWebull, clock)
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindWebull: p}, clock)
	for _, n := range []string{"wb1", "wb2"} {
		if _, err := eng.Add(context.Background(), auth.Credential{Name: n, Kind: auth.KindWebull}, map[string]string{auth.FieldAppKey: "test-key-" + n}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := testutil.Context(t, 20*time.Second)
	for range engine.WebullChecks {
		if _, err := eng.Refresh(ctx, "wb1", true); err != nil {
			t.Fatal(err)
		}
	}
	eleventh := make(chan error, 1)
	go func() { _, err := eng.Refresh(ctx, "wb1", true); eleventh <- err }()
	// The eleventh check waits for the window to move on.
	if err := clock.BlockUntilContext(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// Another token has its own window.
	if _, err := eng.Refresh(ctx, "wb2", true); err != nil {
		t.Fatal(err)
	}
	if got := p.Refreshes(); got != engine.WebullChecks+1 {
		t.Fatalf("%d checks before the window moved, want %d (10 of wb1, 1 of wb2)", got, engine.WebullChecks+1)
	}
	clock.Advance(engine.WebullWindow - time.Second)
	select {
	case err := <-eleventh:
		t.Fatalf("the eleventh check went out %v early: %v", time.Second, err)
	default:
	}
	clock.Advance(time.Second)
	if err := <-eleventh; err != nil {
		t.Fatal(err)
	}
	if got := p.Refreshes(); got != engine.WebullChecks+2 {
		t.Fatalf("%d checks, want %d", got, engine.WebullChecks+2)
	}
}

func TestRefreshOfOneCredentialNamedTwiceChecksItOnce(t *testing.T) {
	f := newBatch(t, 0)
	f.add(t, "key", "https://broker.test", "test-app-key")
	done := make(chan []engine.Result, 1)
	go func() {
		done <- f.eng.RefreshNames(testutil.Context(t, 20*time.Second), []string{"key", "KEY", "key"}, true)
	}()
	f.b.release <- struct{}{}
	rs := <-done
	for _, r := range rs {
		if r.Err != nil || r.Health.State != auth.OK {
			t.Errorf("%s: %v, %v", r.Name, r.Health, r.Err)
		}
	}
	if f.b.entered != 1 {
		t.Fatalf("%d checks for one credential named three times", f.b.entered)
	}
}
