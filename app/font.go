package app

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"github.com/go-text/typesetting/font"

	"tokentray/internal/msg"
)

// Fyne's bundled font has no Chinese characters. A window that speaks
// Chinese draws its text with a font of the system that has them, chosen
// for the script: Simplified characters for zh-CN, Traditional ones as
// Hong Kong writes them for zh-HK (Noto Sans CJK and Source Han Sans
// have a face for each). Fyne reads single fonts (.ttf, .otf) only, and
// Linux ships most Chinese fonts as collections (.ttc): the face is taken
// out of its collection.

// Font is a font for one language's characters, ready for Fyne.
type Font struct {
	// Regular and Bold are the faces (Bold nil when the font has none).
	Regular, Bold fyne.Resource
	// File is where Regular came from.
	File string
}

// FontFinder finds a font with the characters of language l; nil when
// the system has none.
type FontFinder func(l msg.Lang) *Font

// sampleText are characters a font must have to write the language:
// words the window shows on every page.
var sampleText = map[msg.Lang]string{
	msg.SimplifiedChinese: "凭证设置添加刷新令牌检查删除语言状态过期账户钥匙",
	msg.HongKongChinese:   "憑證設定新增刷新令牌檢查移除語言狀態過期帳戶鑰匙",
}

// fontPreference orders the fonts fontconfig lists for a language, best
// first, by family: the ones made for the script, then broad ones.
var fontPreference = map[msg.Lang][]string{
	msg.SimplifiedChinese: {"Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN"},
	msg.HongKongChinese:   {"Noto Sans CJK HK", "Source Han Sans HC", "Noto Sans HK", "Noto Sans CJK TC", "Source Han Sans TC", "Noto Sans TC", "AR PL UMing HK", "AR PL UMing TW", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "Droid Sans Fallback"},
}

// knownFonts are where Chinese fonts are found when fontconfig cannot
// say: the usual packages of Linux, then macOS and Windows.
var knownFonts = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
	"/usr/share/fonts/wenquanyi/wqy-microhei/wqy-microhei.ttc",
	"/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
	"/usr/share/fonts/truetype/arphic/uming.ttc",
	"/System/Library/Fonts/PingFang.ttc",
	"/System/Library/Fonts/STHeiti Light.ttc",
	`C:\Windows\Fonts\msyh.ttc`,
	`C:\Windows\Fonts\msjh.ttc`,
}

// fontInstallHint names what to install for Chinese characters.
func fontInstallHint() string {
	switch runtime.GOOS {
	case "linux":
		return "sudo apt install fonts-noto-cjk (Debian, Ubuntu), sudo dnf install google-noto-sans-cjk-fonts (Fedora)"
	}
	return "a Chinese font"
}

var (
	systemFontsMu sync.Mutex
	systemFonts   = map[msg.Lang]*Font{}
	systemFontsOK = map[msg.Lang]bool{}
)

// SystemFont finds a font of this system for l's characters: the one
// fontconfig prefers for the language, else the best it lists, else one
// at a known place. It is looked for once per language.
func SystemFont(l msg.Lang) *Font {
	systemFontsMu.Lock()
	defer systemFontsMu.Unlock()
	if systemFontsOK[l] {
		return systemFonts[l]
	}
	f := findFont(l, fontconfig, knownFonts)
	systemFonts[l], systemFontsOK[l] = f, true
	return f
}

// faceRef is one face of a font file: its path and index in a collection.
type faceRef struct {
	file   string
	index  int
	family string
	bold   bool
}

// fontLister runs fontconfig: fc-match's choice for a pattern, or
// fc-list's fonts for a language.
type fontLister struct {
	match func(pattern string) (faceRef, bool)
	list  func(lang string) []faceRef
}

// findFont finds a font for l with lister, else at one of known.
func findFont(l msg.Lang, lister fontLister, known []string) *Font {
	sample, ok := sampleText[l]
	if !ok {
		return nil
	}
	fcLang := strings.ToLower(string(l))
	var regular, bold *faceRef
	if lister.match != nil {
		if r, ok := lister.match("sans-serif:lang=" + fcLang); ok && covers(r, sample) {
			regular = &r
		}
	}
	var listed []faceRef
	if lister.list != nil {
		listed = lister.list(fcLang)
	}
	if regular == nil {
		rank := func(f faceRef) int {
			for i, fam := range fontPreference[l] {
				if strings.Contains(f.family, fam) {
					return i
				}
			}
			return len(fontPreference[l])
		}
		sort.SliceStable(listed, func(i, j int) bool {
			ri, rj := rank(listed[i]), rank(listed[j])
			if ri != rj {
				return ri < rj
			}
			return !listed[i].bold && listed[j].bold
		})
		for _, f := range listed {
			if !f.bold && covers(f, sample) {
				f := f
				regular = &f
				break
			}
		}
	}
	if regular == nil {
		for _, path := range known {
			if _, err := os.Stat(path); err != nil {
				continue
			}
			for i := 0; i < 16; i++ {
				r := faceRef{file: path, index: i}
				if covers(r, sample) {
					regular = &r
					break
				}
				if !strings.HasSuffix(strings.ToLower(path), ".ttc") {
					break
				}
			}
			if regular != nil {
				break
			}
		}
	}
	if regular == nil {
		return nil
	}
	// The bold face of the same family, when the system has one.
	if lister.match != nil && regular.family != "" {
		if b, ok := lister.match(escapeFamily(regular.family) + ":lang=" + fcLang + ":weight=bold"); ok && b != (*regular) && covers(b, sample) {
			bold = &b
		}
	}
	if bold == nil && strings.Contains(regular.file, "-Regular.") {
		b := faceRef{file: strings.Replace(regular.file, "-Regular.", "-Bold.", 1), index: regular.index}
		if covers(b, sample) {
			bold = &b
		}
	}
	out := &Font{File: regular.file}
	var err error
	if out.Regular, err = loadFace(*regular); err != nil {
		return nil
	}
	if bold != nil {
		out.Bold, _ = loadFace(*bold)
	}
	return out
}

