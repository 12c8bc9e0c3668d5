//go:build linux

package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
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

	"tokentray/internal/clipboard"
	"tokentray/internal/testutil"
)

// trayUnderTest is a running `tokentray --sandbox` agent, read and
// clicked over D-Bus the way a desktop panel does.
type trayUnderTest struct {
	t      *testing.T
	cmd    *exec.Cmd
	cfg    string // TOKENTRAY_CONFIG_DIR
	xdg    string // XDG_CONFIG_HOME of the agent
	env    []string
	stderr *testutil.LockedBuffer
	item   dbus.BusObject
	menu   dbus.BusObject
	gone   chan struct{}
}

func startTray(t *testing.T) *trayUnderTest {
	t.Helper()
	return startAgent(t, true)
}

// startAgent starts the sandbox's agent with its demo, or the real
// profile's agent (in a temporary config folder, with no credentials).
func startAgent(t *testing.T, sandbox bool) *trayUnderTest {
	t.Helper()
	if os.Getenv("DISPLAY") == "" {
		t.Skip("no X display: run through `make test`")
	}
	conn, p := playPanel(t)

	tu := &trayUnderTest{t: t, cfg: t.TempDir(), xdg: t.TempDir(), stderr: &testutil.LockedBuffer{}, gone: make(chan struct{})}
	tu.env = append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+tu.cfg, "XDG_CONFIG_HOME="+tu.xdg, "LANG=C.UTF-8")
	if sandbox {
		tu.cmd = exec.Command(bin, "--sandbox")
	} else {
		tu.cmd = exec.Command(bin)
	}
	tu.cmd.Env = tu.env
	tu.cmd.Stderr = tu.stderr
	if err := tu.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = tu.cmd.Wait(); close(tu.gone) }()
	t.Cleanup(func() {
		_ = tu.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-tu.gone:
		case <-time.After(15 * time.Second):
			_ = tu.cmd.Process.Kill()
		}
	})
	var item string
	select {
	case item = <-p.items:
	case <-tu.gone:
		t.Fatalf("the agent exited before showing its icon\n%s", tu.stderr)
	case <-time.After(20 * time.Second):
		t.Fatalf("the agent never registered a tray icon\n%s", tu.stderr)
	}
	name, path, _ := strings.Cut(item, "/")
	tu.item = conn.Object(name, dbus.ObjectPath("/"+path))
	tu.menu = conn.Object(name, "/StatusNotifierItem/menu")
	if sandbox {
		tu.waitTip("the demo", "webull-demo:")
	} else {
		tu.waitTip("an empty profile", "no credentials yet")
	}
	return tu
}

func (tu *trayUnderTest) tip() string {
	v, err := tu.item.GetProperty("org.kde.StatusNotifierItem.ToolTip")
	if err != nil {
		return ""
	}
	f := v.Value().([]interface{})
	return f[2].(string) + "\n" + f[3].(string)
}

// waitTip waits until the tooltip contains want.
func (tu *trayUnderTest) waitTip(what, want string) string {
	tu.t.Helper()
	var tip string
	if !testutil.Poll(20*time.Second, 50*time.Millisecond, func() bool { tip = tu.tip(); return strings.Contains(tip, want) }) {
		tu.t.Fatalf("waiting for %s: tooltip %q lacks %q\n%s", what, tip, want, tu.stderr)
	}
	return tip
}

