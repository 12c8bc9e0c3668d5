package testutil

import (
	"tokentray/internal/msg"
)

// FindMsg looks for the message with code id in m and in the messages
// and errors it holds as parameters (a reason joined to a note, a cause
// inside a sentence), depth first; ok is false when none has that code.
// Tests assert on codes and parameters with it, not on sentences.
func FindMsg(m msg.Message, id string) (found msg.Message, ok bool) {
	if m.ID == id {
		return m, true
	}
	for _, k := range m.Keys() {
		var inner msg.Message
		switch v := m.Args[k].(type) {
		case msg.Message:
			inner = v
		case error:
			inner = msg.Of(v)
		case map[string]any: // a message read back from JSON
			id, _ := v["code"].(string)
			args, _ := v["params"].(map[string]any)
			inner = msg.Message{ID: id, Args: args}
		case []msg.Message:
			for _, x := range v {
				if f, ok := FindMsg(x, id); ok {
					return f, true
				}
			}
			continue
		default:
			continue
		}
		if f, ok := FindMsg(inner, id); ok {
			return f, true
		}
	}
	return msg.Message{}, false
}

// ErrSays reports whether err says (or holds) the message with code id,
// and returns it.
func ErrSays(err error, id string) (msg.Message, bool) {
	if err == nil {
		return msg.Message{}, false
	}
	return FindMsg(msg.Of(err), id)
}
