package msg

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
)

// catalogue reads every message file: area -> lang -> id -> forms.
func catalogue(t *testing.T) map[string]map[Lang]map[string]map[string]string {
	t.Helper()
	out := map[string]map[Lang]map[string]map[string]string{}
	ents, err := fs.ReadDir(Files, FilesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		parts := strings.Split(strings.TrimSuffix(e.Name(), ".json"), ".")
		if len(parts) != 2 {
			t.Errorf("message file %s: name it AREA.LANG.json", e.Name())
			continue
		}
		area, lang := parts[0], Lang(parts[1])
		if !slices.Contains(Langs, lang) {
			t.Errorf("message file %s: %s is not one of %v", e.Name(), lang, Langs)
			continue
		}
		data, _ := Files.ReadFile(FilesDir + "/" + e.Name())
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			t.Errorf("message file %s: %v", e.Name(), err)
			continue
		}
		ids := map[string]map[string]string{}
		for id, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				ids[id] = map[string]string{"other": s}
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(v, &forms); err != nil {
				t.Errorf("message file %s, %s: neither a text nor plural forms", e.Name(), id)
				continue
			}
			ids[id] = forms
		}
		if out[area] == nil {
			out[area] = map[Lang]map[string]map[string]string{}
		}
		out[area][lang] = ids
	}
	return out
}

var param = regexp.MustCompile(`{{-?\s*\.(\w+)`)

