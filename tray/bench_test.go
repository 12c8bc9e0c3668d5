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
