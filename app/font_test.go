package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/go-text/typesetting/font"
	"github.com/jonboulle/clockwork"

	"tokentray/internal/msg"
)

// anyFont stands for a system font with Chinese characters, so the tests
// of what the window says do not depend on the fonts installed.
func anyFont(msg.Lang) *Font {
	return &Font{Regular: theme.DefaultTextFont(), Bold: theme.DefaultTextBoldFont(), File: "test"}
}

// collection writes fonts as one OpenType collection (.ttc), as Linux
// ships most Chinese fonts.
func collection(t *testing.T, fonts ...[]byte) []byte {
	t.Helper()
	be := binary.BigEndian
	head := 12 + 4*len(fonts)
	out := make([]byte, head)
	copy(out, "ttcf")
	be.PutUint32(out[4:], 0x00010000)
	be.PutUint32(out[8:], uint32(len(fonts)))
	for i, f := range fonts {
		at := len(out)
		be.PutUint32(out[12+4*i:], uint32(at))
		// The font as it is, its table offsets moved by where it lands.
		g := append([]byte(nil), f...)
		n := int(be.Uint16(g[4:]))
		for r := 0; r < n; r++ {
			rec := g[12+16*r:]
			be.PutUint32(rec[8:], be.Uint32(rec[8:])+uint32(at))
		}
		out = append(out, g...)
		for len(out)%4 != 0 {
			out = append(out, 0)
		}
	}
	return out
}

// A face taken out of a collection is a font Fyne reads, and it is the
// face asked for.
func TestAFaceOfACollectionIsAFontFyneReads(t *testing.T) {
	regular, bold := theme.DefaultTextFont().Content(), theme.DefaultTextBoldFont().Content()
	ttc := collection(t, regular, bold)
	if _, err := font.ParseTTF(bytes.NewReader(ttc)); err == nil {
		t.Fatal("a collection reads as a single font: the test proves nothing")
	}
	for i, want := range [][]byte{regular, bold} {
		got, err := faceOfCollection(ttc, i)
		if err != nil {
			t.Fatal(err)
		}
		face, err := font.ParseTTF(bytes.NewReader(got))
		if err != nil {
			t.Fatalf("face %d: %v", i, err)
		}
		orig, _ := font.ParseTTF(bytes.NewReader(want))
		if face.Describe() != orig.Describe() {
			t.Errorf("face %d is %+v, want %+v", i, face.Describe(), orig.Describe())
		}
		g1, _ := face.NominalGlyph('A')
		g2, _ := orig.NominalGlyph('A')
		if face.HorizontalAdvance(g1) != orig.HorizontalAdvance(g2) {
			t.Errorf("face %d draws A %v wide, the original %v", i, face.HorizontalAdvance(g1), orig.HorizontalAdvance(g2))
		}
	}
	if _, err := faceOfCollection(ttc, 2); err == nil {
		t.Error("a face the collection does not have was taken")
	}
	if _, err := faceOfCollection(ttc[:30], 1); err == nil {
		t.Error("a collection cut short was read")
	}
	// Found at a known place, the face with the characters is chosen.
	path := filepath.Join(t.TempDir(), "two.ttc")
	if err := os.WriteFile(path, ttc, 0o600); err != nil {
		t.Fatal(err)
	}
	if !covers(faceRef{file: path, index: 1}, "Token") || covers(faceRef{file: path, index: 1}, "令牌") {
		t.Error("covers does not tell the faces' characters")
	}
}

// hanIn is every Chinese character of the window's messages and Fyne's
// words in language l.
func hanIn(t *testing.T, l msg.Lang) string {
	t.Helper()
	var all strings.Builder
	for _, forms := range appTexts(t, l) {
		for _, s := range forms {
			all.WriteString(s)
		}
	}
	data, err := fyneWords.ReadFile("locales/fyne." + string(l) + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	for _, s := range m {
		all.WriteString(s)
	}
	seen := map[rune]bool{}
	var out []rune
	for _, r := range all.String() {
		if r >= 0x3000 && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return string(out)
}

// The font the window finds on this system draws every character the
// window says in that language (CI installs a small Chinese font for
// this; on a machine without one the test says so and stops).
func TestTheSystemFontHasEveryCharacterTheWindowSays(t *testing.T) {
	for _, l := range []msg.Lang{msg.SimplifiedChinese, msg.HongKongChinese} {
		f := SystemFont(l)
		if f == nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s: no Chinese font was found, though scripts/deps.sh installs one under CI", l)
			}
			t.Skipf("%s: this machine has no Chinese font (install fonts-noto-cjk or fonts-wqy-microhei)", l)
		}
		for _, res := range []fyne.Resource{f.Regular, f.Bold} {
			if res == nil {
				continue
			}
			face, err := font.ParseTTF(bytes.NewReader(res.Content()))
			if err != nil {
				t.Fatalf("%s: %s (from %s) is not a font Fyne reads: %v", l, res.Name(), f.File, err)
			}
			var missing []rune
			for _, r := range hanIn(t, l) {
				if _, ok := face.NominalGlyph(r); !ok {
					missing = append(missing, r)
				}
			}
			if len(missing) > 0 {
				t.Errorf("%s: %s (from %s) cannot draw %q", l, res.Name(), f.File, string(missing))
			}
		}
		t.Logf("%s: %s", l, f.File)
	}
}

