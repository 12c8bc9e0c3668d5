package auth

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"tokentray/internal/msg"
)

// State is a credential's health, ordered from best to worst for the
// tray, which shows the worst state of all credentials.
type State int

const (
	// Unknown: not checked yet, or the broker did not answer. A network
	// failure yields Unknown, never Broken. It is the zero value, so a
	// health never computed reads as Unknown.
	Unknown State = iota
	// OK: valid and not near expiry.
	OK
	// Expiring: valid, inside its warning window.
	Expiring
	// Pending: a 2FA verification is waiting, with seconds left.
	Pending
	// ActionNeeded: the user must act (log in, verify 2FA, extend).
	ActionNeeded
	// Broken: expired, invalid, revoked or rejected.
	Broken
)

var stateNames = []string{"unknown", "ok", "expiring", "pending", "action-needed", "broken"}
var stateTitles = []string{"Unknown", "OK", "Expiring", "Pending", "Action needed", "Broken"}

// severity orders states for Worst: OK < Unknown < Expiring < Pending <
// ActionNeeded < Broken.
var severity = []int{1, 0, 2, 3, 4, 5}

// States lists every state from best to worst.
var States = []State{OK, Unknown, Expiring, Pending, ActionNeeded, Broken}

// String is the stable machine name ("action-needed") used in JSON.
func (s State) String() string {
	if int(s) < 0 || int(s) >= len(stateNames) {
		return "unknown"
	}
	return stateNames[s]
}

// Title is the human label ("Action needed").
func (s State) Title() string {
	if int(s) < 0 || int(s) >= len(stateTitles) {
		return "Unknown"
	}
	return stateTitles[s]
}

// ParseState is the inverse of String.
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if n == s {
			return State(i), nil
		}
	}
	return Unknown, fmt.Errorf("unknown health state %q", s)
}

func (s State) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

