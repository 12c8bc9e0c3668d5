//go:build unix

package keychain_test

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"tokentray/auth/keychain"
	"tokentray/internal/testutil"
)

// A named pipe as the file keychain, or as its key, is refused at once
// with a sentence, never waited on.
func TestAFileKeychainOrKeyThatIsANamedPipeIsRefusedAtOnce(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "key", keychain.KeyName)
	if _, err := keychain.NewKey(key, time.Now()); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data", keychain.FileName)
	if err := os.MkdirAll(filepath.Dir(data), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(data, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	try := func(what string, k keychain.Key, path, want string) {
		t.Helper()
		done := make(chan error, 1)
		go func() { _, err := keychain.NewFile(path, "tokentray-test", k).Get("c1", "access_token"); done <- err }()
		select {
		case err := <-done:
			if _, ok := testutil.ErrSays(err, want); !ok {
				t.Errorf("%s: got %v, want it to say %q", what, err, want)
			}
		case <-time.After(10 * time.Second):
			if w, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
				w.Close()
			}
			t.Fatalf("%s: reading waited on the named pipe", what)
		}
	}
	try("the keychain", keychain.Key{Path: key, From: keychain.KeyFromEnv}, data, "keychain.damaged_not_ours")

	fifoKey := filepath.Join(dir, "fifo-key")
	if err := syscall.Mkfifo(fifoKey, 0o600); err != nil {
		t.Fatal(err)
	}
	try("the key", keychain.Key{Path: fifoKey, From: keychain.KeyFromEnv}, filepath.Join(dir, "other", keychain.FileName), "keychain.key_not_regular")
}
