//go:build linux && !race

// The tray library's race on its menu version (see dbus_test.go) keeps
// this file out of the race detector's pass too.

package tray

import (
	"context"
	"io"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/system"
	"tokentray/internal/testutil"
)

// agentProcessDir, set in the environment, makes TestTrayAgentProcess
// run the agent over the profile in that folder.
const agentProcessDir = "TOKENTRAY_TEST_TRAY_AGENT"

// langBroker answers for three Futu API keys: futu-main is fine,
// futu-down's broker does not answer, futu-soon must be extended.
type langBroker struct{ clock clockwork.Clock }

func (langBroker) Kind() auth.Kind                                   { return auth.KindFutuKey }
func (langBroker) Assess(c auth.Credential, _ time.Time) auth.Health { return c.Health }
func (b langBroker) Refresh(_ context.Context, c *auth.Credential, _ auth.Secrets, _ auth.RefreshOptions) (auth.Health, error) {
	now := b.clock.Now()
	switch c.Name {
	case "futu-down":
		return auth.NoAnswerHealth(msg.New("brand.futu"), context.DeadlineExceeded, time.Time{}, now), nil
	case "futu-soon":
		return auth.Health{State: auth.ActionNeeded, CheckedAt: now, Next: auth.Next(auth.ActionExtend, c.Name)}.Because(msg.New("futu.extension_lost")), nil
	}
	c.ExpiresAt = now.Add(3 * 24 * time.Hour)
	return auth.Health{State: auth.OK, ExpiresAt: c.ExpiresAt, CheckedAt: now}, nil
}
func (langBroker) Token(auth.Credential, auth.Secrets) (string, error) { return "test-token-0001", nil }
func (langBroker) Env(auth.Credential, auth.Secrets) (map[string]string, string, error) {
	return nil, "", nil
}

// TestTrayAgentProcess is the agent process of
// TestTheTrayAndItsNotificationsSpeakTheLocalesLanguage: the tray on the
// session bus, desktop notifications, the language the wiring resolves
// from the setting and the environment, a clock that never moves. It
// runs until its stdin closes.
func TestTrayAgentProcess(t *testing.T) {
	dir := os.Getenv(agentProcessDir)
	if dir == "" {
		t.Skip("the agent process of TestTheTrayAndItsNotificationsSpeakTheLocalesLanguage")
	}
	clock := clockwork.NewFakeClockAt(t0)
	st, err := store.Open(dir, testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, map[auth.Kind]auth.Provider{auth.KindFutuKey: langBroker{clock}}, clock)
	for _, name := range []string{"futu-main", "futu-down", "futu-soon"} {
		if _, err := eng.AddWith(context.Background(), auth.Credential{Name: name, Kind: auth.KindFutuKey}, map[string]string{auth.FieldAppSecret: "test-app-secret-0001"}, engine.CheckOptions{NoCheck: true}); err != nil {
			t.Fatal(err)
		}
	}
	a := NewAgent(service.Local{Eng: eng}, AgentOptions{
		Clock: clock, Dir: dir, SettingsFile: st.Path(), Prefs: st,
		Notifier: DesktopNotifier{},
		Language: func(setting string) msg.Lang { return system.Language(setting, os.Getenv) },
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	go func() { _, _ = io.Copy(io.Discard, os.Stdin); cancel() }()
	a.Run(ctx)
}

// watcherServer plays the panel's StatusNotifierWatcher: tray icons
// register with it.
type watcherServer struct{ items chan string }

func (w *watcherServer) RegisterStatusNotifierItem(sender dbus.Sender, path string) *dbus.Error {
	w.items <- string(sender) + path
	return nil
}

// noteServer plays the notification service and keeps what it shows.
type noteServer struct {
	mu    sync.Mutex
	notes [][3]string // summary, body, actions
}

func (n *noteServer) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes = append(n.notes, [3]string{summary, body, strings.Join(actions, "|")})
	return uint32(len(n.notes)), nil
}

func (n *noteServer) CloseNotification(uint32) *dbus.Error { return nil }

func (n *noteServer) forget() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes = nil
}

func (n *noteServer) about(name string) ([3]string, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for _, x := range n.notes {
		if strings.Contains(x[0], name) {
			return x, true
		}
	}
	return [3]string{}, false
}

