package auth

import (
	"errors"
	"fmt"

	"tokentray/internal/msg"
)

// ActionKind names the next thing to do for a credential. Each face
// renders it its own way: the command line prints the command, the tray
// a menu item, the window a button, a notification an action button.
// The domain's sentences say what happened; they never name a command.
type ActionKind string

const (
	// ActionNone: nothing to do.
	ActionNone ActionKind = ""
	// ActionLogin: sign in again in the browser (Futu OAuth).
	ActionLogin ActionKind = "login"
	// ActionVerify: confirm a 2FA code in the broker's phone app (Webull).
	ActionVerify ActionKind = "verify"
	// ActionExtend: extend a Futu API key's access token to a new date.
	ActionExtend ActionKind = "extend"
	// ActionUpdate: replace a secret the broker refused or the keychain lost.
	ActionUpdate ActionKind = "update"
	// ActionRetry: check again (the broker did not answer, or an outcome
	// is not known yet).
	ActionRetry ActionKind = "retry"
	// ActionShare: write the shared SDK token file again, once its
	// folder is usable (the token itself is fine).
	ActionShare ActionKind = "share"
)

// ActionKinds lists every kind of action but none.
var ActionKinds = []ActionKind{ActionLogin, ActionVerify, ActionExtend, ActionUpdate, ActionRetry, ActionShare}

// Action is one next step for one credential.
type Action struct {
	Kind ActionKind `json:"kind"`
	// Credential is the name of the credential it concerns.
	Credential string `json:"credential"`
}

// Next builds the action kind for the credential named name.
func Next(kind ActionKind, name string) Action { return Action{Kind: kind, Credential: name} }

// IsZero reports whether there is nothing to do.
func (a Action) IsZero() bool { return a.Kind == ActionNone }

// Title is the action as a button or menu item says it ("Log in").
func (a Action) Title() string {
	switch a.Kind {
	case ActionLogin:
		return "Log in"
	case ActionVerify:
		return "Verify 2FA"
	case ActionExtend:
		return "Extend"
	case ActionUpdate:
		return "Update the secret"
	case ActionRetry:
		return "Check again"
	case ActionShare:
		return "Share again"
	}
	return ""
}

// Message is the action's title as a message ("Log in"); zero for none.
func (a Action) Message() msg.Message {
	if a.Kind == ActionNone {
		return msg.Message{}
	}
	return msg.New("action." + string(a.Kind))
}

// Valid reports whether k is a known kind (none included).
func (k ActionKind) Valid() bool {
	if k == ActionNone {
		return true
	}
	for _, x := range ActionKinds {
		if x == k {
			return true
		}
	}
	return false
}

// UserError is an error whose message is already a sentence for the user
// and that means only the user can fix it (exit code 3 on the command
// line, Action needed in the tray). Action, when set, is what to do.
// Why is the sentence as data (the faces render it in the person's
// language); Msg is its English, kept for errors built before sentences
// were data.
type UserError struct {
	Msg    string
	Why    msg.Message
	Action Action
}

func (e *UserError) Error() string {
	if e.Msg == "" {
		return e.Why.String()
	}
	return e.Msg
}

// Message is the sentence as data: Why, or Msg as plain text.
func (e *UserError) Message() msg.Message {
	if !e.Why.IsZero() {
		return e.Why
	}
	return msg.Plain(e.Msg)
}

// Say sets the sentence to m (both Why and its English Msg).
func (e *UserError) Say(m msg.Message) {
	e.Why, e.Msg = m, m.String()
}

// NeedsUser builds a UserError without a typed action.
func NeedsUser(msg string) error { return &UserError{Msg: msg} }

// NeedsUserTo builds a UserError whose fix is action a.
func NeedsUserTo(a Action, format string, args ...any) error {
	return &UserError{Msg: fmt.Sprintf(format, args...), Action: a}
}

// NeedsUserBecause builds a UserError saying m, whose fix is action a
// (the zero Action for none).
func NeedsUserBecause(a Action, m msg.Message) error {
	return &UserError{Msg: m.String(), Why: m, Action: a}
}

// ActionOf returns the next action an error carries, if any.
func ActionOf(err error) (Action, bool) {
	var ue *UserError
	if errors.As(err, &ue) && !ue.Action.IsZero() {
		return ue.Action, true
	}
	var ae *actionError
	if errors.As(err, &ae) && !ae.action.IsZero() {
		return ae.action, true
	}
	return Action{}, false
}

// actionError is an error that is not the user's fault but still has a
// next step (check again once the broker answers).
type actionError struct {
	err    error
	action Action
}

func (e *actionError) Error() string { return e.err.Error() }
func (e *actionError) Unwrap() error { return e.err }

// WithAction attaches the next action a to err without making it the
// user's to fix (ActionOf finds it; errors.As for *UserError does not).
func WithAction(err error, a Action) error {
	if err == nil {
		return nil
	}
	return &actionError{err: err, action: a}
}
