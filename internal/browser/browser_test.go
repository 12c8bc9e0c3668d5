package browser

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/internal/testutil"
)

const loginURL = "https://webapi.futunn.com/oauth2/authorize/confirm?client_id=c1&state=s3cr3t-state&code_challenge=ch"

type fake struct {
	env      map[string]string
	started  [][]string
	files    []string
	startErr error
}

func (f *fake) opener(clock clockwork.Clock) *Opener {
	return &Opener{
		Getenv: func(k string) string { return f.env[k] },
		Start: func(name string, args ...string) error {
			f.started = append(f.started, append([]string{name}, args...))
			return f.startErr
		},
		OpenFile: func(p string) error { f.files = append(f.files, p); return nil },
		Clock:    clock,
		Keep:     time.Minute,
	}
}

func TestTheAddressIsInAPrivatePageNotInArgv(t *testing.T) {
	rt := t.TempDir()
	f := &fake{env: map[string]string{"XDG_RUNTIME_DIR": rt}}
	clock := clockwork.NewFakeClock()
	if err := f.opener(clock).Open(loginURL); err != nil {
		t.Fatal(err)
	}
	if len(f.files) != 1 || len(f.started) != 0 {
		t.Fatalf("opened %q, started %q", f.files, f.started)
	}
	page := f.files[0]
	if filepath.Dir(page) != filepath.Join(rt, "tokentray") || strings.Contains(page, "state") {
		t.Errorf("page at %s", page)
	}
	fi, err := os.Stat(page)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("page mode %v, %v", fi.Mode(), err)
	}
	if di, _ := os.Stat(filepath.Dir(page)); di.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v", di.Mode())
	}
	b, _ := os.ReadFile(page)
	if !strings.Contains(string(b), `url=https://webapi.futunn.com/oauth2/authorize/confirm?client_id=c1&amp;state=s3cr3t-state`) {
		t.Errorf("page does not forward to the address:\n%s", b)
	}
	// The page stays while the login may need it, then goes.
	clock.Advance(59 * time.Second)
	if _, err := os.Stat(page); err != nil {
		t.Fatalf("the page went before Keep: %v", err)
	}
	clock.Advance(time.Second)
	testutil.Eventually(t, "the page removed after Keep", func() bool {
		_, err := os.Stat(page)
		return os.IsNotExist(err)
	})
}

func TestBrowserVariableIsHonoured(t *testing.T) {
	f := &fake{env: map[string]string{"XDG_RUNTIME_DIR": t.TempDir(), "BROWSER": "missing-browser:firefox --new-window %s"}}
	f.startErr = nil
	o := f.opener(clockwork.NewFakeClock())
	calls := 0
	o.Start = func(name string, args ...string) error {
		calls++
		f.started = append(f.started, append([]string{name}, args...))
		if name == "missing-browser" {
			return errors.New("not found")
		}
		return nil
	}
	if err := o.Open(loginURL); err != nil {
		t.Fatal(err)
	}
	if len(f.files) != 0 || calls != 2 {
		t.Fatalf("started %q, opened files %q", f.started, f.files)
	}
	last := f.started[1]
	if last[0] != "firefox" || last[1] != "--new-window" || !strings.HasSuffix(last[2], ".html") {
		t.Errorf("firefox started with %q", last)
	}
	for _, argv := range f.started {
		if strings.Contains(strings.Join(argv, " "), "state") {
			t.Errorf("the address is in argv: %q", argv)
		}
	}
}

func TestFailuresNeverShowTheAddress(t *testing.T) {
	f := &fake{env: map[string]string{"XDG_RUNTIME_DIR": t.TempDir(), "BROWSER": "nothing"}, startErr: errors.New("exec: not found")}
	err := f.opener(clockwork.NewFakeClock()).Open(loginURL)
	if err == nil || strings.Contains(err.Error(), "s3cr3t-state") {
		t.Fatalf("err = %v", err)
	}
	for _, bad := range []string{"javascript:alert(1)", "file:///etc/passwd", "https://x/" + strings.Repeat("a", 9000)} {
		if err := f.opener(clockwork.NewFakeClock()).Open(bad); err == nil || strings.Contains(err.Error(), "alert") {
			t.Errorf("Open(%.30q) = %v", bad, err)
		}
	}
}

