package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
)

// StatusJSON is the stable output of "tokentray status --json". Fields
// are never renamed or removed; new ones may be added. No secret is ever
// part of it.
//
//	{"credentials": [
//	  {
//	    "name": "futu-main",                     // the credential's name
//	    "broker": "Futu",                        // "Futu" or "Webull"
//	    "kind": "futu-key",                      // "futu-oauth", "futu-key" or "webull"
//	    "health": "ok",                          // "ok", "unknown", "expiring", "pending", "action-needed" or "broken"
//	    "reason": "the access token is valid …", // one sentence: what happened, what to do ("" when none)
//	    "expires_at": "2027-02-21T09:00:00Z",    // RFC 3339 UTC; null when not known
//	    "seconds_left": 7776000,                 // to the 2FA deadline when pending, else to expires_at; 0 when past or unknown
//	    "last_checked": "2026-11-23T09:00:00Z"   // RFC 3339 UTC of the last check with the broker; null when never
//	  }
//	]}
//
// Credentials are sorted by name; "credentials" is [] when there are none.
type StatusJSON struct {
	Credentials []CredentialStatusJSON `json:"credentials"`
}

// CredentialStatusJSON is one credential in StatusJSON.
type CredentialStatusJSON struct {
	Name        string     `json:"name"`
	Broker      string     `json:"broker"`
	Kind        string     `json:"kind"`
	Health      string     `json:"health"`
	Reason      string     `json:"reason"`
	ExpiresAt   *time.Time `json:"expires_at"`
	SecondsLeft int64      `json:"seconds_left"`
	LastChecked *time.Time `json:"last_checked"`
}

const statusSchema = `With --json it prints one JSON object with a stable schema (fields are
never renamed or removed; new ones may be added; no secret is ever in it):

  {"credentials": [{
      "name":         string,  the credential's name
      "broker":       string,  "Futu" or "Webull"
      "kind":         string,  "futu-oauth", "futu-key" or "webull"
      "health":       string,  "ok", "unknown", "expiring", "pending",
                               "action-needed" or "broken"
      "reason":       string,  one sentence: what happened, what to do
      "expires_at":   string,  RFC 3339 UTC, or null when not known
      "seconds_left": number,  to the 2FA deadline when pending, else to
                               expires_at; 0 when past or not known
      "last_checked": string,  RFC 3339 UTC of the last check with the
                               broker, or null when never
  }]}

Credentials are sorted by name; "credentials" is [] when there are none.`

var cmdStatus = &command{
	name:    "status",
	summary: "show the health of every credential",
	usage:   "status [--json]",
	help: `Shows every credential's health from what is stored, without calling the
brokers (run "tokentray refresh" to check with them): name, broker and
kind, health, expiry and time left, and the reason.

` + statusSchema,
	run: func(e *env, self *command, args []string) error {
		f := newFlags(e, self)
		asJSON := f.Bool("json", false, "")
		pos, _, err := f.parse(args)
		if err != nil {
			return handled(err)
		}
		if err := f.want(pos, 0, "no arguments"); err != nil {
			return err
		}
		eng, err := e.engine()
		if err != nil {
			return err
		}
		ss, err := eng.Status()
		if err != nil {
			return err
		}
		if *asJSON {
			return writeStatusJSON(e, ss)
		}
		if len(ss) == 0 {
			fmt.Fprintln(e.Stdout, "No credentials yet; add one with: tokentray add (see tokentray help add)")
			return nil
		}
		now := e.Clock.Now()
		tw := tabwriter.NewWriter(e.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tBROKER\tKIND\tHEALTH\tEXPIRES\tLEFT\tREASON")
		for _, s := range ss {
			exp, left := "-", "-"
			if !s.ExpiresAt.IsZero() {
				exp = s.ExpiresAt.Local().Format("2006-01-02 15:04")
				if s.SecondsLeft > 0 {
					left = humanDuration(time.Duration(s.SecondsLeft) * time.Second)
				} else if !s.ExpiresAt.After(now) {
					left = "expired"
				}
			}
			if s.Health.State == auth.Pending && s.SecondsLeft > 0 {
				left = humanDuration(time.Duration(s.SecondsLeft) * time.Second)
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Name, s.Broker, s.Kind, s.Health.State.Title(), exp, left, oneLine(s.Health.Reason))
		}
		return tw.Flush()
	},
}

func writeStatusJSON(e *env, ss []engine.Status) error {
	out := StatusJSON{Credentials: []CredentialStatusJSON{}}
	for _, s := range ss {
		j := CredentialStatusJSON{
			Name:        s.Name,
			Broker:      s.Broker,
			Kind:        string(s.Kind),
			Health:      s.Health.State.String(),
			Reason:      oneLine(s.Health.Reason),
			SecondsLeft: s.SecondsLeft,
		}
		if !s.ExpiresAt.IsZero() {
			t := s.ExpiresAt.UTC().Truncate(time.Second)
			j.ExpiresAt = &t
		}
		if !s.LastChecked.IsZero() {
			t := s.LastChecked.UTC().Truncate(time.Second)
			j.LastChecked = &t
		}
		out.Credentials = append(out.Credentials, j)
	}
	enc := json.NewEncoder(e.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// humanDuration is a short "time left": 89d, 5h12m, 4m59s.
func humanDuration(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}
