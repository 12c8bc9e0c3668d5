package targets

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Payload is what one push delivers: one file, and what a command is
// told about it.
type Payload struct {
	// Credential is the name of the credential it comes from.
	Credential string
	// Name is the file's name: token.txt, a Futu client ID, NAME.env.
	Name string
	// Content is the file.
	Content []byte
	// ExpiresAt is when the token in it expires (zero: unknown).
	ExpiresAt time.Time
	// Secrets are the values in Content that no message may show (the
	// token, an app secret): text that holds one is withheld whole.
	Secrets []string
}

// Environment variables an exec target's command gets, and the one that
// replaces plain ssh.
const (
	EnvCredential = "TOKENTRAY_CREDENTIAL"
	EnvFile       = "TOKENTRAY_FILE"
	EnvExpiresAt  = "TOKENTRAY_EXPIRES_AT"
	// EnvSSHCommand, like git's GIT_SSH_COMMAND, is run through sh
	// instead of ssh ("ssh -F FILE -J jumphost"); the arguments tokentray
	// adds follow it, each passed as one word.
	EnvSSHCommand = "TOKENTRAY_SSH_COMMAND"
)

// DefaultTimeout bounds one push or removal.
const DefaultTimeout = 60 * time.Second

// connectTimeout is ssh's ConnectTimeout, in seconds: a host that does
// not answer fails well before the push's own time runs out.
const connectTimeout = 20

// Runner pushes payloads to targets. The zero Runner runs ssh from PATH
// with this process's environment.
type Runner struct {
	// SSHCommand replaces ssh (EnvSSHCommand); "" runs ssh from PATH.
	SSHCommand string
	// Env is the environment of ssh and of commands; nil means this
	// process's.
	Env []string
	// timeout bounds one push or removal; 0 means DefaultTimeout (only
	// the package's tests shorten it, export_test.go).
	timeout time.Duration
}

// RunnerFromEnv is the Runner this process's environment asks for.
func RunnerFromEnv() Runner { return Runner{SSHCommand: os.Getenv(EnvSSHCommand)} }

// env is the environment of ssh and of commands: the Runner's or this
// process's, without what locates the file keychain's key.
func (r Runner) env() []string {
	if r.Env != nil {
		return withoutKeyLocation(r.Env)
	}
	return withoutKeyLocation(os.Environ())
}

