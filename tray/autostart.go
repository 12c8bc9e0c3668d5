package tray

import "tokentray/internal/autostart"

// XDGAutostart is the "Start at login" switch as an XDG autostart entry
// that starts Exe with Args.
type XDGAutostart struct {
	Exe  string
	Args []string
}

func (x XDGAutostart) Enabled() bool { return autostart.Enabled() }

func (x XDGAutostart) Set(on bool) error { return autostart.Set(on, x.Exe, x.Args...) }
