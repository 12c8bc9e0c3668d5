package targets

import (
	"errors"
	"testing"
	"time"
)

func TestRecordBacksOffUpToTheInterval(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	every := time.Hour
	var s State
	if !s.Due(now) {
		t.Fatal("a target never pushed is due at once")
	}
	fail := errors.New("nothing answers SSH at vps (connection refused)")

	s, ch := s.Record(now, fail, every)
	if ch != StartedFailing || !s.Failing() || s.Error != fail.Error() || s.Failures != 1 {
		t.Fatalf("first failure: %+v, %v", s, ch)
	}
	var waits []time.Duration
	at := now
	for i := 0; i < 9; i++ {
		waits = append(waits, s.NextAttempt.Sub(at))
		if s.Due(s.NextAttempt.Add(-time.Second)) || !s.Due(s.NextAttempt) {
			t.Fatalf("due before %v", s.NextAttempt)
		}
		at = s.NextAttempt
		s, ch = s.Record(at, fail, every)
		if ch != Unchanged {
			t.Fatalf("failure %d after failures: %v, want no new notification", i+2, ch)
		}
	}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour, time.Hour}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits between attempts = %v, want %v", waits, want)
		}
	}
	if s.LastSuccess != (time.Time{}) || s.LastAttempt != at {
		t.Fatalf("state after failures: %+v", s)
	}

	s, ch = s.Record(at.Add(time.Minute), nil, every)
	if ch != Recovered || s.Failing() || s.Failures != 0 || s.LastSuccess != at.Add(time.Minute) || s.NextAttempt != at.Add(time.Minute+every) {
		t.Fatalf("recovery: %+v, %v", s, ch)
	}
	s, ch = s.Record(at.Add(2*time.Minute), nil, every)
	if ch != Unchanged {
		t.Fatalf("a second success: %v, want no notification", ch)
	}
}

func TestRecordShortIntervalCapsTheFirstRetry(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s, _ := State{}.Record(now, errors.New("down"), 30*time.Second)
	if got := s.NextAttempt.Sub(now); got != 30*time.Second {
		t.Fatalf("retry after %v, want the 30s interval", got)
	}
}