type menuNode struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// find returns the id of the visible menu item whose label starts with
// prefix, under the item whose label starts with parent ("" the top).
func (tu *trayUnderTest) find(parent, prefix string) (int32, bool) {
	var rev uint32
	var root menuNode
	if err := tu.menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		tu.t.Fatalf("GetLayout: %v", err)
	}
	var walk func(n []dbus.Variant, under bool) (int32, bool)
	walk = func(kids []dbus.Variant, under bool) (int32, bool) {
		for _, c := range kids {
			f := c.Value().([]interface{})
			props := f[1].(map[string]dbus.Variant)
			if vis, ok := props["visible"]; ok && !vis.Value().(bool) {
				continue
			}
			label := ""
			if l, ok := props["label"]; ok {
				label = strings.TrimLeft(l.Value().(string), "✓?⌛…!✗ ")
			}
			if under && strings.HasPrefix(label, prefix) {
				return f[0].(int32), true
			}
			if !under && parent != "" && strings.HasPrefix(label, parent) {
				if id, ok := walk(f[2].([]dbus.Variant), true); ok {
					return id, true
				}
			}
		}
		return 0, false
	}
	return walk(root.Children, parent == "")
}

// click sends the panel's "clicked" event to the item.
func (tu *trayUnderTest) click(parent, prefix string) {
	tu.t.Helper()
	var id int32
	if !testutil.Poll(10*time.Second, 50*time.Millisecond, func() (ok bool) { id, ok = tu.find(parent, prefix); return ok }) {
		tu.t.Fatalf("no menu item %q under %q", prefix, parent)
	}
	if call := tu.menu.Call("com.canonical.dbusmenu.Event", 0, id, "clicked", dbus.MakeVariant(""), uint32(0)); call.Err != nil {
		tu.t.Fatalf("click %q: %v", prefix, call.Err)
	}
}

