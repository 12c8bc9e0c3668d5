package cli_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode"

	"tokentray/internal/testutil"
)

// Characters written differently in Simplified (zh-CN) and Traditional
// (zh-HK) Chinese, pair by pair, among those tokentray's sentences use.
const (
	simplified  = "证录态处验运请没这个时钟续检设码页间关开认复号户删数议发现应"
	traditional = "證錄態處驗運請沒這個時鐘續檢設碼頁間關開認複號戶刪數議發現應"
)

// script says which Chinese a text is written in: "zh-CN" when it has
// Simplified characters and no Traditional ones, "zh-HK" the other way
// round, "en" when it has no Chinese at all, else "mixed".
func script(s string) string {
	han, simp, trad := false, false, false
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			han = true
		}
		i, j := strings.IndexRune(simplified, r), strings.IndexRune(traditional, r)
		switch {
		case i >= 0 && j >= 0 && i == j: // the same in both scripts
		case i >= 0:
			simp = true
		case j >= 0:
			trad = true
		}
	}
	switch {
	case !han:
		return "en"
	case simp && !trad:
		return "zh-CN"
	case trad && !simp:
		return "zh-HK"
	}
	return "mixed"
}

// The command line speaks the language the environment chooses: status,
// token of a credential that needs action, a wrong command and the login
// of a Webull token say themselves in Simplified Chinese under
// LANG=zh_CN.UTF-8, in Hong Kong Chinese under FUTU_LANGUAGE=zh-HK, and
// in today's English under LANG=C; commands, names and status --json
// stay as they are.
func TestTheCommandLineSpeaksTheLanguageChosen(t *testing.T) {
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
		// left is the login's time left, printed while it waits.
		left string
	}{
		{"LANG=zh_CN.UTF-8", map[string]string{"LANG": "zh_CN.UTF-8"}, "zh-CN", "剩余"},
		{"FUTU_LANGUAGE=zh-HK", map[string]string{"LANG": "", "FUTU_LANGUAGE": "zh-HK"}, "zh-HK", "尚餘"},
		{"LANG=C", map[string]string{"LANG": "C"}, "en", "left"},
	} {
		t.Run(c.name, func(t *testing.T) {
			sb, x := addWebullApp(t)
			said := func(what, text string) {
				t.Helper()
				if got := script(text); got != c.want {
					t.Errorf("%s is in %s, want %s:\n%s", what, got, c.want, text)
				}
				// No line left in English among the Chinese ones.
				for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
					if c.want != "en" && script(line) == "en" {
						t.Errorf("%s has a line in English: %q", what, line)
					}
				}
			}

			st := x.run(c.env, "", "status")
			wantCode(t, st, 3, "status of a credential not verified yet")
			said("status", st.stdout)
			said("status's exit sentence", st.stderr)
			if !strings.Contains(st.stdout, "wb ") || !strings.Contains(st.stdout, "tokentray --sandbox login wb") {
				t.Errorf("status lost the credential's name or its command:\n%s", st.stdout)
			}

			js := x.run(c.env, "", "status", "--json")
			var doc struct {
				Credentials []struct {
					Reason string `json:"reason"`
					Why    *struct {
						Code string `json:"code"`
					} `json:"why"`
				} `json:"credentials"`
			}
			if err := json.Unmarshal([]byte(js.stdout), &doc); err != nil || len(doc.Credentials) != 1 {
				t.Fatalf("status --json: %v\n%s", err, js.stdout)
			}
			if cr := doc.Credentials[0]; script(cr.Reason) != "en" || cr.Why == nil || cr.Why.Code == "" {
				t.Errorf("status --json is translated or has no code: %+v", cr)
			}

			tk := x.run(c.env, "", "token", "wb")
			wantCode(t, tk, 3, "token of a credential that needs action")
			said("token's error", tk.stderr)
			if tk.stdout != "" || !strings.HasPrefix(tk.stderr, "tokentray: ") || !strings.Contains(tk.stderr, "tokentray --sandbox login wb") {
				t.Errorf("token: stdout %q stderr %q", tk.stdout, tk.stderr)
			}

			wrong := x.run(c.env, "", "sttaus")
			wantCode(t, wrong, 2, "a wrong command")
			said("a wrong command's error", wrong.stderr)
			if !strings.Contains(wrong.stderr, `"sttaus"`) || !strings.Contains(wrong.stderr, "status") || !strings.Contains(wrong.stderr, "tokentray help") {
				t.Errorf("a wrong command: %q", wrong.stderr)
			}

			login := x.start(c.env, "", "login", "wb")
			var pending string
			if !testutil.Poll(30*time.Second, 50*time.Millisecond, func() bool {
				for _, ti := range sb.Webull.Tokens() {
					if ti.Status == "PENDING" {
						pending = ti.Token
					}
				}
				return pending != ""
			}) {
				login.cmd.Process.Kill()
				t.Fatalf("login created no pending token; stdout %q stderr %q", login.stdout.String(), login.stderr.String())
			}
			x.secret(pending)
			testutil.Poll(30*time.Second, 20*time.Millisecond, func() bool { return strings.Contains(login.stdout.String(), c.left) })
			code, ok := sb.Webull.SMSCode(pending)
			if !ok {
				t.Fatal("no SMS code for the pending token")
			}
			if err := sb.Webull.Verify(pending, code); err != nil {
				t.Fatal(err)
			}
			r := login.wait(t)
			x.checkOutput([]string{"login"}, r)
			wantCode(t, r, 0, "login")
			said("login's steps and result", r.stdout)
			if !strings.Contains(r.stdout, "Webull") || !strings.Contains(r.stdout, "wb: ") {
				t.Errorf("login lost the broker's or the credential's name:\n%s", r.stdout)
			}

			if c.want != "en" {
				return
			}
			// Today's English, as scripts read it.
			if !strings.HasPrefix(st.stdout, "NAME  ") || !strings.Contains(st.stdout, "Action needed") {
				t.Errorf("status in English:\n%s", st.stdout)
			}
			if st.stderr != "tokentray: you must act on wb\n" {
				t.Errorf("status's exit sentence in English: %q", st.stderr)
			}
			if !strings.Contains(tk.stderr, ". Next: tokentray --sandbox login wb\n") {
				t.Errorf("token's error in English: %q", tk.stderr)
			}
			if wrong.stderr != "tokentray: \"sttaus\" is not a tokentray command; did you mean status? Run: tokentray help\n" {
				t.Errorf("a wrong command in English: %q", wrong.stderr)
			}
			if !strings.Contains(r.stdout, "wb: OK: Verified with the SMS code, valid until ") || !strings.Contains(r.stdout, " s left)") {
				t.Errorf("login in English:\n%s", r.stdout)
			}
		})
	}
}
