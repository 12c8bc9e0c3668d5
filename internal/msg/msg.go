// Package msg holds tokentray's sentences as data. A Message is a code
// and its parameters; a Lang renders it as a sentence in English,
// Simplified Chinese (zh-CN) or Traditional Chinese as written in Hong
// Kong (zh-HK), from the go-i18n message files under locales/ (the
// window's Fyne lang package reads the same files). The domain builds
// Messages and typed errors; only the faces render them, each in the
// language the person chose.
//
// Message files are named AREA.LANG.json, one set per area of the
// product (common, auth, futu, webull, cli, tray, app...). A message's
// text is a Go template over its parameters: {{.Name}}. A parameter
// that is itself a Message, an error or a duration is rendered in the
// same language before it is put in. A parameter called Count chooses
// the plural form.
package msg

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Message is one sentence (or phrase) as data: what to say, not how.
type Message struct {
	// ID names the text in the message files ("futu.refresh_refused").
	ID string `json:"code"`
	// Args are its parameters by name: strings, numbers, Messages,
	// errors and durations.
	Args map[string]any `json:"params,omitempty"`
}

// New builds a message from its code and name, value pairs:
// New("cred.not_found", "Name", name).
func New(id string, kv ...any) Message {
	m := Message{ID: id}
	for i := 0; i+1 < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			continue
		}
		if m.Args == nil {
			m.Args = make(map[string]any, len(kv)/2)
		}
		m.Args[k] = kv[i+1]
	}
	return m
}

// Plain carries text tokentray does not translate (a broker's own words,
// a path, an operating system's error) as a message.
func Plain(text string) Message { return New(PlainID, "Text", text) }

// PlainID is the code of Plain's messages.
const PlainID = "plain"

// Join puts two messages in one sentence, the second a note on the first
// ("Futu did not answer; nothing was changed…").
func Join(first, then Message) Message {
	if then.IsZero() {
		return first
	}
	if first.IsZero() {
		return then
	}
	return New(JoinID, "First", first, "Then", then)
}

// JoinID is the code of Join's messages.
const JoinID = "join"

// Split undoes Join: the first message and its note; a message that is
// not a join is its own first part with no note.
func (m Message) Split() (first, then Message) {
	if m.ID != JoinID {
		return m, Message{}
	}
	return asMessage(m.Args["First"]), asMessage(m.Args["Then"])
}

// IsZero reports whether there is nothing to say.
func (m Message) IsZero() bool { return m.ID == "" }

// Is reports whether m is the message with code id.
func (m Message) Is(id string) bool { return m.ID == id }

// Arg returns the parameter called name as text, rendered in English
// ("" when it is absent).
func (m Message) Arg(name string) string {
	v, ok := m.Args[name]
	if !ok {
		return ""
	}
	return English.value(v)
}

// String is the message in English.
func (m Message) String() string { return English.Render(m) }

// Keys lists the message's parameter names, sorted.
func (m Message) Keys() []string {
	ks := make([]string, 0, len(m.Args))
	for k := range m.Args {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// MarshalJSON writes nested messages and errors as messages, so a
// message read back renders as it did.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain struct {
		ID   string         `json:"code"`
		Args map[string]any `json:"params,omitempty"`
	}
	p := plain{ID: m.ID}
	if len(m.Args) > 0 {
		p.Args = make(map[string]any, len(m.Args))
		for k, v := range m.Args {
			switch v := v.(type) {
			case Message:
				p.Args[k] = v
			case error:
				p.Args[k] = Of(v)
			case fmt.Stringer:
				p.Args[k] = v.String()
			default:
				p.Args[k] = v
			}
		}
	}
	return json.Marshal(p)
}

// asMessage reads a parameter that holds a message, also as it comes
// back from JSON (an object with a code).
func asMessage(v any) Message {
	switch v := v.(type) {
	case Message:
		return v
	case *Message:
		if v != nil {
			return *v
		}
	case error:
		return Of(v)
	case map[string]any:
		id, _ := v["code"].(string)
		m := Message{ID: id}
		if args, ok := v["params"].(map[string]any); ok {
			m.Args = args
		}
		return m
	}
	return Message{}
}

// Error is an error whose sentence is a Message, with the error that
// caused it, if any.
type Error struct {
	Msg Message
	// Err is the cause, for errors.Is and errors.As; its own words are
	// not shown unless Msg includes them.
	Err error
}

// Errorf returns an error saying the message with code id.
func Errorf(id string, kv ...any) error { return &Error{Msg: New(id, kv...)} }

// Wrap returns an error saying the message, caused by err.
func Wrap(err error, id string, kv ...any) error { return &Error{Msg: New(id, kv...), Err: err} }

// Error is the sentence in English.
func (e *Error) Error() string { return e.Msg.String() }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Message returns the sentence as data.
func (e *Error) Message() Message { return e.Msg }

// Sayer is an error that can say itself as a message.
type Sayer interface{ Message() Message }

// Of returns err as a message: the message of the first error in its
// chain that has one (when that error is err itself or wraps with no
// words of its own), else its text as it is.
func Of(err error) Message {
	if err == nil {
		return Message{}
	}
	if s, ok := err.(Sayer); ok {
		return s.Message()
	}
	var s Sayer
	if errors.As(err, &s) && s.(error).Error() == err.Error() {
		return s.Message()
	}
	return Plain(err.Error())
}

// trimDot drops a closing full stop, for a sentence put inside another.
func trimDot(s string) string {
	return strings.TrimSuffix(strings.TrimSuffix(s, "."), "。")
}
