// Package flash keeps something to show once on the page a sandbox form
// redirects to: a new key's secrets are shown in full a single time, and
// a reload shows the usual masked page.
package flash

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// TTL bounds how long a flashed value waits to be shown.
const TTL = 10 * time.Minute

// Store holds values under random ids until taken or expired. The zero
// value is ready to use.
type Store[T any] struct {
	mu sync.Mutex
	m  map[string]entry[T]
}

type entry[T any] struct {
	v    T
	made time.Time
}

// Put keeps v and returns the id to put in the redirect's URL.
func (s *Store[T]) Put(v T, now time.Time) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]entry[T]{}
	}
	for id, e := range s.m {
		if now.Sub(e.made) > TTL {
			delete(s.m, id)
		}
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	s.m[id] = entry[T]{v: v, made: now}
	return id
}

// Take returns and forgets the value kept under id.
func (s *Store[T]) Take(id string, now time.Time) (T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.m[id]
	delete(s.m, id)
	if !ok || now.Sub(e.made) > TTL {
		var zero T
		return zero, false
	}
	return e.v, true
}
