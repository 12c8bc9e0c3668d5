package tray

import (
	"fmt"
	"testing"
	"time"

	"tokentray/auth"
)

// BenchmarkRender is the agent's redraw: it runs every second while a
// 2FA countdown is on screen.
func BenchmarkRender(b *testing.B) {
	entries := make([]Entry, 20)
	for i := range entries {
		entries[i] = Entry{Name: fmt.Sprintf("cred-%02d", i), Health: auth.Health{State: auth.States[i%len(auth.States)], Reason: "a sentence", ExpiresAt: t0.Add(time.Duration(i) * time.Hour)}}
	}
	b.ReportAllocs()
	for b.Loop() {
		Render(entries, ViewOptions{}, t0)
	}
}

// BenchmarkRenderScale is one countdown second's redraw at 4 and at
// 1000 credentials (make bench-scale): the tray draws what it shows,
// so the two should cost about the same.
func BenchmarkRenderScale(b *testing.B) {
	for _, n := range []int{4, 1000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			entries := fleet(n)
			s := newShown(newFakePanel(), nil)
			s.apply(Render(entries, ViewOptions{}, t0))
			now := t0
			b.ReportAllocs()
			for b.Loop() {
				now = now.Add(time.Second)
				s.apply(Render(entries, ViewOptions{}, now))
			}
		})
	}
}
