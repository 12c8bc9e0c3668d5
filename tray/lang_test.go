package tray

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

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
// runs: no restart, and no timer (the clock moves only to show that the
// countdown line goes on in the new language).
func TestTheAgentFollowsTheLanguageSetting(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	hongKong := func(k string) string {
		if k == "LANG" {
			return "zh_HK.UTF-8"
		}
		return ""
	}
	ta := runAgent(t, clock, &flakyBroker{pending: t0.Add(5 * time.Minute)}, func(o *AgentOptions) {
		o.SettingsFile = o.Prefs.(*store.Store).Path() // followed for changes
		o.Language = func(setting string) msg.Lang { return msg.Choose(setting, hongKong, nil) }
	})
	// shows waits until the tray shows line (with nothing being checked)
	// and checks that the tooltip and every menu label are in lang.
	shows := func(lang msg.Lang, line string) {
		t.Helper()
		want := map[msg.Lang][]string{
			msg.English:           {"Refresh all", "Open tokentray…", "Settings…", "Start at login", "Quit"},
			msg.SimplifiedChinese: {"全部刷新", "打开 tokentray…", "设置…", "登录系统时启动", "退出"},
			msg.HongKongChinese:   {"全部刷新", "開啟 tokentray…", "設定…", "登入系統時啟動", "結束"},
		}[lang]
		// The tooltip and the menu's items are set one after the other:
		// wait for the last item too, then check everything shown.
		testutil.EventuallyWithin(t, 10*time.Second, "the tray to show "+line, func() bool {
			labels := ta.panel.allLabels()
			for _, w := range want {
				if !slices.Contains(labels, w) {
					return false
				}
			}
			return strings.Contains(ta.panel.tip(), "\n"+line) && !ta.busy()
		})
		if got := ta.Lang(); got != lang {
			t.Errorf("the agent speaks %s, want %s", got, lang)
		}
		tip, labels := ta.panel.tip(), ta.panel.allLabels()
		assertScript(t, lang, "tooltip", tip)
		assertScript(t, lang, "menu", strings.Join(labels, "\n"))
		for _, w := range want {
			if !slices.Contains(labels, w) {
				t.Errorf("%s: the menu %q has no %q", lang, labels, w)
			}
		}
	}
	// At start the setting is auto, and the locale is Hong Kong's.
	shows(msg.HongKongChinese, "futu-main：等待認證，請在 5:00 內完成認證")
	st := ta.opts.Prefs.(*store.Store)
	setLanguage(t, st, "zh-CN")
	shows(msg.SimplifiedChinese, "futu-main：等待验证，请在 5:00 内完成验证")
	if !clock.Now().Equal(t0) {
		t.Fatal("the clock moved: the change was not the setting's alone")
	}
	// The countdown goes on, in the language now set.
	if err := clock.BlockUntilContext(ta.ctx, 1); err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Second)
	shows(msg.SimplifiedChinese, "futu-main：等待验证，请在 4:59 内完成验证")
	setLanguage(t, st, "en")
	shows(msg.English, "futu-main: Pending, 4:59 left to verify")
	setLanguage(t, st, "auto")
	shows(msg.HongKongChinese, "futu-main：等待認證，請在 4:59 內完成認證")
}

// busy reports whether the agent is checking a credential.
func (ta *testAgent) busy() bool {
	ta.mu.Lock()
	defer ta.mu.Unlock()
	return len(ta.Agent.busy) > 0
}

// allLabels is every label the panel shows, in no order.
func (f *fakePanel) allLabels() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, l := range f.labels {
		out = append(out, l)
	}
	return out
}

// Characters that differ between the two ways of writing Chinese, as
// pairs of Simplified and Traditional: enough of them to tell which
// script the tray's and the notifications' sentences are written in.
const scriptPairs = "个個 验驗 证證 处處 过過 设設 录錄 时時 启啟 动動 开開 复複 详詳 细細 凭憑 检檢 将將 续續 钥鑰 单單 务務 网網 络絡 会會 后後 为為 无無 于於 须須 内內 现現 发發 请請 认認 删刪 码碼 讯訊 间間 据據 数數 还還 没沒 应應 进進 关關 闭閉 从從 选選 结結 视視 预預 资資 执執 钟鐘 档檔 图圖 们們 这這 败敗 恢恢 态態 换換 旧舊 长長 制製 时時 显顯 窗窗 页頁 键鍵 确確 账帳 户戶 击擊 试試 标標 库庫 储儲 变變 线線 项項 实實 该該 门門 输輸 处處 将將 经經 运運 个個 问問 题題 准準 备備 读讀 写寫 删刪 达達 边邊"

