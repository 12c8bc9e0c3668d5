// Package targets hands a credential's shared file to other machines and
// programs: over the system's OpenSSH client to a folder on another host,
// or on the standard input of a command (Vault, kubectl, 1Password's op).
// It parses and checks targets, pushes and removes the file, and keeps
// each target's record of pushes with its backoff. A target holds no
// secret: the file travels only on a child process's standard input,
// never on a command line or in an environment.
package targets

import (
	"net"
	"path"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Kind is how a target is reached.
type Kind string

const (
	// SSH: a folder on another host, through the system's OpenSSH client.
	SSH Kind = "ssh"
	// Exec: a command run through sh -c with the file on its standard input.
	Exec Kind = "exec"
)

// Target is one place a credential's file is pushed to. It is stored in
// the settings, so it never holds a secret.
type Target struct {
	Kind Kind `json:"kind"`

	// SSH: who and where. User "" is ssh's own choice (its config, else
	// the local user); Port 0 is ssh's own choice too. Dir is the folder
	// on Host: absolute, or relative to the remote home folder.
	User string `json:"user,omitempty"`
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	Dir  string `json:"dir,omitempty"`

	// Exec: the command line given to sh -c.
	Command string `json:"command,omitempty"`

	// State is how its pushes went.
	State State `json:"state,omitzero"`
}

// ParseSSH reads an SSH target, [USER@]HOST:DIR (as scp writes it) or
// ssh://[USER@]HOST[:PORT]/DIR, and refuses one that names no folder,
// whose host is not a host name or address, or that would slip an
// option or a shell word into ssh's command line. A folder starting
// with ~/ is the remote home folder's.
func ParseSSH(s string) (Target, error) {
	shown := auth.ShownInput(s)
	s = strings.TrimSpace(s)
	if s == "" {
		return Target{}, msg.Errorf("targets.ssh_needs_target")
	}
	if i := strings.IndexFunc(s, unicode.IsControl); i >= 0 || !utf8.ValidString(s) {
		return Target{}, msg.Errorf("targets.ssh_control", "Target", shown)
	}
	t := Target{Kind: SSH}
	var hostport, dir string
	if rest, ok := strings.CutPrefix(s, "ssh://"); ok {
		if strings.ContainsAny(rest, "?#") {
			return Target{}, msg.Errorf("targets.ssh_query", "Target", shown)
		}
		authority, p, _ := strings.Cut(rest, "/")
		if at := strings.LastIndex(authority, "@"); at >= 0 {
			userinfo := authority[:at]
			hostport = authority[at+1:]
			if u, _, has := strings.Cut(userinfo, ":"); has {
				return Target{}, msg.Errorf("targets.ssh_password", "Target", auth.ShownInput("ssh://"+u+"@"+hostport+"/"+p))
			}
			t.User = userinfo
		} else {
			hostport = authority
		}
		switch {
		case p == "":
			dir = ""
		case p == "~" || strings.HasPrefix(p, "~/"):
			dir = p
		default:
			dir = "/" + p
		}
		h, port, err := splitHostPort(hostport)
		if err != nil {
			return Target{}, msg.Errorf("targets.ssh_target_bad", "Target", shown, "Err", err)
		}
		t.Host, t.Port = h, port
	} else {
		if strings.Contains(s, "://") {
			return Target{}, msg.Errorf("targets.ssh_not_ssh_url", "Target", shown)
		}
		userhost, d, ok := cutSCP(s)
		if !ok {
			return Target{}, msg.Errorf("targets.ssh_no_folder", "Target", shown)
		}
		dir = d
		if u, h, has := strings.Cut(userhost, "@"); has {
			t.User = u
			userhost = h
		}
		if strings.HasPrefix(userhost, "[") && strings.HasSuffix(userhost, "]") {
			userhost = userhost[1 : len(userhost)-1]
			if net.ParseIP(userhost) == nil || !strings.Contains(userhost, ":") {
				return Target{}, msg.Errorf("targets.ssh_not_ipv6", "Target", shown, "Bracketed", userhost)
			}
		}
		t.Host = userhost
	}
	if err := checkUser(t.User); err != nil {
		return Target{}, msg.Errorf("targets.ssh_target_bad", "Target", shown, "Err", err)
	}
	if err := checkHost(t.Host); err != nil {
		return Target{}, msg.Errorf("targets.ssh_target_bad", "Target", shown, "Err", err)
	}
	d, err := cleanDir(dir)
	if err != nil {
		return Target{}, msg.Errorf("targets.ssh_target_bad", "Target", shown, "Err", err)
	}
	t.Dir = d
	return t, nil
}

// cutSCP splits [USER@]HOST:DIR at the colon after the host (after the
// closing bracket of an IPv6 address).
func cutSCP(s string) (userhost, dir string, ok bool) {
	start := 0
	if at := strings.Index(s, "@"); at >= 0 && at < strings.IndexAny(s+":", ":") {
		start = at + 1
	}
	if strings.HasPrefix(s[start:], "[") {
		end := strings.Index(s[start:], "]")
		if end < 0 || !strings.HasPrefix(s[start+end+1:], ":") {
			return "", "", false
		}
		i := start + end + 1
		return s[:i], s[i+1:], s[i+1:] != ""
	}
	i := strings.Index(s, ":")
	if i < 0 {
		return "", "", false
	}
	return s[:i], s[i+1:], s[i+1:] != ""
}

func splitHostPort(hp string) (string, int, error) {
	if hp == "" {
		return "", 0, msg.Errorf("targets.no_host_url")
	}
	host, port := hp, ""
	if strings.HasPrefix(hp, "[") {
		end := strings.Index(hp, "]")
		if end < 0 {
			return "", 0, msg.Errorf("targets.ipv6_unclosed")
		}
		host, port = hp[1:end], strings.TrimPrefix(hp[end+1:], ":")
		if net.ParseIP(host) == nil || !strings.Contains(host, ":") {
			return "", 0, msg.Errorf("targets.not_ipv6", "Host", host)
		}
	} else if i := strings.LastIndex(hp, ":"); i >= 0 {
		host, port = hp[:i], hp[i+1:]
	}
	if port == "" {
		return host, 0, nil
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return "", 0, msg.Errorf("targets.bad_port", "Port", auth.ShownInput(port))
	}
	return host, n, nil
}

// checkHost accepts a host name (or an alias of the person's ssh config)
// or an IP address, and nothing that ssh or a shell would read as more.
func checkHost(h string) error {
	switch {
	case h == "":
		return msg.Errorf("targets.no_host")
	case strings.HasPrefix(h, "-"):
		return msg.Errorf("targets.host_dash", "Host", auth.ShownInput(h))
	case net.ParseIP(h) != nil:
		return nil
	case len(h) > 253:
		return msg.Errorf("targets.host_long")
	}
	for _, r := range h {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return msg.Errorf("targets.host_chars", "Host", auth.ShownInput(h))
		}
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || strings.HasPrefix(label, "-") || len(label) > 63 {
			return msg.Errorf("targets.host_labels", "Host", auth.ShownInput(h))
		}
	}
	return nil
}

