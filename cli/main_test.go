package cli_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"tokentray/auth/keychain"
	"tokentray/internal/testutil"
)

// bin is the tokentray binary the tests run as real processes.
var bin string

// keychainErr says why the OS keychain cannot be used here (nil: it can).
var keychainErr error

func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "tokentray-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "tokentray")
	if err := build(bin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	keychainErr = probeKeychain()
	return m.Run()
}

// build builds tokentray (the module's main package: the command line
// and the agent).
func build(out string) error {
	_, file, _, _ := runtime.Caller(0)
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = filepath.Dir(filepath.Dir(file))
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("build the test binary: %v\n%s", err, b)
	}
	return nil
}

func probeKeychain() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" && runtime.GOOS == "linux" {
		return errors.New("no D-Bus session")
	}
	k := keychain.New("tokentray-test-probe", 5*time.Second)
	if err := k.Set("probe", "field", "test-probe-value"); err != nil {
		return err
	}
	return k.Delete("probe", "field")
}

func needKeychain(t *testing.T) {
	t.Helper()
	if keychainErr != nil {
		t.Skipf("needs an unlocked keychain (%v); run inside: dbus-run-session -- sh -c 'echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null; go test ./cli/...'", keychainErr)
	}
}

// tt runs tokentray processes against one profile directory and checks
// that no secret it knows of ever shows where it must not.
type tt struct {
	t       *testing.T
	dir     string
	mu      sync.Mutex
	secrets []string
}

func newTT(t *testing.T) *tt {
	return &tt{t: t, dir: t.TempDir()}
}

// secret registers values that must never appear in argv, stderr, or the
// settings file (and on stdout only where a command prints them).
func (x *tt) secret(vs ...string) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, v := range vs {
		if v != "" {
			x.secrets = append(x.secrets, v)
		}
	}
}

func (x *tt) known() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.secrets...)
}

type result struct {
	stdout, stderr string
	code           int
}

// proc is one started tokentray.
type proc struct {
	cmd            *exec.Cmd // nil for a run in this process (itt.start)
	stdout, stderr *testutil.LockedBuffer
	done           chan struct{}
	res            result
	// cancel stops a run in this process.
	cancel func()
}

// kill ends the run at once.
func (p *proc) kill() {
	if p.cmd != nil {
		p.cmd.Process.Kill()
		return
	}
	p.cancel()
}

func (x *tt) env(extra map[string]string) []string {
	env := []string{"TOKENTRAY_CONFIG_DIR=" + x.dir, "HOME=" + x.dir, "LANG=C.UTF-8"} // the locale of containers and CI
	for _, k := range []string{"PATH", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// start runs tokentray --sandbox args with extra environment and stdin.
func (x *tt) start(extra map[string]string, stdin string, args ...string) *proc {
	x.t.Helper()
	cmd := exec.Command(bin, append([]string{"--sandbox"}, args...)...)
	cmd.Env = x.env(extra)
	cmd.Stdin = strings.NewReader(stdin)
	p := &proc{cmd: cmd, stdout: &testutil.LockedBuffer{}, stderr: &testutil.LockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stdout, p.stderr
	if err := cmd.Start(); err != nil {
		x.t.Fatal(err)
	}
	x.checkArgv(cmd.Process.Pid)
	go func() {
		err := cmd.Wait()
		p.res = result{stdout: p.stdout.String(), stderr: p.stderr.String(), code: cmd.ProcessState.ExitCode()}
		var xe *exec.ExitError
		if err != nil && !errors.As(err, &xe) {
			p.res.code = -1
		}
		close(p.done)
	}()
	return p
}

func (p *proc) wait(t *testing.T) result {
	t.Helper()
	select {
	case <-p.done:
		return p.res
	case <-time.After(60 * time.Second):
		p.kill()
		<-p.done
		t.Fatalf("%v did not finish in time; stdout %q stderr %q", p.cmd.Args, p.res.stdout, p.res.stderr)
	}
	return result{}
}

// run runs one command to its end and checks what every command must
// keep: no secret on stderr, in argv or in the settings file, and errors
// as one line.
func (x *tt) run(extra map[string]string, stdin string, args ...string) result {
	x.t.Helper()
	r := x.start(extra, stdin, args...).wait(x.t)
	x.checkOutput(args, r)
	return r
}

func (x *tt) checkOutput(args []string, r result) {
	x.t.Helper()
	for _, s := range x.known() {
		if strings.Contains(r.stderr, s) {
			x.t.Errorf("tokentray %v wrote a secret to stderr: %q", args, r.stderr)
		}
	}
	// exec passes its child's code on; refresh reports on stdout.
	if r.code != 0 && args[0] != "exec" && args[0] != "refresh" {
		lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
		if strings.TrimSpace(r.stderr) == "" || len(lines) != 1 || strings.Contains(r.stderr, "goroutine ") {
			x.t.Errorf("tokentray %v exited %d with stderr %q, want one sentence", args, r.code, r.stderr)
		}
	}
	x.checkSettings()
}

// checkArgv reads a process's argv as the system shows it to everyone.
func (x *tt) checkArgv(pid int) {
	x.t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return // finished already, or no /proc
	}
	for _, s := range x.known() {
		if bytes.Contains(b, []byte(s)) {
			x.t.Errorf("process %d has a secret in its argv: %q", pid, b)
		}
	}
}

// checkAllArgv scans the argv of every process on the machine.
func (x *tt) checkAllArgv() {
	x.t.Helper()
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		if pid, err := strconv.Atoi(e.Name()); err == nil {
			x.checkArgv(pid)
		}
	}
}

func (x *tt) checkSettings() {
	x.t.Helper()
	_ = filepath.WalkDir(x.dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() || !strings.HasSuffix(path, ".json") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil
		}
		for _, s := range x.known() {
			if bytes.Contains(b, []byte(s)) {
				x.t.Errorf("%s contains a secret", path)
			}
		}
		return nil
	})
}

func wantCode(t *testing.T, r result, code int, what string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("%s: exit %d, want %d; stdout %q stderr %q", what, r.code, code, r.stdout, r.stderr)
	}
}

// interrupt sends Ctrl-C to a running tokentray.
func (p *proc) interrupt() { _ = p.cmd.Process.Signal(syscall.SIGINT) }