// The tray read over D-Bus as a panel reads it, and the notifications as
// the notification service gets them, from an agent process started in
// a Chinese locale: Simplified for LANG=zh_CN.UTF-8, Traditional for
// FUTU_LANGUAGE=zh-HK; every label in the script of its language, the
// reasons in it too. The agent then follows a change of the language
// setting without a restart.
func TestTheTrayAndItsNotificationsSpeakTheLocalesLanguage(t *testing.T) {
	conn := testutil.SessionBus(t)
	watcher := &watcherServer{items: make(chan string, 4)}
	testutil.PlayService(t, conn, "org.kde.StatusNotifierWatcher", watcher, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher")
	notes := &noteServer{}
	playNotifications(t, conn, notes)

	soon := auth.Health{State: auth.ActionNeeded}.Because(msg.New("futu.extension_lost"))
	down := auth.NoAnswerHealth(msg.New("brand.futu"), context.DeadlineExceeded, time.Time{}, t0)
	menu := map[msg.Lang][]string{
		msg.English:           {"Refresh all", "Open tokentray…", "Add a credential…", "Settings…", "Start at login", "Quit"},
		msg.SimplifiedChinese: {"全部刷新", "打开 tokentray…", "添加凭证…", "设置…", "登录系统时启动", "退出"},
		msg.HongKongChinese:   {"全部刷新", "開啟 tokentray…", "新增憑證…", "設定…", "登入系統時啟動", "結束"},
	}
	for _, c := range []struct {
		env    []string
		lang   msg.Lang
		then   string // the setting changed to while it runs
		thenIs msg.Lang
	}{
		{[]string{"LANG=zh_CN.UTF-8"}, msg.SimplifiedChinese, "zh-HK", msg.HongKongChinese},
		{[]string{"LANG=en_US.UTF-8", "FUTU_LANGUAGE=zh-HK"}, msg.HongKongChinese, "en", msg.English},
	} {
		notes.forget()
		dir := t.TempDir()
		cmd := exec.Command(os.Args[0], "-test.run=^TestTrayAgentProcess$", "-test.count=1")
		cmd.Env = append(withoutLocale(os.Environ()), append(c.env, agentProcessDir+"="+dir)...)
		var out testutil.LockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		stdin, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		stop := func() { stdin.Close(); _ = cmd.Wait() }

		var item string
		select {
		case item = <-watcher.items:
		case <-time.After(20 * time.Second):
			stop()
			t.Fatalf("%s: the agent registered no tray icon:\n%s", c.lang, out.String())
		}
		name, path, _ := strings.Cut(item, "/")
		obj := conn.Object(name, dbus.ObjectPath("/"+path))
		menuObj := conn.Object(name, "/StatusNotifierItem/menu")
		tip := func() string {
			v, err := obj.GetProperty("org.kde.StatusNotifierItem.ToolTip")
			if err != nil {
				return ""
			}
			f := v.Value().([]interface{})
			return f[2].(string) + "\n" + f[3].(string)
		}
		// reads checks what the panel shows in lang.
		reads := func(lang msg.Lang) {
			t.Helper()
			// Every credential checked: futu-soon's line names its action.
			checked := lang.Text("tray.line_detail", "Name", "futu-soon", "State", auth.ActionNeeded.Message(), "Detail", msg.New("tray.do_extend"))
			testutil.EventuallyWithin(t, 20*time.Second, "the tooltip in "+string(lang), func() bool {
				return strings.Contains(tip(), "\n"+checked+"\n") && !strings.Contains(tip(), lang.Text("tray.checking"))
			})
			assertScript(t, lang, "tooltip", tip())
			var labels []string
			var ids []int32
			testutil.EventuallyWithin(t, 20*time.Second, "the menu in "+string(lang), func() bool {
				labels, ids = menuLabels(t, menuObj)
				return slices.Contains(labels, menu[lang][0])
			})
			assertScript(t, lang, "menu", strings.Join(labels, "\n"))
			for _, w := range menu[lang] {
				if !slices.Contains(labels, w) {
					t.Errorf("%s: the menu %q has no %q", lang, labels, w)
				}
			}
			// Inside a credential's submenu: its reason, said by the one
			// renderer in the language, and its actions.
			for _, cred := range []struct {
				name string
				h    auth.Health
				act  string
			}{{"futu-down", down, ""}, {"futu-soon", soon, lang.Text("tray.act", "Action", auth.Action{Kind: auth.ActionExtend}.Message())}} {
				i := indexPrefix(labels, cred.name)
				if i < 0 {
					t.Errorf("%s: no %s in the menu %q", lang, cred.name, labels)
					continue
				}
				kids, _ := subLabels(t, menuObj, ids[i])
				reason := shorten(display(lang, cred.h.Explain(lang), cred.name), 90)
				if len(kids) == 0 || kids[0] != reason {
					t.Errorf("%s: %s's submenu %q does not start with its reason %q", lang, cred.name, kids, reason)
				}
				assertScript(t, lang, cred.name+"'s submenu", strings.Join(kids, "\n"))
				if cred.act != "" && !slices.Contains(kids, cred.act) {
					t.Errorf("%s: %s's submenu %q has no %q", lang, cred.name, kids, cred.act)
				}
			}
		}
		reads(c.lang)

		// The notification of the key to extend, with its button.
		var n [3]string
		testutil.EventuallyWithin(t, 20*time.Second, "the notification about futu-soon", func() bool {
			var ok bool
			n, ok = notes.about("futu-soon")
			return ok
		})
		l := c.lang
		if want := l.Text("notify.title_needs_you", "Name", "futu-soon"); n[0] != want {
			t.Errorf("%s: the notification's title is %q, want %q", l, n[0], want)
		}
		if want := display(l, soon.Explain(l), "futu-soon"); n[1] != want {
			t.Errorf("%s: the notification says %q, want %q", l, n[1], want)
		}
		if want := "extend|" + l.Text("notify.button_extend"); n[2] != want {
			t.Errorf("%s: the notification's buttons are %q, want %q", l, n[2], want)
		}
		assertScript(t, l, "notification", strings.Join(n[:], "\n"))

		// A change of the setting, by another process, is followed.
		st, err := store.Open(dir, testutil.NewMemorySecrets())
		if err != nil {
			t.Fatal(err)
		}
		setLanguage(t, st, c.then)
		reads(c.thenIs)
		stop()
	}
}

// withoutLocale is env without the variables that choose a language.
func withoutLocale(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "LANG", "LC_ALL", "LC_MESSAGES", "FUTU_LANGUAGE", "LANGUAGE":
			continue
		}
		out = append(out, kv)
	}
	return out
}
