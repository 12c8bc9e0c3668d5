package auth

import "testing"

func TestFirstLineSaysWhatCameBackInOneCleanLine(t *testing.T) {
	for in, want := range map[string]string{
		"<html><head><title>401 Authorization Required</title></head>\n<body>nginx</body></html>": "401 Authorization Required",
		"\n\n  Unauthorized (sandbox fault)\n":                                                    "Unauthorized (sandbox fault)",
		"bad \x1b[31mred\x1b[0m text":                                                             "bad [31mred[0m text",
		"":                                                                                        "",
	} {
		if got := FirstLine([]byte(in)); got != want {
			t.Errorf("FirstLine(%q) = %q, want %q", in, got, want)
		}
	}
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	if got := []rune(FirstLine(long)); len(got) != 101 {
		t.Errorf("a long line keeps %d characters, want 100 and an ellipsis", len(got))
	}
}
