package cli_test

import (
	"context"
	"strings"
	"testing"

	"tokentray/auth"
	"tokentray/cli"
	"tokentray/internal/msg"
	"tokentray/internal/system"
	"tokentray/internal/testutil"
)

// The kinds describe themselves through the registry the wiring fills.
func init() { system.RegisterKinds() }

// add's help, usage and flags are the kinds' descriptions: every kind,
// every option with its value's name, and every value of an option with
// more than two.
func TestAddHelpIsTheKindsDescriptions(t *testing.T) {
	out := &testutil.LockedBuffer{}
	if code := cli.Run(context.Background(), []string{"help", "add"}, cli.Deps{Stdout: out}); code != 0 {
		t.Fatalf("help add: exit %d", code)
	}
	help := out.String()
	for _, i := range auth.Described() {
		if !strings.Contains(help, "\n  "+string(i.Kind)+" ") || !strings.Contains(help, "add "+string(i.Kind)+" NAME") {
			t.Errorf("help add does not describe %s", i.Kind)
		}
		for _, o := range i.Options {
			u := "--" + o.Name
			if !o.Switch() {
				u += " " + o.Arg
			}
			if !strings.Contains(help, u) {
				t.Errorf("help add lacks %s of %s", u, i.Kind)
			}
			if len(o.Choices) > 2 {
				for _, c := range o.Choices {
					if !strings.Contains(help, "\n  "+c.Value+" ") {
						t.Errorf("help add does not list %s %s", u, c.Value)
					}
				}
			}
		}
	}
}

// An option of another kind is refused, before any keychain is opened.
func TestAddAndUpdateRefuseAnotherKindsOption(t *testing.T) {
	errOut := &testutil.LockedBuffer{}
	d := cli.Deps{Stderr: errOut, Open: func(bool) (cli.Parts, error) {
		t.Error("a wrong option opened the profile")
		return cli.Parts{}, context.Canceled
	}}
	if code := cli.Run(context.Background(), []string{"add", "futu-key", "k", "--region", "us"}, d); code != cli.ExitUsage || !strings.Contains(errOut.String(), "--region does not apply to futu-key credentials") {
		t.Errorf("add futu-key --region: exit %d, %q", code, errOut.String())
	}
	errOut.Reset()
	if code := cli.Run(context.Background(), []string{"add", "webull", "w", "--region", "mars"}, d); code != cli.ExitUsage || !strings.Contains(errOut.String(), `"mars" is not a Webull region; use one of us, hk`) {
		t.Errorf("add webull --region mars: exit %d, %q", code, errOut.String())
	}
	// In Chinese: the region named in Chinese, the regions listed with 、.
	errOut.Reset()
	dHK := d
	dHK.Language = func(bool) msg.Lang { return msg.HongKongChinese }
	if code := cli.Run(context.Background(), []string{"add", "webull", "w", "--region", "mars"}, dHK); code != cli.ExitUsage ||
		!strings.Contains(errOut.String(), `"mars" 並非有效的地區；請使用 us、hk、`) || strings.Contains(errOut.String(), "region") {
		t.Errorf("add webull --region mars in zh-HK: exit %d, %q", code, errOut.String())
	}
	// The settings are listed with the language's own comma too.
	errOut.Reset()
	if code := cli.Run(context.Background(), []string{"config", "nosuch", "1"}, dHK); code != cli.ExitUsage ||
		!strings.Contains(errOut.String(), "lead-time、check-every、") {
		t.Errorf("config nosuch in zh-HK: exit %d, %q", code, errOut.String())
	}
	errOut.Reset()
	if code := cli.Run(context.Background(), []string{"add", "webull", "w"}, d); code != cli.ExitUsage || !strings.Contains(errOut.String(), "add webull needs --region R (one of us, hk") {
		t.Errorf("add webull without --region: exit %d, %q", code, errOut.String())
	}
}
