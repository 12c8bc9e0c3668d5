package main

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"tokentray/internal/testutil"
)

// runAsWindow makes the test binary the window's program when a test
// starts it so: the toolkit wants the process's main thread, which only
// a program of its own has.
const runAsWindow = "TOKENTRAY_TEST_RUN_WINDOW"

func TestMain(m *testing.M) {
	if os.Getenv(runAsWindow) == "1" {
		os.Exit(run(os.Args[1:], os.Stderr))
	}
	os.Exit(m.Run())
}

// titles are the names of the top-level windows on the display.
func titles(t *testing.T, x *xgb.Conn) []string {
	t.Helper()
	name, err := xproto.InternAtom(x, false, uint16(len("_NET_WM_NAME")), "_NET_WM_NAME").Reply()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := xproto.QueryTree(x, xproto.Setup(x).DefaultScreen(x).Root).Reply()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, w := range tree.Children {
		p, err := xproto.GetProperty(x, false, w, name.Atom, xproto.GetPropertyTypeAny, 0, 256).Reply()
		if err == nil && len(p.Value) > 0 {
			out = append(out, string(p.Value))
		}
	}
	return out
}

// The window's program speaks the language the person's locale asks
// for, on a real display: zh_TW gives Hong Kong Chinese (its title is
// the sandbox's in Chinese), C gives today's English; Fyne says nothing
// on stderr either way.
func TestTheWindowProgramSpeaksTheLocalesLanguage(t *testing.T) {
	if runtime.GOOS != "linux" || os.Getenv("DISPLAY") == "" {
		t.Skip("needs an X display: run it inside scripts/with-desktop.sh")
	}
	x, err := xgb.NewConn()
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, c := range []struct{ lang, title string }{
		{"zh_TW.UTF-8", "tokentray（沙盒）"},
		{"C.UTF-8", "tokentray (sandbox)"},
	} {
		t.Run(c.lang, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "--sandbox")
			var env []string
			for _, kv := range os.Environ() {
				k, _, _ := strings.Cut(kv, "=")
				switch k {
				case "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE", "FUTU_LANGUAGE", "XDG_CONFIG_HOME":
					continue
				}
				env = append(env, kv)
			}
			cmd.Env = append(env, runAsWindow+"=1", "LANG="+c.lang, "XDG_CONFIG_HOME="+t.TempDir())
			var stderr testutil.LockedBuffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			gone := make(chan struct{})
			go func() { _ = cmd.Wait(); close(gone) }()
			defer func() {
				_ = cmd.Process.Signal(syscall.SIGTERM)
				select {
				case <-gone:
				case <-time.After(10 * time.Second):
					_ = cmd.Process.Kill()
					<-gone
				}
			}()
			var seen []string
			ok := testutil.Poll(30*time.Second, 50*time.Millisecond, func() bool {
				select {
				case <-gone:
					return true
				default:
				}
				seen = titles(t, x)
				for _, s := range seen {
					if s == c.title {
						return true
					}
				}
				return false
			})
			select {
			case <-gone:
				t.Fatalf("the window ended: %s", stderr.String())
			default:
			}
			if !ok {
				t.Fatalf("no window titled %q; the display has %q", c.title, seen)
			}
			if s := strings.TrimSpace(stderr.String()); s != "" {
				t.Errorf("the window said on stderr: %s", s)
			}
		})
	}
}
