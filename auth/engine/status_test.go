package engine_test

import (
	"testing"
	"time"

	"tokentray/auth"
)

func TestStatusReportsTimeLeftAndOrder(t *testing.T) {
	f := newFixture(t)
	f.add(t, "zeta", t0.Add(90*time.Minute))
	f.add(t, "alpha", t0.Add(-time.Minute))
	ss, err := f.eng.Status()
	if err != nil {
		t.Fatal(err)
	}
	if len(ss) != 2 || ss[0].Name != "alpha" || ss[1].Name != "zeta" {
		t.Fatalf("status %+v, want alpha then zeta", ss)
	}
	if ss[0].Health.State != auth.Broken || ss[0].SecondsLeft != 0 {
		t.Fatalf("expired credential: %+v", ss[0])
	}
	if ss[1].SecondsLeft != 90*60 || ss[1].Broker != "Futu" {
		t.Fatalf("valid credential: %+v", ss[1])
	}
}
