package cli

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/auth/targets"
	"tokentray/internal/msg"
)

// shareTargetsHelp is what share's help says about targets.
const shareTargetsHelp = `
Other machines and commands (share targets; as many as you like each):

  --ssh [USER@]HOST:DIR, --ssh ssh://[USER@]HOST[:PORT]/DIR
              the same file is written in DIR on HOST through your own
              OpenSSH client (your ~/.ssh/config, agent, keys and
              known_hosts apply; TOKENTRAY_SSH_COMMAND, like git's
              GIT_SSH_COMMAND, replaces plain ssh, e.g. "ssh -F FILE -J
              jump"). ssh runs in batch mode: it never asks for a password
              and never accepts an unknown host key, so connect once
              yourself first. The file goes over ssh's input, never on a
              command line; it is written to a temporary name and renamed,
              mode 0600; a folder others can write to is refused. DIR
              without a leading / is in the remote home folder.
  --exec CMD  CMD (run by sh -c) gets the file on its standard input, with
              TOKENTRAY_CREDENTIAL, TOKENTRAY_FILE (the file's name) and
              TOKENTRAY_EXPIRES_AT (RFC 3339) in its environment: the way
              to Vault, a Kubernetes Secret or 1Password (the README has
              each recipe).
  --off       with --ssh or --exec: stop pushing there; the file written
              on HOST is deleted while it still holds what tokentray wrote
  --list      every target: its last push, result and next attempt
  --push      push to every target now and report each; exit code 0 only
              when all succeeded

What is pushed: a Webull token's token.txt and a Futu API key's env file
(NAME.env, export lines a bot's start script sources) whole; a Futu OAuth
login's SDK token file with its access token and expiry only, never its
refresh token, so no bot elsewhere can rotate the login away. The access
token lasts 2 hours: the remote bot gets a new one only while tokentray
(or a server agent) runs and pushes it. The agent pushes after every
renewal, login, verification and extend, and at least every share-every
(tokentray config share-every; 1h by default), so a deleted or replaced
file comes back; a failing target is retried sooner, backing off, and
shows in status, the tray and the window. The Webull SDKs read token.txt
once, when a bot starts: after a renewal that gives a new token, bots
started before it keep the old one until they are restarted.`

// shareTargetFlags are share's flags for targets.
type shareTargetFlags struct {
	ssh, exec  string
	list, push bool
}

func (f shareTargetFlags) any() bool { return f.ssh != "" || f.exec != "" || f.list || f.push }

// runShareTargets does share's --ssh, --exec, --list and --push.
func runShareTargets(e *env, name string, f shareTargetFlags, dir string, off bool) error {
	n := 0
	for _, set := range []bool{f.ssh != "", f.exec != "", f.list, f.push} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return usage(msg.New("cli.share_one_at_a_time"))
	case dir != "":
		return usage(msg.New("cli.share_dir_alone"))
	case off && (f.list || f.push):
		return usage(msg.New("cli.share_off_with"))
	}
	svc, err := e.svc()
	if err != nil {
		return err
	}
	if _, err := svc.Get(e.ctx, name); err != nil {
		return err
	}
	if f.list {
		return listTargets(e, svc, name)
	}
	ctx, stop := interruptible(e.ctx)
	defer stop()
	if f.push {
		_, sh, err := svc.Shared(e.ctx, name)
		if err != nil {
			return err
		}
		if len(sh.Targets) == 0 {
			return usage(msg.New("cli.share_no_targets_push", "Name", name, "Command", e.cmdLine("share", name, "--ssh", "HOST:DIR")))
		}
		res, err := svc.Push(ctx, name, nil)
		if err != nil {
			return err
		}
		return reportPush(e, res)
	}
	var t targets.Target
	if f.ssh != "" {
		t, err = targets.ParseSSH(f.ssh)
	} else {
		t, err = targets.ParseExec(f.exec)
	}
	if err != nil {
		return usageOf(err)
	}
	if off {
		res, err := svc.RemoveTarget(ctx, name, t)
		if err != nil {
			return err
		}
		what := msg.New("cli.target_off", "Name", name, "Target", res.Target.Describe())
		var then msg.Message
		switch {
		case res.Removal == targets.NotKnown:
			then = msg.New("cli.target_off_command")
		case res.Problem != "":
			then = msg.New("cli.target_off_problem", "Problem", trimEnd(res.Problem))
		case res.Removal == targets.Removed:
			then = msg.New("cli.target_off_deleted")
		case res.Removal == targets.Absent:
			then = msg.New("cli.target_off_absent")
		default:
			then = msg.New("cli.target_off_changed")
		}
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.sentence_end", "Sentence", msg.Join(what, then))))
		return nil
	}
	if err := svc.AddTarget(ctx, name, t); err != nil {
		var ue *auth.UserError
		if errors.As(err, &ue) && ue.Action.IsZero() {
			return usage(msg.New("cli.nothing_changed", "Why", auth.Clause(ue)))
		}
		return err
	}
	res, err := svc.Push(ctx, name, service.Only(t))
	if err != nil {
		return err
	}
	if res.Nothing != nil {
		next := ""
		if a, ok := auth.ActionOf(res.Nothing); ok {
			next = e.command(a)
		}
		fmt.Fprintln(e.Stdout, e.withNext(e.tr(msg.New("cli.target_nothing_yet", "Name", name, "Target", t.Describe(), "Why", auth.Clause(res.Nothing))), next))
		return nil
	}
	for _, p := range res.Targets {
		if !p.Target.Same(t) {
			continue
		}
		if p.Err != nil {
			return &exitError{code: ExitError, err: msg.Wrap(p.Err, "cli.target_first_push_failed", "Name", name, "Target", t.Describe(), "Why", auth.Clause(p.Err), "Command", e.cmdLine("share", name, "--list"))}
		}
	}
	fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.target_pushed", "Name", name, "Target", t.Describe(), "Every", fmtEvery(svc.ShareEvery()))))
	return nil
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func fmtEvery(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", int(d/time.Hour))
	}
	if d%time.Minute == 0 {
		return fmt.Sprintf("%dm", int(d/time.Minute))
	}
	return d.String()
}

