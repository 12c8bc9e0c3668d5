package cli

import (
	"testing"

	"tokentray/internal/msg"
)

// The command line's sentences, rendered once in each language; other
// tests check codes, parameters and what a person sees.
func TestCommandLineSentences(t *testing.T) {
	cases := []struct {
		l    msg.Lang
		m    msg.Message
		want string
	}{
		{msg.English, msg.New("cli.next", "Sentence", "not logged in to Futu yet", "Command", "tokentray login f"), "not logged in to Futu yet. Next: tokentray login f"},
		{msg.SimplifiedChinese, msg.New("cli.next", "Sentence", "尚未登录富途", "Command", "tokentray login f"), "尚未登录富途。下一步：tokentray login f"},
		{msg.English, msg.New("cli.not_a_command_did_you_mean", "Word", `"sttaus"`, "Names", "status"), `"sttaus" is not a tokentray command; did you mean status? Run: tokentray help`},
		{msg.HongKongChinese, msg.New("cli.not_a_command", "Word", `"x"`), `"x" 不是 tokentray 指令；請執行：tokentray help`},
		{msg.English, msg.New("cli.countdown", "Waiting", msg.New("cli.waiting_verification"), "Left", "4:59"), "Waiting for the verification: 4:59 left (Ctrl-C cancels)"},
		{msg.SimplifiedChinese, msg.New("cli.countdown", "Waiting", msg.New("cli.waiting_verification"), "Left", "4:59"), "正在等待验证：剩余 4:59（按 Ctrl-C 取消）"},
		{msg.HongKongChinese, msg.New("cli.countdown", "Waiting", msg.New("cli.waiting_login"), "Left", "0:05"), "正在等待登入：尚餘 0:05（按 Ctrl-C 取消）"},
		{msg.English, msg.New("cli.left_hours", "Hours", 5, "Minutes", "07"), "5h07m"},
		{msg.HongKongChinese, msg.New("cli.left_days", "Days", 89), "89 日"},
		{msg.English, msg.New("cli.days_left", "Count", 3), "its token has 3 days left"},
		{msg.SimplifiedChinese, msg.New("cli.days_left", "Count", 3), "其令牌还剩 3 天"},
		{msg.English, msg.New("cli.kc_readable_items", "Count", 1), "can be read (1 item)"},
		{msg.HongKongChinese, msg.New("cli.exit_act", "Names", "a、b"), "需要你處理：a、b"},
	}
	for _, c := range cases {
		if got := c.l.Render(c.m); got != c.want {
			t.Errorf("%s %s: got %q, want %q", c.l, c.m.ID, got, c.want)
		}
	}
}
