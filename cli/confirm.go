package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"tokentray/auth"
	"tokentray/auth/targets"
)

// yesFlag adds --yes, which answers yes to the question a command asks
// on a terminal before it changes what bots use.
func yesFlag(fs *pflag.FlagSet, p *bool) {
	boolFlag(fs, p, "yes", "do not ask for confirmation on a terminal")
}

// declined is the error of a question answered no: nothing was done.
func declined(format string, a ...any) error {
	return &exitError{code: ExitError, err: fmt.Errorf(format, a...)}
}

// goneQuestion is the question remove and logout ask: what stops
// working, and how long the token would still have lasted.
func (e *env) goneQuestion(c auth.Credential, doing, ask string) (string, error) {
	svc, err := e.svc()
	if err != nil {
		return "", err
	}
	handoffs, err := svc.Handoffs(e.ctx, c.Name)
	if err != nil {
		return "", err
	}
	q := doing + " " + c.Name + " breaks what uses its token: " + e.stopsWorking(c, handoffs)
	if c.Kind == auth.KindFutuOAuth {
		q += "; Futu is asked to revoke its tokens, so a bot still holding one stops too"
	}
	var pushed []string
	if _, sh, err := svc.Shared(e.ctx, c.Name); err == nil {
		for _, t := range sh.Targets {
			if t.Kind == targets.SSH {
				pushed = append(pushed, t.Describe())
			}
		}
	}
	if len(pushed) > 0 {
		q += "; the file pushed to " + joinAnd(pushed) + " is deleted there while it still holds what tokentray pushed"
	}
	if d := daysLeft(c, e.Clock.Now()); d != "" {
		q += "; " + d
	}
	return q + ". " + ask, nil
}

// confirm asks question on a terminal and reports whether the answer was
// yes. Without a terminal (a script, a pipe) or with yes set it asks
// nothing and goes ahead, as a command always did there.
func (e *env) confirm(yes bool, question string) (bool, error) {
	if yes || !e.IsTerminal(e.Stdin) {
		return true, nil
	}
	var line string
	var err error
	if e.ReadLine != nil {
		// Typed on the terminal: Ctrl-C stops the command at once, Ctrl-D
		// answers no.
		line, err = e.ReadLine(question + " [y/N] ")
		if errors.Is(err, ErrInterrupted) {
			return false, &exitError{code: ExitInterrupted, err: errors.New("cancelled: nothing was changed")}
		}
	} else {
		fmt.Fprint(e.Stderr, question+" [y/N] ")
		line, err = bufio.NewReader(e.Stdin).ReadString('\n')
		if errors.Is(err, io.EOF) && line == "" {
			fmt.Fprintln(e.Stderr)
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes":
		return true, nil
	}
	return false, nil
}

// stopsWorking lists, for a question, what stops getting c's token
// when tokentray stops keeping it: the files and targets that hold it,
// and the commands scripts run for it.
func (e *env) stopsWorking(c auth.Credential, handoffs []auth.Handoff) string {
	var parts []string
	for _, h := range handoffs {
		parts = append(parts, "bots reading "+h.String())
	}
	parts = append(parts, fmt.Sprintf("scripts that run tokentray token, env or exec for %s", c.Name))
	return joinAnd(parts)
}

// daysLeft says how long c's token would still have worked ("" when
// not known or already expired).
func daysLeft(c auth.Credential, now time.Time) string {
	exp := c.Health.ExpiresAt
	if exp.IsZero() {
		exp = c.ExpiresAt
	}
	if exp.IsZero() || !exp.After(now) {
		return ""
	}
	d := exp.Sub(now)
	if d < 48*time.Hour {
		return "its token is valid for another " + auth.Approx(d)
	}
	return fmt.Sprintf("its token has %d days left", int(d/(24*time.Hour)))
}

// joinAnd joins parts as a list in a sentence: "a, b and c".
func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// askGone asks, on a terminal, whether to go on with what makes cred's
// token stop working (doing: "Removing"; ask: "Remove NAME?"), naming
// what stops working; false when the person says no.
func (e *env) askGone(cred auth.Credential, doing, ask string) (bool, error) {
	q, err := e.goneQuestion(cred, doing, ask)
	if err != nil {
		return false, err
	}
	return e.confirm(false, q)
}
