package system

import (
	"errors"
	"fmt"

	"tokentray/auth/sandbox"
)

// Demo is the pair of simulated brokers a sandbox profile works against.
type Demo struct {
	FutuURL, WebullURL string
	// PhoneURL is the sandbox phone, where Webull's SMS codes arrive.
	PhoneURL string
	// Shared is true when the brokers were already running for the
	// profile (`tokentray sandbox`) rather than started here.
	Shared bool

	close func()
}

// Close stops the brokers started here; shared ones keep running.
func (d *Demo) Close() {
	if d.close != nil {
		d.close()
	}
}

// StartDemo gives the sandbox profile its brokers: those already running
// for it, else new ones, recorded in the profile for other processes to
// find, with the demo credentials replaced by ones they serve (anything
// else in the profile stays).
func (p *Parts) StartDemo() (*Demo, error) {
	if !p.Profile.Sandbox {
		return nil, errors.New("the simulated brokers serve the sandbox profile only")
	}
	dir := p.Profile.Dir
	if futuURL, webullURL, err := sandbox.Running(dir); err == nil {
		return &Demo{FutuURL: futuURL, WebullURL: webullURL, PhoneURL: phoneOf(webullURL), Shared: true}, nil
	}
	sb, err := sandbox.Start(sandbox.DemoOptions())
	if err != nil {
		return nil, fmt.Errorf("start the sandbox brokers: %w", err)
	}
	unadvertise, err := sb.Advertise(dir)
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("record the sandbox's addresses: %w", err)
	}
	stop := func() { unadvertise(); sb.Close() }
	if err := sb.Seed(p.Store); err != nil {
		stop()
		return nil, err
	}
	return &Demo{FutuURL: sb.FutuURL, WebullURL: sb.WebullURL, PhoneURL: sb.PhoneURL(), close: stop}, nil
}

// RunningPhone is the sandbox phone of the brokers running for the
// sandbox profile, or "" when none run.
func (d *Door) RunningPhone() string {
	p, err := d.Profile(true)
	if err != nil {
		return ""
	}
	if _, webullURL, err := sandbox.Running(p.Dir); err == nil {
		return phoneOf(webullURL)
	}
	return ""
}

func phoneOf(webullURL string) string { return webullURL + "/sandbox/phone" }
