//go:build !linux && !freebsd && !openbsd && !netbsd

package clipboard

import "time"

type owner struct{}

func connect() (*owner, error)                   { return nil, ErrUnavailable }
func (o *owner) own(string) error                { return ErrUnavailable }
func (o *owner) clearIf(string) bool             { return false }
func (o *owner) close()                          {}
func read(string, time.Duration) (string, error) { return "", ErrUnavailable }
