// Package notifyhook runs the person's notify command for every
// notification event, beside the desktop's notification: the event as
// JSON on the command's stdin (with the codes of what happened and why,
// the same in every language), its title and sentence, in the language
// tokentray speaks, in TOKENTRAY_EVENT_TITLE and TOKENTRAY_EVENT_TEXT. The command runs
// through sh -c with a timeout, once for each event and never again for
// it; a failing command is reported once, until it works again. No
// secret is ever in its argv, its environment or its input.
package notifyhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/msg"
	"tokentray/tray"
)

// DefaultTimeout bounds one run of the command.
const DefaultTimeout = 30 * time.Second

// queueLen is how many events may wait for the command; more are
// dropped (and said so), never block the agent.
const queueLen = 64

// Event is the JSON the command reads on stdin.
type Event struct {
	// Credential is the credential's name; "" when the event is about
	// no credential.
	Credential string `json:"credential"`
	// Kind is "futu-oauth", "futu-key" or "webull" ("" with no credential).
	Kind string `json:"kind"`
	// State is the credential's health: "ok", "unknown", "expiring",
	// "pending", "action-needed" or "broken" ("" with no credential).
	State string `json:"state"`
	// Title and Text are the notification's title and sentence, in the
	// language tokentray speaks.
	Title string `json:"title"`
	Text  string `json:"text"`
	// Code names what happened, the same in every language
	// ("notify.title_needs_you", "notify.share_failing"); "" when the
	// event has none.
	Code string `json:"code,omitempty"`
	// Why is the reason Text gives, as data: its code and parameters
	// (as in status --json); absent when there is none.
	Why *msg.Message `json:"why,omitempty"`
	// Next is what to do, as a command line; null when nothing.
	Next *Next `json:"next"`
	// Sandbox is true for the sandbox profile's credentials.
	Sandbox bool `json:"sandbox"`
	// Time is when the event was sent (RFC 3339, UTC).
	Time time.Time `json:"time"`
}

// Next is an event's next action.
type Next struct {
	// Action is "login", "verify", "extend", "update" or "retry".
	Action string `json:"action"`
	// Command is the command line that does it.
	Command string `json:"command"`
}

// Options configure a Hook.
type Options struct {
	// Command returns the command to run now ("" for none); it is asked
	// for every event, so a changed setting is followed at once.
	Command func() string
	// CommandLine renders a next action as the command line that does it.
	CommandLine func(a auth.Action, sandbox bool) string
	// Environ is the environment the command starts from; the variables
	// that locate tokentray's key are left out of it.
	Environ []string
	// Timeout bounds one run (DefaultTimeout when 0).
	Timeout time.Duration
	// Clock measures the timeout and stamps events.
	Clock clockwork.Clock
	// Report is told, in one sentence, that the command failed: once,
	// until it works again.
	Report func(msg string)
	// Lang is the language the sentences given to Report are in, asked
	// each time (nil: English).
	Lang func() msg.Lang
}

// Hook runs the notify command; it is a tray.Sink.
type Hook struct {
	o     Options
	queue chan job

	mu      sync.Mutex
	report  func(string)
	sent    map[string]string // the last event sent for each key
	failing bool
	started bool
	// pending counts the events not handled yet; idle is signalled when
	// it falls to zero.
	pending int
	idle    *sync.Cond
}

var _ tray.Sink = (*Hook)(nil)

type job struct {
	cmd string
	ev  Event
}

// New returns a hook; nothing runs until an event comes.
func New(o Options) *Hook {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.Command == nil {
		o.Command = func() string { return "" }
	}
	h := &Hook{o: o, queue: make(chan job, queueLen), sent: map[string]string{}, report: o.Report}
	h.idle = sync.NewCond(&h.mu)
	return h
}

// SetReport replaces where failures are reported (the headless agent's
// log instead of a desktop notification).
func (h *Hook) SetReport(f func(string)) {
	h.mu.Lock()
	h.report = f
	h.mu.Unlock()
}

