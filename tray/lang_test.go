package tray

import (
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// setLanguage changes the profile's language setting the way the
// command line and the window do: in the settings file.
func setLanguage(t *testing.T, st interface {
	Prefs() (store.Prefs, error)
	SetPrefs(store.Prefs) error
}, setting string) {
	t.Helper()
	p, err := st.Prefs()
	if err != nil {
		t.Fatal(err)
	}
	p.Language = setting
	if err := st.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
}

// The agent speaks the language the wiring resolves from the setting,
// and follows a change of the setting made by another process while it
// runs: no restart, and no timer (the clock never moves).
func TestTheAgentFollowsTheLanguageSetting(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	hongKong := func(k string) string {
		if k == "LANG" {
			return "zh_HK.UTF-8"
		}
		return ""
	}
	ta := runAgent(t, clock, &flakyBroker{}, func(o *AgentOptions) {
		o.NoWatch = false
		o.Language = func(setting string) msg.Lang { return msg.Choose(setting, hongKong, nil) }
	})
	ta.settle(t, 1)
	if got := ta.Lang(); got != msg.HongKongChinese {
		t.Fatalf("with the setting auto and LANG=zh_HK.UTF-8 the agent speaks %s", got)
	}
	st := ta.opts.Prefs.(*store.Store)
	for _, c := range []struct {
		setting string
		want    msg.Lang
	}{{"zh-CN", msg.SimplifiedChinese}, {"en", msg.English}, {"auto", msg.HongKongChinese}} {
		setLanguage(t, st, c.setting)
		testutil.EventuallyWithin(t, 10*time.Second, "the agent to speak "+string(c.want), func() bool { return ta.Lang() == c.want })
	}
	if !clock.Now().Equal(t0) {
		t.Fatal("the clock moved")
	}
}

// The tray's and the notifications' sentences, rendered once in every
// language: the one table of their text (other tests read codes, or the
// script a sentence is written in).
func TestTraySentencesInEveryLanguage(t *testing.T) {
	pending := Entry{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.Pending, Deadline: t0.Add(3*time.Minute + 41*time.Second), CheckedAt: t0}}
	expiring := Entry{Name: "futu-key", Kind: auth.KindFutuKey, Health: auth.Health{State: auth.Expiring, ExpiresAt: t0.Add(6*24*time.Hour + time.Hour), CheckedAt: t0}}
	ok := Entry{Name: "futu-main", Kind: auth.KindFutuOAuth, Health: auth.Health{State: auth.OK, ExpiresAt: t0.Add(time.Hour + 52*time.Minute + 30*time.Second), CheckedAt: t0}}
	verify := Entry{Name: "webull-us", Kind: auth.KindWebull, Health: auth.Health{State: auth.ActionNeeded, Next: auth.Next(auth.ActionVerify, "webull-us"), CheckedAt: t0}}
	line := func(e Entry, l msg.Lang) string { s, _ := StateLineIn(e, l, t0); return s }
	head := func(l msg.Lang) string {
		v := Render([]Entry{ok, pending}, ViewOptions{Sandbox: true, Lang: l}, t0)
		first, _, _ := strings.Cut(v.Tooltip, "\n")
		return first
	}
	more := func(l msg.Lang) string {
		v := Render(fleet(TooltipCap+3), ViewOptions{Lang: l}, t0)
		lines := strings.Split(v.Tooltip, "\n")
		return lines[len(lines)-1]
	}
	title := func(e Entry, l msg.Lang) string {
		return titled(l, msg.New(titleCode(e), "Name", e.Name, "State", e.Health.State.Message()), true)
	}
	copied := func(l msg.Lang) string { return l.Text("notify.copied", "Clear", 45*time.Second) }
	for _, c := range []struct {
		got  func(msg.Lang) string
		want [3]string // en, zh-CN, zh-HK
	}{
		{func(l msg.Lang) string { return line(pending, l) }, [3]string{"webull-us: Pending, 3:41 left to verify", "webull-us：等待验证，请在 3:41 内完成验证", "webull-us：等待認證，請在 3:41 內完成認證"}},
		{func(l msg.Lang) string { return line(expiring, l) }, [3]string{"futu-key: Expiring, extend within 6 days", "futu-key：即将过期，6 天内须延长有效期", "futu-key：即將過期，6 日內須延長有效期"}},
		{func(l msg.Lang) string { return line(ok, l) }, [3]string{"futu-main: OK, expires in 1 h 52 min", "futu-main：正常，1 小时 52 分钟后过期", "futu-main：正常，1 小時 52 分鐘後過期"}},
		{func(l msg.Lang) string { return line(verify, l) }, [3]string{"webull-us: Action needed, verify 2FA", "webull-us：需要处理，请进行二次验证", "webull-us：需要處理，請進行雙重認證"}},
		{head, [3]string{"tokentray (sandbox): 1 pending, 1 ok", "tokentray（沙盒）：1 个等待验证、1 个正常", "tokentray（沙盒）：1 個等待認證、1 個正常"}},
		{more, [3]string{"and 3 more — open tokentray…", "另有 3 个，打开 tokentray 查看…", "另有 3 個，開啟 tokentray 查看…"}},
		{func(l msg.Lang) string { return title(verify, l) }, [3]string{"tokentray: webull-us needs you (sandbox)", "tokentray：webull-us 需要您处理（沙盒）", "tokentray：webull-us 需要你處理（沙盒）"}},
		{func(l msg.Lang) string { return button(l, auth.ActionVerify, "webull-us").Label }, [3]string{"Verify now", "立即验证", "立即認證"}},
		{copied, [3]string{"Copied; cleared in 45 s", "已复制；45 秒后清除", "已複製；45 秒後清除"}},
	} {
		for i, l := range msg.Langs {
			if got := c.got(l); got != c.want[i] {
				t.Errorf("%s: %q, want %q", l, got, c.want[i])
			}
		}
	}
}
