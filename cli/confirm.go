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
	"tokentray/internal/msg"
)

// yesFlag adds --yes, which answers yes to the question a command asks
// on a terminal before it changes what bots use.
func yesFlag(fs *pflag.FlagSet, p *bool) {
	boolFlag(fs, p, "yes", "do not ask for confirmation on a terminal")
}

// declined is the error of a question answered no: nothing was done.
func declined(m msg.Message) error {
	return &exitError{code: ExitError, err: &msg.Error{Msg: m}}
}

// goneQuestion is the question remove and logout ask: what stops
// working, and how long the token would still have lasted.
func (e *env) goneQuestion(c auth.Credential, logout bool) (string, error) {
	svc, err := e.svc()
	if err != nil {
		return "", err
	}
	handoffs, err := svc.Handoffs(e.ctx, c.Name)
	if err != nil {
		return "", err
	}
	parts := []msg.Message{msg.New("cli.gone_breaks", "Name", c.Name, "What", e.stopsWorking(c, handoffs))}
	if logout {
		parts[0] = msg.New("cli.logout_breaks", "Name", c.Name, "What", e.stopsWorking(c, handoffs))
	}
	if c.Kind == auth.KindFutuOAuth {
		parts = append(parts, msg.New("cli.gone_futu_revokes"))
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
		parts = append(parts, msg.New("cli.gone_pushed_deleted", "Targets", pushed))
	}
	if d := daysLeft(c, e.Clock.Now()); !d.IsZero() {
		parts = append(parts, d)
	}
	var q msg.Message
	for _, p := range parts {
		q = msg.Join(q, p)
	}
	ask := msg.New("cli.ask_remove", "Name", c.Name)
	if logout {
		ask = msg.New("cli.ask_logout", "Name", c.Name)
	}
	return e.tr(msg.New("cli.question", "Sentence", q, "Ask", ask)), nil
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
	prompt := question + " " + e.tr(msg.New("cli.yes_no")) + " "
	if e.IsTerminal(e.Stderr) {
		// Wrapped as say wraps a sentence (never inside a command), its
		// last line left open for the answer.
		lines := strings.Split(strings.TrimRight(e.sayString(e.Stderr, strings.TrimSpace(prompt)), "\n"), "\n")
		fmt.Fprint(e.Stderr, strings.Join(append(lines[:len(lines)-1:len(lines)-1], ""), "\n"))
		prompt = lines[len(lines)-1] + " "
	}
	if e.ReadLine != nil {
		// Typed on the terminal: Ctrl-C stops the command at once, Ctrl-D
		// answers no.
		line, err = e.ReadLine(prompt)
		if errors.Is(err, ErrInterrupted) {
			return false, &exitError{code: ExitInterrupted, err: msg.Errorf("cli.cancelled_nothing_changed")}
		}
	} else {
		fmt.Fprint(e.Stderr, prompt)
		line, err = bufio.NewReader(e.Stdin).ReadString('\n')
		if errors.Is(err, io.EOF) && line == "" {
			fmt.Fprintln(e.Stderr)
		}
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return false, err
	}
	switch strings.ToLower(strings.TrimSpace(line)) {
	case "y", "yes", "是", "好", "確定", "确定":
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
		parts = append(parts, e.tr(msg.New("cli.bots_reading", "What", h.String())))
	}
	parts = append(parts, e.tr(msg.New("cli.scripts_for", "Name", c.Name)))
	return e.lang.List(parts)
}

// daysLeft says how long c's token would still have worked ("" when
// not known or already expired).
func daysLeft(c auth.Credential, now time.Time) msg.Message {
	exp := c.Health.ExpiresAt
	if exp.IsZero() {
		exp = c.ExpiresAt
	}
	if exp.IsZero() || !exp.After(now) {
		return msg.Message{}
	}
	d := exp.Sub(now)
	if d < 48*time.Hour {
		return msg.New("cli.valid_for_another", "Left", d)
	}
	return msg.New("cli.days_left", "Count", int(d/(24*time.Hour)))
}

// askGone asks, on a terminal, whether to go on with what makes cred's
// token stop working (doing: "Removing"; ask: "Remove NAME?"), naming
// what stops working; false when the person says no.
func (e *env) askGone(cred auth.Credential, logout bool) (bool, error) {
	q, err := e.goneQuestion(cred, logout)
	if err != nil {
		return false, err
	}
	return e.confirm(false, q)
}
