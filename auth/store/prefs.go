package store

import (
	"encoding/json"
	"fmt"
	"time"

	"tokentray/auth"
)

// Prefs are the user's settings, kept in settings.json beside the
// credentials. A field missing from the file reads as its default.
type Prefs struct {
	// LeadTime is how long before expiry a token is renewed (auth.DefaultLead).
	LeadTime time.Duration
	// CheckEvery is how often the agent checks each credential with its
	// broker; it also keeps Webull tokens from going idle (15 days).
	CheckEvery time.Duration
	// WarnDays are the days before a Futu API key expires on which the
	// user is warned, e.g. [14 7 1]. Empty (not nil) means never warn.
	WarnDays []int
	// ExtendDays is how far ahead a Futu API key's expiry is set when it
	// is extended (the broker allows up to about 3 years).
	ExtendDays int
}

// Defaults for Prefs.
const (
	DefaultCheckEvery = time.Hour
	DefaultExtendDays = 90
	maxExtendDays     = 3 * 365
)

// DefaultWarnDays are the days before a Futu API key's expiry that warn.
var DefaultWarnDays = []int{14, 7, 1}

// DefaultPrefs returns the settings of a fresh install.
func DefaultPrefs() Prefs {
	return Prefs{
		LeadTime:   auth.DefaultLead,
		CheckEvery: DefaultCheckEvery,
		WarnDays:   append([]int(nil), DefaultWarnDays...),
		ExtendDays: DefaultExtendDays,
	}
}

// withDefaults fills unset fields.
func (p Prefs) withDefaults() Prefs {
	d := DefaultPrefs()
	if p.LeadTime <= 0 {
		p.LeadTime = d.LeadTime
	}
	if p.CheckEvery <= 0 {
		p.CheckEvery = d.CheckEvery
	}
	if p.WarnDays == nil {
		p.WarnDays = d.WarnDays
	}
	if p.ExtendDays <= 0 {
		p.ExtendDays = d.ExtendDays
	}
	return p
}

// Validate returns a sentence when a setting is out of range.
func (p Prefs) Validate() error {
	switch {
	case p.LeadTime < time.Minute || p.LeadTime > 7*24*time.Hour:
		return fmt.Errorf("the renewal lead time %s is out of range: choose between 1 minute and 7 days", p.LeadTime)
	case p.CheckEvery < time.Minute || p.CheckEvery > 24*time.Hour:
		return fmt.Errorf("the check interval %s is out of range: choose between 1 minute and 24 hours", p.CheckEvery)
	case p.ExtendDays < 1 || p.ExtendDays > maxExtendDays:
		return fmt.Errorf("extending an API key by %d days is out of range: choose between 1 and %d days", p.ExtendDays, maxExtendDays)
	}
	for _, d := range p.WarnDays {
		if d < 1 || d > 365 {
			return fmt.Errorf("a warning %d days before expiry is out of range: use whole days between 1 and 365", d)
		}
	}
	return nil
}

// prefsJSON is the file form: durations as "5m0s" so the file reads well.
type prefsJSON struct {
	LeadTime   string `json:"lead_time,omitempty"`
	CheckEvery string `json:"check_every,omitempty"`
	WarnDays   []int  `json:"warn_days"`
	ExtendDays int    `json:"extend_days,omitempty"`
}

func (p Prefs) MarshalJSON() ([]byte, error) {
	j := prefsJSON{WarnDays: p.WarnDays, ExtendDays: p.ExtendDays}
	if p.LeadTime > 0 {
		j.LeadTime = p.LeadTime.String()
	}
	if p.CheckEvery > 0 {
		j.CheckEvery = p.CheckEvery.String()
	}
	return json.Marshal(j)
}

func (p *Prefs) UnmarshalJSON(b []byte) error {
	var j prefsJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	var out Prefs
	var err error
	if j.LeadTime != "" {
		if out.LeadTime, err = time.ParseDuration(j.LeadTime); err != nil {
			return fmt.Errorf("lead_time: %w", err)
		}
	}
	if j.CheckEvery != "" {
		if out.CheckEvery, err = time.ParseDuration(j.CheckEvery); err != nil {
			return fmt.Errorf("check_every: %w", err)
		}
	}
	out.WarnDays = j.WarnDays
	out.ExtendDays = j.ExtendDays
	*p = out
	return nil
}