// The window draws its text with the font found for the language's
// characters, keeps Fyne's own for monospace and symbols, and goes back
// to the theme it had for English.
func TestTheWindowDrawsChineseWithTheFontFound(t *testing.T) {
	t.Cleanup(func() { _ = UseLanguage(msg.English) })
	f := &Font{Regular: fyne.NewStaticResource("cjk.otf", theme.DefaultTextFont().Content()), Bold: fyne.NewStaticResource("cjk-bold.otf", theme.DefaultTextBoldFont().Content())}
	a := test.NewTempApp(t)
	base := a.Settings().Theme()
	b := newSettingsBackend(t)
	u := New(a, b, Options{Clock: clockwork.NewFakeClockAt(t0), Runner: syncRunner{}, Lang: msg.SimplifiedChinese,
		Fonts:    func(msg.Lang) *Font { return f },
		Language: func(setting string) msg.Lang { return msg.Choose(setting, func(string) string { return "" }, nil) }})
	th := a.Settings().Theme()
	if th.Font(fyne.TextStyle{}) != f.Regular || th.Font(fyne.TextStyle{Bold: true}) != f.Bold {
		t.Error("the window's text is not drawn with the font found")
	}
	if th.Font(fyne.TextStyle{Monospace: true}) != base.Font(fyne.TextStyle{Monospace: true}) {
		t.Error("monospace text lost Fyne's monospace font")
	}
	if u.FontMissing.Visible() {
		t.Errorf("with a font, the window says %q", u.FontMissing.Text)
	}
	u.Win.Show()
	u.Tabs.Select(u.settingsTab)
	u.Settings.Fields[languageKey].(interface{ SetSelected(string) }).SetSelected("English")
	u.Settings.Apply()
	if a.Settings().Theme() != base || u.Tabs.Items[1].Text != "Settings" {
		t.Errorf("back in English: theme %T, settings tab %q", a.Settings().Theme(), u.Tabs.Items[1].Text)
	}
}

// Without a font for the language's characters, the window speaks
// English and says, on top, which language it cannot show and what to
// install; the finder reports none when nothing is where fonts are.
func TestWithoutAChineseFontTheWindowSaysWhatToInstall(t *testing.T) {
	t.Cleanup(func() { _ = UseLanguage(msg.English) })
	if f := findFont(msg.HongKongChinese, fontLister{}, []string{filepath.Join(t.TempDir(), "NotoSansCJK-Regular.ttc")}); f != nil {
		t.Fatalf("found %s where there is nothing", f.File)
	}
	b := &memBackend{}
	u := New(test.NewTempApp(t), b, Options{Clock: clockwork.NewFakeClockAt(t0), Runner: syncRunner{}, Lang: msg.HongKongChinese,
		Fonts: func(msg.Lang) *Font { return nil }})
	u.Win.Show()
	if err := u.Reload(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !u.FontMissing.Visible() || !strings.Contains(u.FontMissing.Text, "zh-HK") || !strings.Contains(u.FontMissing.Text, "fonts-noto-cjk") {
		t.Errorf("the window says %q (shown %v)", u.FontMissing.Text, u.FontMissing.Visible())
	}
	if u.Tabs.Items[1].Text != "Settings" || lang.L("app.tab_settings") != "Settings" {
		t.Errorf("without a font the window speaks %q", u.Tabs.Items[1].Text)
	}
	if !strings.Contains(strings.Join(onScreen(u), "\n"), "fonts-noto-cjk") {
		t.Error("the line about the font is not in view")
	}
}
