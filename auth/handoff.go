package auth

import (
	"time"

	"tokentray/internal/msg"
)

// HandoffKind names one way tokentray hands a credential's token to
// other programs.
type HandoffKind string

const (
	// HandoffFile: a token file on this computer that a broker's SDK
	// reads (Webull's token.txt, the Futu SDK's token file).
	HandoffFile HandoffKind = "file"
	// HandoffTarget: a copy kept elsewhere (another host, a command).
	HandoffTarget HandoffKind = "target"
)

// Handoff is one place that holds a credential's token for other
// programs, kept current by tokentray.
type Handoff struct {
	Kind HandoffKind `json:"kind"`
	// Where is the file's path, or the target as the person gave it.
	Where string `json:"where"`
}

// String names the handoff for a sentence ("the shared file PATH").
func (h Handoff) String() string { return h.Message().String() }

// Message is the handoff named as a message, said in the person's
// language.
func (h Handoff) Message() msg.Message {
	if h.Kind == HandoffTarget {
		return msg.New("auth.handoff_target", "Where", h.Where)
	}
	return msg.New("auth.handoff_file", "Where", h.Where)
}

// Sharer is implemented by kinds that write their token to files other
// programs read.
type Sharer interface {
	// SharedFiles lists the files kept current with c's token now (none
	// while sharing is off).
	SharedFiles(c Credential) []string
}

// Handover says, after a credential's token changed, which holders of
// the token got the new one and which could not.
type Handover struct {
	// Updated are the files and targets that hold the new token.
	Updated []Handoff `json:"updated,omitempty"`
	// Failed are those that could not be updated, with why.
	Failed []HandoffFailure `json:"failed,omitempty"`
}

// HandoffFailure is a handoff that could not be updated.
type HandoffFailure struct {
	Handoff
	// Reason is why, in English; Why is the same as data, for the faces
	// to say in the person's language.
	Reason string      `json:"reason"`
	Why    msg.Message `json:"why,omitzero"`
}

// FailedBecause is a handoff that could not be updated, and why.
func FailedBecause(h Handoff, why msg.Message) HandoffFailure {
	return HandoffFailure{Handoff: h, Reason: why.String(), Why: why}
}

// Explain is the reason in the language.
func (f HandoffFailure) Explain(l msg.Lang) string {
	if !f.Why.IsZero() {
		return l.Render(f.Why)
	}
	return f.Reason
}

// Replacement records a token swapped for a new one while the old one
// stopped working (a Futu API key's extension), so that every face,
// and a notification, can say what got the new token and what did not.
type Replacement struct {
	At    time.Time `json:"at"`
	Until time.Time `json:"until,omitzero"`
	// Handover says which holders of the token got the new one.
	Handover Handover `json:"handover,omitzero"`
}

// IsZero reports whether no token was replaced.
func (r Replacement) IsZero() bool { return r.At.IsZero() }
