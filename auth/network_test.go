package auth

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/internal/msg"
)

// A call that got no answer is said in words, without Go's error chain.
func TestNetworkWhyIsWords(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	_, refused := http.Get("http://" + addr + "/x")
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", "http://"+addr+"/x", nil)
	_, late := http.DefaultClient.Do(req)
	for _, c := range []struct {
		err       error
		code, arg string
	}{
		{refused, "auth.net_refused_at", addr},
		{fmt.Errorf("futu check: %w", late), "auth.net_timeout", ""},
		{&net.DNSError{Name: "openapi.example", IsNotFound: true}, "auth.net_name_unknown", "openapi.example"},
		{&net.DNSError{Name: "openapi.example"}, "auth.net_name_lookup", "openapi.example"},
		{context.Canceled, "auth.net_cancelled", ""},
	} {
		got := NetworkCause(c.err)
		if !got.Is(c.code) || got.Arg("Addr")+got.Arg("Name") != c.arg {
			t.Errorf("NetworkCause(%v) = %v, want %s %q", c.err, got, c.code, c.arg)
		}
		for _, l := range msg.Langs {
			if said := l.Render(got); strings.Contains(said, "dial tcp") || strings.Contains(said, "Get \"") {
				t.Errorf("Go's error chain in %q", said)
			}
		}
		if NetworkWhy(c.err) != got.String() {
			t.Errorf("NetworkWhy(%v) = %q, not the English of NetworkCause", c.err, NetworkWhy(c.err))
		}
	}
}

// Every broker says a call that got no answer with the same message:
// the broker and why, or that it ran out of time or was cancelled, and
// its health is Unknown with the note that nothing was changed.
func TestNoAnswerIsOneMessageForEveryBroker(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	refused := &net.OpError{Op: "dial", Net: "tcp", Addr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 1}, Err: syscall.ECONNREFUSED}
	for _, broker := range []msg.Message{msg.New("brand.futu"), msg.New("brand.webull")} {
		for _, c := range []struct {
			err  error
			code string
			why  string
		}{
			{refused, "auth.no_answer", "auth.net_refused_at"},
			{fmt.Errorf("call: %w", context.DeadlineExceeded), "auth.no_answer_in_time", ""},
			{fmt.Errorf("call: %w", context.Canceled), "auth.no_answer_cancelled", ""},
		} {
			m := NoAnswer(broker, c.err)
			why, _ := m.Args["Why"].(msg.Message)
			if !m.Is(c.code) || m.Arg("Broker") != broker.String() || why.ID != c.why {
				t.Errorf("NoAnswer(%s, %v) = %v, want %s with %q", broker.ID, c.err, m, c.code, c.why)
			}
			h := NoAnswerHealth(broker, c.err, now.Add(time.Hour), now)
			first, note := h.Why.Split()
			if h.State != Unknown || first.ID != m.ID || !note.Is("note.retry") || !h.ExpiresAt.Equal(now.Add(time.Hour)) || !h.CheckedAt.Equal(now) {
				t.Errorf("NoAnswerHealth(%s, %v) = %+v", broker.ID, c.err, h)
			}
			if got := h.WithoutNote().Why; got.ID != m.ID {
				t.Errorf("WithoutNote kept the note: %v", got)
			}
		}
	}
}
