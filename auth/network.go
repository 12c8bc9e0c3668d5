package auth

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"syscall"
)

// NetworkWhy says in a few words why a call got no answer, for a
// sentence a person reads: "nothing answers at 127.0.0.1:1", not Go's
// "Get \"http://...\": dial tcp 127.0.0.1:1: connect: connection refused".
func NetworkWhy(err error) string {
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	var re *RedirectError
	switch {
	case errors.As(err, &re):
		return re.Error()
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return "out of time"
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return "the name " + dns.Name + " is not known"
		}
		return "the name " + dns.Name + " could not be looked up"
	case errors.Is(err, syscall.ECONNREFUSED):
		if errors.As(err, &op) && op.Addr != nil {
			return "nothing answers at " + op.Addr.String()
		}
		return "nothing answers there"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return "the connection closed before an answer"
	case errors.As(err, &ne) && ne.Timeout():
		return "out of time"
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}

// Said is err told in the words of msg: its text is msg alone (a
// sentence with NetworkWhy in it, not Go's chain), while errors.Is and
// errors.As still see err.
func Said(msg string, err error) error { return &saidError{msg: msg, err: err} }

type saidError struct {
	msg string
	err error
}

func (e *saidError) Error() string { return e.msg }
func (e *saidError) Unwrap() error { return e.err }
