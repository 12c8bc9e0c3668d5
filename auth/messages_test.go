package auth

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"tokentray/internal/msg"
)

// The auth area's sentences as a person reads them, in every language:
// the one table of rendered text; other tests assert codes and
// parameters.
func TestAuthMessagesRender(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	refused := msg.New("auth.no_answer", "Broker", msg.New("brand.futu"), "Why", msg.New("auth.net_refused_at", "Addr", "127.0.0.1:1"))
	_, httpErr := CheckEndpointNamed(msg.New("auth.setting_token_url"), "http://tokens.example")
	_, pickErr := PickNamed([]Choice{{Value: "futu"}, {Value: "moomoo"}}, msg.New("futu.what_brand"), "xx")
	busyHealth := NoAnswerHealth(msg.New("brand.webull"), errTimeout{}, time.Time{}, now)
	for _, c := range []struct {
		m              msg.Message
		en, zhCN, zhHK string
	}{
		{refused,
			"Futu did not answer (nothing answers at 127.0.0.1:1)",
			"富途没有响应（127.0.0.1:1 上没有服务响应）",
			"富途沒有回應（127.0.0.1:1 沒有服務回應）"},
		{busyHealth.Why,
			"Webull did not answer (out of time); nothing was changed and tokentray will check again",
			"Webull 没有响应（超时）；未做任何更改，tokentray 稍后会再次检查",
			"Webull 沒有回應（逾時）；未有作出任何更改，tokentray 稍後會再次檢查"},
		{msg.Of(httpErr),
			`the token URL "http://tokens.example" uses plain http, which would send tokens in the clear: use https (http is only for this computer, e.g. the sandbox)`,
			`令牌网址 "http://tokens.example" 使用未加密的 http，令牌会以明文发送：请使用 https（http 仅限本机，例如沙盒）`,
			`令牌網址 "http://tokens.example" 使用未加密的 http，令牌會以明文傳送：請使用 https（http 只限本機使用，例如沙盒）`},
		{msg.New("auth.redirects_too_many", "Count", 10),
			"stopped after 10 redirects",
			"重定向 10 次后已停止",
			"重新導向 10 次後已停止"},
		{KindFutuKey.Message(), "Futu API key", "富途 API 密钥", "富途 API 密鑰"},
		{FieldMessage(FieldAccessToken), "access token", "访问令牌", "存取令牌"},
		{Credential{Kind: KindFutuOAuth, Brand: BrandMoomoo, Account: Account{FutuID: "12345"}, Access: &Access{Quote: true, Trade: true, Accounts: []string{"281756"}}}.WhoMsg(),
			"moomoo · Futu ID 12345 · quotes and trading (account 281756)",
			"moomoo · 牛牛号 12345 · 行情和交易（账户 281756）",
			"moomoo · 牛牛號 12345 · 行情及交易（帳戶 281756）"},
		{Handoff{Kind: HandoffTarget, Where: "vps:~/bot/tokens"}.Message(), "the share target vps:~/bot/tokens", "共享目标 vps:~/bot/tokens", "共享目標 vps:~/bot/tokens"},
		{(&NotRegularError{Path: "/tmp/p", Mode: fs.ModeNamedPipe}).Message(), "/tmp/p is a named pipe, not a regular file", "/tmp/p 是命名管道，不是普通文件", "/tmp/p 是具名管道，並非一般檔案"},
		{msg.Of(pickErr), `"xx" is not a Futu brand; use futu or moomoo`, `"xx" 不是有效的富途品牌；请使用 futu 或 moomoo`, `"xx" 並非有效的富途品牌；請使用 futu 或 moomoo`},
		{ShownInputMsg(strings.Repeat("a", 100)), `"` + strings.Repeat("a", 60) + `" (cut; 100 bytes in all)`, `"` + strings.Repeat("a", 60) + `"（已截断；共 100 字节）`, `"` + strings.Repeat("a", 60) + `"（已截斷；共 100 位元組）`},
	} {
		for l, want := range map[msg.Lang]string{msg.English: c.en, msg.SimplifiedChinese: c.zhCN, msg.HongKongChinese: c.zhHK} {
			if got := l.Render(c.m); got != want {
				t.Errorf("%s in %s:\n got %q\nwant %q", c.m.ID, l, got, want)
			}
		}
	}
	if got := busyHealth.Explain(msg.HongKongChinese); got != "Webull 沒有回應（逾時）；未有作出任何更改，tokentray 稍後會再次檢查" {
		t.Errorf("Explain: %q", got)
	}
}

// A timeout that is not a context's deadline (a net.Error's).
type errTimeout struct{}

func (errTimeout) Error() string   { return "i/o timeout" }
func (errTimeout) Timeout() bool   { return true }
func (errTimeout) Temporary() bool { return true }

// Every field and kind the product names has a text of its own.
func TestFieldsAndKindsAreSaid(t *testing.T) {
	for _, f := range []string{FieldAppKey, FieldAppSecret, FieldAccessToken, FieldRefreshToken, FieldWebullToken, FieldRegistrationToken} {
		m := FieldMessage(f)
		for _, l := range msg.Langs {
			if got := l.Render(m); got == "" || got == m.ID || m.Is(msg.PlainID) {
				t.Errorf("field %s in %s: %q", f, l, got)
			}
		}
		if m.String() != FieldTitle(f) {
			t.Errorf("field %s: English %q, FieldTitle %q", f, m.String(), FieldTitle(f))
		}
	}
	for _, k := range Kinds {
		if k.Message().String() != k.Title() || k.BrokerMessage().String() != k.Broker() {
			t.Errorf("kind %s: %q / %q", k, k.Message(), k.BrokerMessage())
		}
		for _, l := range msg.Langs {
			if got := l.Render(k.Message()); got == "" || got == k.Message().ID {
				t.Errorf("kind %s in %s: %q", k, l, got)
			}
		}
	}
}

// A user error carries its sentence as data through the wrappers the
// domain puts around it, and its English stays its Error().
func TestUserErrorCarriesItsMessage(t *testing.T) {
	m := msg.New("auth.endpoint_userinfo", "What", msg.New("auth.setting_endpoint"))
	err := WrongField("endpoint", WithAction(NeedsUserBecause(Next(ActionUpdate, "main"), m), Next(ActionRetry, "main")))
	var ue *UserError
	if !errors.As(err, &ue) || !ue.Why.Is("auth.endpoint_userinfo") || ue.Action != Next(ActionUpdate, "main") {
		t.Fatalf("%v", err)
	}
	if got := msg.Of(err); !got.Is("auth.endpoint_userinfo") || got.Arg("What") != "the endpoint" {
		t.Errorf("msg.Of = %v", got)
	}
	if err.Error() != m.String() || ue.Msg != m.String() {
		t.Errorf("Error() = %q, Msg = %q, want %q", err.Error(), ue.Msg, m.String())
	}
	if got := msg.SimplifiedChinese.Err(err); got != msg.SimplifiedChinese.Render(m) {
		t.Errorf("in Chinese: %q", got)
	}
	// An error built before sentences were data says its English.
	old := NeedsUser("log in again")
	if got := msg.Of(old); !got.Is(msg.PlainID) || got.String() != "log in again" {
		t.Errorf("an English-only user error: %v", got)
	}
	var u2 *UserError
	errors.As(old, &u2)
	u2.Say(m)
	if u2.Error() != m.String() || !u2.Why.Is(m.ID) {
		t.Errorf("Say: %q %v", u2.Error(), u2.Why)
	}
}
