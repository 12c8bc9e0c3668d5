package app

import (
	"context"
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// newSettingsBackend serves the settings page from the settings table,
// as the window does, over a profile in a temporary folder.
func newSettingsBackend(t *testing.T) service.Local {
	t.Helper()
	st, err := store.Open(t.TempDir(), testutil.NewMemorySecrets())
	if err != nil {
		t.Fatal(err)
	}
	return service.Local{Eng: engine.New(st, nil, nil), Autostart: &switchOnly{}, Prefs: st,
		Dir: st.Dir(), SettingsFile: st.Path()}
}

// switchOnly is a start-at-login switch that starts nothing.
type switchOnly struct{ on bool }

func (s *switchOnly) Enabled() bool     { return s.on }
func (s *switchOnly) Set(on bool) error { s.on = on; return nil }

// appTexts reads the window's message file in language l: id -> forms.
func appTexts(t *testing.T, l msg.Lang) map[string]map[string]string {
	t.Helper()
	data, err := msg.Files.ReadFile(msg.FilesDir + "/app." + string(l) + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]string{}
	for id, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[id] = map[string]string{"other": s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			t.Fatalf("app.%s.json: %s is neither a text nor plural forms", l, id)
		}
		out[id] = forms
	}
	return out
}

var templateParam = regexp.MustCompile(`{{-?\s*\.(\w+)`)

func templateParams(forms map[string]string) []string {
	set := map[string]bool{}
	for _, f := range forms {
		for _, m := range templateParam.FindAllStringSubmatch(f, -1) {
			set[m[1]] = true
		}
	}
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Every key the window gives lang.L, lang.N, lang.X or lang.XN is a
// message of the app area (internal/msg's tests then make sure it is
// translated into every language), given exactly the parameters its
// text uses when the call spells them out with kv; and every message of
// the area is used, so none is left behind when a sentence changes.
func TestEveryKeyTheWindowUsesIsInTheMessageFiles(t *testing.T) {
	en := appTexts(t, msg.English)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// The window's program says a few sentences of the area too.
	prog, _ := filepath.Glob("cmd/tokentray-window/*.go")
	files = append(files, prog...)
	used := map[string]bool{}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if ok && pkg.Name == "msg" && len(call.Args) > 0 {
				// An error the window makes as a message: internal/msg's
				// tests check its parameters.
				if lit, ok := call.Args[0].(*ast.BasicLit); ok && (sel.Sel.Name == "Errorf" || sel.Sel.Name == "New") {
					key, _ := strconv.Unquote(lit.Value)
					used[key] = true
				}
				return true
			}
			if !ok || pkg.Name != "lang" {
				return true
			}
			// Where the parameters are: after the key, and after the
			// count (N), the fallback (X) or both (XN).
			dataAt := map[string]int{"L": 1, "N": 2, "X": 2, "XN": 3}
			at, ok := dataAt[sel.Sel.Name]
			if !ok {
				return true
			}
			where := fset.Position(call.Pos()).String()
			if len(call.Args) == 0 {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: lang.%s with a key that is not spelt out: the test cannot check it", where, sel.Sel.Name)
				return true
			}
			key, _ := strconv.Unquote(lit.Value)
			used[key] = true
			forms, ok := en[key]
			if !ok {
				t.Errorf("%s: %q is not in app.en.json", where, key)
				return true
			}
			var given []string
			if len(call.Args) > at {
				data, ok := call.Args[at].(*ast.CallExpr)
				if fn, isIdent := data.Fun.(*ast.Ident); !ok || !isIdent || fn.Name != "kv" {
					t.Errorf("%s: the parameters of %q are not given with kv", where, key)
					return true
				}
				for i := 0; i < len(data.Args); i += 2 {
					k, ok := data.Args[i].(*ast.BasicLit)
					if !ok {
						t.Errorf("%s: a parameter name of %q is not spelt out", where, key)
						return true
					}
					s, _ := strconv.Unquote(k.Value)
					given = append(given, s)
				}
			}
			sort.Strings(given)
			if want := templateParams(forms); !slices.Equal(given, want) {
				t.Errorf("%s: %q is given %v, its text uses %v", where, key, given, want)
			}
			return true
		})
	}
	if len(used) < 50 {
		t.Fatalf("found only %d keys in the window's code: the scan is broken", len(used))
	}
	for id := range en {
		if !used[id] {
			t.Errorf("%s is in app.en.json but the window never says it", id)
		}
	}
}

