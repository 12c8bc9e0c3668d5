package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestSayKeepsCommandsWholeAndHangsLabelledValues(t *testing.T) {
	var out bytes.Buffer
	e := &env{Deps: Deps{Stdout: &out, IsTerminal: func(any) bool { return true }, Getenv: func(k string) string {
		return map[string]string{"COLUMNS": "48"}[k]
	}}}
	e.say(&out, "  admin page:    http://127.0.0.1:1/sandbox/ (OAuth clients, API keys)\n"+
		"Then: tokentray --sandbox status, tokentray --sandbox window, or more")
	want := "  admin page:    http://127.0.0.1:1/sandbox/\n" +
		"                 (OAuth clients, API keys)\n" +
		"Then: tokentray --sandbox status,\n" +
		"  tokentray --sandbox window, or more\n"
	if out.String() != want {
		t.Fatalf("wrapped at 48 columns:\n%s\nwant:\n%s", out.String(), want)
	}

	out.Reset()
	e.say(&out, "1. Open the Webull app on your phone (update it to the latest version)")
	if want := "1. Open the Webull app on your phone (update it\n   to the latest version)\n"; out.String() != want {
		t.Fatalf("numbered step at 48 columns: %q, want %q", out.String(), want)
	}

	out.Reset()
	e.IsTerminal = func(any) bool { return false }
	text := "  admin page:    http://127.0.0.1:1/sandbox/ (OAuth clients, API keys)"
	e.say(&out, text)
	if out.String() != text+"\n" {
		t.Fatalf("not a terminal: %q, want %q", out.String(), text+"\n")
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Fatal("not a terminal: more than one line")
	}
}