func params(forms map[string]string) []string {
	set := map[string]bool{}
	for _, f := range forms {
		for _, m := range param.FindAllStringSubmatch(f, -1) {
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

func TestMessageFilesLoad(t *testing.T) {
	if err := LoadError(); err != nil {
		t.Fatal(err)
	}
}

// Every message has a text in every language, with the same parameters,
// and no translation is left over from a message English no longer has.
func TestEveryMessageIsTranslatedWithTheSameParameters(t *testing.T) {
	cat := catalogue(t)
	ids := map[string]string{}
	for area, langs := range cat {
		en := langs[English]
		if en == nil {
			t.Errorf("area %s has no English file", area)
			continue
		}
		for _, l := range Langs {
			tr := langs[l]
			if tr == nil {
				t.Errorf("area %s has no %s file", area, l)
				continue
			}
			for id, forms := range en {
				got, ok := tr[id]
				if !ok {
					t.Errorf("%s: %s has no %s text", area, id, l)
					continue
				}
				if strings.TrimSpace(got["other"]) == "" {
					t.Errorf("%s: %s has an empty %s text", area, id, l)
				}
				if want, have := params(forms), params(got); !slices.Equal(want, have) {
					t.Errorf("%s: %s in %s has parameters %v, English has %v", area, id, l, have, want)
				}
				if l == English && len(forms) > 1 && forms["one"] == "" {
					t.Errorf("%s: %s has plural forms but no English \"one\"", area, id)
				}
			}
			for id := range tr {
				if _, ok := en[id]; !ok {
					t.Errorf("%s: %s has a %s text but no English one", area, id, l)
				}
			}
		}
		for id := range en {
			if other, dup := ids[id]; dup {
				t.Errorf("%s is in both %s and %s", id, other, area)
			}
			ids[id] = area
		}
	}
}

// Every code the Go code names exists, with exactly the parameters it
// gives (when the call spells them out).
func TestEveryCodeUsedExistsWithItsParameters(t *testing.T) {
	cat := catalogue(t)
	en := map[string]map[string]string{}
	for _, langs := range cat {
		for id, f := range langs[English] {
			en[id] = f
		}
	}
	root := "../.."
	used := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n == ".git" || n == "testdata" || n == "node_modules" {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		local := "msg"
		inPkg := f.Name.Name == "msg" && filepath.Base(filepath.Dir(path)) == "msg"
		for _, im := range f.Imports {
			if p, _ := strconv.Unquote(im.Path.Value); p == "tokentray/internal/msg" && im.Name != nil {
				local = im.Name.Name
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var fn string
			switch x := call.Fun.(type) {
			case *ast.SelectorExpr:
				if id, ok := x.X.(*ast.Ident); ok && id.Name == local {
					fn = x.Sel.Name
				}
			case *ast.Ident:
				if inPkg {
					fn = x.Name
				}
			}
			idAt := map[string]int{"New": 0, "Errorf": 0, "Wrap": 1}[fn]
			if _, ok := map[string]bool{"New": true, "Errorf": true, "Wrap": true}[fn]; !ok || len(call.Args) <= idAt {
				return true
			}
			lit, ok := call.Args[idAt].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			id, _ := strconv.Unquote(lit.Value)
			if strings.HasSuffix(path, "_test.go") && strings.HasPrefix(id, "test.") {
				return true
			}
			used++
			where := fset.Position(call.Pos()).String()
			forms, ok := en[id]
			if !ok {
				t.Errorf("%s: message %q is in no message file", where, id)
				return true
			}
			var keys []string
			kv := call.Args[idAt+1:]
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(*ast.BasicLit)
				if !ok {
					return true // keys not spelt out: not checked here
				}
				s, _ := strconv.Unquote(k.Value)
				keys = append(keys, s)
			}
			if call.Ellipsis.IsValid() {
				return true
			}
			sort.Strings(keys)
			if want := params(forms); !slices.Equal(keys, want) {
				t.Errorf("%s: message %q is given %v, its text uses %v", where, id, keys, want)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if used == 0 {
		t.Fatal("found no message codes in the code: the scan is broken")
	}
}

// The table of rendered sentences, checked once; other tests assert on
// codes and parameters.
func TestRendering(t *testing.T) {
	retry := New("note.retry")
	cases := []struct {
		l    Lang
		m    Message
		want string
	}{
		{English, Join(Plain("Futu did not answer"), retry), "Futu did not answer; nothing was changed and tokentray will check again"},
		{SimplifiedChinese, Join(Plain("x"), retry), "x；未做任何更改，tokentray 稍后会再次检查"},
		{English, Approx(72 * time.Hour), "3 days"},
		{English, Approx(24*time.Hour + 30*time.Minute), "24 hours"},
		{English, Approx(time.Minute), "1 min"},
		{SimplifiedChinese, Approx(72 * time.Hour), "3 天"},
		{HongKongChinese, Approx(72 * time.Hour), "3 日"},
		{HongKongChinese, Approx(-time.Second), "已過期"},
		{English, New("dur.days", "Count", 1), "1 day"},
		{English, New("state.action-needed"), "Action needed"},
		{HongKongChinese, New("action.verify"), "雙重認證"},
	}
	for _, c := range cases {
		if got := c.l.Render(c.m); got != c.want {
			t.Errorf("%s %s: got %q, want %q", c.l, c.m.ID, got, c.want)
		}
	}
	if got := English.List([]string{"a", "b", "c"}); got != "a, b and c" {
		t.Errorf("English list: %q", got)
	}
	if got := SimplifiedChinese.List([]string{"甲", "乙", "丙"}); got != "甲、乙和丙" {
		t.Errorf("Chinese list: %q", got)
	}
}

func TestNestedMessagesAndErrorsRenderInTheSameLanguage(t *testing.T) {
	inner := Errorf("lang.setting_bad", "Value", "fr")
	outer := Join(New("state.broken"), Of(fmt.Errorf("wrapped: %w", inner)))
	if got := SimplifiedChinese.Render(outer); !strings.HasPrefix(got, "已失效；wrapped: ") {
		t.Errorf("an error with words of its own keeps them: %q", got)
	}
	direct := Join(New("state.broken"), Of(inner))
	if got := HongKongChinese.Render(direct); got != "已失效；tokentray 不支援語言 fr：請使用 en、zh-CN、zh-HK 或 auto" {
		t.Errorf("nested error message: %q", got)
	}
	var e *Error
	if !errors.As(inner, &e) || e.Msg.Arg("Value") != "fr" {
		t.Errorf("the error keeps its code and parameters: %#v", inner)
	}
	if inner.Error() != "fr is not a language tokentray speaks: use en, zh-CN, zh-HK or auto" {
		t.Errorf("Error() is English: %q", inner.Error())
	}
}

// A message kept in a file (a health in the settings) renders the same
// after it is read back.
func TestAMessageReadBackFromJSONRendersAsBefore(t *testing.T) {
	m := Join(New("dur.days", "Count", 2), Of(Errorf("lang.setting_bad", "Value", "fr")))
	data, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back Message
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	for _, l := range Langs {
		if a, b := l.Render(m), l.Render(back); a != b {
			t.Errorf("%s: %q became %q", l, a, b)
		}
	}
	first, then := back.Split()
	if first.ID != "dur.days" || then.ID != "lang.setting_bad" {
		t.Errorf("Split after JSON: %v, %v", first, then)
	}
}

func TestAnUnknownCodeSaysItsParameters(t *testing.T) {
	if got := English.Render(New("test.no_such", "Name", "x")); got != "test.no_such Name=x" {
		t.Errorf("got %q", got)
	}
}

func TestChoose(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	desk := func(s string) func() string { return func() string { return s } }
	cases := []struct {
		name    string
		setting string
		getenv  func(string) string
		desktop func() string
		want    Lang
	}{
		{"setting wins", "zh-HK", env("LANG", "zh_CN.UTF-8"), nil, HongKongChinese},
		{"setting en wins over FUTU_LANGUAGE", "en", env("FUTU_LANGUAGE", "zh-CN"), nil, English},
		{"FUTU_LANGUAGE first", "auto", env("FUTU_LANGUAGE", "zh-HK", "LANG", "zh_CN.UTF-8"), nil, HongKongChinese},
		{"FUTU_LANGUAGE en", "", env("FUTU_LANGUAGE", "en", "LANG", "zh_CN.UTF-8"), nil, English},
		{"LC_ALL before LANG", "auto", env("LC_ALL", "zh_TW.UTF-8", "LANG", "en_US.UTF-8"), nil, HongKongChinese},
		{"LC_MESSAGES before LANG", "auto", env("LC_MESSAGES", "zh_SG", "LANG", "en_US.UTF-8"), nil, SimplifiedChinese},
		{"LANG zh_CN", "auto", env("LANG", "zh_CN.UTF-8"), nil, SimplifiedChinese},
		{"LANG zh_HK", "auto", env("LANG", "zh_HK.UTF-8"), nil, HongKongChinese},
		{"LANG C wins over FUTU_LANGUAGE", "auto", env("LANG", "C", "FUTU_LANGUAGE", "zh-CN"), nil, English},
		{"LANG C.UTF-8", "auto", env("LANG", "C.UTF-8"), desk("zh-CN"), English},
		{"LANG en_US beats the desktop", "auto", env("LANG", "en_US.UTF-8"), desk("zh-CN"), English},
		{"desktop when nothing is set", "auto", env(), desk("zh-Hant-HK"), HongKongChinese},
		{"English at last", "auto", env(), nil, English},
		{"a bad setting is auto", "fr", env("LANG", "zh_CN.UTF-8"), nil, SimplifiedChinese},
	}
	for _, c := range cases {
		if got := Choose(c.setting, c.getenv, c.desktop); got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
	if _, err := ParseSetting("fr"); err == nil {
		t.Error("fr was accepted as a setting")
	}
	if s, err := ParseSetting("ZH_hk"); err != nil || s != "zh-HK" {
		t.Errorf("ZH_hk: %q %v", s, err)
	}
}

// A parameter that may be Latin or Chinese (a broker's name, a field's,
// a kind's) is written against the Chinese around it in the message
// file; the renderer puts the space between Chinese and Latin letters or
// digits where they meet, and nowhere else.
func TestChineseAndLatinAreSpacedWhereAParameterMeetsTheText(t *testing.T) {
	cases := []struct {
		l    Lang
		m    Message
		want string
	}{
		{SimplifiedChinese, New("auth.no_answer", "Broker", New("brand.webull"), "Why", New("auth.net_timeout")), "Webull 没有响应（超时）"},
		{SimplifiedChinese, New("auth.no_answer", "Broker", New("brand.futu"), "Why", New("auth.net_timeout")), "富途没有响应（超时）"},
		{HongKongChinese, New("futu.logged_out", "Brand", New("brand.moomoo")), "已不再登入 moomoo（令牌已刪除）"},
		{HongKongChinese, New("futu.logged_out", "Brand", New("brand.futu")), "已不再登入富途（令牌已刪除）"},
		{SimplifiedChinese, New("dur.days", "Count", 3), "3 天"},
		{SimplifiedChinese, New("auth.choice_bad", "Value", "x", "What", "地区", "Choices", "hk 或 us"), "x 不是有效的地区；请使用 hk 或 us"},
		{English, New("auth.no_answer", "Broker", "富途", "Why", "x"), "富途 did not answer (x)"},
		{SimplifiedChinese, New("cli.share_on_failed", "Name", "wb", "File", "/tmp/x/token.txt", "Err", "boom"), "wb 的共享已开启，但无法写入 /tmp/x/token.txt：boom"},
	}
	for _, c := range cases {
		if got := c.l.Render(c.m); got != c.want {
			t.Errorf("%s %s: got %q, want %q", c.l, c.m.ID, got, c.want)
		}
	}
}

// A message's file is found by its code's first part: every code of an
// area's file begins with the area's name (the common area's excepted,
// whose codes' first parts have no file of their own).
func TestEveryCodeIsInTheFileItsFirstPartNames(t *testing.T) {
	cat := catalogue(t)
	for area, langs := range cat {
		for id := range langs[English] {
			first, _, _ := strings.Cut(id, ".")
			if area == commonArea {
				if _, own := cat[first]; own {
					t.Errorf("common: %s begins with %s, an area of its own, where it would be looked for", id, first)
				}
				continue
			}
			if first != area {
				t.Errorf("%s: %s does not begin with %q, so it would not be found", area, id, area+".")
			}
		}
	}
}

// Saying a message reads only its own area's files (and the common
// area's), in English and the language said: a command that speaks
// through a few areas does not read the window's.
func TestSayingAMessageReadsOnlyItsArea(t *testing.T) {
	// Start as a process does, with nothing read yet.
	bundleMu.Lock()
	bundle, localizers, areas, loaded = nil, map[Lang]*i18n.Localizer{}, nil, map[string]bool{}
	bundleMu.Unlock()
	saidMu.Lock()
	clear(said)
	saidMu.Unlock()
	SimplifiedChinese.Render(New("state.ok"))
	SimplifiedChinese.Render(New("auth.access_none"))
	bundleMu.RLock()
	defer bundleMu.RUnlock()
	for _, name := range []string{"common.en.json", "common.zh-CN.json", "auth.en.json", "auth.zh-CN.json"} {
		if !loaded[name] {
			t.Errorf("%s was not read", name)
		}
	}
	if loaded["auth.zh-HK.json"] || loaded["common.zh-HK.json"] {
		t.Error("a language not spoken was read")
	}
	if loaded["app.en.json"] || loaded["cli.zh-CN.json"] {
		t.Error("an area not spoken from was read")
	}
}
