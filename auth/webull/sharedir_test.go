package webull

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox/fault"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

func mkdir(t *testing.T, path string, mode os.FileMode) string {
	t.Helper()
	if err := os.MkdirAll(path, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestCheckShareDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not guard folders on Windows")
	}
	base := t.TempDir()
	var sde *ShareDirError
	for _, c := range []struct {
		dir     string
		refused bool
		warns   bool
	}{
		{mkdir(t, filepath.Join(base, "private"), 0o700), false, false},
		{mkdir(t, filepath.Join(base, "bot", "conf"), 0o755), false, true},
		{mkdir(t, filepath.Join(base, "open"), 0o777), true, false},
		{mkdir(t, filepath.Join(base, "group"), 0o770), true, false},
		{mkdir(t, filepath.Join(base, "tmp"), 0o777|os.ModeSticky), true, false},
		{filepath.Join(mkdir(t, filepath.Join(base, "tmp2"), 0o777|os.ModeSticky), "bot", "conf"), false, false},
		{filepath.Join(mkdir(t, filepath.Join(base, "wide"), 0o777), "bot"), true, false},
	} {
		warning, err := CheckShareDir(c.dir)
		if c.refused != errors.As(err, &sde) || (err != nil && !c.refused) {
			t.Errorf("%s: err %v, want refused %v", c.dir, err, c.refused)
		}
		if m := msg.Of(err); c.refused && (!m.Is("webull.share_dir_unsafe") || m.Arg("Dir") != filepath.Clean(c.dir)) {
			t.Errorf("%s: %v does not say what to do", c.dir, err)
		}
		if (warning != "") != c.warns {
			t.Errorf("%s: warning %q, want one %v", c.dir, warning, c.warns)
		}
	}
	f := filepath.Join(base, "file")
	_ = os.WriteFile(f, nil, 0o600)
	if _, err := CheckShareDir(f); !errors.As(err, &sde) {
		t.Errorf("a file as the folder: %v", err)
	}
	if fi, err := os.Stat("/tmp"); err == nil && fi.Mode().Perm() == 0o777 {
		if _, err := CheckShareDir("/tmp"); !errors.As(err, &sde) {
			t.Errorf("/tmp accepted: %v", err)
		}
	}
}

func sharing(t *testing.T, dir string) *env {
	e := verified(t)
	e.c.ShareWithSDK, e.c.SDKTokenDir = true, dir
	if h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); err != nil || h.State != auth.OK {
		t.Fatalf("share: %v %v", h, err)
	}
	if e.c.SDKTokenFile != filepath.Join(dir, TokenFileName) {
		t.Fatalf("the written file is not recorded: %q", e.c.SDKTokenFile)
	}
	return e
}

func exists(path string) bool { _, err := os.Stat(path); return err == nil }

func TestSharingMovesAndStopsWithoutLeavingTheToken(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	e := sharing(t, a)
	e.c.SDKTokenDir = b
	if h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{}); err != nil || h.State != auth.OK {
		t.Fatalf("move: %v %v", h, err)
	}
	if exists(filepath.Join(a, TokenFileName)) || !exists(filepath.Join(b, TokenFileName)) || e.c.SDKTokenFile != filepath.Join(b, TokenFileName) {
		t.Fatalf("after moving: old file there %v, new file there %v", exists(filepath.Join(a, TokenFileName)), exists(filepath.Join(b, TokenFileName)))
	}

	// Stopping removes it even when Webull cannot be reached.
	e.c.ShareWithSDK = false
	e.sim.Faults().Set(checkPath, fault.Rule{Status: http.StatusServiceUnavailable, Times: 1})
	h, _ := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if exists(filepath.Join(b, TokenFileName)) || e.c.SDKTokenFile != "" {
		t.Fatalf("after stopping with Webull down (%v): file still there %v", h, exists(filepath.Join(b, TokenFileName)))
	}
	if e.c.TokenStatus != StatusNormal || e.token() == "" {
		t.Error("stopping sharing touched the token")
	}
}

func TestABotsOwnTokenFileIsLeftAlone(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	e := sharing(t, a)
	// The bot's SDK created a token of its own and wrote it there.
	if err := WriteTokenFile(a, TokenInfo{Token: "fedcba9876543210fedcba9876543210", Status: StatusNormal}); err != nil {
		t.Fatal(err)
	}
	e.c.ShareWithSDK = false
	_, _ = e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	if ti, _ := ReadTokenFile(a); ti.Token != "fedcba9876543210fedcba9876543210" {
		t.Errorf("the bot's own token file was removed or changed: %+v", ti)
	}
	if err := e.p.Revoke(testutil.Context(t, 20*time.Second), e.c, e.s); err != nil || !exists(filepath.Join(a, TokenFileName)) {
		t.Errorf("logout removed the bot's own token file (%v)", err)
	}
}

func TestLogoutRemovesEveryTokenFileWritten(t *testing.T) {
	a := filepath.Join(t.TempDir(), "a")
	e := sharing(t, a)
	// Sharing moved in the settings, not yet written.
	e.c.SDKTokenDir = filepath.Join(t.TempDir(), "b")
	_ = WriteTokenFile(e.c.SDKTokenDir, TokenInfo{Token: e.token(), Status: StatusNormal})
	if err := e.p.Revoke(testutil.Context(t, 20*time.Second), e.c, e.s); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(a, TokenFileName)) || exists(filepath.Join(e.c.SDKTokenDir, TokenFileName)) {
		t.Error("logout left a token file")
	}
}

func TestAnOpenShareFolderIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits do not guard folders on Windows")
	}
	e := verified(t)
	dir := mkdir(t, filepath.Join(t.TempDir(), "open"), 0o777)
	e.c.ShareWithSDK, e.c.SDKTokenDir = true, dir
	h, err := e.p.Refresh(testutil.Context(t, 20*time.Second), &e.c, e.s, auth.RefreshOptions{})
	// The token is fine: OK, with the sharing failure as its sentence and
	// sharing again as the next action, never a new verification.
	if err == nil || h.State != auth.OK || h.Next.Kind != auth.ActionShare || !h.Why.Is("webull.sharing_failed") || !has(h.Why, "webull.share_dir_others_write") {
		t.Fatalf("open folder: %v %+v / %v", h, h.Next, err)
	}
	if exists(filepath.Join(dir, TokenFileName)) {
		t.Error("the token was written to a folder others can write to")
	}
}
