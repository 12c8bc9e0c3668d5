package engine_test

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/internal/msg"
)

// The engine area's sentences as a person reads them, in every
// language: the one table of rendered text; other tests assert codes
// and parameters.
func TestEngineMessagesRender(t *testing.T) {
	shorten := &engine.ShortenError{Name: "futu-key", Current: time.Date(2026, 5, 31, 9, 0, 0, 0, time.UTC), Requested: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		m              msg.Message
		en, zhCN, zhHK string
	}{
		{msg.Of(engine.ErrBusy),
			"another tokentray is working on this credential (a login or verification may be waiting for you): try again when it is done",
			"另一个 tokentray 正在处理这个凭证（可能有登录或验证在等你操作）：请在它完成后再试",
			"另一個 tokentray 正在處理這個憑證（可能有登入或認證在等你操作）：請在它完成後再試"},
		{msg.Of(shorten),
			"futu-key's access token is valid until 2026-05-31; a new one valid until 2026-04-01 would end earlier, so nothing was changed",
			"futu-key 的访问令牌有效期至 2026-05-31；有效期至 2026-04-01 的新令牌会更早到期，因此未做任何更改",
			"futu-key 的存取令牌有效期至 2026-05-31；有效期至 2026-04-01 的新令牌會更早到期，因此未有作出任何更改"},
		{msg.New("engine.logout_partial", "Fields", []msg.Message{auth.FieldMessage(auth.FieldRefreshToken), auth.FieldMessage(auth.FieldAccessToken)}),
			"not fully logged out: its refresh token and access token could not be deleted from the keychain",
			"没有完全退出登录：它的刷新令牌和访问令牌无法从系统钥匙串中删除",
			"未有完全登出：它的刷新令牌及存取令牌無法從系統鑰匙圈中刪除"},
		{msg.New("engine.not_added_unchecked", "Name", "main", "Broker", auth.KindWebull.BrokerMessage(), "Why", auth.NoAnswer(msg.New("brand.webull"), errors.New("i/o error"))),
			"main was not added, because Webull could not check it: Webull did not answer (i/o error)",
			"没有添加 main，因为 Webull 无法检查它：Webull 没有响应（i/o error）",
			"未有新增 main，因為 Webull 無法檢查它：Webull 沒有回應（i/o error）"},
		{msg.New("engine.needs_you", "Name", "wb", "State", auth.ActionNeeded.Message()),
			"wb needs you to act (Action needed)",
			"wb 需要你处理（需要处理）",
			"wb 需要你處理（需要處理）"},
	} {
		for l, want := range map[msg.Lang]string{msg.English: c.en, msg.SimplifiedChinese: c.zhCN, msg.HongKongChinese: c.zhHK} {
			if got := l.Render(c.m); got != want {
				t.Errorf("%s in %s:\n got %q\nwant %q", c.m.ID, l, got, want)
			}
		}
	}
}

// A busy credential is known by its code as well as by errors.Is.
func TestBusyIsACode(t *testing.T) {
	if !slices.Contains(engine.BusyCodes, msg.Of(engine.ErrBusy).ID) {
		t.Errorf("ErrBusy's code %q is not a busy code", msg.Of(engine.ErrBusy).ID)
	}
	for _, id := range engine.BusyCodes {
		if got := msg.English.Render(msg.New(id, "Name", "main", "Wait", "3s")); got == "" || got[:7] != "another" {
			t.Errorf("%s: %q", id, got)
		}
	}
}

// A reason stored by one process and read by another (the agent, the
// window) says the same in every language: nested messages, lists,
// numbers and errors survive the settings file.
func TestStoredReasonsSayTheSame(t *testing.T) {
	for _, h := range []auth.Health{
		auth.Health{State: auth.ActionNeeded}.Because(msg.New("engine.logout_partial", "Fields", []msg.Message{auth.FieldMessage(auth.FieldRefreshToken), auth.FieldMessage(auth.FieldAccessToken)})),
		auth.NoAnswerHealth(msg.New("brand.futu"), errors.New("i/o error"), time.Time{}, time.Time{}),
		auth.Health{State: auth.Unknown}.Because(msg.New("engine.not_checked", "Name", "main", "Err", msg.Errorf("auth.no_browser"))),
		auth.Health{State: auth.Unknown}.Because(msg.New("engine.host_no_answer", "Host", "vps", "Wait", msg.Approx(90*time.Second))),
	} {
		b, err := json.Marshal(h)
		if err != nil {
			t.Fatal(err)
		}
		var back auth.Health
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		for _, l := range msg.Langs {
			if got, want := back.Explain(l), h.Explain(l); got != want {
				t.Errorf("%s read back in %s:\n got %q\nwant %q", h.Why.ID, l, got, want)
			}
		}
	}
}
