package system

import "tokentray/internal/sandboxaddr"

// RunningPhone is the sandbox phone of the brokers running for the
// sandbox profile, or "" when none run.
func (d *Door) RunningPhone() string {
	p, err := d.Profile(true)
	if err != nil {
		return ""
	}
	if _, webullURL, err := sandboxaddr.Running(p.Dir); err == nil {
		return sandboxaddr.Phone(webullURL)
	}
	return ""
}