func TestWithoutRuntimeDirAPrivateTempFolder(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	f := &fake{env: map[string]string{}}
	o := f.opener(clockwork.NewFakeClock())
	if err := o.Open(loginURL); err != nil {
		t.Fatal(err)
	}
	if err := o.Open(loginURL); err != nil {
		t.Fatal(err)
	}
	if len(f.files) != 2 || filepath.Dir(f.files[0]) != filepath.Dir(f.files[1]) {
		t.Fatalf("pages %q", f.files)
	}
	if di, _ := os.Stat(filepath.Dir(f.files[0])); di.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v", di.Mode())
	}
}

func TestAFolderOthersCanOpenIsRefused(t *testing.T) {
	rt := t.TempDir()
	if err := os.Mkdir(filepath.Join(rt, "tokentray"), 0o777); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(filepath.Join(rt, "tokentray"), 0o777)
	f := &fake{env: map[string]string{"XDG_RUNTIME_DIR": rt}}
	if err := f.opener(clockwork.NewFakeClock()).Open(loginURL); err == nil || len(f.files) != 0 {
		t.Fatalf("a shared folder was used: %v", err)
	}
}

// Without a runtime dir, every process uses the same private folder in
// the user's cache, so a page left by a process that ended (a login from
// the command line ends long before Keep) is swept by the next one
// instead of staying in a new temporary folder forever.
func TestWithoutRuntimeDirPagesOfEndedProcessesAreSwept(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	home := t.TempDir()
	first := &fake{env: map[string]string{"HOME": home}}
	if err := first.opener(clockwork.NewFakeClockAt(time.Now())).Open(loginURL); err != nil {
		t.Fatal(err)
	}
	page := first.files[0]
	if !strings.HasPrefix(page, filepath.Join(home, ".cache", "tokentray")+string(filepath.Separator)) {
		t.Errorf("page at %s, want it in the user's cache", page)
	}
	// That process ends before its timer fires; two minutes later
	// another one opens a page.
	second := &fake{env: map[string]string{"HOME": home}}
	if err := second.opener(clockwork.NewFakeClockAt(time.Now().Add(2 * time.Minute))).Open(loginURL); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(page); !os.IsNotExist(err) {
		t.Errorf("the ended process's page %s is still on disk (%v)", page, err)
	}
	if left, _ := filepath.Glob(filepath.Join(os.Getenv("TMPDIR"), "tokentray-*")); len(left) != 0 {
		t.Errorf("temporary folders left: %q", left)
	}
}

// A folder another user owns is refused even when its mode looks
// private: its owner could read the pages.
func TestAFolderAnotherUserOwnsIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("making a folder owned by another user needs root")
	}
	rt := t.TempDir()
	dir := filepath.Join(rt, "tokentray")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Skip("cannot give a folder away:", err)
	}
	f := &fake{env: map[string]string{"XDG_RUNTIME_DIR": rt}}
	err := f.opener(clockwork.NewFakeClock()).Open(loginURL)
	if err == nil || len(f.files) != 0 {
		t.Fatalf("a folder owned by another user was used: %v, pages %q", err, f.files)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("a page was written into another user's folder: %v", left)
	}
}

// The forwarding page goes when the login ends, not Keep later, also
// when the login ends while the browser is still being started.
func TestDiscardRemovesThePageAtOnce(t *testing.T) {
	rt := t.TempDir()
	f := &fake{env: map[string]string{"XDG_RUNTIME_DIR": rt}}
	o := f.opener(clockwork.NewFakeClock())
	if err := o.Open(loginURL); err != nil {
		t.Fatal(err)
	}
	o.Discard(loginURL)
	if _, err := os.Stat(f.files[0]); !os.IsNotExist(err) {
		t.Fatalf("the page is still there after Discard: %v", err)
	}

	entered, release := make(chan struct{}), make(chan struct{})
	o.OpenFile = func(p string) error {
		f.files = append(f.files, p)
		close(entered)
		<-release
		return nil
	}
	done := make(chan error)
	go func() { done <- o.Open(loginURL) }()
	<-entered
	o.Discard(loginURL) // the login ended while the browser was starting
	page := f.files[1]
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(page); !os.IsNotExist(err) {
		t.Fatalf("the page of an Open under way stayed after Discard: %v", err)
	}
	if left, _ := filepath.Glob(filepath.Join(rt, "tokentray", "open-*.html")); len(left) != 0 {
		t.Errorf("pages left: %q", left)
	}
}
