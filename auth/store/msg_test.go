package store

import (
	"testing"

	"tokentray/internal/msg"
)

// The table of the store's sentences, rendered once in each language;
// the other tests assert on codes and parameters.
func TestStoreSentencesInEveryLanguage(t *testing.T) {
	cases := []struct {
		m              msg.Message
		en, zhCN, zhHK string
	}{
		{msg.Of(notFoundName("wb")),
			`no credential is named "wb"`,
			`没有名为 "wb" 的凭证`,
			`沒有名為 "wb" 的憑證`},
		{msg.New("store.duplicate_name", "Name", `"main"`),
			`a credential named "main" already exists; choose another name or remove the existing one first`,
			`已有名为 "main" 的凭证；请换一个名称，或先删除现有的凭证`,
			`已有名為 "main" 的憑證；請另選名稱，或先移除現有的憑證`},
		{(&CorruptError{Path: "/c/settings.json", MovedTo: "/c/settings.json.corrupt-1", Err: msg.Errorf("store.corrupt_empty")}).Message(),
			"the settings file /c/settings.json is damaged (the file is empty), so tokentray moved it aside to /c/settings.json.corrupt-1 and will start with empty settings; copy any credentials you need from that file or add them again",
			"设置文件 /c/settings.json 已损坏（文件是空的），tokentray 已将它移到 /c/settings.json.corrupt-1，并将以空白设置启动；请从该文件中复制你需要的凭证，或重新添加",
			"設定檔 /c/settings.json 已損壞（檔案是空的），tokentray 已將它移到 /c/settings.json.corrupt-1，並會以空白設定啟動；請從該檔案複製你需要的憑證，或再次新增"},
		{msg.New("store.too_big", "Path", "/c/settings.json", "MiB", MaxSettingsBytes>>20),
			"the settings file /c/settings.json is larger than the 4 MiB tokentray reads, so it is not a file tokentray wrote and was left untouched; move it away (tokentray then starts with empty settings) or restore the settings from a backup",
			"设置文件 /c/settings.json 超过 tokentray 可读取的 4 MiB，不是 tokentray 写入的文件，因此未做改动；请把它移走（tokentray 随后以空白设置启动），或从备份恢复设置",
			"設定檔 /c/settings.json 超過 tokentray 可讀取的 4 MiB，不是 tokentray 寫入的檔案，因此未有改動；請把它移走（tokentray 隨後以空白設定啟動），或從備份還原設定"},
		{refusal("check-every", "1ns"),
			"check-every: 1ns is out of range (allowed: 1m to 24h; default 1h)",
			"check-every：1ns 超出范围（允许的值：1m 到 24h；默认 1h）",
			"check-every：1ns 超出範圍（允許的值：1m 至 24h；預設 1h）"},
		{refusal("language", "fr"),
			"language: \"fr\" is not a language tokentray speaks (allowed: auto, en, zh-CN or zh-HK; default auto)",
			"language：\"fr\" 不是 tokentray 支持的语言（允许的值：auto、en、zh-CN 或 zh-HK；默认 auto）",
			"language：\"fr\" 不是 tokentray 支援的語言（允許的值：auto、en、zh-CN 或 zh-HK；預設 auto）"},
	}
	for _, c := range cases {
		for l, want := range map[msg.Lang]string{msg.English: c.en, msg.SimplifiedChinese: c.zhCN, msg.HongKongChinese: c.zhHK} {
			if got := l.Render(c.m); got != want {
				t.Errorf("%s %s:\n got %q\nwant %q", l, c.m.ID, got, want)
			}
		}
	}
}

// refusal is the message of setting key refusing value.
func refusal(key, value string) msg.Message {
	s, _ := LookupSetting(key)
	p := DefaultPrefs()
	return msg.Of(s.Set(&p, value))
}
