package targets

import "time"

// WithTimeout is r with one push or removal bounded by d instead of
// DefaultTimeout, so that a host that never answers is shown quickly.
func WithTimeout(r Runner, d time.Duration) Runner {
	r.timeout = d
	return r
}
