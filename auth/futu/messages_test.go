package futu

import (
	"syscall"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// The futu area's sentences as a person reads them, in every language:
// the one table of rendered text; other tests assert codes and
// parameters.
func TestFutuMessagesRender(t *testing.T) {
	now := t0
	c := auth.Credential{Name: "futu-key", Kind: auth.KindFutuKey, AddedAt: now, ExpiresAt: now.Add(3 * 24 * time.Hour)}
	expiring := expiryHealth(c, now)
	mm := auth.Credential{Name: "mm", Kind: auth.KindFutuOAuth, Brand: auth.BrandMoomoo}
	for _, tc := range []struct {
		m              msg.Message
		en, zhCN, zhHK string
	}{
		{expiring.Why,
			"the access token expires in 3 days (2026-03-05): extend it before then",
			"访问令牌将在 3 天后过期（2026-03-05）：请在此之前延长有效期",
			"存取令牌將在 3 日後過期（2026-03-05）：請在此之前延長有效期"},
		{notLoggedInReason(mm),
			"not logged in to moomoo yet",
			"尚未登录 moomoo",
			"尚未登入 moomoo"},
		{networkHealth(now, c, errDial{}).Why,
			"Futu did not answer (nothing answers there); nothing was changed and tokentray will check again",
			"富途没有响应（该地址上没有服务响应）；未做任何更改，tokentray 稍后会再次检查",
			"富途沒有回應（該地址沒有服務回應）；未有作出任何更改，tokentray 稍後會再次檢查"},
		{msg.New("futu.time_refused", "Clock", clockNote(-125*time.Second)),
			"Futu refused the request time: your clock is 125 s off (ahead of Futu's); the key itself may be fine: set the system clock to update automatically and check again",
			"富途拒绝了请求时间：你的系统时钟偏差 125 秒（比富途服务器快）；密钥本身可能没有问题：请把系统时钟设为自动更新，然后重新检查",
			"富途拒絕了請求時間：你的系統時鐘偏差 125 秒（比富途伺服器快）；密鑰本身可能沒有問題：請把系統時鐘設為自動更新，然後重新檢查"},
		{msg.New("futu.login_timeout", "Count", 5),
			"the Futu login got no answer from the browser within 5 minutes: start it again and approve tokentray in the page that opens",
			"富途登录在 5 分钟内没有收到浏览器的响应：请重新登录，并在打开的页面中授权 tokentray",
			"富途登入在 5 分鐘內未有收到瀏覽器的回應：請重新登入，並在開啟的頁面中授權 tokentray"},
		{apiError{status: 403, code: 1100, message: "no trade permission", futu: true}.said(),
			"HTTP 403, code 1100: no trade permission",
			"HTTP 403，代码 1100：no trade permission",
			"HTTP 403，代碼 1100：no trade permission"},
	} {
		for l, want := range map[msg.Lang]string{msg.English: tc.en, msg.SimplifiedChinese: tc.zhCN, msg.HongKongChinese: tc.zhHK} {
			if got := l.Render(tc.m); got != want {
				t.Errorf("%s in %s:\n got %q\nwant %q", tc.m.ID, l, got, want)
			}
		}
	}
}

// errDial is a refused connection with no address.
type errDial struct{}

func (errDial) Error() string { return "connection refused" }
func (errDial) Unwrap() error { return syscall.ECONNREFUSED }
