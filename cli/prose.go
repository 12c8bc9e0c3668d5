package cli

import (
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"
)

// say writes text (one or more lines) to w. On a terminal each line is
// word-wrapped at the terminal's width (see width): a line breaks only
// at spaces, so an address or a path stays whole, and a command line
// ("tokentray …" after "Next:", "run:" and the like) stays whole on one
// line; continuation lines keep the line's own indentation plus two
// spaces, or hang under the value of a "label:   value" line or the
// text of a numbered step. Anywhere else (a pipe, a file, a script) text is written as
// it is, byte for byte.
func (e *env) say(w io.Writer, text string) {
	if !e.IsTerminal(w) {
		fmt.Fprintln(w, text)
		return
	}
	io.WriteString(w, e.sayString(w, text))
}

// sayString is text as say writes it to the terminal w, each line ending
// in a newline.
func (e *env) sayString(w io.Writer, text string) string {
	width := e.width(w)
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		body := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(body)]
		if body == "" || displayWidth(line) <= width {
			b.WriteString(line + "\n")
			continue
		}
		first, hang := indent, indent+"  "
		if m := label.FindString(body); m != "" && len(indent)+displayWidth(m) <= width/2 {
			// The label keeps its padding; the value wraps under itself.
			first, hang, body = indent+m, indent+strings.Repeat(" ", displayWidth(m)), body[len(m):]
		}
		for i, l := range wrap(body, width-displayWidth(hang)) {
			if i == 0 {
				b.WriteString(first + l + "\n")
			} else {
				b.WriteString(hang + l + "\n")
			}
		}
	}
	return b.String()
}

// label is the start of a line laid out as "label:   value", or of a
// numbered step ("2. "): its continuation lines hang under the text.
var label = regexp.MustCompile(`^(?:[^ :][^:]*:  +|[0-9]+\. )`)

// word is a unit wrap places whole: glued to the word before it (no
// space between them, as between Chinese characters) or not.
type word struct {
	text string
	glue bool
}

// words splits s as wrap breaks it: at spaces, and between Chinese
// characters (see pieces). A command line, the word "tokentray" where a
// command begins (first, or after a word ending in ':' or ',', or after
// "or", or right after Chinese punctuation), through the word ending in
// ',', ';', ')' or '.' (or the end of s), is one word.
func words(s string) []word {
	var fs []string
	var glued []bool
	for _, f := range strings.Fields(s) {
		// "运行：tokentray help": the command starts inside the field.
		if i := strings.Index(f, "tokentray"); i > 0 && strings.ContainsAny(f[:i], "：，；（、") && f[i:] == "tokentray" {
			fs, glued = append(fs, f[:i], f[i:]), append(glued, false, true)
			continue
		}
		fs, glued = append(fs, f), append(glued, false)
	}
	var out []word
	for i := 0; i < len(fs); i++ {
		if fs[i] != "tokentray" || !commandStarts(fs, i) {
			for k, p := range pieces(fs[i]) {
				out = append(out, word{p, k > 0 || glued[i]})
			}
			continue
		}
		j := i
		for j+1 < len(fs) && !strings.ContainsAny(lastRune(fs[j]), ",;).，；）。") {
			j++
		}
		// Chinese after the command's last word ("add。") is not part of it.
		// (Fields glued before, "下一步：" and "tokentray", stay glued.)
		var jb strings.Builder
		for m := i; m <= j; m++ {
			if m > i && !glued[m] {
				jb.WriteByte(' ')
			}
			jb.WriteString(fs[m])
		}
		cmd, tail, spaced := jb.String(), "", false
		if k := strings.IndexFunc(cmd, func(r rune) bool { return runeWidth(r) == 2 }); k > 0 {
			cmd, tail = cmd[:k], cmd[k:]
			spaced = strings.HasSuffix(cmd, " ")
			cmd = strings.TrimRight(cmd, " ")
		}
		// The tail is words of its own ("（或 tokentray … exec …）"):
		// another command may start in it, and its spaces are breaks; a
		// closing mark right after the command stays on its line.
		rest := words(tail)
		if len(rest) > 0 {
			if r, _ := utf8.DecodeRuneInString(rest[0].text); closing(r) {
				cmd, rest = cmd+rest[0].text, rest[1:]
			} else {
				rest[0].glue = !spaced
			}
		}
		out = append(out, word{cmd, glued[i]})
		out = append(out, rest...)
		i = j
	}
	return out
}

func lastRune(s string) string {
	_, n := utf8.DecodeLastRuneInString(s)
	return s[len(s)-n:]
}

// commandStarts reports whether the word "tokentray" at fs[i] begins a
// command line rather than naming the program in a sentence.
func commandStarts(fs []string, i int) bool {
	if i == 0 {
		return true
	}
	p := fs[i-1]
	return strings.HasSuffix(p, ":") || strings.HasSuffix(p, ",") || p == "or" || p == "(or" ||
		strings.ContainsAny(lastRune(p), "：，；（、") || runeWidth([]rune(lastRune(p))[0]) == 2
}

// Say writes text to w as the commands write their sentences: on a
// terminal each line is wrapped at the terminal's width, never inside an
// address or a command; elsewhere as it is. The program uses it for the
// lines the agent writes as it starts.
func Say(d Deps, w io.Writer, text string) {
	d.fill()
	(&env{Deps: d}).say(w, text)
}