// Fyne's own words the window shows (a confirmation's Yes and No, the
// text fields' menu) are in both Chinese files, and Fyne uses them:
// Hong Kong gets Traditional characters, not Fyne's Simplified ones.
func TestFyneOwnWordsAreInBothChineses(t *testing.T) {
	keys := map[msg.Lang][]string{}
	for _, l := range []msg.Lang{msg.SimplifiedChinese, msg.HongKongChinese} {
		data, err := fyneWords.ReadFile("locales/fyne." + string(l) + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		for k, v := range m {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %q is empty", l, k)
			}
			keys[l] = append(keys[l], k)
		}
		sort.Strings(keys[l])
		for _, k := range []string{"Yes", "No", "OK", "Cancel", "Cut", "Copy", "Paste", "Select all", "Undo", "Redo"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s has no text for Fyne's %q", l, k)
			}
		}
	}
	if !slices.Equal(keys[msg.SimplifiedChinese], keys[msg.HongKongChinese]) {
		t.Errorf("zh-CN has %v, zh-HK %v", keys[msg.SimplifiedChinese], keys[msg.HongKongChinese])
	}
	for _, c := range []struct {
		l        msg.Lang
		key, say string
	}{
		{msg.HongKongChinese, "OK", "確定"}, {msg.HongKongChinese, "Paste", "貼上"}, {msg.HongKongChinese, "No", "否"},
		{msg.SimplifiedChinese, "OK", "确定"}, {msg.SimplifiedChinese, "No", "否"},
		{msg.English, "OK", "OK"}, {msg.English, "No", "No"},
	} {
		if err := UseLanguage(c.l); err != nil {
			t.Fatal(err)
		}
		if got := lang.L(c.key); got != c.say {
			t.Errorf("%s: Fyne says %q for %q, want %q", c.l, got, c.key, c.say)
		}
	}
	t.Cleanup(func() { _ = UseLanguage(msg.English) })
}

// Choosing the window's language leaves the person's locale as it was
// for the programs the window starts.
func TestUseLanguageLeavesTheLocaleAsItWas(t *testing.T) {
	t.Setenv("LC_ALL", "")
	os.Unsetenv("LC_ALL")
	t.Setenv("LANGUAGE", "fr")
	if err := UseLanguage(msg.HongKongChinese); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = UseLanguage(msg.English) })
	if v, ok := os.LookupEnv("LC_ALL"); ok {
		t.Errorf("LC_ALL is left as %q", v)
	}
	if v := os.Getenv("LANGUAGE"); v != "fr" {
		t.Errorf("LANGUAGE is left as %q", v)
	}
	if got := lang.L("app.tab_settings"); got != "設定" {
		t.Errorf("Fyne speaks %q", got)
	}
}

// texts is every text drawn under o that is in view.
func texts(o fyne.CanvasObject) []string {
	if o == nil || !o.Visible() {
		return nil
	}
	var out []string
	switch x := o.(type) {
	case *canvas.Text:
		if strings.TrimSpace(x.Text) != "" {
			out = append(out, x.Text)
		}
	case *fyne.Container:
		for _, c := range x.Objects {
			out = append(out, texts(c)...)
		}
	case fyne.Widget:
		for _, c := range test.WidgetRenderer(x).Objects() {
			out = append(out, texts(c)...)
		}
	}
	return out
}

// onScreen is every text in view in the window: its content and the
// dialogs over it.
func onScreen(u *UI) []string {
	c := u.Win.Canvas()
	out := texts(c.Content())
	for _, o := range c.Overlays().List() {
		out = append(out, texts(o)...)
	}
	return out
}

// Characters only one of the two scripts writes, among those the window
// uses: a Simplified one in zh-HK, or a Traditional one in zh-CN, is a
// sentence in the wrong script.
const (
	onlySimplified  = "设证录钥复删时间过认态权户检载显续将开关闭们这说语应软码级务启动储贴选择须连网络类称围没与从为后数据库获实现"
	onlyTraditional = "設證錄鑰複刪時間過認態權戶檢載顯續將開關閉們這說語應軟碼級務啟動儲貼選擇須連網絡類稱圍沒與從為後數據庫獲實現"
)

