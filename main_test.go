//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/internal/testutil"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tokentray-main-test")
	if err != nil {
		panic(err)
	}
	bin = filepath.Join(dir, "tokentray")
	for _, b := range [][]string{{bin, "."}, {filepath.Join(dir, "tokentray-window"), "./app/cmd/tokentray-window"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			os.Stderr.Write(out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// panel plays the desktop's StatusNotifierWatcher: the agent registers
// its tray icon with it, as with a real panel.
type panel struct{ items chan string }

// playPanel has a panel watch for tray icons on the session bus until
// the test ends.
func playPanel(t *testing.T) (*dbus.Conn, *panel) {
	t.Helper()
	conn := testutil.SessionBus(t)
	p := &panel{items: make(chan string, 4)}
	testutil.PlayService(t, conn, "org.kde.StatusNotifierWatcher", p, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher")
	return conn, p
}

func (p *panel) RegisterStatusNotifierItem(sender dbus.Sender, path string) *dbus.Error {
	p.items <- string(sender) + path
	return nil
}

// TestAgentShowsTheSandboxInTheTray runs `tokentray --sandbox`, what
// `make run` starts, and reads its icon the way a panel does.
func TestAgentShowsTheSandboxInTheTray(t *testing.T) {
	conn, p := playPanel(t)

	cfg := t.TempDir()
	var stderr testutil.LockedBuffer
	agent := exec.Command(bin, "--sandbox")
	agent.Env = append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+cfg, "LANG=C.UTF-8")
	agent.Stderr = &stderr
	if err := agent.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	gone := make(chan struct{})
	go func() { exited <- agent.Wait(); close(gone) }()
	defer func() {
		_ = agent.Process.Signal(syscall.SIGTERM)
		select {
		case <-gone:
		case <-time.After(10 * time.Second):
			_ = agent.Process.Kill()
		}
	}()

	var item string
	select {
	case item = <-p.items:
	case err := <-exited:
		t.Fatalf("the agent exited before showing its icon: %v\n%s", err, stderr.String())
	case <-time.After(20 * time.Second):
		t.Fatalf("the agent never registered a tray icon\n%s", stderr.String())
	}
	// The always-on agent carries no GUI toolkit: no OpenGL in its process.
	if maps, err := os.ReadFile(fmt.Sprintf("/proc/%d/maps", agent.Process.Pid)); err != nil {
		t.Errorf("read the agent's memory maps: %v", err)
	} else if m := regexp.MustCompile(`\S*lib(GL|GLX|EGL)\b\S*`).Find(maps); m != nil {
		t.Errorf("the agent maps %s", m)
	}
	name, path, _ := strings.Cut(item, "/")
	obj := conn.Object(name, dbus.ObjectPath("/"+path))

	var tip string
	var err error
	if !testutil.Poll(20*time.Second, 100*time.Millisecond, func() bool {
		var v dbus.Variant
		if v, err = obj.GetProperty("org.kde.StatusNotifierItem.ToolTip"); err != nil {
			return false
		}
		f := v.Value().([]interface{})
		tip = f[2].(string) + "\n" + f[3].(string)
		return strings.Contains(tip, "pending")
	}) {
		t.Fatalf("tooltip never showed the demo: %q (%v)\n%s", tip, err, stderr.String())
	}
	for _, want := range []string{"tokentray (sandbox)", "webull-demo: Pending", "futu-login: Action needed", "futu-expiring: Expiring"} {
		if !strings.Contains(tip, want) {
			t.Errorf("tooltip %q lacks %q", tip, want)
		}
	}
	if !strings.Contains(stderr.String(), "/sandbox/phone") {
		t.Errorf("the agent did not say where the sandbox phone is:\n%s", stderr.String())
	}

	// A second agent for the same profile steps aside.
	second := exec.Command(bin, "--sandbox")
	second.Env = agent.Env
	out, err := second.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already running") {
		t.Errorf("second agent: %v %q", err, out)
	}

	_ = agent.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the agent did not stop cleanly on SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(10 * time.Second):
		t.Error("the agent did not stop within 10 s of SIGTERM")
	}
}

// TestCommandsLinkNoGUI: the agent and the command line are one program
// without the GUI toolkit; only the window's program links it.
func TestCommandsLinkNoGUI(t *testing.T) {
	for pkg, want := range map[string]bool{".": false, "./app/cmd/tokentray-window": true} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		if got := regexp.MustCompile(`(?m)^fyne\.io/fyne/`).Match(out); got != want {
			t.Errorf("%s links Fyne: %v, want %v", pkg, got, want)
		}
	}
}

