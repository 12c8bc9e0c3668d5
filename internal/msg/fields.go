package msg

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// fieldParser reads a message whose only actions are parameters
// ("{{.Name}}"), as every message of tokentray's is, into the text and
// the parameters it puts in between, and says it by putting them
// together: what text/template prints for such a message, without its
// reflection (most of what `status` spent saying a thousand rows). Any
// other action goes to text/template.
type fieldParser struct{}

func (fieldParser) Cacheable() bool { return true }

func (fieldParser) Parse(src, left, right string) (template.ParsedTemplate, error) {
	if left == "" {
		left = "{{"
	}
	if right == "" {
		right = "}}"
	}
	var t fieldTemplate
	rest := src
	for {
		i := strings.Index(rest, left)
		if i < 0 {
			t.text = append(t.text, rest)
			return t, nil
		}
		j := strings.Index(rest[i+len(left):], right)
		if j < 0 {
			break
		}
		name, ok := strings.CutPrefix(rest[i+len(left):i+len(left)+j], ".")
		if !ok || !identifier(name) {
			break
		}
		t.text = append(t.text, rest[:i])
		t.fields = append(t.fields, name)
		rest = rest[i+len(left)+j+len(right):]
	}
	return (&template.TextParser{}).Parse(src, left, right)
}

// identifier reports whether s is a name text/template takes after a
// dot: letters, digits and underscores, not starting with a digit.
func identifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		letter := c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// fieldTemplate is text[0] field[0] text[1] … text[n].
type fieldTemplate struct {
	text   []string
	fields []string
}

func (t fieldTemplate) Execute(data any) (string, error) {
	m, _ := data.(map[string]any)
	var b strings.Builder
	for i, s := range t.text {
		if i > 0 {
			spaceBefore(&b, s)
		}
		b.WriteString(s)
		if i < len(t.fields) {
			v := fieldText(m, t.fields[i])
			spaceBefore(&b, v)
			if i > 0 && s == "" {
				// Two parameters written against each other for Chinese
				// ("{{.Broker}}{{.Label}}": 富途访问令牌) keep a space where
				// both are Latin words ("Webull App Key").
				spaceBetweenWords(&b, v)
			}
			b.WriteString(v)
		}
	}
	return b.String(), nil
}

// spaceBefore writes a space to b when next, put in where a parameter
// meets the text around it, would join Chinese to a Latin letter or a
// digit or a path ("Webull没有响应", "登录moomoo", "写入/tmp/x"): a Chinese message is written
// against a parameter that may be either ("{{.Broker}}没有响应" says
// "富途没有响应" and "Webull 没有响应"). Nothing else is touched.
func spaceBefore(b *strings.Builder, next string) {
	if b.Len() == 0 || next == "" {
		return
	}
	last, _ := utf8.DecodeLastRuneInString(b.String())
	first, _ := utf8.DecodeRuneInString(next)
	if han(last) && latin(first) || latin(last) && han(first) {
		b.WriteByte(' ')
	}
}

// spaceBetweenWords writes a space to b when next would join a Latin
// letter or digit to the one b ends with.
func spaceBetweenWords(b *strings.Builder, next string) {
	if b.Len() == 0 || next == "" {
		return
	}
	last, _ := utf8.DecodeLastRuneInString(b.String())
	first, _ := utf8.DecodeRuneInString(next)
	if word(last) && word(first) {
		b.WriteByte(' ')
	}
}

func word(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' }

func han(r rune) bool { return r >= 0x2E80 && unicode.Is(unicode.Han, r) }

// latin is a Latin letter, a digit, or the start of a path ("/", "~").
func latin(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '/' || r == '~'
}

// fieldText is what text/template prints for {{.name}} of m: the value,
// or "<no value>" for a parameter the message was not given.
func fieldText(m map[string]any, name string) string {
	v, ok := m[name]
	if !ok || v == nil {
		return "<no value>"
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}
