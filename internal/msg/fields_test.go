package msg

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"

	"github.com/nicksnyder/go-i18n/v2/i18n/template"
)

// Every message of every language reads the same through fieldParser as
// through text/template: with its parameters, and with one missing.
func TestFieldParserSaysWhatTextTemplateSays(t *testing.T) {
	ents, err := fs.ReadDir(Files, FilesDir)
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, _ := Files.ReadFile(FilesDir + "/" + e.Name())
		var file map[string]any
		if err := json.Unmarshal(b, &file); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		for id, v := range file {
			var srcs []string
			switch v := v.(type) {
			case string:
				srcs = append(srcs, v)
			case map[string]any:
				for _, f := range v {
					if s, ok := f.(string); ok {
						srcs = append(srcs, s)
					}
				}
			}
			for _, src := range srcs {
				fast, err := fieldParser{}.Parse(src, "", "")
				if err != nil {
					t.Fatalf("%s %s: %v", e.Name(), id, err)
				}
				if _, ok := fast.(fieldTemplate); !ok && strings.Contains(src, "{{") {
					t.Errorf("%s %s: %q went to text/template", e.Name(), id, src)
				}
				slow, err := (&template.TextParser{}).Parse(src, "", "")
				if err != nil {
					t.Fatalf("%s %s: %v", e.Name(), id, err)
				}
				full := map[string]any{}
				for _, f := range []string{"Name", "Count", "Last", "Rest", "Text", "When", "Reason", "Kind", "Code"} {
					full[f] = "<" + f + ">"
				}
				if ft, ok := fast.(fieldTemplate); ok {
					for _, f := range ft.fields {
						full[f] = "<" + f + ">"
					}
				}
				for _, data := range []map[string]any{full, {}} {
					a, _ := fast.Execute(data)
					b, _ := slow.Execute(data)
					if a != b {
						t.Errorf("%s %s: fieldParser says %q, text/template %q", e.Name(), id, a, b)
					}
				}
				checked++
			}
		}
	}
	if checked < 100 {
		t.Fatalf("only %d messages checked", checked)
	}
	// Anything but parameters goes to text/template.
	for _, src := range []string{"{{if .A}}a{{end}}", "{{.A | printf \"%q\"}}", "{{ .A }}", "{{.A.B}}"} {
		p, err := fieldParser{}.Parse(src, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := p.(fieldTemplate); ok {
			t.Errorf("%q was taken for parameters only", src)
		}
	}
}

// What Render remembers is what it says afresh, and messages that
// differ in any parameter, at any depth, are said apart.
func TestRememberedMessagesAreTheSameWords(t *testing.T) {
	inner := func(n int) Message { return New("dur.days", "Count", n) }
	ms := []Message{
		Approx(3 * 24 * 3600e9), Approx(5 * 3600e9), Approx(40e9),
		New("list.and", "Last", "c", "Rest", "a, b"),
		New("list.and", "Last", "a, b", "Rest", "c"),
		New("list.and", "Last", "x\x00sRest", "Rest", ""),
		New("list.and", "Last", inner(2), "Rest", inner(3)),
		New("list.and", "Last", inner(3), "Rest", inner(2)),
	}
	seen := map[string]bool{}
	for _, l := range Langs {
		for _, m := range ms {
			first, again, fresh := l.Render(m), l.Render(m), l.render(m)
			if first != fresh || again != fresh {
				t.Errorf("%s %v: %q, then %q; said afresh %q", l, m, first, again, fresh)
			}
			if seen[string(l)+first] {
				t.Errorf("%s: %v says %q, as another message does", l, m, first)
			}
			seen[string(l)+first] = true
		}
	}
}
