// Package demo starts the sandbox profile's simulated brokers. It is
// apart from the wiring (internal/system) so that only a program that
// runs the sandbox links it: the window's program does not.
package demo

import (
	"errors"
	"fmt"

	"tokentray/auth/sandbox"
	"tokentray/internal/sandboxaddr"
	"tokentray/internal/system"
)

// Demo is the pair of simulated brokers a sandbox profile works against.
type Demo struct {
	FutuURL, WebullURL string
	// PhoneURL is the sandbox phone, where Webull's SMS codes arrive.
	PhoneURL string
	// Shared is true when the brokers were already running for the
	// profile (`tokentray sandbox`) rather than started here.
	Shared bool
	// Seeded is true when the demo credentials were added: the first
	// start, a fresh one, or a saved state that was damaged.
	Seeded bool
	// Notes are sentences to show: a saved port that was taken, a
	// damaged saved state moved aside, fresh asked of shared brokers.
	Notes []string

	close func()
}

// Close stops the brokers started here; shared ones keep running.
func (d *Demo) Close() {
	if d.close != nil {
		d.close()
	}
}

// Start gives the sandbox profile p its brokers: those already running
// for it, else its own, started from the state saved in the profile (the
// same ports, keys and tokens as the last run), recorded in the profile
// for other processes to find. The demo credentials are added only when
// there was no saved state (or the keychain lost theirs); fresh starts
// over with new brokers and new demo credentials. The user's own
// credentials stay either way.
func Start(p *system.Parts, fresh bool) (*Demo, error) {
	if !p.Profile.Sandbox {
		return nil, errors.New("the simulated brokers serve the sandbox profile only")
	}
	dir := p.Profile.Dir
	if futuURL, webullURL, err := sandboxaddr.Running(dir); err == nil {
		d := &Demo{FutuURL: futuURL, WebullURL: webullURL, PhoneURL: sandboxaddr.Phone(webullURL), Shared: true}
		if fresh {
			d.Notes = append(d.Notes, "The sandbox brokers were already running, so they keep their state; stop them and start again to start fresh.")
		}
		return d, nil
	}
	opts := sandbox.DemoOptions()
	opts.StateDir, opts.Fresh, opts.Clock = dir, fresh, p.Clock
	sb, err := sandbox.Start(opts)
	if err != nil {
		return nil, fmt.Errorf("start the sandbox brokers: %w", err)
	}
	unadvertise, err := sb.Advertise(dir)
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("record the sandbox's addresses: %w", err)
	}
	stop := func() { unadvertise(); sb.Close() }
	adopted, err := sb.Adopt(p.Store, !sb.Restored || sandbox.DemoLost(p.Store))
	if err != nil {
		stop()
		return nil, err
	}
	return &Demo{FutuURL: sb.FutuURL, WebullURL: sb.WebullURL, PhoneURL: sb.PhoneURL(),
		Seeded: adopted.Seeded, Notes: adopted.Notes, close: stop}, nil
}

// ServeOptions say how `tokentray sandbox` runs the brokers.
type ServeOptions struct {
	// FutuPort and WebullPort are the ports to listen on; 0: the saved
	// ones, else free ones.
	FutuPort, WebullPort int
	// Fresh forgets the saved state; Seed adds the demo credentials.
	Fresh, Seed bool
	// Logf reports what the brokers do (nil: nothing).
	Logf func(format string, args ...any)
}

// Served are brokers started by Serve.
type Served struct {
	Demo
	// FutuAdminURL is the Futu sandbox's admin page.
	FutuAdminURL string
	// Restored: the brokers kept their saved state.
	Restored bool
	// DemoNames are the demo credentials' names.
	DemoNames []string
}

// Serve starts the sandbox profile p's brokers for `tokentray sandbox`,
// on the ports asked for, records their addresses in the profile, and
// points the profile's credentials at them (adding the demo credentials
// when o.Seed or o.Fresh). Close stops them and takes the record away.
// The caller has checked that no other process serves the profile.
func Serve(p *system.Parts, o ServeOptions) (*Served, error) {
	if !p.Profile.Sandbox {
		return nil, errors.New("the simulated brokers serve the sandbox profile only")
	}
	dir := p.Profile.Dir
	opts := sandbox.DemoOptions()
	opts.FutuPort, opts.WebullPort = o.FutuPort, o.WebullPort
	opts.StateDir, opts.Fresh, opts.Logf = dir, o.Fresh, o.Logf
	sb, err := sandbox.Start(opts)
	if err != nil {
		return nil, err
	}
	unadvertise, err := sb.Advertise(dir)
	if err != nil {
		sb.Close()
		return nil, fmt.Errorf("record the sandbox's addresses in the sandbox profile: %w", err)
	}
	stop := func() { unadvertise(); sb.Close() }
	adopted, err := sb.Adopt(p.Store, o.Seed || o.Fresh)
	if err != nil {
		stop()
		return &Served{Demo: Demo{Notes: adopted.Notes}}, fmt.Errorf("ready the sandbox profile: %w", err)
	}
	return &Served{
		Demo: Demo{FutuURL: sb.FutuURL, WebullURL: sb.WebullURL, PhoneURL: sb.PhoneURL(),
			Seeded: adopted.Seeded, Notes: adopted.Notes, close: stop},
		FutuAdminURL: sb.FutuAdminURL(), Restored: sb.Restored, DemoNames: sandbox.DemoNames,
	}, nil
}
