package targets

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSSHAccepts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Target
		str  string
	}{
		{"vps:bot/conf", Target{Kind: SSH, Host: "vps", Dir: "bot/conf"}, "vps:bot/conf"},
		{"bot@vps.example.com:/srv/bot/conf/", Target{Kind: SSH, User: "bot", Host: "vps.example.com", Dir: "/srv/bot/conf"}, "bot@vps.example.com:/srv/bot/conf"},
		{"bot@vps:~/conf", Target{Kind: SSH, User: "bot", Host: "vps", Dir: "conf"}, "bot@vps:conf"},
		{"vps:~", Target{Kind: SSH, Host: "vps", Dir: "."}, "vps:~"},
		{"my_alias:conf", Target{Kind: SSH, Host: "my_alias", Dir: "conf"}, "my_alias:conf"},
		{"10.0.0.5:conf", Target{Kind: SSH, Host: "10.0.0.5", Dir: "conf"}, "10.0.0.5:conf"},
		{"bot@[2001:db8::1]:conf", Target{Kind: SSH, User: "bot", Host: "2001:db8::1", Dir: "conf"}, "bot@[2001:db8::1]:conf"},
		{"ssh://bot@vps:2222/srv/conf", Target{Kind: SSH, User: "bot", Host: "vps", Port: 2222, Dir: "/srv/conf"}, "ssh://bot@vps:2222/srv/conf"},
		{"ssh://vps/~/conf", Target{Kind: SSH, Host: "vps", Dir: "conf"}, "vps:conf"},
		{"ssh://vps:2222/~/conf", Target{Kind: SSH, Host: "vps", Port: 2222, Dir: "conf"}, "ssh://vps:2222/~/conf"},
		{"ssh://[::1]:2222/conf", Target{Kind: SSH, Host: "::1", Port: 2222, Dir: "/conf"}, "ssh://[::1]:2222/conf"},
		{"  vps:conf  ", Target{Kind: SSH, Host: "vps", Dir: "conf"}, "vps:conf"},
	} {
		got, err := ParseSSH(tc.in)
		if err != nil {
			t.Errorf("ParseSSH(%q): %v", tc.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseSSH(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if got.String() != tc.str {
			t.Errorf("ParseSSH(%q).String() = %q, want %q", tc.in, got.String(), tc.str)
		}
		// What String writes reads back as the same target.
		again, err := ParseSSH(got.String())
		if err != nil || !again.Same(got) {
			t.Errorf("ParseSSH(%q) = %+v, %v; want %+v", got.String(), again, err, got)
		}
	}
}

func TestParseSSHRefusesWithOneSentence(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "needs a target"},
		{"vps", "names no folder"},
		{"vps:", "names no folder"},
		{"bot@vps:", "names no folder"},
		{"ssh://vps", "names no folder"},
		{"ssh://vps/", "names no folder"},
		{":conf", "names no host"},
		{"ssh:///conf", "names no host"},
		{"-oProxyCommand=touch /tmp/x:conf", "starts with a dash"},
		{"-oProxyCommand=sh:conf", "starts with a dash"},
		{"ssh://-oProxyCommand=x/conf", "starts with a dash"},
		{"bot@-vps:conf", "starts with a dash"},
		{"-l@vps:conf", "user \"-l\" starts with a dash"},
		{"vps;reboot:conf", "not a host name"},
		{"$(touch x):conf", "not a host name"},
		{"vps`id`:conf", "not a host name"},
		{"vps|sh:conf", "not a host name"},
		{"vps&:conf", "not a host name"},
		{"v ps:conf", "not a host name"},
		{"vps..example:conf", "each part between dots"},
		{"vps.-x:conf", "each part between dots"},
		{"b'ot@vps:conf", "is not a user name"},
		{"vps:con\nf", "control character"},
		{"vps:conf\x00", "control character"},
		{"vps:~root/conf", "another user's home"},
		{"ssh://vps:0/conf", "is not a port"},
		{"ssh://vps:70000/conf", "is not a port"},
		{"ssh://vps:ssh/conf", "is not a port"},
		{"ssh://bot:hunter2@vps/conf", "holds a password"},
		{"ssh://vps/conf?x=1", "? or # part"},
		{"http://vps/conf", "not an ssh:// address"},
		{"[vps]:conf", "where an IPv6 address belongs"},
		{"ssh://[vps]/conf", "is not an IPv6 address"},
		{strings.Repeat("a", 300) + ":conf", "longer than a host name"},
	} {
		_, err := ParseSSH(tc.in)
		if err == nil {
			t.Errorf("ParseSSH(%q) accepted it", tc.in)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, tc.want) {
			t.Errorf("ParseSSH(%q) = %q, want it to say %q", tc.in, msg, tc.want)
		}
		if strings.Contains(msg, "\n") || strings.Count(msg, ". ") > 0 {
			t.Errorf("ParseSSH(%q) = %q, want one sentence", tc.in, msg)
		}
		if strings.Contains(msg, "hunter2") {
			t.Errorf("ParseSSH(%q) repeats the password: %q", tc.in, msg)
		}
	}
}

func TestParseExec(t *testing.T) {
	got, err := ParseExec("  vault kv put secret/webull token=-  ")
	if err != nil || got.Kind != Exec || got.Command != "vault kv put secret/webull token=-" {
		t.Fatalf("ParseExec = %+v, %v", got, err)
	}
	for _, tc := range []struct{ in, want string }{
		{"  ", "needs a command"},
		{"cat\x00x", "is not text"},
		{strings.Repeat("x", 5000), "longer than 4096"},
	} {
		if _, err := ParseExec(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseExec(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestSameTarget(t *testing.T) {
	a, _ := ParseSSH("bot@VPS:conf")
	b, _ := ParseSSH("ssh://bot@vps/~/conf/")
	c, _ := ParseSSH("vps:conf")
	if !a.Same(b) {
		t.Errorf("%v and %v are the same folder on the same host", a, b)
	}
	if a.Same(c) {
		t.Errorf("%v and %v sign in as different users", a, c)
	}
	a.State.Failures = 3
	if !a.Same(b) {
		t.Error("a target's state makes it no other place")
	}
}
