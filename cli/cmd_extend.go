package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

// maxExtendDays is the longest extension Futu grants (3 years).
const maxExtendDays = 1095

// extendOptions is what an extend command line asks for.
type extendOptions struct {
	Name string
	// Days the new token is valid; 0: the extend-days setting.
	Days int
	// Shorten allows a token that expires before the current one; Yes
	// skips the question asked on a terminal.
	Shorten, Yes bool
}

// extendCommand is the extend command; runF (nil: extend) gets the
// options its command line parsed.
func extendCommand(e *env, runF func(extendOptions) error) *cobra.Command {
	c := newCommand("extend", "extend a Futu API key's access token", "extend NAME [--days N] [--shorten] [--yes]",
		`Asks Futu for a new access token for the API key NAME, valid for N days
(default: the extend-days setting, 90 unless changed with "tokentray config
extend-days N"; at most 1095).

Futu issues a new token and retires the old one at once. On a terminal,
extend says so and asks first (--yes skips the question); afterwards it
says what got the new token (shared files and share targets) and what
cannot: a process started by "tokentray exec" or with "tokentray env"
keeps the old value and must be restarted.

A new token that would expire before the current one is refused (nothing
changes) unless --shorten is given.`)
	var days int
	var shorten, yes bool
	intFlag(c.Flags(), &days, "days", 90, "days the new token is valid (default: the extend-days setting)")
	boolFlag(c.Flags(), &shorten, "shorten", "allow a new token that expires before the current one")
	yesFlag(c.Flags(), &yes)
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	run := func(o extendOptions) error {
		name, days, shorten, yes := o.Name, o.Days, o.Shorten, o.Yes
		svc, err := e.svc()
		if err != nil {
			return err
		}
		if days == 0 {
			ps, err := e.prefs()
			if err != nil {
				return err
			}
			p, err := ps.Prefs()
			if err != nil {
				return err
			}
			days = p.ExtendDays
		}
		now := e.Clock.Now().UTC()
		until := now.Add(time.Duration(days) * 24 * time.Hour)
		cred, err := svc.Get(e.ctx, name)
		if err != nil {
			return err
		}
		if se := service.Shortens(cred, until, now); se != nil && !shorten {
			return e.shortenRefused(se, days)
		}
		if cred.Kind == auth.KindFutuKey && !yes && e.IsTerminal(e.Stdin) {
			handoffs, err := svc.Handoffs(e.ctx, name)
			if err != nil {
				return err
			}
			q := e.tr(msg.New("cli.extend_question", "Name", name, "Until", until.Format("2006-01-02"), "Days", days, "Note", e.handoverNote(handoffs)))
			ok, err := e.confirm(false, q)
			if err != nil {
				return err
			}
			if !ok {
				return declined(msg.New("cli.not_extended", "Name", name))
			}
		}
		h, ho, err := svc.Extend(e.ctx, name, until, service.ExtendOptions{Shorten: shorten})
		var se *service.ShortenError
		if errors.As(err, &se) {
			return e.shortenRefused(se, days)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "%s: %s\n", name, e.health(h))
		fmt.Fprintln(e.Stdout, e.handoverReport(name, ho))
		return nil
	}
	if runF == nil {
		runF = run
	}
	c.RunE = func(c *cobra.Command, args []string) error {
		o := extendOptions{Name: args[0], Shorten: shorten, Yes: yes}
		if c.Flags().Changed("days") {
			if days < 1 || days > maxExtendDays {
				return usage(msg.New("cli.extend_days_range", "Max", maxExtendDays, "Days", days))
			}
			o.Days = days
		}
		return runF(o)
	}
	return c
}

// shortenRefused is the sentence of an extension that would cut the
// token's life short.
func (e *env) shortenRefused(se *service.ShortenError, days int) error {
	return usage(msg.New("cli.extend_shortens", "Name", se.Name, "Current", se.Current.UTC().Format("2006-01-02"), "Days", days, "Requested", se.Requested.UTC().Format("2006-01-02")))
}

// handoverNote says, before a token is replaced, what gets the new one
// and what keeps the old one.
func (e *env) handoverNote(handoffs []auth.Handoff) string {
	if len(handoffs) == 0 {
		return e.tr(msg.New("cli.handover_note_procs"))
	}
	var parts []string
	for _, h := range handoffs {
		parts = append(parts, h.String())
	}
	return e.tr(msg.New("cli.handover_note", "Targets", parts))
}

// handoverReport says, after a token was replaced, what got the new one
// and what could not.
func (e *env) handoverReport(name string, ho auth.Handover) string {
	var parts []string
	for _, h := range ho.Updated {
		parts = append(parts, h.String())
	}
	out := []string{e.tr(msg.New("cli.handover_none", "Name", name))}
	if len(parts) > 0 {
		out[0] = e.tr(msg.New("cli.handover_updated", "Targets", parts))
	}
	for _, f := range ho.Failed {
		out = append(out, e.tr(msg.New("cli.handover_failed", "Target", f.String(), "Why", sentence(f.Reason))))
	}
	out = append(out, e.tr(msg.New("cli.handover_restart")))
	return e.sentences(out...)
}
