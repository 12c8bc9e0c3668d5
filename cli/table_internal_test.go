package cli

import (
	"strings"
	"testing"
)

// Columns of Chinese words line up on a terminal: cells are padded by
// the columns they take (two for each Chinese character), not by runes.
func TestColumnsArePaddedByDisplayWidth(t *testing.T) {
	got := alignRows([][]string{
		{"名称", "状态", "剩余"},
		{"futu-demo", "即将过期", "89 天"},
		{"wb", "正常", "-"},
	})
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	// The third column starts at the same screen column on every line.
	want := -1
	for _, l := range lines {
		i := strings.LastIndex(l, "  ") + 2
		if col := displayWidth(l[:i]); want < 0 {
			want = col
		} else if col != want {
			t.Errorf("the last column starts at %d on %q, at %d above:\n%s", col, l, want, got)
		}
	}
	// "futu-demo" (9 columns) and "即将过期" (8 columns), each and two spaces.
	if want != 9+2+8+2 {
		t.Errorf("the last column starts at %d:\n%s", want, got)
	}
}

// Chinese wraps between characters, never before closing punctuation,
// and a command stays whole on one line.
func TestChineseWrapsBetweenCharactersAndKeepsCommandsWhole(t *testing.T) {
	s := "访问令牌将在 47 小时后过期（2026-12-09）：请在此之前延长有效期。下一步：tokentray --sandbox extend futu-expiring"
	lines := wrap(s, 30)
	// Apart from the spaces where it broke, the text is the same.
	if strings.ReplaceAll(strings.Join(lines, ""), " ", "") != strings.ReplaceAll(s, " ", "") {
		t.Fatalf("wrap changed the text: %q", lines)
	}
	for i, l := range lines {
		if w := displayWidth(l); w > 30 && !strings.HasPrefix(l, "tokentray ") {
			t.Errorf("line %d is %d columns wide: %q", i, w, l)
		}
		if strings.HasPrefix(l, "，") || strings.HasPrefix(l, "。") || strings.HasPrefix(l, "）") || strings.HasPrefix(l, "：") {
			t.Errorf("line %d starts with closing punctuation: %q", i, l)
		}
	}
	if last := lines[len(lines)-1]; last != "tokentray --sandbox extend futu-expiring" {
		t.Errorf("the command is not whole on its own line: %q", lines)
	}
	if len(lines) < 3 {
		t.Errorf("a long Chinese sentence was not wrapped: %q", lines)
	}
}
