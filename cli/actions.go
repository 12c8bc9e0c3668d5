package cli

import (
	"strings"

	"tokentray/auth"
	"tokentray/internal/msg"
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

// withNext ends s with the command to run next, when there is one.
func (e *env) withNext(s, command string) string {
	if command == "" {
		return s
	}
	s = trimEnd(s)
	if s == "" {
		return e.tr(msg.New("cli.next_alone", "Command", command))
	}
	return e.tr(msg.New("cli.next", "Sentence", s, "Command", command))
}

// health is h as one line in the person's language, with the command of
// its next action.
func (e *env) health(h auth.Health) string {
	return e.withNext(e.healthLine(h), e.command(h.Next))
}

// healthLine is h as "State: reason" ("State" alone with no reason).
func (e *env) healthLine(h auth.Health) string {
	why := e.explain(h)
	if why == "" {
		return e.tr(h.State.Message())
	}
	return e.tr(msg.New("cli.health", "State", h.State.Message(), "Reason", why))
}

// explain is h's reason on one line in the person's language.
func (e *env) explain(h auth.Health) string { return oneLine(h.Explain(e.lang)) }

// CommandLine is the command line that does a in the normal or the
// sandbox profile; "" when a is nothing to do. The notify command's
// events carry it.
func CommandLine(a auth.Action, sandbox bool) string {
	return (&env{sandbox: sandbox}).command(a)
}

// kindTitle names a kind of credential in a few words ("Futu API key").
func (e *env) kindTitle(k auth.Kind) string {
	switch k {
	case auth.KindFutuOAuth:
		return e.tr(msg.New("cli.kind_futu_oauth"))
	case auth.KindFutuKey:
		return e.tr(msg.New("cli.kind_futu_key"))
	case auth.KindWebull:
		return e.tr(msg.New("cli.kind_webull"))
	}
	return string(k)
}

// sentences puts sentences one after another: a space between them in
// English, none in Chinese.
func (e *env) sentences(ss ...string) string {
	if e.lang == msg.English {
		return strings.Join(ss, " ")
	}
	return strings.Join(ss, "")
}