// cli runs a command of the same profile.
func (tu *trayUnderTest) cli(args ...string) string {
	tu.t.Helper()
	c := exec.Command(bin, append([]string{"--sandbox"}, args...)...)
	c.Env = tu.env
	out, err := c.Output()
	// Exit status 3 means some credential needs the person: the output
	// is still whole.
	if xe := (*exec.ExitError)(nil); err != nil && !(errors.As(err, &xe) && xe.ExitCode() == 3) {
		tu.t.Fatalf("tokentray %s: %v %s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (tu *trayUnderTest) phone() string {
	tu.t.Helper()
	m := regexp.MustCompile(`Sandbox phone \(Webull SMS codes\): (\S+)`).FindStringSubmatch(tu.stderr.String())
	if m == nil {
		tu.t.Fatalf("the agent did not say where the sandbox phone is:\n%s", tu.stderr)
	}
	return m[1]
}

// confirmOnPhone enters every pending SMS code on the sandbox phone, as
// the person does in the Webull app.
func (tu *trayUnderTest) confirmOnPhone() {
	tu.t.Helper()
	phone := tu.phone()
	resp, err := http.Get(phone)
	if err != nil {
		tu.t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	sms := regexp.MustCompile(`data-token="([^"]+)">[\s\S]*?<span class="code">(\d{6})</span>`).FindAllStringSubmatch(string(page), -1)
	if len(sms) == 0 {
		tu.t.Fatalf("no SMS code on the sandbox phone:\n%s", page)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, m := range sms {
		resp, err := noRedirect.PostForm(strings.TrimSuffix(phone, "/")+"/verify", url.Values{"token": {m[1]}, "code": {m[2]}})
		if err != nil {
			tu.t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			tu.t.Fatalf("the sandbox phone refused the code: %s", resp.Status)
		}
	}
}

var countdownRE = regexp.MustCompile(`webull-demo: Pending, (\d+):(\d\d) left to verify`)

func TestTrayShowsAPendingVerificationAndTurnsOKWhenThePhoneConfirms(t *testing.T) {
	tu := startTray(t)
	// The demo's verification was started when the profile was seeded,
	// not by the agent's own loop: the agent finds it in the store.
	tip := tu.waitTip("the pending verification", "left to verify")
	first := countdownRE.FindStringSubmatch(tip)
	if first == nil {
		t.Fatalf("tooltip %q has no countdown", tip)
	}
	// The countdown ticks every second: it has moved within two.
	var later []string
	if !testutil.Poll(2100*time.Millisecond, 50*time.Millisecond, func() bool {
		later = countdownRE.FindStringSubmatch(tu.tip())
		return later != nil && secs(later) < secs(first)
	}) {
		t.Errorf("the countdown did not move: %q then %q", first[0], later)
	}
	tu.confirmOnPhone()
	confirmed := time.Now()
	tu.waitTip("the confirmation", "webull-demo: OK")
	if took := time.Since(confirmed); took > 8*time.Second {
		t.Errorf("the confirmation showed after %v, want within about 5 s", took)
	}
}

func secs(m []string) int {
	a, _ := strconv.Atoi(m[1])
	b, _ := strconv.Atoi(m[2])
	return a*60 + b
}

func TestTrayLeftClickRefreshesAtTheSandbox(t *testing.T) {
	tu := startTray(t)
	tu.waitTip("the first check", "futu-demo: OK")
	before := lastChecked(t, tu.cli("status", "--json"), "futu-demo")
	time.Sleep(1100 * time.Millisecond) // last_checked has whole seconds
	if call := tu.item.Call("org.kde.StatusNotifierItem.Activate", 0, int32(0), int32(0)); call.Err != nil {
		t.Fatalf("Activate (left click): %v", call.Err)
	}
	if !testutil.Poll(15*time.Second, 100*time.Millisecond, func() bool {
		return lastChecked(t, tu.cli("status", "--json"), "futu-demo") != before
	}) {
		t.Fatalf("a left click did not check futu-demo with the sandbox (last checked %s)", before)
	}
}

func lastChecked(t *testing.T, statusJSON, name string) string {
	t.Helper()
	i := strings.Index(statusJSON, `"name": "`+name+`"`)
	if i < 0 {
		t.Fatalf("status has no %s:\n%s", name, statusJSON)
	}
	m := regexp.MustCompile(`"last_checked": ("[^"]*"|null)`).FindStringSubmatch(statusJSON[i:])
	if m == nil {
		t.Fatalf("status of %s has no last_checked:\n%s", name, statusJSON[i:])
	}
	return m[1]
}

func TestTrayCopiesATokenAndClearsItAfterTheClearTime(t *testing.T) {
	tu := startTray(t)
	tu.waitTip("the first check", "futu-demo: OK")
	// Set while the agent runs: it follows the settings file.
	tu.cli("config", "clipboard-clear", "5s")
	tu.click("futu-demo", "Copy token")
	want := tu.cli("token", "futu-demo")
	var got string
	read := func() string { got, _ = clipboard.Read("", 2*time.Second); return got }
	if !testutil.Poll(10*time.Second, 50*time.Millisecond, func() bool { return read() == want }) {
		t.Fatalf("the clipboard holds %q, want futu-demo's token", got)
	}
	copied := time.Now()
	if hint, _ := clipboard.Read("x-kde-passwordManagerHint", 2*time.Second); hint != "secret" {
		t.Errorf("the token is not marked for clipboard managers (hint %q)", hint)
	}
	if !testutil.Poll(20*time.Second-time.Since(copied), 100*time.Millisecond, func() bool { return read() == "" }) {
		t.Fatal("the token is still on the clipboard 20 s later")
	}
	// With the clear time a setting (5 s here, 45 s by default).
	if took := time.Since(copied); took > 12*time.Second {
		t.Errorf("cleared after %v, want about 5 s", took)
	}
}

func TestTrayOpensOneWindowAndQuitClosesIt(t *testing.T) {
	tu := startTray(t)
	tu.click("", "Open tokentray")
	tu.click("", "Open tokentray")
	var wins []int
	if !testutil.Poll(15*time.Second, 100*time.Millisecond, func() bool {
		wins = childrenNamed(tu.cmd.Process.Pid, "tokentray-windo")
		return len(wins) > 0
	}) {
		t.Fatalf("no window started\n%s", tu.stderr)
	}
	tu.click("", "Open tokentray")
	// Another process's "no second window" has only a wall-clock bound;
	// the rule itself is proven with events in tray's
	// TestOpenStartsOneWindowAtATime.
	time.Sleep(time.Second)
	if wins = childrenNamed(tu.cmd.Process.Pid, "tokentray-windo"); len(wins) != 1 {
		t.Errorf("three clicks on Open made %d windows", len(wins))
	}
	tu.click("", "Quit")
	select {
	case <-tu.gone:
	case <-time.After(15 * time.Second):
		t.Fatal("Quit did not stop the agent")
	}
	for _, pid := range wins {
		if err := syscall.Kill(pid, 0); err == nil {
			t.Errorf("the window %d outlived Quit (agent: %v)\n%s", pid, tu.cmd.ProcessState, tu.stderr)
		}
	}
}

// childrenNamed lists the running child processes of pid whose command
// name is comm (as the kernel cuts it, 15 characters).
func childrenNamed(pid int, comm string) []int {
	var out []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		child, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", child))
		if err != nil {
			continue
		}
		s := string(b)
		open, close := strings.Index(s, "("), strings.LastIndex(s, ")")
		if open < 0 || close < 0 {
			continue
		}
		f := strings.Fields(s[close+1:])
		if len(f) < 2 || f[0] == "Z" {
			continue
		}
		if ppid, _ := strconv.Atoi(f[1]); ppid == pid && s[open+1:close] == comm {
			out = append(out, child)
		}
	}
	return out
}

func TestTrayStartAtLoginWritesAndRemovesTheEntry(t *testing.T) {
	tu := startAgent(t, false)
	entry := filepath.Join(tu.xdg, "autostart", "tokentray.desktop")
	tu.click("", "Start at login")
	waitFile(t, entry, true)
	b, _ := os.ReadFile(entry)
	if !strings.Contains(string(b), "Exec="+filepath.Join(filepath.Dir(bin), "tokentray")+"\n") {
		t.Errorf("autostart entry:\n%s", b)
	}
	tu.click("", "Start at login")
	waitFile(t, entry, false)
}

func waitFile(t *testing.T, path string, exists bool) {
	t.Helper()
	testutil.Eventually(t, fmt.Sprintf("%s to exist=%v", path, exists), func() bool {
		_, err := os.Stat(path)
		return (err == nil) == exists
	})
}

// loginWaiting starts `tokentray login webull-demo`, as in a terminal,
// and returns once it waits for the phone (holding the credential).
func (tu *trayUnderTest) loginWaiting() (*exec.Cmd, *testutil.LockedBuffer) {
	tu.t.Helper()
	login := exec.Command(bin, "--sandbox", "login", "webull-demo")
	login.Env = tu.env
	var out testutil.LockedBuffer
	login.Stdout, login.Stderr = &out, &out
	if err := login.Start(); err != nil {
		tu.t.Fatal(err)
	}
	if !testutil.Poll(20*time.Second, 50*time.Millisecond, func() bool { return strings.Contains(strings.ToLower(out.String()), "webull app") }) {
		_ = login.Process.Kill()
		tu.t.Fatalf("the login never waited for the phone:\n%s", out.String())
	}
	return login, &out
}

// TestTrayPollsAVerificationWhoseStarterIsGone: a `tokentray login`
// waiting for the phone ends without a cancel — killed, its terminal
// hung up, or told to stop (SIGTERM, as closing its terminal's job
// does) — before the person confirms: the verification stays pending,
// and the agent turns it OK once the phone confirms.
func TestTrayPollsAVerificationWhoseStarterIsGone(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGKILL, syscall.SIGHUP, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			tu := startTray(t)
			tu.waitTip("the pending verification", "webull-demo: Pending")
			login, out := tu.loginWaiting()
			_ = login.Process.Signal(sig)
			_ = login.Wait()
			if sig == syscall.SIGTERM && !strings.Contains(out.String(), "the verification goes on") {
				t.Errorf("the stopped login did not say that the verification goes on:\n%s", out.String())
			}
			tu.waitTip("the pending verification after the login ended", "left to verify")
			tu.confirmOnPhone()
			confirmed := time.Now()
			tu.waitTip("the confirmation", "webull-demo: OK")
			if took := time.Since(confirmed); took > 8*time.Second {
				t.Errorf("the confirmation showed after %v, want within about 5 s", took)
			}
		})
	}
}

