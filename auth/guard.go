package auth

import (
	"strings"
	"time"
)

// Withheld replaces text that would show a secret.
const Withheld = "details withheld because they would show a secret"

// Exposes reports whether text shows any of the secrets, in any case.
// Text that does is withheld whole: blanking only the matches would show
// where they were, and so what the secret contains.
func Exposes(text string, secrets ...string) bool {
	lt := strings.ToLower(text)
	for _, s := range secrets {
		if s != "" && strings.Contains(lt, strings.ToLower(s)) {
			return true
		}
	}
	return false
}

// KeychainRetries are the pauses before storing a replaced token again:
// a busy keychain often works a moment later, and the old token is gone.
var KeychainRetries = []time.Duration{100 * time.Millisecond, 400 * time.Millisecond}

// SetRetry stores a value that exists nowhere else (a token the broker
// has just replaced), trying again briefly when the keychain refuses.
func SetRetry(s Secrets, field, value string) error {
	err := s.Set(field, value)
	for _, d := range KeychainRetries {
		if err == nil {
			break
		}
		time.Sleep(d) // wall time: the keychain is a local service, not a token clock
		err = s.Set(field, value)
	}
	return err
}
