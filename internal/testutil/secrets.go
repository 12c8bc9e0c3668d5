package testutil

import (
	"errors"
	"sync"

	"tokentray/auth"
)

// ErrKeychainBusy is what FlakySecrets answers while it fails.
var ErrKeychainBusy = errors.New("the keychain is busy: try again")

// FlakySecrets refuses the first Failures writes of Field, as a busy
// keychain does, and passes everything else to Secrets. With OnlyChanges
// a write of the value already stored is let through (and not counted).
type FlakySecrets struct {
	auth.Secrets
	Field       string
	OnlyChanges bool

	mu       sync.Mutex
	Failures int
}

func (f *FlakySecrets) Set(field, v string) error {
	if field == f.Field {
		if f.OnlyChanges {
			if old, _ := f.Secrets.Get(field); old == v {
				return f.Secrets.Set(field, v)
			}
		}
		f.mu.Lock()
		fail := f.Failures > 0
		if fail {
			f.Failures--
		}
		f.mu.Unlock()
		if fail {
			return ErrKeychainBusy
		}
	}
	return f.Secrets.Set(field, v)
}

// Left is how many refusals remain.
func (f *FlakySecrets) Left() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.Failures
}