// withoutKeyLocation is env without the variables that say where the
// file keychain's key is (a systemd credential's folder, a key file).
func withoutKeyLocation(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "CREDENTIALS_DIRECTORY" || k == "TOKENTRAY_KEY_FILE" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func (r Runner) bound() time.Duration {
	if r.timeout > 0 {
		return r.timeout
	}
	return DefaultTimeout
}

// Removal is what removing a target's file found.
type Removal int

const (
	// Removed: the file held what tokentray pushes, and is gone.
	Removed Removal = iota
	// Absent: there was no file to remove.
	Absent
	// Kept: the file holds something else now (a bot or a person wrote
	// it), so it was left as it is.
	Kept
	// NotKnown: the target is a command; what it did with the file is
	// its own business.
	NotKnown
)

// checkPayload refuses a file name that is not one plain name.
func checkPayload(p Payload) error {
	n := p.Name
	if n == "" || n == "." || n == ".." || strings.HasPrefix(n, "-") || strings.ContainsAny(n, "/\\") || strings.IndexFunc(n, isControl) >= 0 {
		return msg.Errorf("targets.bad_file_name", "Name", auth.ShownInput(n))
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// Push delivers p to t: over ssh, written to a temporary name beside the
// file, mode 0600, then renamed over it; or on the standard input of t's
// command. The file is never on a command line.
func (r Runner) Push(ctx context.Context, t Target, p Payload) error {
	if err := checkPayload(p); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, r.bound())
	defer cancel()
	switch t.Kind {
	case SSH:
		out, err := r.ssh(ctx, t, pushScript, []string{t.Dir, p.Name, strconv.Itoa(len(p.Content))}, p)
		if err != nil {
			return err
		}
		if !strings.Contains(out, "tokentray-pushed") {
			return msg.Errorf("targets.not_confirmed", "Host", t.where(), "File", remoteFile(t, p))
		}
		return nil
	case Exec:
		return r.exec(ctx, t, p)
	}
	return msg.Errorf("targets.unknown_kind", "Kind", strconv.Quote(string(t.Kind)))
}

// Remove deletes the file Push wrote for p on t when it still holds p's
// content; a file that holds anything else is kept. A command target's
// file is its own business (NotKnown).
func (r Runner) Remove(ctx context.Context, t Target, p Payload) (Removal, error) {
	if err := checkPayload(p); err != nil {
		return Kept, err
	}
	if t.Kind != SSH {
		return NotKnown, nil
	}
	ctx, cancel := context.WithTimeout(ctx, r.bound())
	defer cancel()
	out, err := r.ssh(ctx, t, removeScript, []string{t.Dir, p.Name}, p)
	switch {
	case err != nil:
		return Kept, err
	case strings.Contains(out, "tokentray-removed"):
		return Removed, nil
	case strings.Contains(out, "tokentray-absent"):
		return Absent, nil
	case strings.Contains(out, "tokentray-kept"):
		return Kept, nil
	}
	return Kept, msg.Errorf("targets.removal_unknown", "Host", t.where(), "File", remoteFile(t, p))
}

func remoteFile(t Target, p Payload) msg.Message {
	if t.Dir == "." {
		return msg.New("targets.file_in_home", "Name", p.Name)
	}
	return msg.Plain(strings.TrimSuffix(t.Dir, "/") + "/" + p.Name)
}

// The scripts run by the remote account's shell as sh -c SCRIPT with the
// folder, the file's name (and its size) as arguments. They are one line
// because the remote shell may not be a POSIX one (csh, fish), and they
// use only POSIX tools. Exit codes 91 to 97 name what refused the write.
const (
	pushScript = `umask 077; d=$1; f=$2; ` +
		`if [ ! -e "$d" ] && [ ! -L "$d" ]; then mkdir -p -- "$d" || exit 91; fi; ` +
		`[ -d "$d" ] || exit 92; cd -- "$d" || exit 91; [ -O . ] || exit 93; ` +
		`case $(ls -ld .) in ?????w*|????????w*) exit 94;; esac; ` +
		`[ -d "$f" ] && exit 95; t=".$f.tokentray-$$"; trap 'rm -f -- "$t"' EXIT; ` +
		`cat > "$t" || exit 96; n=$(wc -c < "$t"); [ $((n)) -eq "$3" ] || exit 97; ` +
		`chmod 600 -- "$t" || exit 96; mv -f -- "$t" "$f" || exit 96; trap - EXIT; echo tokentray-pushed`
	removeScript = `d=$1; f=$2; ` +
		`if ! cd -- "$d" 2>/dev/null || [ ! -f "$f" ]; then cat > /dev/null; echo tokentray-absent; exit 0; fi; ` +
		`if cmp -s - "$f"; then rm -f -- "$f" || exit 96; echo tokentray-removed; else cat > /dev/null; echo tokentray-kept; fi`
)

// shellQuote quotes s as one word for a POSIX shell: in single quotes,
// each single quote written as quote, backslash, quote, quote (csh and
// fish read that the same way).
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// sshArgs are ssh's arguments for running script on t. BatchMode makes
// ssh fail rather than ask for a password or accept an unknown host key;
// the host-key policy otherwise stays the person's (their ssh config).
func sshArgs(t Target, script string, args []string) []string {
	remote := "sh -c " + shellQuote(script) + " tokentray"
	for _, a := range args {
		remote += " " + shellQuote(a)
	}
	a := []string{
		"-o", "BatchMode=yes",
		"-o", "ClearAllForwardings=yes",
		"-o", "ForwardAgent=no",
		"-o", "ForwardX11=no",
		"-o", "PermitLocalCommand=no",
		"-o", "ConnectTimeout=" + strconv.Itoa(connectTimeout),
		"-T",
	}
	if t.Port != 0 {
		a = append(a, "-p", strconv.Itoa(t.Port))
	}
	if t.User != "" {
		a = append(a, "-l", t.User)
	}
	return append(a, "--", t.Host, remote)
}

// sshCmd builds the ssh process: ssh from PATH, or SSHCommand through sh
// with tokentray's arguments after it as "$@".
func (r Runner) sshCmd(ctx context.Context, args []string) (*exec.Cmd, error) {
	if strings.TrimSpace(r.SSHCommand) == "" {
		path, err := exec.LookPath("ssh")
		if err != nil {
			return nil, msg.Errorf("targets.no_ssh", "Var", EnvSSHCommand)
		}
		return exec.CommandContext(ctx, path, args...), nil
	}
	if err := checkProgram(ctx, r.SSHCommand, r.env()); err != nil {
		return nil, msg.Wrap(err, "targets.ssh_command_bad", "Var", EnvSSHCommand, "Err", err)
	}
	return exec.CommandContext(ctx, "sh", append([]string{"-c", r.SSHCommand + ` "$@"`, r.SSHCommand}, args...)...), nil
}

func (r Runner) ssh(ctx context.Context, t Target, script string, args []string, p Payload) (string, error) {
	if t.Kind != SSH {
		return "", msg.Errorf("targets.not_ssh", "Target", t.Described())
	}
	if err := checkHost(t.Host); err != nil {
		return "", msg.Errorf("targets.ssh_target_bad", "Target", auth.ShownInput(t.String()), "Err", err)
	}
	if err := checkUser(t.User); err != nil {
		return "", msg.Errorf("targets.ssh_target_bad", "Target", auth.ShownInput(t.String()), "Err", err)
	}
	cmd, err := r.sshCmd(ctx, sshArgs(t, script, args))
	if err != nil {
		return "", err
	}
	var stdout, stderr capped
	cmd.Stdin = bytes.NewReader(p.Content)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.Env = r.env()
	ownGroup(cmd)
	err = run(cmd)
	if err == nil {
		return stdout.String(), nil
	}
	if ctx.Err() != nil {
		return "", stopped(ctx, msg.Plain(t.where()), r.bound())
	}
	line := safeLine(firstLine(stderr.String()), p)
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return "", msg.Errorf("targets.ssh_unstartable", "Err", err)
	}
	file := remoteFile(t, p)
	dir := msg.Plain(t.Dir)
	if t.Dir == "." {
		dir = msg.New("targets.home_folder")
	}
	host := t.where()
	switch ee.ExitCode() {
	case 255:
		return "", sshFailure(t, stderr.String(), line)
	case 91:
		return "", msg.Errorf("targets.folder_unmakeable", "Dir", dir, "Host", host, "Line", orNothing(line))
	case 92:
		return "", msg.Errorf("targets.not_folder", "Dir", dir, "Host", host)
	case 93:
		return "", msg.Errorf("targets.other_owner", "Dir", dir, "Host", host)
	case 94:
		return "", msg.Errorf("targets.others_write", "Dir", dir, "Host", host)
	case 95:
		return "", msg.Errorf("targets.file_is_folder", "File", file, "Host", host)
	case 96:
		return "", msg.Errorf("targets.unwritable", "File", file, "Host", host, "Line", orNothing(line))
	case 97:
		return "", msg.Errorf("targets.cut_short", "Host", host, "File", file)
	}
	return "", msg.Errorf("targets.ssh_status", "Host", host, "Status", ee.ExitCode(), "Line", orNothing(line))
}

// CheckSSH asks ssh how it would reach t (ssh -G: the configuration it
// resolves, without connecting), so a missing ssh, a TOKENTRAY_SSH_COMMAND
// naming no program or an ssh config ssh cannot read is refused when the
// target is given rather than at its first push.
func (r Runner) CheckSSH(ctx context.Context, t Target) error {
	if t.Kind != SSH {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	args := []string{"-G"}
	if t.Port != 0 {
		args = append(args, "-p", strconv.Itoa(t.Port))
	}
	if t.User != "" {
		args = append(args, "-l", t.User)
	}
	cmd, err := r.sshCmd(ctx, append(args, "--", t.Host))
	if err != nil {
		return err
	}
	var stderr capped
	cmd.Stdout, cmd.Stderr = &capped{}, &stderr
	cmd.Env = r.env()
	ownGroup(cmd)
	if err := run(cmd); err != nil {
		if ctx.Err() != nil {
			return msg.Errorf("targets.check_slow", "Host", t.where())
		}
		return msg.Errorf("targets.ssh_config", "Line", orNothing(firstLine(stderr.String())))
	}
	return nil
}

// sshFailure says why ssh itself failed (status 255), from what it printed.
func sshFailure(t Target, stderr, line string) error {
	s := strings.ToLower(stderr)
	host := t.where()
	switch {
	case strings.Contains(s, "host key verification failed"), strings.Contains(s, "identification has changed"):
		return msg.Errorf("targets.host_key", "Host", host)
	case strings.Contains(s, "permission denied"):
		return msg.Errorf("targets.login_refused", "Host", host)
	case strings.Contains(s, "connection refused"):
		return msg.Errorf("targets.ssh_refused", "Host", host)
	case strings.Contains(s, "could not resolve hostname"), strings.Contains(s, "name or service not known"), strings.Contains(s, "nodename nor servname"):
		return msg.Errorf("targets.host_unknown", "Host", t.Host)
	case strings.Contains(s, "timed out"):
		return msg.Errorf("targets.ssh_timeout", "Host", host)
	case strings.Contains(s, "no route to host"), strings.Contains(s, "network is unreachable"):
		return msg.Errorf("targets.no_route", "Host", host)
	case strings.Contains(s, "bad configuration option"), strings.Contains(s, "config file"), strings.Contains(s, "configuration option"), strings.Contains(s, ": line "), strings.Contains(s, "bad owner or permissions"):
		return msg.Errorf("targets.ssh_config", "Line", orNothing(line))
	case strings.Contains(s, "connection closed"), strings.Contains(s, "connection reset"), strings.Contains(s, "broken pipe"):
		return msg.Errorf("targets.ssh_closed", "Host", host, "Line", orNothing(line))
	}
	return msg.Errorf("targets.ssh_failed", "Host", host, "Line", orNothing(line))
}

func stopped(ctx context.Context, what msg.Message, limit time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return msg.Errorf("targets.too_slow", "What", what, "Limit", limit.String())
	}
	return msg.Errorf("targets.push_stopped", "What", what)
}

// exec runs the target's command through sh -c with the file on its
// standard input and what it needs to know in its environment.
func (r Runner) exec(ctx context.Context, t Target, p Payload) error {
	if _, err := exec.LookPath("sh"); err != nil {
		return msg.Errorf("targets.no_sh")
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", t.Command)
	var stderr capped
	cmd.Stdin = bytes.NewReader(p.Content)
	cmd.Stdout = &capped{} // what it prints is its own; kept out of the way
	cmd.Stderr = &stderr
	cmd.Env = CommandEnv(r.env(), p)
	ownGroup(cmd)
	err := run(cmd)
	if err == nil {
		return nil
	}
	if ctx.Err() != nil {
		return stopped(ctx, msg.New("targets.the_command_plain"), r.bound())
	}
	line := safeLine(firstLine(stderr.String()), p)
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		return msg.Errorf("targets.command_unstartable", "Err", err)
	}
	switch code := ee.ExitCode(); code {
	case -1:
		return msg.Errorf("targets.command_signal", "State", ee.ProcessState.String())
	case 126, 127:
		return msg.Errorf("targets.sh_cannot_run", "Status", code, "Line", orNothing(line))
	default:
		return msg.Errorf("targets.command_status", "Status", code, "Line", orNothing(line))
	}
}

// CommandEnv is env with the variables a command target gets in place of
// any of the same name: the credential's name, the file's name and the
// token's expiry (RFC 3339, empty when unknown). Never the file itself,
// nor what locates the file keychain's key.
func CommandEnv(env []string, p Payload) []string {
	out := withoutKeyLocation(env)
	out = slices.DeleteFunc(out, func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == EnvCredential || k == EnvFile || k == EnvExpiresAt
	})
	exp := ""
	if !p.ExpiresAt.IsZero() {
		exp = p.ExpiresAt.UTC().Format(time.RFC3339)
	}
	return append(out, EnvCredential+"="+p.Credential, EnvFile+"="+p.Name, EnvExpiresAt+"="+exp)
}

