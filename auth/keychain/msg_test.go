package keychain

import (
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// The table of the keychain's sentences, rendered once in each language;
// the other tests assert on kinds, problems, codes and parameters.
func TestKeychainSentencesInEveryLanguage(t *testing.T) {
	locked := &Error{Op: "read", Field: auth.FieldAppSecret, Kind: KindLocked, detail: "Cannot unlock"}
	cases := []struct {
		m              msg.Message
		en, zhCN, zhHK string
	}{
		{msg.New("keychain.cannot_read", "Field", "app_secret", "Why", msg.New("keychain.why_locked", "Detail", "Cannot unlock"), "Fix", msg.New("keychain.fix_linux")),
			"tokentray could not read the app_secret from the system keychain because the keychain is locked (Cannot unlock); install and unlock gnome-keyring, or enable the Secret Service integration in KeePassXC, then try again",
			"tokentray 无法从系统钥匙串读取 app_secret，因为钥匙串已锁定（Cannot unlock）；请安装并解锁 gnome-keyring，或在 KeePassXC 中启用 Secret Service 集成，然后重试",
			"tokentray 未能從系統鑰匙圈讀取 app_secret，因為鑰匙圈已上鎖（Cannot unlock）；請安裝並解鎖 gnome-keyring，或在 KeePassXC 啟用 Secret Service 整合，然後再試"},
		{msg.New("keychain.timed_out", "Timeout", "5s", "Op", msg.New("keychain.op_store"), "Field", "access_token", "Fix", msg.New("keychain.fix_darwin")),
			"the system keychain did not answer within 5s when tokentray tried to store the access_token (it may be locked and waiting for a password, or its service may be hung); unlock the login keychain (open Keychain Access, or run `security unlock-keychain`), then try again",
			"tokentray 尝试保存 access_token 时，系统钥匙串在 5s 内没有响应（它可能已锁定并在等待密码，或其服务已挂起）；请解锁“登录”钥匙串（打开“钥匙串访问”，或运行 `security unlock-keychain`），然后重试",
			"tokentray 嘗試儲存 access_token 時，系統鑰匙圈在 5s 內沒有回應（它可能已上鎖並在等待密碼，或其服務已停止回應）；請解鎖「登入」鑰匙圈（開啟「鑰匙圈存取」，或執行 `security unlock-keychain`），然後再試"},
		{MissingKey(Key{Path: "/k/tokentray.key", From: KeyFromEnv}).(*FileError).Message(),
			"the file keychain's key /k/tokentray.key does not exist (named by TOKENTRAY_KEY_FILE), so tokentray cannot open its secrets",
			"文件钥匙串的密钥 /k/tokentray.key 不存在（由 TOKENTRAY_KEY_FILE 指定），tokentray 无法打开其中的密钥",
			"檔案鑰匙圈的密鑰 /k/tokentray.key 不存在（由 TOKENTRAY_KEY_FILE 指定），tokentray 無法開啟當中的密鑰"},
		{msg.Of(auth.ErrSecretTooLarge{Field: "refresh_token", Size: 4096}),
			"the refresh_token value is 4096 bytes, more than the 2048 bytes a keychain item can safely hold; it was not stored",
			"refresh_token 的值有 4096 字节，超过系统钥匙串单个条目可安全保存的 2048 字节；未保存",
			"refresh_token 的值有 4096 位元組，超過系統鑰匙圈單一項目可安全儲存的 2048 位元組；未有儲存"},
	}
	for _, c := range cases {
		for l, want := range map[msg.Lang]string{msg.English: c.en, msg.SimplifiedChinese: c.zhCN, msg.HongKongChinese: c.zhHK} {
			if got := l.Render(c.m); got != want {
				t.Errorf("%s %s:\n got %q\nwant %q", l, c.m.ID, got, want)
			}
		}
	}
	// An error's English is its message's English.
	if locked.Error() != msg.English.Err(locked) || KindOf(locked) != KindLocked {
		t.Errorf("%q / %q", locked.Error(), msg.English.Err(locked))
	}
	f := NewFile("/x/keychain.age", "tokentray", Key{Path: "/k", From: KeyFromDefault})
	f.lockWait = time.Second
	if got := f.damaged(msg.New("keychain.damaged_service", "Have", `"a"`, "Want", `"b"`)).Error(); got != `the file keychain /x/keychain.age is damaged (it holds the secrets of "a", not "b"); tokentray changed nothing and keeps it as it is until you move it aside` {
		t.Errorf("damaged: %q", got)
	}
}
