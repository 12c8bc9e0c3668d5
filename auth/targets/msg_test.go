package targets

import (
	"encoding/json"
	"testing"
	"time"

	"tokentray/internal/msg"
)

// The table of the share targets' sentences, rendered once in each
// language; the other tests assert on codes and parameters.
func TestTargetSentencesInEveryLanguage(t *testing.T) {
	ssh := Target{Kind: SSH, User: "bot", Host: "vps", Dir: "."}
	cmd := Target{Kind: Exec, Command: "vault kv put secret/x token=-"}
	cases := []struct {
		m              msg.Message
		en, zhCN, zhHK string
	}{
		{msg.New("targets.others_write", "Dir", msg.New("targets.home_folder"), "Host", ssh.where()),
			"others can write to the home folder on bot@vps, so they could replace the file: take their write access away, or choose a folder only the account tokentray signs in as can write to",
			"主目录（位于 bot@vps）可被其他人写入，他们可能替换文件：请取消他们的写入权限，或选择只有 tokentray 登录所用账户才能写入的文件夹",
			"主資料夾（位於 bot@vps）可被其他人寫入，他們可能取代檔案：請取消他們的寫入權限，或選擇只有 tokentray 登入所用帳戶才可寫入的資料夾"},
		{msg.New("targets.command_status", "Status", 3, "Line", orNothing("")),
			"the command ended with status 3: it printed no reason",
			"该命令以状态 3 结束：它没有输出原因",
			"該指令以狀態 3 結束：它沒有輸出原因"},
		{msg.New("targets.report_not_pushed", "Target", cmd.Described()),
			`the command "vault kv put secret/x token=-": not pushed yet`,
			`命令 "vault kv put secret/x token=-"：尚未推送`,
			`指令 "vault kv put secret/x token=-"：尚未推送`},
	}
	for _, c := range cases {
		for l, want := range map[msg.Lang]string{msg.English: c.en, msg.SimplifiedChinese: c.zhCN, msg.HongKongChinese: c.zhHK} {
			if got := l.Render(c.m); got != want {
				t.Errorf("%s %s:\n got %q\nwant %q", l, c.m.ID, got, want)
			}
		}
	}
}

// A failed push keeps its sentence as data; kept in the settings and read
// back it still says itself in every language, and a report of it reads
// as before in English.
func TestAFailureIsKeptAsData(t *testing.T) {
	at := time.Date(2026, 3, 2, 14, 2, 0, 0, time.Local)
	tg := Target{Kind: SSH, Host: "vps", Dir: "conf"}
	tg.State, _ = tg.State.Record(at, msg.Errorf("targets.ssh_refused", "Host", "vps"), time.Hour)
	tg.State, _ = tg.State.Record(at, msg.Errorf("targets.ssh_refused", "Host", "vps"), time.Hour)
	b, err := json.Marshal(tg)
	if err != nil {
		t.Fatal(err)
	}
	var back Target
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.State.Cause().Is("targets.ssh_refused") || back.State.Cause().Arg("Host") != "vps" {
		t.Fatalf("the failure read back: %#v", back.State.Cause())
	}
	want := "vps:conf: failing (2 times): nothing answers SSH at vps (connection refused): check that the host is up and its SSH server runs; next attempt 2 Mar 14:04"
	if got := back.Report(); got != want {
		t.Errorf("report:\n got %q\nwant %q", got, want)
	}
	if got := back.ReportIn(msg.HongKongChinese); got != "vps:conf：推送失敗（2 次）：vps 沒有 SSH 回應（連線被拒）：請檢查主機是否在線及其 SSH 伺服器是否在執行；下次嘗試 3 月 2 日 14:04" {
		t.Errorf("report in zh-HK: %q", got)
	}
	// A state kept before failures were data says its English.
	old := State{LastAttempt: at, Error: "it broke", Failures: 1}
	if c := old.Cause(); !c.Is(msg.PlainID) || c.Arg("Text") != "it broke" {
		t.Errorf("an old state's cause: %#v", c)
	}
	tg.State, _ = tg.State.Record(at, nil, time.Hour)
	if !tg.State.Cause().IsZero() || tg.State.Error != "" {
		t.Errorf("a success keeps the failure: %#v", tg.State)
	}
}