// checkScript fails when a text in view is in the wrong script, or is
// one of the window's English sentences left untranslated.
func checkScript(t *testing.T, l msg.Lang, where string, shown []string) {
	t.Helper()
	wrong := onlyTraditional
	if l == msg.HongKongChinese {
		wrong = onlySimplified
	}
	english := map[string]bool{}
	for _, forms := range appTexts(t, msg.English) {
		for _, s := range forms {
			if !strings.Contains(s, "{{") && strings.Contains(s, " ") {
				english[s] = true
			}
		}
	}
	han := 0
	for _, s := range shown {
		if i := strings.IndexAny(s, wrong); i >= 0 {
			t.Errorf("%s, %s: %q is not in %s's script", l, where, s, l)
		}
		if english[s] {
			t.Errorf("%s, %s: %q is shown in English", l, where, s)
		}
		if strings.ContainsFunc(s, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
			han++
		}
	}
	if han == 0 {
		t.Errorf("%s, %s: nothing in view is in Chinese: %q", l, where, shown)
	}
}

// The window speaks Simplified and Hong Kong Chinese: the list, the
// details with the reason from the domain, the buttons, the add form,
// the logout question with Fyne's own buttons, the 2FA dialog with its
// countdown and the settings page with the language choice.
func TestTheWindowSpeaksChinese(t *testing.T) {
	t.Cleanup(func() { _ = UseLanguage(msg.English) })
	for _, c := range []struct {
		l                                msg.Lang
		add, settings, copyTok, no, left string
		later                            string
		reason, pending, language        string
	}{
		{msg.SimplifiedChinese, "添加凭证…", "设置", "复制令牌", "否", "剩余 4:00", "剩余 2:59",
			"富途没有应答；未做任何更改，tokentray 稍后会再次检查", "等待验证，剩余 4:00", "语言"},
		{msg.HongKongChinese, "新增憑證…", "設定", "複製令牌", "否", "尚餘 4:00", "尚餘 2:59",
			"富途沒有回應；未有作出任何更改，tokentray 稍後會再次檢查", "等待認證，尚餘 4:00", "語言"},
	} {
		t.Run(string(c.l), func(t *testing.T) {
			noAnswer := map[msg.Lang]string{msg.SimplifiedChinese: "富途没有应答", msg.HongKongChinese: "富途沒有回應"}[c.l]
			b := &memBackend{rows: []Row{
				{Name: "futu-main", Kind: auth.KindFutuOAuth,
					Health:     auth.Health{State: auth.Unknown, Next: auth.Next(auth.ActionRetry, "futu-main")}.Because(msg.Plain(noAnswer)).Note(auth.RetryNoteMsg()),
					Credential: auth.Credential{Kind: auth.KindFutuOAuth, Account: auth.Account{Name: "Bo", FutuID: "10086001"}, Access: &auth.Access{Quote: true}}},
				{Name: "futu-old", Kind: auth.KindFutuKey,
					Health:     auth.Health{State: auth.Broken, ExpiresAt: t0.Add(-time.Hour)},
					Credential: auth.Credential{Kind: auth.KindFutuKey}},
				{Name: "webull-hk", Kind: auth.KindWebull,
					Health:     auth.Health{State: auth.Pending, Deadline: t0.Add(4 * time.Minute), Next: auth.Next(auth.ActionVerify, "webull-hk")},
					Credential: auth.Credential{Kind: auth.KindWebull, Region: "hk"}},
			}}
			clock := clockwork.NewFakeClockAt(t0)
			u := New(test.NewTempApp(t), b, Options{Sandbox: true, Clock: clock, Runner: syncRunner{}, Lang: c.l, Fonts: anyFont})
			u.Win.Show()
			if err := u.Reload(context.Background()); err != nil {
				t.Fatal(err)
			}
			if u.AddButton.Text != c.add || u.Tabs.Items[1].Text != c.settings {
				t.Errorf("add %q, settings tab %q", u.AddButton.Text, u.Tabs.Items[1].Text)
			}
			selectRow(t, u, "futu-main")
			if u.Details.Reason.Text != c.reason {
				t.Errorf("reason %q, want %q", u.Details.Reason.Text, c.reason)
			}
			if u.Details.Copy.Text != c.copyTok {
				t.Errorf("copy button %q", u.Details.Copy.Text)
			}
			checkScript(t, c.l, "main view", onScreen(u))
			selectRow(t, u, "futu-old")
			if want := u.when(t0.Add(-time.Hour)) + map[msg.Lang]string{msg.SimplifiedChinese: "（已过期）", msg.HongKongChinese: "（已過期）"}[c.l]; u.Details.Expiry.Text != want {
				t.Errorf("an expired token's row says %q, want %q", u.Details.Expiry.Text, want)
			}
			if got := u.shortState(b.rows[2].Health, t0); got != c.pending {
				t.Errorf("pending row %q, want %q", got, c.pending)
			}

			// The logout question: ours and Fyne's words.
			u.logoutSelected()
			shown := onScreen(u)
			if !slices.Contains(shown, c.no) {
				t.Errorf("the logout question's buttons are not Fyne's words in %s: %q", c.l, shown)
			}
			checkScript(t, c.l, "logout question", shown)
			u.Escape()

			// The add form, laid out for each kind.
			f := u.ShowAddForm()
			for _, k := range auth.Kinds {
				f.Kind.SetSelected(kindTitle(k))
				checkScript(t, c.l, "add form "+string(k), onScreen(u))
			}
			f.Name.SetText("x y")
			f.Save()
			if e := f.Error(FieldName); e == "" {
				t.Error("a wrong name is not marked")
			}
			u.Escape()

			// The 2FA dialog and its countdown, on the fake clock.
			r := &asyncRunner{}
			ev := auth.LoginEvent{Health: b.rows[2].Health}
			ev.SetSteps(msg.New("futu.step_come_back"))
			wb := &memBackend{rows: b.rows[2:], loginGo: make(chan struct{}), loginEvs: []auth.LoginEvent{ev}}
			clock2 := clockwork.NewFakeClockAt(t0)
			u3 := New(test.NewTempApp(t), wb, Options{Clock: clock2, Runner: r, Lang: c.l, Fonts: anyFont})
			u3.Win.Show()
			if err := u3.Reload(context.Background()); err != nil {
				t.Fatal(err)
			}
			r.settle()
			var ld *LoginDialog
			r.read(func() { ld = u3.StartLogin(u3.Rows()[0]) })
			countdown := func() string { var s string; r.read(func() { s = ld.Countdown.Text }); return s }
			testutil.Eventually(t, "the countdown", func() bool { return countdown() == c.left })
			if err := clock2.BlockUntilContext(testutil.Context(t, 5*time.Second), 1); err != nil {
				t.Fatal(err)
			}
			clock2.Advance(61 * time.Second)
			testutil.Eventually(t, "the countdown to move", func() bool { return countdown() == c.later })
			r.read(func() {
				if want := "1. " + c.l.Text("futu.step_come_back"); !strings.Contains(ld.Steps.Text, want) {
					t.Errorf("the steps say %q, want %q", ld.Steps.Text, want)
				}
				checkScript(t, c.l, "2FA dialog", onScreen(u3))
			})
			close(wb.loginGo)
			r.settle()

			// The settings page, with the language choice.
			st := newSettingsBackend(t)
			u2 := New(test.NewTempApp(t), st, Options{Clock: clock, Runner: syncRunner{}, Lang: c.l, Fonts: anyFont})
			u2.Win.Show()
			u2.Tabs.Select(u2.settingsTab)
			sel, ok := u2.Settings.Fields[languageKey].(*widget.Select)
			if !ok {
				t.Fatalf("the language setting is a %T", u2.Settings.Fields[languageKey])
			}
			if want := []string{lang.L("app.language_auto"), "English", "简体中文", "繁體中文（香港）"}; !slices.Equal(sel.Options, want) {
				t.Errorf("language choices %q, want %q", sel.Options, want)
			}
			if items := u2.Settings.form.Items; len(items) == 0 || items[0].Text != c.language {
				t.Errorf("the settings page does not start with the %q row", c.language)
			}
			checkScript(t, c.l, "settings page", onScreen(u2))
		})
	}
}