// TestCtrlCAbandonsAVerificationAndSaysSo: only an explicit cancel ends
// a verification; the login says so, and so does the tray.
func TestCtrlCAbandonsAVerificationAndSaysSo(t *testing.T) {
	tu := startTray(t)
	tu.waitTip("the pending verification", "webull-demo: Pending")
	login, out := tu.loginWaiting()
	_ = login.Process.Signal(syscall.SIGINT)
	_ = login.Wait()
	if !strings.Contains(out.String(), "was cancelled") {
		t.Errorf("the login did not say it was cancelled:\n%s", out.String())
	}
	var st string
	if !testutil.Poll(20*time.Second, 100*time.Millisecond, func() bool {
		st = tu.cli("status", "--json")
		return strings.Contains(st, "was cancelled")
	}) {
		t.Fatalf("status does not say the verification was cancelled:\n%s", st)
	}
	if tip := tu.tip(); strings.Contains(tip, "left to verify") {
		t.Errorf("the tray still counts down a cancelled verification: %q", tip)
	}
}

// labels lists the visible labels of the submenu whose label starts with
// parent, as a panel reads them over D-Bus.
func (tu *trayUnderTest) labels(parent string) []string {
	tu.t.Helper()
	var rev uint32
	var root menuNode
	if err := tu.menu.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&rev, &root); err != nil {
		tu.t.Fatalf("GetLayout: %v", err)
	}
	label := func(props map[string]dbus.Variant) (string, bool) {
		if vis, ok := props["visible"]; ok && !vis.Value().(bool) {
			return "", false
		}
		l, ok := props["label"]
		if !ok {
			return "", false
		}
		return strings.TrimLeft(l.Value().(string), "✓?⌛…!✗ "), true
	}
	for _, c := range root.Children {
		f := c.Value().([]interface{})
		if l, ok := label(f[1].(map[string]dbus.Variant)); ok && strings.HasPrefix(l, parent) {
			var out []string
			for _, k := range f[2].([]dbus.Variant) {
				if l, ok := label(k.Value().([]interface{})[1].(map[string]dbus.Variant)); ok && l != "" {
					out = append(out, l)
				}
			}
			return out
		}
	}
	tu.t.Fatalf("no submenu %q", parent)
	return nil
}

// Each credential's submenu offers each action once, and only the ones
// that can work: no Copy token without a token, one Log in….
func TestTrayMenuOffersEachActionOnceAndOnlyWhereItWorks(t *testing.T) {
	tu := startTray(t)
	tu.waitTip("the first check", "futu-demo: OK")
	actions := func(name string) string {
		var out []string
		for _, l := range tu.labels(name + ":") {
			switch l {
			case "Copy token", "Refresh", "Log in…", "Verify 2FA…", "Extend…", "Update the secret…", "Details…":
				out = append(out, l)
			}
		}
		return strings.Join(out, "|")
	}
	want := map[string]string{
		"futu-demo":     "Copy token|Refresh|Details…",
		"futu-expiring": "Copy token|Refresh|Extend…|Details…",
		"futu-login":    "Refresh|Log in…|Details…",
		"webull-no2fa":  "Refresh|Details…",
	}
	for name, w := range want {
		// The panel may still be taking in the first full menu.
		var got string
		if !testutil.Poll(10*time.Second, 50*time.Millisecond, func() bool { got = actions(name); return got == w }) {
			t.Errorf("%s offers %q, want %q (submenu %q)", name, got, w, tu.labels(name+":"))
		}
	}
}
