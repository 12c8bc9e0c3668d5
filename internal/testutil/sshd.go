package testutil

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// SSHServer is a real OpenSSH server for one test, on 127.0.0.1 at a port
// of its own, with a throwaway host key and a throwaway client key that
// it accepts for the user running the test. Config is an ssh client
// config that reaches it and trusts its host key and nothing else;
// SSHCommand ("ssh -F CONFIG") is what TOKENTRAY_SSH_COMMAND is set to,
// since ssh reads the passwd entry's home folder, not $HOME.
type SSHServer struct {
	Port       int
	User       string
	Dir        string
	Config     string
	SSHCommand string
	// Log is what sshd printed.
	Log *LockedBuffer

	t          testing.TB
	sshd       string
	sshdConfig string
	mu         sync.Mutex
	cmd        *exec.Cmd
	done       chan struct{}
}

// StartSSHServer starts sshd for t and stops it when t ends. Where the
// OpenSSH server is not installed it skips t with a sentence saying so,
// unless CI is set (where the set-up installs it), and then it fails.
func StartSSHServer(t testing.TB) *SSHServer {
	t.Helper()
	missing := func(why string) {
		t.Helper()
		msg := why + ": scripts/deps.sh installs openssh-server (Debian/Ubuntu)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if runtime.GOOS == "windows" {
		t.Skip("the SSH tests need a Unix OpenSSH server")
	}
	sshd, err := exec.LookPath("sshd")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/sshd"); serr != nil {
			missing("the OpenSSH server (sshd) is not installed")
		}
		sshd = "/usr/sbin/sshd"
	}
	keygen, err := exec.LookPath("ssh-keygen")
	if err != nil {
		missing("ssh-keygen is not installed")
	}
	if _, err := exec.LookPath("ssh"); err != nil {
		missing("the OpenSSH client (ssh) is not installed")
	}
	if _, err := os.Stat("/run/sshd"); err != nil && runtime.GOOS == "linux" {
		// sshd needs its privilege separation folder, which the system's
		// service makes when it starts.
		if os.Geteuid() != 0 {
			missing("sshd needs /run/sshd, which only root can make")
		}
		if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
			missing("sshd needs /run/sshd, which could not be made: " + err.Error())
		}
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "tokentray-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	for _, k := range []string{"host_key", "client_key"} {
		out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-C", "tokentray-test", "-f", filepath.Join(dir, k)).CombinedOutput()
		if err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	clientPub, hostPub := read("client_key.pub"), read("host_key.pub")
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	s := &SSHServer{Port: FreePort(t), User: u.Username, Dir: dir, Log: &LockedBuffer{}, t: t, sshd: sshd}
	write("authorized_keys", clientPub+"\n")
	fields := strings.Fields(hostPub)
	write("known_hosts", fmt.Sprintf("[127.0.0.1]:%d %s %s\n", s.Port, fields[0], fields[1]))
	s.sshdConfig = write("sshd_config", strings.Join([]string{
		"Port " + strconv.Itoa(s.Port),
		"ListenAddress 127.0.0.1",
		"HostKey " + filepath.Join(dir, "host_key"),
		"AuthorizedKeysFile " + filepath.Join(dir, "authorized_keys"),
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PermitRootLogin prohibit-password",
		"AllowUsers " + u.Username,
		"StrictModes no",
		"UsePAM no",
		"PidFile none",
		"MaxStartups 100",
		"MaxSessions 100",
		"LogLevel VERBOSE",
		"",
	}, "\n"))
	s.Config = write("ssh_config", strings.Join([]string{
		"Host *",
		"  Port " + strconv.Itoa(s.Port),
		"  User " + u.Username,
		"  IdentityFile " + filepath.Join(dir, "client_key"),
		"  IdentitiesOnly yes",
		"  IdentityAgent none",
		"  UserKnownHostsFile " + filepath.Join(dir, "known_hosts"),
		"  GlobalKnownHostsFile /dev/null",
		"  StrictHostKeyChecking yes",
		"  ControlMaster no",
		"  ControlPath none",
		"",
	}, "\n"))
	s.SSHCommand = "ssh -F '" + s.Config + "'"
	s.Start()
	t.Cleanup(s.Stop)
	return s
}

// Start starts sshd (again, on the same port) and waits until it answers.
func (s *SSHServer) Start() {
	s.t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return
	}
	// -D: stay in the foreground; -e: log to stderr.
	cmd := exec.Command(s.sshd, "-D", "-e", "-f", s.sshdConfig)
	cmd.Stdout, cmd.Stderr = s.Log, s.Log
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("start sshd: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	deadline := time.Now().Add(WaitTimeout)
	for {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+strconv.Itoa(s.Port), time.Second)
		if err == nil {
			c.Close()
			return
		}
		select {
		case <-done:
			s.t.Fatalf("sshd ended at once: %s", s.Log.String())
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("sshd did not answer on port %d: %s", s.Port, s.Log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Stop stops sshd and the sessions it serves, and waits until it has.
func (s *SSHServer) Stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	// The listener's children (one per open session) end with their
	// connections; a new connection is refused from here on.
	s.cmd, s.done = nil, nil
}

// Target is the scp-like target of dir on this server ("127.0.0.1:DIR";
// the client config gives the port and the user).
func (s *SSHServer) Target(dir string) string { return "127.0.0.1:" + dir }

// URL is the ssh:// target of dir on this server, with its port.
func (s *SSHServer) URL(dir string) string {
	return "ssh://" + s.User + "@127.0.0.1:" + strconv.Itoa(s.Port) + dir
}