// Choosing a language on the settings page saves it and the window
// speaks it at once.
func TestChoosingALanguageOnTheSettingsPage(t *testing.T) {
	t.Cleanup(func() { _ = UseLanguage(msg.English) })
	b := newSettingsBackend(t)
	var asked []string
	u := New(test.NewTempApp(t), b, Options{Clock: clockwork.NewFakeClockAt(t0), Runner: syncRunner{}, Fonts: anyFont,
		Language: func(setting string) msg.Lang {
			asked = append(asked, setting)
			return msg.Choose(setting, func(string) string { return "" }, nil)
		}})
	u.Win.Show()
	u.Tabs.Select(u.settingsTab)
	if u.Tabs.Items[1].Text != "Settings" {
		t.Fatalf("the window starts in %q", u.Tabs.Items[1].Text)
	}
	u.Settings.Fields[languageKey].(*widget.Select).SetSelected("繁體中文（香港）")
	u.Settings.Apply()
	if p, _ := b.Prefs.Prefs(); p.Language != "zh-HK" {
		t.Errorf("the setting saved is %q", p.Language)
	}
	if !slices.Equal(asked, []string{"zh-HK"}) {
		t.Errorf("the wiring was asked %q", asked)
	}
	if u.Tabs.Items[1].Text != "設定" || u.Tabs.Selected() != u.settingsTab || u.AddButton.Text != "新增憑證…" {
		t.Errorf("after choosing zh-HK: tabs %q, %q selected, add %q", u.Tabs.Items[1].Text, u.Tabs.Selected().Text, u.AddButton.Text)
	}
	if got := u.Settings.Message.Text; got != "視窗現已使用繁體中文（香港）。" {
		t.Errorf("the page says %q", got)
	}
	if got := u.Settings.Fields[languageKey].(*widget.Select).Selected; got != "繁體中文（香港）" {
		t.Errorf("the language choice shows %q", got)
	}
	checkScript(t, msg.HongKongChinese, "settings page after the switch", onScreen(u))

	u.Settings.Fields[languageKey].(*widget.Select).SetSelected("自動（跟隨系統）")
	u.Settings.Apply()
	if u.Tabs.Items[1].Text != "Settings" {
		t.Errorf("back to auto, with no Chinese locale, the window says %q", u.Tabs.Items[1].Text)
	}
}

