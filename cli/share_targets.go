package cli

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
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
		return usagef("share takes one of --ssh, --exec, --list and --push at a time; run: tokentray help share")
	case dir != "":
		return usagef("--dir is the folder on this computer; give it on its own, apart from --ssh, --exec, --list and --push")
	case off && (f.list || f.push):
		return usagef("--off goes with --ssh or --exec: the target to stop pushing to")
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
			return usagef("%s has no share targets to push to; add one with: %s", name, e.cmdLine("share", name, "--ssh", "HOST:DIR"))
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
		return usagef("%s", err)
	}
	if off {
		res, err := svc.RemoveTarget(ctx, name, t)
		if err != nil {
			return err
		}
		what := name + " no longer pushes to " + res.Target.Describe()
		switch {
		case res.Removal == targets.NotKnown:
			fmt.Fprintf(e.Stdout, "%s; what the command did with the file is left as it is.\n", what)
		case res.Problem != "":
			fmt.Fprintf(e.Stdout, "%s; the file there could not be looked at, so it is left as it is: %s.\n", what, strings.TrimSuffix(res.Problem, "."))
		case res.Removal == targets.Removed:
			fmt.Fprintf(e.Stdout, "%s; the file it wrote there was deleted.\n", what)
		case res.Removal == targets.Absent:
			fmt.Fprintf(e.Stdout, "%s; there was no file there to delete.\n", what)
		default:
			fmt.Fprintf(e.Stdout, "%s; the file there is left as it is because it no longer holds what tokentray wrote.\n", what)
		}
		return nil
	}
	if err := svc.AddTarget(ctx, name, t); err != nil {
		var ue *auth.UserError
		if errors.As(err, &ue) && ue.Action.IsZero() {
			return usagef("%s; nothing was changed", strings.TrimSuffix(ue.Msg, "."))
		}
		return err
	}
	res, err := svc.Push(ctx, name, service.Only(t))
	if err != nil {
		return err
	}
	if res.Nothing != nil {
		var ue *auth.UserError
		msg := res.Nothing.Error()
		next := ""
		if errors.As(res.Nothing, &ue) {
			msg, next = ue.Msg, e.command(ue.Action)
		}
		fmt.Fprintln(e.Stdout, e.withNext(fmt.Sprintf("%s now pushes to %s, but has nothing to push yet: %s; the agent pushes once it has", name, t.Describe(), strings.TrimSuffix(msg, ".")), next))
		return nil
	}
	for _, p := range res.Targets {
		if !p.Target.Same(t) {
			continue
		}
		if p.Err != nil {
			return &exitError{code: ExitError, err: fmt.Errorf("%s now pushes to %s, but the first push failed: %v; the agent tries again, backing off (%s shows how it goes)", name, t.Describe(), strings.TrimSuffix(p.Err.Error(), "."), e.cmdLine("share", name, "--list"))}
		}
	}
	fmt.Fprintf(e.Stdout, "%s now pushes to %s: pushed. While tokentray runs it pushes again after every renewal and at least every %s.\n", name, t.Describe(), fmtEvery(svc.ShareEvery()))
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
		var ue *auth.UserError
		msg, next := res.Nothing.Error(), ""
		if errors.As(res.Nothing, &ue) {
			msg, next = ue.Msg, e.command(ue.Action)
		}
		return &exitError{code: ExitError, err: errors.New(e.withNext(fmt.Sprintf("nothing was pushed for %s: %s", res.Credential, strings.TrimSuffix(msg, ".")), next))}
	}
	for _, p := range res.Targets {
		if p.Err != nil {
			fmt.Fprintf(e.Stdout, "%s: failed: %s\n", p.Target.Describe(), oneLine(p.Err.Error()))
		} else {
			fmt.Fprintf(e.Stdout, "%s: pushed\n", p.Target.Describe())
		}
	}
	if note := e.oldTokenNote(res.TokenChangedAt); note != "" {
		fmt.Fprintln(e.Stdout, upper(note)+".")
	}
	if n := res.Failed(); n > 0 {
		return &exitError{code: ExitError, err: fmt.Errorf("%d of %d share targets of %s failed", n, len(res.Targets), res.Credential)}
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
		where := "the Futu SDK's token file on this computer"
		if c.Kind == auth.KindWebull && c.SDKTokenDir != "" {
			where = c.SDKTokenDir + " on this computer"
		}
		fmt.Fprintf(e.Stdout, "%s is shared with %s.\n", name, where)
	}
	if len(sh.Targets) == 0 {
		fmt.Fprintf(e.Stdout, "%s has no share targets; add one with: %s\n", name, e.cmdLine("share", name, "--ssh", "HOST:DIR"))
		return nil
	}
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tLAST PUSH\tRESULT\tNEXT ATTEMPT")
	for _, t := range sh.Targets {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.String(), clock(t.State.LastAttempt), result(t.State), clock(t.State.NextAttempt))
	}
	_ = tw.Flush()
	if width := e.width(e.Stdout); fits(table.String(), width) {
		fmt.Fprint(e.Stdout, table.String())
	} else {
		// Too wide for the terminal (a long command, a failure's
		// sentence): each target whole on its own line, as --ssh or
		// --exec takes it back for --off, and its state under it.
		for _, t := range sh.Targets {
			fmt.Fprintln(e.Stdout, t.String())
			state := fmt.Sprintf("last push %s: %s; next attempt %s", clock(t.State.LastAttempt), result(t.State), clock(t.State.NextAttempt))
			for _, l := range wrap(state, width-4) {
				fmt.Fprintln(e.Stdout, "    "+l)
			}
		}
	}
	if note := e.oldTokenNote(sh.TokenChangedAt); note != "" {
		fmt.Fprintf(e.Stdout, "The token changed at %s: %s.\n", sh.TokenChangedAt.Local().Format("2006-01-02 15:04"), note)
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
func result(s targets.State) string {
	switch {
	case !s.Pushed():
		return "not pushed yet"
	case s.Failing():
		since := ""
		if s.Failures > 1 {
			since = fmt.Sprintf(" (%d times in a row)", s.Failures)
		}
		return "failed" + since + ": " + oneLine(s.Error)
	}
	return "ok"
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
