package engine_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/store"
	"tokentray/internal/testutil"
)

// benchLatency is the simulated broker's answer time: 200 ms, or
// TOKENTRAY_BENCH_LATENCY ("500ms").
func benchLatency(b *testing.B) time.Duration {
	if v := os.Getenv("TOKENTRAY_BENCH_LATENCY"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("TOKENTRAY_BENCH_LATENCY: %v", err)
		}
		return d
	}
	return 200 * time.Millisecond
}

// sandboxEngine is an engine over n Futu API keys, each with its own app
// key, on the sandbox broker answering after the bench latency.
func sandboxEngine(b *testing.B, n int) *engine.Engine {
	b.Helper()
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(sb.Close)
	st, err := store.Open(b.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		b.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: futu.NewKeyProvider(futu.Options{})}, nil)
	exp := time.Now().Add(90 * 24 * time.Hour)
	for i := range n {
		k, s, tok := sb.Futu.AddAPIKey(exp)
		if _, err := eng.Add(context.Background(), auth.Credential{Name: fmt.Sprintf("key%02d", i), Kind: auth.KindFutuKey, Endpoint: sb.FutuURL, ExpiresAt: exp},
			map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s, auth.FieldAccessToken: tok}); err != nil {
			b.Fatal(err)
		}
	}
	// Added at full speed; checked at the broker's pace.
	sb.Futu.Faults().Set(futu.VerifyPath, fault.Rule{Latency: benchLatency(b)})
	return eng
}

func benchRefreshAll(b *testing.B, n int) {
	eng := sandboxEngine(b, n)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rs, err := eng.RefreshAll(ctx, false)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			if r.Err != nil || r.Health.State != auth.OK {
				b.Fatalf("%s: %v, %v", r.Name, r.Health, r.Err)
			}
		}
	}
}

// BenchmarkRefreshAll1 and BenchmarkRefreshAll50 are "refresh all" of one
// and of 50 credentials against a broker that takes the bench latency to
// answer; the second should take about as long as the first.
func BenchmarkRefreshAll1(b *testing.B)  { benchRefreshAll(b, 1) }
func BenchmarkRefreshAll50(b *testing.B) { benchRefreshAll(b, 50) }

// BenchmarkRefreshAllScale is refresh all of 1, 50, 200 and 1000
// credentials (make bench-scale): the same engine, the sandbox answering
// after the bench latency, secrets in memory. Its floor is the calls the
// per-host bound lets through at once: 1000 credentials are 16 rounds of
// 64 calls.
func BenchmarkRefreshAllScale(b *testing.B) {
	for _, n := range []int{1, 50, 200, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) { benchRefreshAll(b, n) })
	}
}
