package auth

import (
	"tokentray/internal/msg"
)

// ErrSecretNotFound is returned by a SecretStore when an item is absent.
var ErrSecretNotFound = msg.Errorf("auth.secret_not_found")

// MaxSecretBytes is the largest value tokentray stores in one keychain
// item. Windows caps an item at 2,560 bytes and macOS near 3,000; a larger
// value is refused, never truncated.
const MaxSecretBytes = 2048

// SecretStore keeps small secret values, one item per credential field.
// The real one is the OS keychain (package auth/keychain); tests use
// testutil.MemorySecrets. Errors are sentences a user can act on.
type SecretStore interface {
	Get(credID, field string) (string, error)
	Set(credID, field, value string) error
	Delete(credID, field string) error
}

// ErrSecretTooLarge is returned when a value exceeds MaxSecretBytes.
type ErrSecretTooLarge struct {
	Field string
	Size  int
}

func (e ErrSecretTooLarge) Error() string { return e.Message().String() }

// Message is the sentence as data.
func (e ErrSecretTooLarge) Message() msg.Message {
	return msg.New("keychain.too_large", "Field", e.Field, "Size", e.Size, "Max", MaxSecretBytes)
}