// CheckCommand refuses a command line whose program is not found (by sh,
// so builtins count); a command line starting with something other than
// a plain word (a variable, a subshell) is taken as it is.
func CheckCommand(ctx context.Context, cmdline string, env []string) error {
	if _, err := exec.LookPath("sh"); err != nil {
		return msg.Errorf("targets.no_sh")
	}
	if env == nil {
		env = os.Environ()
	}
	return checkProgram(ctx, cmdline, env)
}

func checkProgram(ctx context.Context, cmdline string, env []string) error {
	f := strings.Fields(cmdline)
	if len(f) == 0 {
		return msg.Errorf("targets.no_program_named")
	}
	word := f[0]
	if strings.ContainsAny(word, "$`\"'(){}[]*?;&|<>=~\\!#") {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", `command -v -- "$1" >/dev/null 2>&1`, "sh", word)
	cmd.Env = env
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return msg.Errorf("targets.no_program", "Program", auth.ShownInput(word))
		}
		return msg.Errorf("targets.cannot_look", "Program", auth.ShownInput(word), "Err", err)
	}
	return nil
}

// capped keeps the first 8 KiB written to it and drops the rest, so a
// chatty process cannot fill memory.
type capped struct{ b bytes.Buffer }

const capBytes = 8 << 10

func (c *capped) Write(p []byte) (int, error) {
	if room := capBytes - c.b.Len(); room > 0 {
		if len(p) > room {
			c.b.Write(p[:room])
		} else {
			c.b.Write(p)
		}
	}
	return len(p), nil
}

func (c *capped) String() string { return c.b.String() }

// firstLine is the first line of what a process printed that says
// something: ssh's warnings about known hosts are skipped.
func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(strings.Map(func(r rune) rune {
			if isControl(r) {
				return -1
			}
			return r
		}, l))
		if l == "" || strings.HasPrefix(l, "Warning: Permanently added") || strings.HasPrefix(l, "**") {
			continue
		}
		if len(l) > 300 {
			l = l[:300] + "…"
		}
		return l
	}
	return ""
}

// safeLine withholds a line that shows any of the payload's secrets, or
// any line of its content.
func safeLine(l string, p Payload) string {
	secrets := append([]string(nil), p.Secrets...)
	for _, cl := range strings.Split(string(p.Content), "\n") {
		if cl = strings.TrimSpace(cl); len(cl) >= 8 {
			secrets = append(secrets, cl)
		}
	}
	if auth.Exposes(l, secrets...) {
		return "(" + auth.Withheld + ")"
	}
	return l
}

func orNothing(l string) msg.Message {
	if l == "" {
		return msg.New("targets.no_reason")
	}
	return msg.Plain(l)
}
