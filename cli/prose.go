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
	width := e.width(w)
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		body := strings.TrimLeft(line, " ")
		indent := line[:len(line)-len(body)]
		if body == "" || utf8.RuneCountInString(line) <= width {
			b.WriteString(line + "\n")
			continue
		}
		first, hang := indent, indent+"  "
		if m := label.FindString(body); m != "" && len(indent)+len(m) <= width/2 {
			// The label keeps its padding; the value wraps under itself.
			first, hang, body = indent+m, indent+strings.Repeat(" ", len(m)), body[len(m):]
		}
		for i, l := range wrap(body, width-len(hang)) {
			if i == 0 {
				b.WriteString(first + l + "\n")
			} else {
				b.WriteString(hang + l + "\n")
			}
		}
	}
	io.WriteString(w, b.String())
}

// label is the start of a line laid out as "label:   value", or of a
// numbered step ("2. "): its continuation lines hang under the text.
var label = regexp.MustCompile(`^(?:[^ :][^:]*:  +|[0-9]+\. )`)

// words splits s at spaces as wrap breaks it: a command line, the word
// "tokentray" where a command begins (first, or after a word ending in
// ':' or ',', or after "or"), through the word ending in ',', ';', ')'
// or '.' (or the end of s), is one word.
func words(s string) []string {
	fs := strings.Fields(s)
	var out []string
	for i := 0; i < len(fs); i++ {
		if fs[i] != "tokentray" || !commandStarts(fs, i) {
			out = append(out, fs[i])
			continue
		}
		j := i
		for j+1 < len(fs) && !strings.ContainsAny(fs[j][len(fs[j])-1:], ",;).") {
			j++
		}
		out = append(out, strings.Join(fs[i:j+1], " "))
		i = j
	}
	return out
}

// commandStarts reports whether the word "tokentray" at fs[i] begins a
// command line rather than naming the program in a sentence.
func commandStarts(fs []string, i int) bool {
	if i == 0 {
		return true
	}
	p := fs[i-1]
	return strings.HasSuffix(p, ":") || strings.HasSuffix(p, ",") || p == "or" || p == "(or"
}
