package auth

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"
	"time"

	"tokentray/internal/msg"
)

// NetworkWhy says in a few words why a call got no answer, for a
// sentence a person reads: "nothing answers at 127.0.0.1:1", not Go's
// "Get \"http://...\": dial tcp 127.0.0.1:1: connect: connection refused".
// It is NetworkCause in English.
func NetworkWhy(err error) string { return NetworkCause(err).String() }

// NetworkCause is NetworkWhy as a message, for a sentence in the
// person's language; what Go alone can say (an unusual error) stays as
// it is.
func NetworkCause(err error) msg.Message {
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	var re *RedirectError
	switch {
	case err == nil:
		return msg.Message{}
	case errors.As(err, &re):
		return re.Message()
	case errors.Is(err, context.Canceled):
		return msg.New("auth.net_cancelled")
	case errors.Is(err, context.DeadlineExceeded):
		return msg.New("auth.net_timeout")
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return msg.New("auth.net_name_unknown", "Name", dns.Name)
		}
		return msg.New("auth.net_name_lookup", "Name", dns.Name)
	case errors.Is(err, syscall.ECONNREFUSED):
		if errors.As(err, &op) && op.Addr != nil {
			return msg.New("auth.net_refused_at", "Addr", op.Addr.String())
		}
		return msg.New("auth.net_refused")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, syscall.ECONNRESET):
		return msg.New("auth.net_closed")
	case errors.As(err, &ne) && ne.Timeout():
		return msg.New("auth.net_timeout")
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return msg.Of(ue.Err)
	}
	return msg.Of(err)
}

// Clause is err as a message to put inside another sentence: its own
// message, or its text without a closing full stop.
func Clause(err error) msg.Message {
	m := msg.Of(err)
	if m.Is(msg.PlainID) {
		return msg.Plain(strings.TrimSuffix(m.Arg("Text"), "."))
	}
	return m
}

// NoAnswer says that broker (a message: msg.New("brand.futu"), ...)
// did not answer a call that failed with err, the one sentence every
// broker uses: "Futu did not answer (nothing answers at 127.0.0.1:1)",
// "Futu did not answer in time", "the call to Futu was cancelled before
// it answered". Add RetryNoteMsg when nothing was changed.
func NoAnswer(broker msg.Message, err error) msg.Message {
	switch {
	case errors.Is(err, context.Canceled):
		return msg.New("auth.no_answer_cancelled", "Broker", broker)
	case errors.Is(err, context.DeadlineExceeded):
		return msg.New("auth.no_answer_in_time", "Broker", broker)
	}
	return msg.New("auth.no_answer", "Broker", broker, "Why", NetworkCause(err))
}

// NoAnswerHealth is the Unknown health of a call to broker that got no
// answer: the stored credential is as it was and the next check asks
// again.
func NoAnswerHealth(broker msg.Message, err error, expires, now time.Time) Health {
	return Health{State: Unknown, ExpiresAt: expires, CheckedAt: now}.Because(NoAnswer(broker, err)).Note(RetryNoteMsg())
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