var simplified, traditional = func() (map[rune]bool, map[rune]bool) {
	s, t := map[rune]bool{}, map[rune]bool{}
	for _, p := range strings.Fields(scriptPairs) {
		r := []rune(p)
		if r[0] != r[1] {
			s[r[0]], t[r[1]] = true, true
		}
	}
	return s, t
}()

// assertScript checks that text is written as lang writes: English
// without a Chinese character; zh-CN in Simplified characters only,
// zh-HK in Traditional ones only.
func assertScript(t *testing.T, lang msg.Lang, what, text string) {
	t.Helper()
	var han, simp, trad []rune
	for _, r := range text {
		switch {
		case simplified[r]:
			simp = append(simp, r)
		case traditional[r]:
			trad = append(trad, r)
		}
		if unicode.Is(unicode.Han, r) {
			han = append(han, r)
		}
	}
	switch lang {
	case msg.English:
		if len(han) > 0 {
			t.Errorf("%s in English has Chinese characters %q: %q", what, string(han), text)
		}
	case msg.SimplifiedChinese:
		if len(simp) == 0 || len(trad) > 0 {
			t.Errorf("%s in zh-CN has Simplified %q and Traditional %q: %q", what, string(simp), string(trad), text)
		}
	case msg.HongKongChinese:
		if len(trad) == 0 || len(simp) > 0 {
			t.Errorf("%s in zh-HK has Traditional %q and Simplified %q: %q", what, string(trad), string(simp), text)
		}
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
		{func(l msg.Lang) string { return title(verify, l) }, [3]string{"tokentray: webull-us needs you (sandbox)", "tokentray：webull-us 需要你处理（沙盒）", "tokentray：webull-us 需要你處理（沙盒）"}},
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

// The headless agent's log speaks the agent's language, asked at each
// line, so a change of the setting shows from the next line on.
func TestTheEventLogSpeaksTheAgentsLanguage(t *testing.T) {
	var b strings.Builder
	l := NewEventLog(&b, nil)
	lang := msg.HongKongChinese
	l.SetLang(func() msg.Lang { return lang })
	h := auth.Health{State: auth.OK, ExpiresAt: t0.Add(time.Hour)}
	down := auth.NoAnswerHealth(msg.New("brand.webull"), context.DeadlineExceeded, t0.Add(time.Hour), t0)
	fail := msg.New("tray.share_failing", "Target", "bot@vps:conf", "Error", "connection refused")
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: h}})
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: down, ShareFailing: []msg.Message{fail}}})
	hk := b.String()
	lang = msg.SimplifiedChinese
	b.Reset()
	l.Entries([]Entry{{Name: "a", Kind: auth.KindWebull, Health: h}})
	l.Entries(nil)
	cn := b.String()
	want := "a（Webull 令牌）：正常，將於 2026-11-23 10:00 UTC 過期\n" +
		"a：正常 -> 未知，將於 2026-11-23 10:00 UTC 過期：" + msg.HongKongChinese.Render(down.Why) + "\n" +
		"a：無法推送到 bot@vps:conf：connection refused\n"
	if hk != want {
		t.Errorf("log in zh-HK:\n%s\nwant:\n%s", hk, want)
	}
	assertScript(t, msg.HongKongChinese, "the log", hk)
	if want := "a：未知 -> 正常，将于 2026-11-23 10:00 UTC 过期\na：所有共享目标已恢复推送\na 已删除\n"; cn != want {
		t.Errorf("log in zh-CN:\n%s\nwant:\n%s", cn, want)
	}
	assertScript(t, msg.SimplifiedChinese, "the log", cn)
}