// The settings' English titles and allowed values are the settings
// table's own: a change there shows here as a failure to translate.
func TestSettingTextsAreTheTablesInEnglish(t *testing.T) {
	_ = UseLanguage(msg.English)
	ss, err := newSettingsBackend(t).Settings(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range ss {
		title, allowed := settingText(s)
		if title != s.Title || allowed != s.Allowed {
			t.Errorf("%s: the window says %q (%q), the table %q (%q)", s.Key, title, allowed, s.Title, s.Allowed)
		}
	}
	if len(ss) < 8 {
		t.Errorf("only %d settings", len(ss))
	}
}

// The app area's table: a few of the window's messages as each language
// says them (the other tests check codes and scripts).
func TestAppMessagesInEveryLanguage(t *testing.T) {
	cases := []struct {
		l    msg.Lang
		m    msg.Message
		want string
	}{
		{msg.English, msg.New("app.state_left", "State", "Expiring", "Left", "3 days"), "Expiring, 3 days left"},
		{msg.SimplifiedChinese, msg.New("app.state_left", "State", "即将过期", "Left", "3 天"), "即将过期，剩余 3 天"},
		{msg.HongKongChinese, msg.New("app.state_left", "State", "即將過期", "Left", "3 日"), "即將過期，尚餘 3 日"},
		{msg.English, msg.New("app.extend_years", "Count", 1), "1 year"},
		{msg.English, msg.New("app.extend_years", "Count", 2), "2 years"},
		{msg.SimplifiedChinese, msg.New("app.extend_days", "Count", 90), "90 天"},
		{msg.HongKongChinese, msg.New("app.extend_days", "Count", 90), "90 日"},
		{msg.English, msg.New("app.logout_title", "Name", "futu-main"), "Log out of futu-main?"},
		{msg.SimplifiedChinese, msg.New("app.logout_title", "Name", "futu-main"), "退出登录 futu-main？"},
		{msg.HongKongChinese, msg.New("app.logout_title", "Name", "futu-main"), "登出 futu-main？"},
		{msg.HongKongChinese, msg.New("app.logout_futu", "Brand", msg.New("brand.futu")), "tokentray 會向富途撤銷其令牌，並從系統鑰匙圈刪除。向 tokentray 索取該令牌的腳本會停止運作，直至你重新登入。"},
	}
	for _, c := range cases {
		if got := c.l.Render(c.m); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.l, c.m.ID, got, c.want)
		}
	}
}

// The window writes a date as the reasons and the notifications beside
// it do: a space between the digits and the characters.
func TestTheWindowWritesChineseDatesAsTheReasonsDo(t *testing.T) {
	at := time.Date(2026, 12, 7, 15, 4, 0, 0, time.Local)
	for _, l := range []msg.Lang{msg.SimplifiedChinese, msg.HongKongChinese} {
		u := &UI{lang: l}
		if got := u.day(at); got != "2026 年 12 月 7 日" {
			t.Errorf("%s day: %q", l, got)
		}
		if got := u.when(at); got != "2026 年 12 月 7 日 15:04" {
			t.Errorf("%s when: %q", l, got)
		}
	}
	if got := (&UI{lang: msg.English}).when(at); got != "7 Dec 2026 15:04" {
		t.Errorf("English when: %q", got)
	}
}
