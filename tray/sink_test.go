package tray

import (
	"strings"
	"sync"
	"testing"

	"tokentray/auth/engine"
	"tokentray/auth/targets"
)

// recordingSink is a notify command that keeps what it was sent.
type recordingSink struct {
	mu   sync.Mutex
	sent []string
}

func (s *recordingSink) Send(n Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sent = append(s.sent, n.Title)
}

func (s *recordingSink) Withdraw(string) {}

func (s *recordingSink) titles() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.sent...)
}

// With desktop notifications off, the notify command still hears every
// event, a share target that starts failing included; the desktop hears
// none.
func TestNotificationsOffLeaveTheNotifyCommandEveryEvent(t *testing.T) {
	desk := &notes{}
	sink := &recordingSink{}
	a := &Agent{opts: AgentOptions{Notifier: WithSink(desk, sink)}}
	a.prefs.notify = false
	tg, err := targets.ParseExec("cat > /dev/null")
	if err != nil {
		t.Fatal(err)
	}
	a.sharePushed(engine.PushResult{Credential: "bot", Targets: []engine.Pushed{{Credential: "bot", Target: tg, Change: targets.StartedFailing}}})
	a.announce(Notification{Title: "tokentray: bot needs you", Key: "bot"})
	got := sink.titles()
	if len(got) != 2 || !strings.Contains(got[0], "bot cannot be pushed to") || got[1] != "tokentray: bot needs you" {
		t.Fatalf("the notify command heard %q, want the failing target and the alert", got)
	}
	if len(desk.with("")) != 0 {
		t.Fatalf("the desktop heard %q with its notifications off", desk.with(""))
	}
}
