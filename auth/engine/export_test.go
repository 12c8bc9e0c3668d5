package engine

import "time"

// Waits are bounds of the engine's waits that tests shorten, so that a
// lock that is never freed or a broker that never answers is shown in
// milliseconds; zero keeps the engine's constant.
type Waits struct {
	Busy   time.Duration // NeedsUserLockWait
	Lock   time.Duration // LockWait
	Revoke time.Duration // RevokeTimeout
}

// NewWithWaits is NewWithOptions with the waits of w that are set.
func NewWithWaits(o Options, w Waits) *Engine {
	e := NewWithOptions(o)
	if w.Busy > 0 {
		e.busyWait = w.Busy
	}
	if w.Lock > 0 {
		e.lockBound = w.Lock
	}
	if w.Revoke > 0 {
		e.revokeTimeout = w.Revoke
	}
	return e
}
