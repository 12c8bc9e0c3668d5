package webull

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestUseOfTokenDir(t *testing.T) {
	bot := filepath.Join(t.TempDir(), "bot")
	u := UseOfTokenDir(filepath.Join(bot, "conf") + "/")
	if u.DefaultFor != bot || u.File != filepath.Join(bot, "conf", "token.txt") {
		t.Fatalf("conf/ of a bot: %+v", u)
	}
	if s := u.Sentence(); !strings.Contains(s, "a bot started in "+bot+" finds") || !strings.Contains(s, "WEBULL_OPENAPI_TOKEN_DIR="+filepath.Join(bot, "conf")) {
		t.Errorf("sentence %q", s)
	}
	other := UseOfTokenDir(filepath.Join(bot, "tokens"))
	if other.DefaultFor != "" {
		t.Fatalf("a folder not named conf serves no bot by default: %+v", other)
	}
	if s := other.Sentence(); !strings.Contains(s, "when started with WEBULL_OPENAPI_TOKEN_DIR="+filepath.Join(bot, "tokens")) || !strings.Contains(s, "conf/token.txt") {
		t.Errorf("sentence %q", s)
	}
}
