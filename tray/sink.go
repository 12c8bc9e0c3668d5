package tray

// Sink receives every notification the agent sends, beside the
// desktop: the notify command is one. Send must not block for long.
type Sink interface {
	Send(n Notification)
	// Withdraw says that what was announced for key is over (the
	// credential is fine again, or the person is acting on it).
	Withdraw(key string)
}

// WithSink returns a notifier that hands every notification to sink and
// to inner (nil: to sink alone, as on a server with no desktop). Every
// notification the agent sends passes through it, whatever its kind.
func WithSink(inner Notifier, sink Sink) Notifier {
	if sink == nil {
		return inner
	}
	return sinkNotifier{inner: inner, sink: sink}
}

type sinkNotifier struct {
	inner Notifier
	sink  Sink
}

func (s sinkNotifier) Notify(title, body string) error {
	s.sink.Send(Notification{Title: title, Body: body})
	if s.inner == nil {
		return nil
	}
	return s.inner.Notify(title, body)
}

func (s sinkNotifier) NotifyActions(n Notification, onAction func(Command)) error {
	s.sink.Send(n)
	switch in := s.inner.(type) {
	case nil:
		return nil
	case ActionNotifier:
		return in.NotifyActions(n, onAction)
	default:
		return in.Notify(n.Title, n.Body)
	}
}

func (s sinkNotifier) Withdraw(key string) error {
	s.sink.Withdraw(key)
	if w, ok := s.inner.(Withdrawer); ok {
		return w.Withdraw(key)
	}
	return nil
}

// sinksOnly is a notifier that can hand a notification to its sinks
// alone, with the desktop's notifications turned off.
type sinksOnly interface {
	SinksOnly(n Notification)
}

// SinksOnly hands n to the sink and not to the desktop.
func (s sinkNotifier) SinksOnly(n Notification) {
	if n.Withdraw {
		s.sink.Withdraw(n.Key)
		return
	}
	s.sink.Send(n)
}
