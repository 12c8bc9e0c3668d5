package cli

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// displayWidth is how many columns s takes on a terminal: two for a wide
// character (Chinese, full-width punctuation), one for any other.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func runeWidth(r rune) int {
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	return 1
}

// padTo is s followed by spaces up to n columns.
func padTo(s string, n int) string {
	if w := displayWidth(s); w < n {
		return s + strings.Repeat(" ", n-w)
	}
	return s
}

// alignRows lays rows out in columns two spaces apart, as text/tabwriter
// would, but measuring each cell by its display width, so a column of
// Chinese words lines up; the last cell of each row is not padded.
func alignRows(rows [][]string) string {
	var widths []int
	for _, r := range rows {
		for i, c := range r[:max(len(r)-1, 0)] {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i < len(r)-1 {
				b.WriteString(padTo(c, widths[i]+2))
			} else {
				b.WriteString(c)
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// breakable reports whether a line may break before or after r without
// a space: around a Chinese character.
func breakable(r rune) bool { return runeWidth(r) == 2 && !closing(r) && !opening(r) }

// closing is punctuation a line never starts with; opening, punctuation
// a line never ends with.
func closing(r rune) bool { return strings.ContainsRune("，。、；：！？）」』》”’", r) }
func opening(r rune) bool { return strings.ContainsRune("（「『《“‘", r) }

// pieces splits text without spaces into the parts a line may break
// between: each Chinese character, with the punctuation that may not
// start a line after it (and the one that may not end a line before
// it), and each run of other letters, kept whole.
func pieces(text string) []string {
	var out []string
	cur := ""
	for _, r := range text {
		last, _ := utf8.DecodeLastRuneInString(cur)
		if cur != "" && !closing(r) && !opening(last) &&
			(breakable(r) || opening(r) || breakable(last) || closing(last)) {
			out = append(out, cur)
			cur = ""
		}
		cur += string(r)
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