// checkUser accepts the user names systems give out, and nothing ssh
// could read as an option.
func checkUser(u string) error {
	if u == "" {
		return nil
	}
	if strings.HasPrefix(u, "-") {
		return msg.Errorf("targets.user_dash", "User", auth.ShownInput(u))
	}
	if len(u) > 64 {
		return msg.Errorf("targets.user_long")
	}
	for _, r := range u {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return msg.Errorf("targets.user_chars", "User", auth.ShownInput(u))
		}
	}
	return nil
}

// cleanDir tidies a remote folder: ~ and ~/… are the remote home's, and
// so is a relative folder (ssh starts commands there).
func cleanDir(d string) (string, error) {
	switch {
	case d == "":
		return "", msg.Errorf("targets.no_folder")
	case d == "~" || d == "~/":
		return ".", nil
	case strings.HasPrefix(d, "~/"):
		d = d[2:]
	case strings.HasPrefix(d, "~"):
		return "", msg.Errorf("targets.folder_other_home", "Dir", auth.ShownInput(d))
	}
	return path.Clean(d), nil
}

// ParseExec checks a command for an exec target: it must be one line of
// text for sh -c.
func ParseExec(cmd string) (Target, error) {
	c := strings.TrimSpace(cmd)
	if c == "" {
		return Target{}, msg.Errorf("targets.exec_needs_command")
	}
	if !utf8.ValidString(c) || strings.ContainsRune(c, 0) {
		return Target{}, msg.Errorf("targets.command_not_text", "Command", auth.ShownInput(cmd))
	}
	if len(c) > 4096 {
		return Target{}, msg.Errorf("targets.command_long")
	}
	return Target{Kind: Exec, Command: c}, nil
}

// Key is what makes two targets the same place, whatever their state.
func (t Target) Key() string {
	if t.Kind == Exec {
		return "exec\x00" + t.Command
	}
	return "ssh\x00" + t.User + "\x00" + strings.ToLower(t.Host) + "\x00" + strconv.Itoa(t.Port) + "\x00" + t.Dir
}

// Same reports whether t and o are the same place.
func (t Target) Same(o Target) bool { return t.Key() == o.Key() }

// String is the target as a person writes it: HOST:DIR, ssh://… when it
// has a port, or the command of an exec target.
func (t Target) String() string {
	if t.Kind == Exec {
		return t.Command
	}
	host := t.Host
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if t.User != "" {
		host = t.User + "@" + host
	}
	if t.Port != 0 {
		dir := t.Dir
		switch {
		case dir == ".":
			dir = "/~"
		case !strings.HasPrefix(dir, "/"):
			dir = "/~/" + dir
		}
		return "ssh://" + host + ":" + strconv.Itoa(t.Port) + dir
	}
	dir := t.Dir
	if dir == "." {
		dir = "~"
	}
	return host + ":" + dir
}

// Describe names the target in a sentence ("bot@vps:conf", "the command
// vault kv put …").
func (t Target) Describe() string { return t.Described().String() }

// Described is Describe as a message, for a sentence in the person's
// language.
func (t Target) Described() msg.Message {
	if t.Kind == Exec {
		return msg.New("targets.the_command", "Command", auth.ShownInput(t.Command))
	}
	return msg.Plain(t.String())
}

// Where is the host a sentence names for an SSH target ("bot@vps").
func (t Target) where() string {
	h := t.Host
	if t.Port != 0 {
		h = net.JoinHostPort(h, strconv.Itoa(t.Port))
	}
	if t.User != "" {
		return t.User + "@" + h
	}
	return h
}
