package msg

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// chineseTexts is every text of the message files of l, by code.
func chineseTexts(t *testing.T, l Lang) map[string]string {
	t.Helper()
	texts := map[string]string{}
	ents, err := fs.ReadDir(Files, FilesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), "."+string(l)+".json") {
			continue
		}
		data, err := Files.ReadFile(FilesDir + "/" + e.Name())
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		for id, raw := range m {
			var s string
			if json.Unmarshal(raw, &s) == nil {
				texts[id] = s
				continue
			}
			var forms map[string]string
			if err := json.Unmarshal(raw, &forms); err != nil {
				t.Fatalf("%s %s: %v", e.Name(), id, err)
			}
			texts[id] = forms["other"]
		}
	}
	if len(texts) == 0 {
		t.Fatalf("no message files for %s", l)
	}
	return texts
}

// Simplified Chinese is written in the characters of GB 2312, and Hong
// Kong Chinese without the Simplified forms of the characters tokentray
// says: a Traditional character in zh-CN or a Simplified one in zh-HK is
// a character-conversion slip.
func TestEachChineseIsWrittenInItsOwnCharacters(t *testing.T) {
	cases := []struct {
		l     Lang
		has   func(rune) bool
		extra string
	}{
		{SimplifiedChinese, inGB2312, ""},
		{HongKongChinese, notSimplified, ""},
	}
	for _, c := range cases {
		for id, s := range chineseTexts(t, c.l) {
			var wrong []rune
			for _, r := range s {
				if !unicode.Is(unicode.Han, r) || strings.ContainsRune(c.extra, r) {
					continue
				}
				if !c.has(r) {
					wrong = append(wrong, r)
				}
			}
			if len(wrong) > 0 {
				t.Errorf("%s %s has characters of the other Chinese %q: %q", c.l, id, string(wrong), s)
			}
		}
	}
}

// inGB2312 reports whether r is a character of GB 2312, the Simplified
// characters.
func inGB2312(r rune) bool {
	_, err := simplifiedchinese.HZGB2312.NewEncoder().String(string(r))
	return err == nil
}

// simplifiedOnly are characters written only in Simplified Chinese
// (网 for 網, 设 for 設 …): the ones tokentray's sentences would use.
const simplifiedOnly = "们这个时为说设网络软启动图标录发关闭门见问题过还进连运务变处续签证凭钥览浏击复贴从删获据码验认账户号线将请应该没与给现内后检权态"

// notSimplified reports whether r is not one of simplifiedOnly.
func notSimplified(r rune) bool { return !strings.ContainsRune(simplifiedOnly, r) }

// The glossary's words, where mainland, Taiwan and Hong Kong usage
// differ, and its punctuation and spacing.
func TestChineseMessagesKeepTheGlossarysUsage(t *testing.T) {
	not := map[Lang][]string{
		// 您 is not how tokentray speaks to you; the rest are Hong Kong's
		// or Taiwan's words.
		SimplifiedChinese: {"您", "登入", "檔案", "资料夹", "预设", "支援", "视窗", "储存", "网路", "软体", "用户端", "连接埠", "透过"},
		// Taiwan's or the mainland's words where Hong Kong writes
		// otherwise (網絡, 軟件, 這裏, 行情 as Futu's own pages say it,
		// 指令 for a command, 新增 for adding a credential, 按 for a tap).
		HongKongChinese: {"網路", "軟體", "這裡", "那裡", "哪裡", "報價", "登錄", "默認", "文件夾", "短信", "窗口", "服務器", "點按", "加入憑證", "用戶名稱"},
	}
	command := regexp.MustCompile(`命令[^列]|命令$`)
	han := `\p{Han}`
	asciiPunct := regexp.MustCompile(han + `[,;:()!?]|[,;:()!?]` + han)
	unspaced := regexp.MustCompile(han + `[A-Za-z0-9]|[A-Za-z0-9]` + han)
	for _, l := range []Lang{SimplifiedChinese, HongKongChinese} {
		for id, s := range chineseTexts(t, l) {
			for _, w := range not[l] {
				if strings.Contains(s, w) {
					t.Errorf("%s %s says %s, which the glossary writes otherwise: %q", l, id, w, s)
				}
			}
			if l == HongKongChinese && command.MatchString(s) {
				t.Errorf("%s %s says 命令 for a command, which Hong Kong writes 指令: %q", l, id, s)
			}
			if l == HongKongChinese && strings.ContainsAny(s, "“”") {
				t.Errorf("%s %s quotes with “”, which Hong Kong writes 「」: %q", l, id, s)
			}
			if m := asciiPunct.FindString(s); m != "" {
				t.Errorf("%s %s has ASCII punctuation in a Chinese sentence (%q): %q", l, id, m, s)
			}
			if m := unspaced.FindString(s); m != "" {
				t.Errorf("%s %s joins Chinese to a Latin word or a number without a space (%q): %q", l, id, m, s)
			}
		}
	}
}

func TestTheCharacterSetsTellTheChinesesApart(t *testing.T) {
	if !inGB2312('网') || inGB2312('網') || notSimplified('网') || !notSimplified('網') {
		t.Errorf("网 GB2312 %v; 網 GB2312 %v", inGB2312('网'), inGB2312('網'))
	}
}
