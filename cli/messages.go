package cli

import (
	"context"
	"errors"
	"net"
	"strings"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// namedIn reports whether m names the credential called name: one of
// its parameters (or of the messages inside it) is the name, so a line
// does not name it twice. A sentence that is not data yet (a plain
// text) is read for the name as a whole word.
func namedIn(m msg.Message, name string) bool {
	if name == "" {
		return false
	}
	if m.Is(msg.PlainID) {
		return mentions(m.Arg("Text"), name)
	}
	for _, k := range m.Keys() {
		switch v := m.Args[k].(type) {
		case string:
			if v == name {
				return true
			}
		case msg.Message:
			if namedIn(v, name) {
				return true
			}
		case error:
			if namedIn(msg.Of(v), name) {
				return true
			}
		}
	}
	return false
}

// mentions reports whether text names the credential called name as a
// whole word (for a sentence that is not data yet).
func mentions(text, name string) bool {
	nameChar := func(b byte) bool {
		return b == '.' || b == '-' || b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(text[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		before := start == 0 || !nameChar(text[start-1])
		// A sentence's full stop after the name is not part of it.
		after := end == len(text) || !nameChar(text[end]) ||
			text[end] == '.' && (end+1 == len(text) || text[end+1] == ' ')
		if before && after {
			return true
		}
		i = start + 1
	}
}

// shortReason says in a few words why a broker could not be asked: the
// network's own few words when no answer came, else the reason without
// the note that follows it.
func (e *env) shortReason(err error, h auth.Health) string {
	var op *net.OpError
	var dns *net.DNSError
	var ne net.Error
	if errors.As(err, &op) || errors.As(err, &dns) || errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return trimEnd(e.tr(auth.NetworkCause(err)))
	}
	first, _ := h.Cause().Split()
	if first.IsZero() {
		first = auth.Clause(err)
	}
	return trimEnd(sentence(e.tr(first)))
}
