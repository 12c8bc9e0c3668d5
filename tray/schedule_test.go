package tray

import (
	"testing"
	"time"

	"tokentray/auth"
)

func TestAnIdleDayWakesOnlyAtDeadlines(t *testing.T) {
	// Two healthy credentials whose tokens live a month: the only
	// deadlines are the hourly check and the one moment the "days left"
	// text changes.
	exp := t0.Add(30*24*time.Hour + 12*time.Hour + 30*time.Minute)
	entries := []Entry{
		{Name: "futu-key", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.OK, CheckedAt: t0, ExpiresAt: exp}},
		{Name: "webull", Kind: auth.KindWebull, Health: auth.Health{State: auth.OK, CheckedAt: t0, ExpiresAt: exp.Add(24 * time.Hour)}},
	}
	s := &schedule{every: time.Hour, lead: 5 * time.Minute, poll: PollEvery, lastCheck: t0}
	now := t0
	var checks, redraws int
	for {
		v := Render(entries, ViewOptions{}, now)
		w := s.next(entries, v.Until, false, now)
		if w.nothing || !w.at.After(now) {
			t.Fatalf("at %v: wake %+v", now, w)
		}
		if w.at.After(t0.Add(24 * time.Hour)) {
			break
		}
		if len(w.polls) > 0 || w.reload {
			t.Errorf("at %v: polls or reloads with nothing pending: %+v", w.at, w)
		}
		now = w.at
		if w.check {
			checks++
			if want := s.lastCheck.Add(time.Hour); !now.Equal(want) {
				t.Errorf("a check at %v, want %v", now, want)
			}
			s.lastCheck = now
		}
		if w.redraw {
			redraws++
			if want := t0.Add(12*time.Hour + 30*time.Minute); !now.Equal(want) {
				t.Errorf("a redraw at %v, want when the days left change (%v)", now, want)
			}
		}
	}
	if checks != 24 || redraws != 1 {
		t.Errorf("a day: %d checks, %d redraws; want 24 and 1", checks, redraws)
	}
}

func TestATokenIsCheckedWithinItsLeadTime(t *testing.T) {
	s := &schedule{every: time.Hour, lead: 5 * time.Minute, poll: PollEvery, lastCheck: t0}
	short := []Entry{{Name: "futu-oauth", Health: auth.Health{State: auth.OK, ExpiresAt: t0.Add(20 * time.Minute)}}}
	if got := s.nextCheck(short); !got.Equal(t0.Add(15 * time.Minute)) {
		t.Errorf("20 min token: next check %v after the last, want 15 min", got.Sub(t0))
	}
	// A token that lives less than the lead: half its life, at least 10 s.
	tiny := []Entry{{Name: "x", Health: auth.Health{State: auth.OK, ExpiresAt: t0.Add(4 * time.Second)}}}
	if got := s.nextCheck(tiny); !got.Equal(t0.Add(minCheckGap)) {
		t.Errorf("4 s token: next check after %v, want %v", got.Sub(t0), minCheckGap)
	}
	// A credential waiting for the person is not checked faster.
	waiting := []Entry{{Name: "w", Health: auth.Health{State: auth.ActionNeeded, ExpiresAt: t0.Add(time.Minute)}}}
	if got := s.nextCheck(waiting); !got.Equal(t0.Add(time.Hour)) {
		t.Errorf("action needed: next check after %v, want the hourly one", got.Sub(t0))
	}
}

func TestAPendingVerificationIsPolledAtTheBrokersCadenceUntilItEnds(t *testing.T) {
	deadline := t0.Add(12 * time.Second)
	entries := []Entry{{Name: "webull", Kind: auth.KindWebull, Health: auth.Health{State: auth.Pending, CheckedAt: t0, Deadline: deadline}}}
	s := &schedule{every: time.Hour, lead: 5 * time.Minute, poll: PollEvery, lastCheck: t0}
	s.track(entries, t0)
	now := t0
	var polls []time.Duration
	var redraws int
	for now.Before(deadline) {
		v := Render(entries, ViewOptions{}, now)
		w := s.next(entries, v.Until, false, now)
		now = w.at
		if w.redraw {
			redraws++
		}
		for range w.polls {
			polls = append(polls, now.Sub(t0))
			s.polled["webull"] = now
		}
		if w.reload {
			// The verification ran out: the store says so.
			entries[0].Health = auth.Health{State: auth.ActionNeeded, CheckedAt: now}
			s.track(entries, now)
		}
	}
	if len(polls) != 2 || polls[0] != 5*time.Second || polls[1] != 10*time.Second {
		t.Errorf("polled at %v, want at 5 s and 10 s", polls)
	}
	// One redraw per second of the countdown.
	if redraws != 12 {
		t.Errorf("%d countdown redraws in 12 s, want 12 (the last at the deadline)", redraws)
	}
	w := s.next(entries, time.Time{}, false, now)
	if len(w.polls) > 0 || !w.check || !w.at.Equal(t0.Add(time.Hour)) {
		t.Errorf("after the verification ended: %+v, want only the hourly check", w)
	}
}

func TestWebullsRateLimitIsKept(t *testing.T) {
	// 10 checks of a token per 30 s.
	if n := 30 * time.Second / PollEvery; n > 10 {
		t.Errorf("%d polls per 30 s", n)
	}
}

func BenchmarkNextDeadline(b *testing.B) {
	entries := make([]Entry, 50)
	for i := range entries {
		entries[i] = Entry{Name: string(rune('a' + i%26)), Health: auth.Health{State: auth.States[i%len(auth.States)], ExpiresAt: t0.Add(time.Duration(i+1) * time.Hour), Deadline: t0.Add(5 * time.Minute)}}
	}
	s := &schedule{every: time.Hour, lead: 5 * time.Minute, poll: PollEvery, lastCheck: t0}
	s.track(entries, t0)
	b.ReportAllocs()
	for b.Loop() {
		s.next(entries, t0.Add(time.Second), false, t0)
	}
}