// Send runs the command for n, unless n repeats the last event sent for
// its key (the same credential, title and sentence) with no withdrawal
// in between.
func (h *Hook) Send(n tray.Notification) {
	if n.Withdraw {
		h.Withdraw(n.Key)
		return
	}
	cmd := h.o.Command()
	if cmd == "" {
		return
	}
	ev := Event{Title: n.Title, Text: n.Body, Code: n.Code, Time: h.o.Clock.Now().UTC().Truncate(time.Second)}
	if !n.Why.IsZero() {
		why := n.Why
		ev.Why = &why
	}
	if e := n.Event; e != nil {
		ev.Credential, ev.Kind, ev.State, ev.Sandbox = e.Credential, string(e.Kind), e.State.String(), e.Sandbox
		if !e.Next.IsZero() && h.o.CommandLine != nil {
			if line := h.o.CommandLine(e.Next, e.Sandbox); line != "" {
				ev.Next = &Next{Action: string(e.Next.Kind), Command: line}
			}
		}
	}
	h.mu.Lock()
	if n.Key != "" {
		what := n.Title + "\x00" + n.Body
		if h.sent[n.Key] == what {
			h.mu.Unlock()
			return
		}
		h.sent[n.Key] = what
	}
	if !h.started {
		h.started = true
		go h.work()
	}
	h.pending++
	h.mu.Unlock()
	select {
	case h.queue <- job{cmd: cmd, ev: ev}:
	default:
		h.done()
		h.fail(msg.New("notify.hook_queue_full", "Title", n.Title, "Count", queueLen))
	}
}

// Withdraw forgets the last event of key: the next one is sent even if
// it says the same.
func (h *Hook) Withdraw(key string) {
	h.mu.Lock()
	delete(h.sent, key)
	h.mu.Unlock()
}

// Wait returns when every event sent so far was handled.
func (h *Hook) Wait() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for h.pending > 0 {
		h.idle.Wait()
	}
}

func (h *Hook) done() {
	h.mu.Lock()
	h.pending--
	if h.pending == 0 {
		h.idle.Broadcast()
	}
	h.mu.Unlock()
}

func (h *Hook) work() {
	for j := range h.queue {
		err := h.run(j)
		h.mu.Lock()
		if err == nil {
			h.failing = false
		}
		h.mu.Unlock()
		if err != nil {
			h.fail(msg.Of(err))
		}
		h.done()
	}
}

// fail reports m unless the command's failure was reported already.
func (h *Hook) fail(m msg.Message) {
	h.mu.Lock()
	if h.failing {
		h.mu.Unlock()
		return
	}
	h.failing = true
	report := h.report
	h.mu.Unlock()
	if report != nil {
		l := msg.English
		if h.o.Lang != nil {
			l = h.o.Lang()
		}
		report(l.Text("notify.hook_reported", "Failure", m))
	}
}

// run runs the command once for j.
func (h *Hook) run(j job) error {
	input, err := json.Marshal(j.ev)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	timedOut := make(chan struct{})
	timer := h.o.Clock.AfterFunc(h.o.Timeout, func() { close(timedOut); cancel() })
	defer timer.Stop()
	cmd := exec.CommandContext(ctx, "sh", "-c", j.cmd)
	cmd.Env = append(environ(h.o.Environ), "TOKENTRAY_EVENT_TITLE="+oneLine(j.ev.Title), "TOKENTRAY_EVENT_TEXT="+oneLine(j.ev.Text))
	cmd.Stdin = bytes.NewReader(append(input, '\n'))
	var stderr capped
	cmd.Stderr = &stderr
	setGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	select {
	case <-timedOut:
		return msg.Errorf("notify.hook_timeout", "Timeout", h.o.Timeout.String(), "Title", j.ev.Title)
	default:
	}
	if err == nil {
		return nil
	}
	why := msg.Plain(err.Error())
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		why = msg.Plain(ee.ProcessState.String())
	}
	if s := oneLine(stderr.String()); s != "" {
		why = msg.New("notify.hook_said", "Why", why, "Stderr", s)
	}
	return msg.Wrap(err, "notify.hook_run_failed", "Title", j.ev.Title, "Why", why)
}

// environ is env without what locates tokentray's key.
func environ(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "CREDENTIALS_DIRECTORY", "TOKENTRAY_KEY_FILE", "TOKENTRAY_EVENT_TITLE", "TOKENTRAY_EVENT_TEXT":
			continue
		}
		out = append(out, kv)
	}
	return out
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// capped keeps the first 300 bytes written to it.
type capped struct{ b []byte }

func (c *capped) Write(p []byte) (int, error) {
	if room := 300 - len(c.b); room > 0 {
		c.b = append(c.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

func (c *capped) String() string { return string(c.b) }