func (s *State) UnmarshalText(b []byte) error {
	v, err := ParseState(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Worse reports whether s is worse than t.
func (s State) Worse(t State) bool { return s.rank() > t.rank() }

func (s State) rank() int {
	if int(s) < 0 || int(s) >= len(severity) {
		return severity[Unknown]
	}
	return severity[s]
}

// NeedsUser reports whether only the user can make the credential
// usable again (a login, a 2FA verification, a new key).
func (s State) NeedsUser() bool { return s == ActionNeeded || s == Pending || s == Broken }

// Health is one credential's state with the sentence that explains it:
// what happened and what to do.
type Health struct {
	State State `json:"state"`
	// Why is the reason as data: a code and its parameters, rendered by
	// each face in the person's language (Explain). Reason is its English
	// sentence, kept for JSON readers and for healths stored before
	// reasons were data; set both with Because.
	Why    msg.Message `json:"why,omitzero"`
	Reason string      `json:"reason,omitempty"`
	// ExpiresAt is when the current token stops working, if known.
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// Deadline is when a pending 2FA verification runs out.
	Deadline time.Time `json:"deadline,omitzero"`
	// CheckedAt is when this health was computed.
	CheckedAt time.Time `json:"checked_at,omitzero"`
	// Next is what to do now, if anything; the faces render it (a
	// command, a menu item, a button). Reason never names a command.
	Next Action `json:"next,omitzero"`
	// Specific marks a diagnosis the broker named (a wrong signature, a
	// revoked key, a skewed clock): a later check that learns less keeps
	// it until the credential is changed or accepted again.
	Specific bool `json:"specific,omitempty"`
	// Asked marks a state the person asked for (a logout): the faces show
	// it, but nothing announces it to them.
	Asked bool `json:"asked,omitempty"`
}

// Because returns h explaining itself with why: its Why and its English
// Reason.
func (h Health) Because(why msg.Message) Health {
	h.Why = why
	h.Reason = why.String()
	return h
}

// Explain is the reason in the language: Why rendered, or the stored
// English Reason of a health that has no Why.
func (h Health) Explain(l msg.Lang) string {
	if !h.Why.IsZero() {
		return l.Render(h.Why)
	}
	return h.Reason
}

// Cause is the reason as data: Why, or the stored Reason as plain text.
func (h Health) Cause() msg.Message {
	if !h.Why.IsZero() || h.Reason == "" {
		return h.Why
	}
	return msg.Plain(h.Reason)
}

// Note appends a note to the reason ("…; nothing was changed…").
func (h Health) Note(note msg.Message) Health {
	return h.Because(msg.Join(h.Cause(), note))
}

// WithoutNote is h without the note Note added (a refused add or update
// stores nothing, so "nothing was changed" says too little).
func (h Health) WithoutNote() Health {
	if h.Why.ID == msg.JoinID {
		first, _ := h.Why.Split()
		return h.Because(first)
	}
	if h.Why.IsZero() {
		h.Reason = WithoutRetryNote(h.Reason)
	}
	return h
}

// Message is the state's title as a message ("Action needed").
func (s State) Message() msg.Message { return msg.New("state." + s.String()) }

// SecondsLeft is the time to the deadline (Pending) or to expiry,
// rounded down, never negative; 0 when neither is known.
func (h Health) SecondsLeft(now time.Time) int64 {
	t := h.ExpiresAt
	if h.State == Pending && !h.Deadline.IsZero() {
		t = h.Deadline
	}
	if t.IsZero() || !t.After(now) {
		return 0
	}
	return int64(t.Sub(now) / time.Second)
}

// Worst returns the worst health of hs; with none, OK with no reason.
func Worst(hs ...Health) Health {
	w := Health{State: OK}
	for i, h := range hs {
		if i == 0 || h.State.Worse(w.State) {
			w = h
		}
	}
	return w
}

// String is the one-line summary "Expiring: ...".
func (h Health) String() string {
	if h.Reason == "" {
		return h.State.Title()
	}
	return h.State.Title() + ": " + h.Reason
}

func (s State) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

func (s *State) UnmarshalJSON(b []byte) error {
	var str string
	if err := json.Unmarshal(b, &str); err != nil {
		return err
	}
	return s.UnmarshalText([]byte(str))
}

// Countdown formats a short wait as m:ss, never negative ("4:59").
func Countdown(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int(d / time.Second)
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// Approx formats a duration the way a person says it: "3 days",
// "5 hours", "12 min", "40 s"; a negative one is "expired".
func Approx(d time.Duration) string {
	switch {
	case d < 0:
		return "expired"
	case d >= 48*time.Hour:
		return fmt.Sprintf("%d days", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	case d >= time.Minute:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	}
	return fmt.Sprintf("%d s", int(d.Seconds()))
}

// Display is a reason as a window or tray shows it: a capital first
// letter, and commands without the backticks a terminal reader expects.
// A first word that is a name (it holds a digit, a dash, a dot or an
// underscore, as credential names and hosts do) keeps its case.
func Display(reason string) string {
	s := strings.ReplaceAll(reason, "`", "")
	if s == "" {
		return s
	}
	first, _, _ := strings.Cut(s, " ")
	first = strings.TrimRight(first, ",:;")
	if strings.ContainsFunc(first, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' }) {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// DisplayAbout is Display for a reason about the credential called name:
// a reason that starts with the name keeps it as it is spelt.
func DisplayAbout(reason, name string) string {
	if name != "" && strings.HasPrefix(reason, name) {
		return strings.ReplaceAll(reason, "`", "")
	}
	return Display(reason)
}

// RetryNote ends the reason of a check that got no answer from the
// broker: the stored credential is as it was and the next check asks
// again.
const RetryNote = "nothing was changed and tokentray will check again"

// RetryNoteMsg is RetryNote as a message.
func RetryNoteMsg() msg.Message { return msg.New("note.retry") }

// WithoutRetryNote is reason without its closing note about the stored
// credential ("; nothing was changed…"), for a refused add or update,
// which stores nothing and will not be checked again.
func WithoutRetryNote(reason string) string {
	before, _, _ := strings.Cut(reason, "; nothing was changed")
	return before
}
