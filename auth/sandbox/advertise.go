package sandbox

import "tokentray/internal/sandboxaddr"

// Advertise records this sandbox's addresses in dir until the returned
// function is called (it removes the record if it is still this one's).
func (sb *Sandbox) Advertise(dir string) (func(), error) {
	return sandboxaddr.Write(dir, sb.FutuURL, sb.WebullURL)
}

// ErrNotRunning is returned by Running when no sandbox serves dir.
var ErrNotRunning = sandboxaddr.ErrNotRunning

// Running returns the addresses of the sandbox brokers serving the
// profile in dir, when they are running and answer.
func Running(dir string) (futuURL, webullURL string, err error) {
	return sandboxaddr.Running(dir)
}