// TestWindowWithoutDisplay: a window that cannot open its display says
// so in one sentence and exits 1, whether started directly or through
// `tokentray window`.
func TestWindowWithoutDisplay(t *testing.T) {
	cfg := t.TempDir()
	displays := []string{"", ":77"}
	if d := displayWithoutGL(t); d != "" {
		displays = append(displays, d)
	}
	for _, display := range displays {
		for _, argv := range [][]string{{bin, "window"}, {filepath.Join(filepath.Dir(bin), "tokentray-window")}} {
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+cfg, "DISPLAY="+display, "WAYLAND_DISPLAY=")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var xe *exec.ExitError
			if !errors.As(err, &xe) || xe.ExitCode() != 1 {
				t.Errorf("%v with DISPLAY=%q: %v, want exit 1", argv[1:], display, err)
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, "tokentray: ") || !strings.Contains(msg, "display") || (display != "" && display != ":77" && !strings.Contains(msg, "OpenGL")) || strings.Contains(msg, "goroutine") {
				t.Errorf("%v with DISPLAY=%q said %q, want one sentence about the display", argv[1:], display, msg)
			}
			if stdout.Len() != 0 {
				t.Errorf("%v printed %q on stdout", argv[1:], stdout.String())
			}
		}
	}
}

// displayWithoutGL starts an X server without the GLX extension, when
// Xvfb is installed, and returns its display name.
func displayWithoutGL(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("Xvfb"); err != nil {
		t.Log("no Xvfb: the display without OpenGL is not tried")
		return ""
	}
	// A display number of its own, far from those xvfb-run picks.
	for n := 300 + os.Getpid()%300; ; n++ {
		if _, err := os.Stat(fmt.Sprintf("/tmp/.X%d-lock", n)); err == nil {
			continue
		}
		d := fmt.Sprintf(":%d", n)
		x := exec.Command("Xvfb", d, "-extension", "GLX", "-nolisten", "tcp", "-noreset")
		if err := x.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = x.Process.Signal(syscall.SIGTERM); _ = x.Wait() })
		// Ready once its socket takes connections.
		testutil.EventuallyWithin(t, 10*time.Second, "Xvfb's display "+d+" to take connections", func() bool {
			c, err := net.Dial("unix", fmt.Sprintf("/tmp/.X11-unix/X%d", n))
			if err == nil {
				c.Close()
			}
			return err == nil
		})
		return d
	}
}

// TestStartingDecodesNothingLarge: every command starts by initialising
// the packages it links, so none of tokentray's may do real work then
// (read the message files, compile patterns, build tables): each
// allocates little at init (GODEBUG=inittrace=1 reports the bytes).
func TestStartingDecodesNothingLarge(t *testing.T) {
	cmd := exec.Command(bin, "--version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("tokentray --version: %v\n%s", err, out)
	}
	// init tokentray/auth/webull @29 ms, 11 ms clock, 1441016 bytes, 13302 allocs
	line := regexp.MustCompile(`(?m)^init (tokentray\S*) @\S+ ms, \S+ ms clock, (\d+) bytes`)
	found := 0
	for _, m := range line.FindAllStringSubmatch(string(out), -1) {
		found++
		if n, _ := strconv.Atoi(m[2]); n > 64<<10 {
			t.Errorf("initialising %s allocates %d bytes at every start; do that work when it is needed", m[1], n)
		}
	}
	if found == 0 {
		t.Fatalf("no init trace of tokentray's packages in:\n%s", out)
	}
}
