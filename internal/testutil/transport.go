package testutil

import (
	"io"
	"net/http"
	"sync"
)

// HookTransport is an http.RoundTripper that sends each request through
// Base (http.DefaultTransport when nil) and counts what it sends. After
// is called once an answer's headers are in, before its body is read, and
// Closed once that body is closed: the moments to cancel a call "just
// after the broker answered" or "after the answer was read". The body
// fails once the request's context has ended, as net/http's own
// transport does.
type HookTransport struct {
	Base          http.RoundTripper
	After, Closed func(req *http.Request)

	mu   sync.Mutex
	sent int
}

func (h *HookTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	h.mu.Lock()
	h.sent++
	h.mu.Unlock()
	base := h.Base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if h.After != nil {
		h.After(req)
	}
	resp.Body = &hookBody{ReadCloser: resp.Body, req: req, closed: h.Closed}
	return resp, nil
}

// Sent is how many requests went through h, answered or not.
func (h *HookTransport) Sent() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.sent
}

// OnPath returns a hook that calls f for requests to path only.
func OnPath(path string, f func()) func(*http.Request) {
	return func(req *http.Request) {
		if req.URL.Path == path {
			f()
		}
	}
}

type hookBody struct {
	io.ReadCloser
	req    *http.Request
	closed func(req *http.Request)
}

func (b *hookBody) Read(p []byte) (int, error) {
	if err := b.req.Context().Err(); err != nil {
		return 0, err
	}
	return b.ReadCloser.Read(p)
}

func (b *hookBody) Close() error {
	err := b.ReadCloser.Close()
	if b.closed != nil {
		b.closed(b.req)
	}
	return err
}
