package engine_test

import "tokentray/internal/msg"

// said is an error's sentence as data.
func said(err error) msg.Message { return msg.Of(err) }

// param is the parameter called name of m as a message: a nested
// message, or an error's.
func param(m msg.Message, name string) msg.Message {
	switch v := m.Args[name].(type) {
	case msg.Message:
		return v
	case error:
		return msg.Of(v)
	}
	return msg.Message{}
}
