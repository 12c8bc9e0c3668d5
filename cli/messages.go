package cli

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"

	"tokentray/auth"
)

// mentions reports whether msg names the credential called name as a
// whole word, so a line does not name it twice.
func mentions(msg, name string) bool {
	if name == "" {
		return false
	}
	nameChar := func(b byte) bool {
		return b == '.' || b == '-' || b == '_' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z'
	}
	for i := 0; ; {
		j := strings.Index(msg[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		before := start == 0 || !nameChar(msg[start-1])
		// A sentence's full stop after the name is not part of it.
		after := end == len(msg) || !nameChar(msg[end]) ||
			msg[end] == '.' && (end+1 == len(msg) || msg[end+1] == ' ')
		if before && after {
			return true
		}
		i = start + 1
	}
}

// shortReason says in a few words why a broker could not be asked,
// without the Go error text a network failure carries.
func shortReason(err error, h auth.Health) string {
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.As(err, &dns):
		return "the address " + dns.Name + " could not be found"
	case errors.Is(err, syscall.ECONNREFUSED) && errors.As(err, &op) && op.Addr != nil:
		return "nothing answered at " + op.Addr.String()
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return "the broker did not answer in time"
	case errors.As(err, &op):
		return "the broker could not be reached"
	}
	reason := h.Reason
	if reason == "" {
		reason = err.Error()
	}
	// The first clause: what happened, without the details in brackets.
	reason, _, _ = strings.Cut(reason, ";")
	if i := strings.Index(reason, " ("); i > 0 {
		reason = reason[:i]
	}
	return strings.TrimSuffix(sentence(reason), ".")
}
