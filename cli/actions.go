package cli

import (
	"strings"

	"tokentray/auth"
)

// verbs maps each next action to the command that does it.
var verbs = map[auth.ActionKind]string{
	auth.ActionLogin:  "login",
	auth.ActionVerify: "login",
	auth.ActionExtend: "extend",
	auth.ActionUpdate: "update",
	auth.ActionRetry:  "refresh",
	auth.ActionShare:  "share",
}

// cmdLine is a tokentray command line as the user would type it, in the
// profile in use: copied from the sandbox profile it stays there.
func (e *env) cmdLine(args ...string) string {
	parts := []string{"tokentray"}
	if e.sandbox {
		parts = append(parts, "--sandbox")
	}
	return strings.Join(append(parts, args...), " ")
}

// command is the command line that does a ("" for none).
func (e *env) command(a auth.Action) string {
	verb, ok := verbs[a.Kind]
	if !ok || a.Credential == "" {
		return ""
	}
	return e.cmdLine(verb, a.Credential)
}

// withNext ends msg with the command to run next, when there is one.
func withNext(msg, command string) string {
	if command == "" {
		return msg
	}
	msg = strings.TrimRight(msg, ". ")
	if msg == "" {
		return "Next: " + command
	}
	return msg + ". Next: " + command
}

// health is h as one line, with the command of its next action.
func (e *env) health(h auth.Health) string {
	return withNext(h.String(), e.command(h.Next))
}

// CommandLine is the command line that does a in the normal or the
// sandbox profile; "" when a is nothing to do. The notify command's
// events carry it.
func CommandLine(a auth.Action, sandbox bool) string {
	return (&env{sandbox: sandbox}).command(a)
}
