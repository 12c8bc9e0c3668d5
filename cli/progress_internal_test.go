package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// A verification asked about every 5 s reports the same waiting reason
// at every poll: on a terminal it is news once, not a line a poll; a
// reason that changes (a refused paste) is printed each time it comes.
func TestARepeatedWaitingReasonIsPrintedOnce(t *testing.T) {
	clock := clockwork.NewFakeClockAt(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	var out bytes.Buffer
	e := &env{lang: msg.English}
	p := &progress{w: &out, clock: clock, tty: true, lang: e.lang, tr: e.tr, line: e.healthLine, waiting: msg.New("cli.waiting_verification")}
	defer p.finish("")
	pending := func(reason string) auth.LoginEvent {
		return auth.LoginEvent{Health: auth.Health{State: auth.Pending, Reason: reason, Deadline: clock.Now().Add(5 * time.Minute)}}
	}
	p.event(pending("Webull sent the SMS code."))
	const poll = "Confirm the SMS code in the Webull app before the time runs out."
	for range 4 {
		p.event(pending(poll))
	}
	if n := strings.Count(out.String(), poll); n != 1 {
		t.Fatalf("the poll's reason printed %d times, want once:\n%q", n, out.String())
	}
	const refused = "That address belongs to another login."
	p.event(pending(refused))
	p.event(pending(poll))
	p.event(pending(refused))
	if n := strings.Count(out.String(), refused); n != 2 {
		t.Fatalf("a refusal that came twice printed %d times, want twice:\n%q", n, out.String())
	}
}