// reportPush prints each target's result; it fails when any did.
func reportPush(e *env, res service.PushResult) error {
	if res.Nothing != nil {
		next := ""
		if a, ok := auth.ActionOf(res.Nothing); ok {
			next = e.command(a)
		}
		said := e.withNext(e.tr(msg.New("cli.nothing_pushed", "Name", res.Credential, "Why", auth.Clause(res.Nothing))), next)
		return &exitError{code: ExitError, err: msg.Wrap(res.Nothing, msg.PlainID, "Text", said)}
	}
	for _, p := range res.Targets {
		if p.Err != nil {
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.push_failed", "Target", p.Target.Describe(), "Why", oneLine(e.lang.Err(p.Err)))))
		} else {
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.push_ok", "Target", p.Target.Describe())))
		}
	}
	if note := e.oldTokenNote(res.TokenChangedAt); note != "" {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.sentence_end", "Sentence", msg.Plain(upper(note)))))
	}
	if n := res.Failed(); n > 0 {
		return &exitError{code: ExitError, err: msg.Errorf("cli.push_some_failed", "Failed", n, "Count", len(res.Targets), "Name", res.Credential)}
	}
	return nil
}

// oldTokenNote says which bots keep the old token after it changed.
func (e *env) oldTokenNote(changed time.Time) string {
	if changed.IsZero() {
		return ""
	}
	at := changed.Local().Format("15:04")
	if changed.Local().Format("2006-01-02") != time.Now().Local().Format("2006-01-02") {
		return e.tr(msg.New("cli.old_token_note_day", "At", at, "Day", changed.Local().Format("2006-01-02")))
	}
	return e.tr(msg.New("cli.old_token_note", "At", at))
}

func listTargets(e *env, svc service.Service, name string) error {
	c, sh, err := svc.Shared(e.ctx, name)
	if err != nil {
		return err
	}
	if c.ShareWithSDK {
		if c.Kind == auth.KindWebull && c.SDKTokenDir != "" {
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.shared_in_dir", "Name", name, "Dir", c.SDKTokenDir)))
		} else {
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.shared_with_futu_sdk", "Name", name)))
		}
	}
	if len(sh.Targets) == 0 {
		e.say(e.Stdout, e.tr(msg.New("cli.share_no_targets", "Name", name, "Command", e.cmdLine("share", name, "--ssh", "HOST:DIR"))))
		return nil
	}
	rows := [][]string{{e.tr(msg.New("cli.col_target")), e.tr(msg.New("cli.col_last_push")), e.tr(msg.New("cli.col_result")), e.tr(msg.New("cli.col_next_attempt"))}}
	for _, t := range sh.Targets {
		rows = append(rows, []string{t.String(), clock(t.State.LastAttempt), e.result(t.State), clock(t.State.NextAttempt)})
	}
	table := alignRows(rows)
	if width := e.width(e.Stdout); fits(table, width) {
		fmt.Fprint(e.Stdout, table)
	} else {
		// Too wide for the terminal (a long command, a failure's
		// sentence): each target whole on its own line, as --ssh or
		// --exec takes it back for --off, and its state under it.
		for _, t := range sh.Targets {
			fmt.Fprintln(e.Stdout, t.String())
			state := e.tr(msg.New("cli.target_state", "Last", clock(t.State.LastAttempt), "Result", e.result(t.State), "Next", clock(t.State.NextAttempt)))
			for _, l := range wrap(state, width-4) {
				fmt.Fprintln(e.Stdout, "    "+l)
			}
		}
	}
	if note := e.oldTokenNote(sh.TokenChangedAt); note != "" {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.token_changed_at", "At", sh.TokenChangedAt.Local().Format("2006-01-02 15:04"), "Note", note)))
	}
	return nil
}

func clock(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Local().Format("2006-01-02 15:04")
}

// result is a target's last push in a few words.
func (e *env) result(s targets.State) string {
	switch {
	case !s.Pushed():
		return e.tr(msg.New("cli.result_not_pushed"))
	case s.Failing() && s.Failures > 1:
		return e.tr(msg.New("cli.result_failed_times", "Count", s.Failures, "Error", oneLine(s.Error)))
	case s.Failing():
		return e.tr(msg.New("cli.result_failed", "Error", oneLine(s.Error)))
	}
	return e.tr(msg.New("cli.result_ok"))
}

// reportTargetsOff says, one line each, what became of the files pushed
// to a credential's share targets when it was removed or logged out.
func reportTargetsOff(e *env, offs []service.TargetOff) {
	for _, o := range offs {
		where := o.Target.Describe()
		switch {
		case o.Removal == targets.NotKnown:
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.off_command", "Where", where)))
		case o.Problem != "":
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.off_problem", "Where", where, "Problem", trimEnd(o.Problem))))
		case o.Removal == targets.Removed:
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.off_deleted", "Where", where)))
		case o.Removal == targets.Absent:
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.off_absent", "Where", where)))
		default:
			fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.off_changed", "Where", where)))
		}
	}
}
