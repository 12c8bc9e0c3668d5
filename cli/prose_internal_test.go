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

// Two commands in one Chinese sentence, the second right after "（或 ":
// each stays whole, no line starts with the space between them, and the
// closing mark stays with the command before it.
func TestWrapKeepsACommandAfterChinesePunctuationWhole(t *testing.T) {
	s := "webull-no2fa 沒有可輸出的令牌，也不需要：此應用程式已關閉雙重認證，請求只以 App Key 簽署；" +
		"機械人可從 tokentray --sandbox env webull-no2fa（或 tokentray --sandbox exec webull-no2fa -- CMD）取得 App Key 和 App Secret"
	for _, width := range []int{40, 60, 70, 78} {
		lines := wrap(s, width)
		joined := strings.Join(lines, "\n")
		for _, l := range lines {
			if strings.HasPrefix(l, " ") || strings.HasSuffix(l, " ") {
				t.Errorf("at %d columns a line has a space at its edge: %q", width, l)
			}
			if strings.HasPrefix(l, "）") {
				t.Errorf("at %d columns a line starts with a closing mark: %q", width, l)
			}
		}
		for _, cmd := range []string{"tokentray --sandbox env webull-no2fa", "tokentray --sandbox exec webull-no2fa -- CMD"} {
			if !strings.Contains(joined, cmd) {
				t.Errorf("at %d columns %q is broken apart:\n%s", width, cmd, joined)
			}
		}
		if strings.Join(strings.Fields(joined), "") != strings.Join(strings.Fields(s), "") {
			t.Errorf("at %d columns the text changed:\n%s", width, joined)
		}
	}
}

// A next command glued to the Chinese before it ("下一步：tokentray …")
// stays glued when the sentence also names tokentray earlier.
func TestWrapKeepsANextCommandGluedToItsLabel(t *testing.T) {
	s := "webull-demo（Webull 令牌）不能延長至指定日期：tokentray 會自動為它的令牌續期。下一步：tokentray --sandbox refresh webull-demo"
	for _, width := range []int{60, 78, 200} {
		joined := strings.Join(wrap(s, width), "\n")
		if strings.Contains(joined, "： ") || strings.Contains(joined, "tokentray 會") == false {
			t.Errorf("at %d columns:\n%s", width, joined)
		}
		if strings.Join(strings.Fields(joined), "") != strings.Join(strings.Fields(s), "") {
			t.Errorf("at %d columns the text changed:\n%s", width, joined)
		}
	}
}

// The agent's start lines, written by the program through Say, wrap as
// the commands' sentences do: an address stays whole on a terminal.
func TestSayWrapsForTheProgramAsForTheCommands(t *testing.T) {
	var out bytes.Buffer
	d := Deps{IsTerminal: func(any) bool { return true }, Getenv: func(k string) string {
		if k == "COLUMNS" {
			return "40"
		}
		return ""
	}}
	Say(d, &out, "The sandbox brokers run at http://127.0.0.1:46753/futu and the phone at http://127.0.0.1:46753/phone")
	for _, l := range strings.Split(strings.TrimRight(out.String(), "\n"), "\n") {
		if displayWidth(l) > 40 && !strings.Contains(l, "http://") {
			t.Errorf("line wider than the terminal: %q", l)
		}
	}
	if !strings.Contains(out.String(), "http://127.0.0.1:46753/futu") || !strings.Contains(out.String(), "http://127.0.0.1:46753/phone") {
		t.Errorf("an address was cut: %q", out.String())
	}
	if strings.Count(out.String(), "\n") < 2 {
		t.Errorf("not wrapped: %q", out.String())
	}
	out.Reset()
	Say(Deps{IsTerminal: func(any) bool { return false }}, &out, "a b")
	if out.String() != "a b\n" {
		t.Errorf("not a terminal: %q", out.String())
	}
}
