package webull

import (
	"fmt"
	"testing"
	"time"

	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// has reports whether m says, or holds, the message with code id.
func has(m msg.Message, id string) bool {
	_, ok := testutil.FindMsg(m, id)
	return ok
}

// hasArg reports whether m holds the message id with parameter name
// rendered in English as want.
func hasArg(m msg.Message, id, name, want string) bool {
	f, ok := testutil.FindMsg(m, id)
	return ok && f.Arg(name) == want
}

// errSays reports whether err says, or holds, the message with code id.
func errSays(err error, id string) bool {
	_, ok := testutil.ErrSays(err, id)
	return ok
}

// The table of Webull's sentences, rendered once in each language; the
// other tests assert on codes and parameters.
func TestWebullSentencesInEveryLanguage(t *testing.T) {
	at := time.Date(2026, 1, 2, 15, 4, 0, 0, time.UTC)
	cases := []struct {
		m              msg.Message
		en, zhCN, zhHK string
	}{
		{msg.New("webull.waiting"),
			"Waiting for the SMS code to be confirmed in the Webull app.",
			"正在等待你在 Webull App 中确认短信验证码。",
			"正等待你在 Webull App 內確認短訊驗證碼。"},
		{msg.New("webull.verified", "Until", When(at)),
			"Verified, valid until 2 Jan 2026 15:04 UTC; it is renewed before then.",
			"已验证，有效期至 2026 年 1 月 2 日 15:04 UTC；到期前会自动续期。",
			"已認證，有效至 2026 年 1 月 2 日 15:04 UTC；到期前會自動續期。"},
		{(&APIError{HTTPStatus: 400, Code: CodeNoDevice}).Message(),
			MsgNoDevice,
			"尚未为 Webull 二次验证登记手机：请安装 Webull App 并登录，完成设备登记后再验证",
			"尚未為 Webull 雙重認證登記手機：請安裝 Webull App 並登入，完成裝置登記後再認證"},
		{(&APIError{HTTPStatus: 401, Code: CodeClockSkew, Skew: -7 * time.Minute}).Message(),
			"Webull rejected the request time: this computer's clock is 7 minutes ahead of Webull's; set the clock to update automatically and try again",
			"Webull 拒绝了请求时间：本机时钟比 Webull 的快 7 分钟；请将系统时钟设为自动更新，然后重试",
			"Webull 拒絕了請求時間：本機時鐘比 Webull 的快 7 分鐘；請將系統時鐘設為自動更新，然後再試"},
		{msg.New("webull.check_again", "Err", sentence(&APIError{HTTPStatus: 429}), "Wait", 10*time.Second),
			"Webull is limiting how often tokens are checked: checks slow down and try again. Checking again in 10 s; keep going with the code in the Webull app.",
			"Webull 正在限制令牌检查的频率：检查会放慢并重试。10 秒后再次检查；请继续在 Webull App 中确认验证码。",
			"Webull 正限制令牌檢查的次數：檢查會放慢並再試。10 秒後再次檢查；請繼續在 Webull App 內確認驗證碼。"},
		{(&MalformedError{Why: msg.New("webull.malformed_no_token")}).Message(),
			"Webull sent an answer that cannot be read (no token in it): try again later",
			"Webull 返回了无法读取的答复（其中没有令牌）：请稍后再试",
			"Webull 傳回無法讀取的回覆（當中沒有令牌）：請稍後再試"},
		{VerifyStepMessages[1],
			"Go to Menu -> Messages -> OpenAPI Notifications.",
			"进入“菜单 -> 消息 -> OpenAPI 通知”（Menu -> Messages -> OpenAPI Notifications）。",
			"前往「選單 -> 訊息 -> OpenAPI 通知」（Menu -> Messages -> OpenAPI Notifications）。"},
	}
	for _, c := range cases {
		for l, want := range map[msg.Lang]string{msg.English: c.en, msg.SimplifiedChinese: c.zhCN, msg.HongKongChinese: c.zhHK} {
			if got := l.Render(c.m); got != want {
				t.Errorf("%s %s:\n got %q\nwant %q", l, c.m.ID, got, want)
			}
		}
	}
	// The English constants other code compares with are the messages' English.
	for id, want := range map[string]string{"webull.two_factor_off": MsgTwoFactorOff, "webull.no_token": MsgNoToken,
		"webull.window_ran_out": MsgExpired, "webull.no_device": MsgNoDevice, "webull.bad_signature": MsgBadSignature} {
		if got := msg.New(id).String(); got != want {
			t.Errorf("%s is %q, its constant %q", id, got, want)
		}
	}
	for m := 1; m <= 12; m++ {
		w := When(time.Date(2026, time.Month(m), 9, 8, 7, 0, 0, time.UTC))
		if got, want := w.String(), FormatTime(time.Date(2026, time.Month(m), 9, 8, 7, 0, 0, time.UTC)); got != want {
			t.Errorf("month %d: %q, want %q", m, got, want)
		}
		if got := msg.HongKongChinese.Render(w); got != fmt.Sprintf("2026 年 %d 月 9 日 08:07 UTC", m) {
			t.Errorf("month %d in zh-HK: %q", m, got)
		}
	}
}
