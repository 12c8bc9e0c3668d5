package cli_test

import (
	"strings"
	"testing"

	"tokentray/cli"
	"tokentray/internal/msg"
)

// Cobra's own refusals (an unknown flag, a bad value, a missing or an
// extra argument, an unknown command) and help's headings are said in
// the language the wiring gives, for the profile --sandbox names wherever
// it stands on the command line.
func TestWrongCommandLinesAndHelpInTheLanguageChosen(t *testing.T) {
	f := newFakeRun(t)
	var asked []bool
	f.deps.Language = func(sandbox bool) msg.Lang {
		asked = append(asked, sandbox)
		return msg.HongKongChinese
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--bogus", "k1"}, "tokentray: 未知選項：--bogus；請執行：tokentray help token\n"},
		{[]string{"status", "--json=maybe"}, `tokentray: 選項 "--json" 的值 "maybe" 無效：開關選項應單獨給出（或寫作 =false）；請執行：tokentray help status` + "\n"},
		{[]string{"extend", "k1", "--days", "x"}, "不是整數"},
		{[]string{"login"}, "tokentray: login 需要一個 NAME；請執行：tokentray help login\n"},
		{[]string{"token", "k1", "k2"}, `tokentray: token 只接受一個 NAME，多出了 "k2"；請執行：tokentray help token` + "\n"},
		{[]string{"agent", "x", "--sandbox"}, `tokentray: agent 不接受參數，多出了 "x"`},
		{[]string{"stauts"}, `tokentray: "stauts" 不是 tokentray 指令；你是否想輸入 status？請執行：tokentray help` + "\n"},
	} {
		if code := f.run(c.args...); code != cli.ExitUsage || !strings.Contains(f.stderr.String(), c.want) {
			t.Errorf("%v: exit %d, %q, want %q", c.args, code, f.stderr.String(), c.want)
		}
	}
	if len(asked) < 6 || asked[0] || !asked[5] {
		t.Errorf("the language was asked for the profiles %v, want the sandbox's only for the run with --sandbox", asked)
	}
	if code := f.run("help", "status"); code != 0 || !strings.HasPrefix(f.stdout.String(), "用法：\n  tokentray status") ||
		!strings.Contains(f.stdout.String(), "顯示每個憑證的狀態") || !strings.Contains(f.stdout.String(), "以下詳細說明為英文。") {
		t.Errorf("help status: %q", f.stdout.String())
	}
	if code := f.run("help"); code != 0 || !strings.Contains(f.stdout.String(), "指令：") || !strings.Contains(f.stdout.String(), "  token       輸出憑證目前的令牌") {
		t.Errorf("help: %q", f.stdout.String())
	}
}