// escapeFamily writes a family name for a fontconfig pattern.
func escapeFamily(f string) string {
	f, _, _ = strings.Cut(f, ",")
	r := strings.NewReplacer(`\`, `\\`, "-", `\-`, ":", `\:`, ",", `\,`)
	return r.Replace(f)
}

// covers reports whether the face has a glyph for every character of
// sample.
func covers(f faceRef, sample string) bool {
	data, err := os.ReadFile(f.file)
	if err != nil {
		return false
	}
	faces, err := font.ParseTTC(bytes.NewReader(data))
	if err != nil || f.index < 0 || f.index >= len(faces) {
		return false
	}
	face := faces[f.index]
	for _, r := range sample {
		if _, ok := face.NominalGlyph(r); !ok {
			return false
		}
	}
	return true
}

// loadFace reads one face as a font file Fyne reads: a face of a
// collection is taken out of it.
func loadFace(f faceRef) (fyne.Resource, error) {
	data, err := os.ReadFile(f.file)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(data, []byte("ttcf")) {
		if data, err = faceOfCollection(data, f.index); err != nil {
			return nil, fmt.Errorf("%s: %w", f.file, err)
		}
	}
	name := strings.TrimSuffix(filepath.Base(f.file), filepath.Ext(f.file)) + "-" + strconv.Itoa(f.index) + ".otf"
	return fyne.NewStaticResource(name, data), nil
}

// faceOfCollection writes face i of an OpenType collection (.ttc) as a
// font file of its own: its table directory, then its tables.
func faceOfCollection(ttc []byte, i int) ([]byte, error) {
	be := binary.BigEndian
	if len(ttc) < 12 {
		return nil, errors.New("not a font collection")
	}
	n := int(be.Uint32(ttc[8:]))
	if i < 0 || i >= n || len(ttc) < 12+4*n {
		return nil, fmt.Errorf("the collection has no face %d", i)
	}
	at := int(be.Uint32(ttc[12+4*i:]))
	if at+12 > len(ttc) {
		return nil, errors.New("the collection is cut short")
	}
	tables := int(be.Uint16(ttc[at+4:]))
	dir := at + 12
	if dir+16*tables > len(ttc) {
		return nil, errors.New("the collection is cut short")
	}
	head := 12 + 16*tables
	out := make([]byte, head, len(ttc)/2)
	copy(out, ttc[at:at+12])
	placed := map[[2]uint32]uint32{}
	for t := 0; t < tables; t++ {
		rec := ttc[dir+16*t : dir+16*t+16]
		off, length := be.Uint32(rec[8:]), be.Uint32(rec[12:])
		if int(off)+int(length) > len(ttc) {
			return nil, errors.New("a table lies outside the collection")
		}
		key := [2]uint32{off, length}
		newOff, ok := placed[key]
		if !ok {
			newOff = uint32(len(out))
			out = append(out, ttc[off:off+length]...)
			for len(out)%4 != 0 {
				out = append(out, 0)
			}
			placed[key] = newOff
		}
		copy(out[12+16*t:], rec[:8])
		be.PutUint32(out[12+16*t+8:], newOff)
		be.PutUint32(out[12+16*t+12:], length)
	}
	return out, nil
}

// fontconfig asks the system's fontconfig (fc-match, fc-list); without
// it, it finds nothing and the known places are tried.
var fontconfig = fontLister{
	match: func(pattern string) (faceRef, bool) {
		out, err := exec.Command("fc-match", "-f", "%{file}\t%{index}\t%{family}\t%{weight}", pattern).Output()
		if err != nil {
			return faceRef{}, false
		}
		fs := parseFaces(string(out))
		if len(fs) == 0 {
			return faceRef{}, false
		}
		return fs[0], true
	},
	list: func(lang string) []faceRef {
		out, err := exec.Command("fc-list", "-f", "%{file}\t%{index}\t%{family}\t%{weight}\n", ":lang="+lang).Output()
		if err != nil {
			return nil
		}
		return parseFaces(string(out))
	},
}

// parseFaces reads fontconfig's lines: file, index, family, weight.
func parseFaces(out string) []faceRef {
	var fs []faceRef
	for _, line := range strings.Split(out, "\n") {
		p := strings.Split(line, "\t")
		if len(p) < 4 || p[0] == "" {
			continue
		}
		i, err := strconv.Atoi(p[1])
		if err != nil {
			continue
		}
		w, _ := strconv.Atoi(p[3])
		// fontconfig's weights: 80 regular, 200 bold.
		fs = append(fs, faceRef{file: p[0], index: i, family: p[2], bold: w >= 150})
	}
	return fs
}

// scriptTheme is Fyne's theme drawing text with a font for the
// language's characters (the monospace and symbol fonts stay Fyne's).
type scriptTheme struct {
	fyne.Theme
	font *Font
}

func (t scriptTheme) Font(s fyne.TextStyle) fyne.Resource {
	if s.Monospace || s.Symbol {
		return t.Theme.Font(s)
	}
	if s.Bold && t.font.Bold != nil {
		return t.font.Bold
	}
	return t.font.Regular
}
