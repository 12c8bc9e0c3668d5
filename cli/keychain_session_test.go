package cli_test

import (
	"strings"
	"testing"
)

// keychain status names the Secret Service session secrets travel in:
// the encrypted one, which gnome-keyring offers.
func TestKeychainStatusNamesTheEncryptedSession(t *testing.T) {
	needKeychain(t)
	x := newTT(t)
	r := x.run(nil, "", "keychain", "status")
	wantCode(t, r, 0, "keychain status")
	if !strings.Contains(r.stdout, "Session:  dh-ietf1024-sha256-aes128-cbc-pkcs7 (encrypted)\n") {
		t.Errorf("keychain status:\n%s", r.stdout)
	}
}
