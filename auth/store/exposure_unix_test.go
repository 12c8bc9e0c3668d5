//go:build unix

package store

import (
	"os"
	"testing"

	"tokentray/auth"
	"tokentray/internal/testutil"
)

// Settings other users can read or change are named with their mode and
// what to do; private ones say nothing.
func TestExposureNamesLooseModes(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	if err := s.Add(newCred("m", auth.KindFutuKey), map[string]string{auth.FieldAccessToken: "test-token-m"}); err != nil {
		t.Fatal(err)
	}
	if got := s.Exposure(); got != "" {
		t.Fatalf("private settings: %q", got)
	}
	if err := os.Chmod(s.Path(), 0o666); err != nil {
		t.Fatal(err)
	}
	want := "the settings file " + s.Path() + " can be read or changed by other users (mode 0666); make it private to you (mode 0600)"
	if got := s.Exposure(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	_ = os.Chmod(s.Path(), 0o600)
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	if m := s.ExposureWhy(); !m.Is("store.exposed_mode") || m.Arg("What") != "the settings folder" || m.Arg("Path") != dir || m.Arg("Mode") != "0777" {
		t.Errorf("a folder anyone can write: %v", m)
	}
	_ = os.Chmod(dir, 0o700)
	if os.Getuid() == 0 {
		// Only root can give a file away.
		if err := os.Chown(s.Path(), 4242, -1); err != nil {
			t.Fatal(err)
		}
		if m := s.ExposureWhy(); !m.Is("store.exposed_owner") || m.Arg("UID") != "4242" {
			t.Errorf("a file of another user: %v", m)
		}
	}
}
