package auth

import (
	"sort"
	"sync"

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
// MemorySecrets. Errors are sentences a user can act on.
type SecretStore interface {
	Get(credID, field string) (string, error)
	Set(credID, field, value string) error
	Delete(credID, field string) error
}

// MemorySecrets is an in-memory SecretStore for tests and the sandbox
// demo profile. It enforces the same size cap as the keychain.
type MemorySecrets struct {
	mu    sync.Mutex
	items map[string]string
	// Fail, when set, makes every call return it (a locked keychain).
	Fail error
}

// NewMemorySecrets returns an empty in-memory store.
func NewMemorySecrets() *MemorySecrets { return &MemorySecrets{items: map[string]string{}} }

func memKey(id, field string) string { return id + "/" + field }

func (m *MemorySecrets) Get(id, field string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return "", m.Fail
	}
	v, ok := m.items[memKey(id, field)]
	if !ok {
		return "", ErrSecretNotFound
	}
	return v, nil
}

func (m *MemorySecrets) Set(id, field, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	if len(value) > MaxSecretBytes {
		return ErrSecretTooLarge{Field: field, Size: len(value)}
	}
	m.items[memKey(id, field)] = value
	return nil
}

func (m *MemorySecrets) Delete(id, field string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	if _, ok := m.items[memKey(id, field)]; !ok {
		return ErrSecretNotFound
	}
	delete(m.items, memKey(id, field))
	return nil
}

// Check reports whether the store can be used now (Fail, if set).
func (m *MemorySecrets) Check() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.Fail
}

// Values returns every stored value, sorted; tests use it to prove that
// no secret leaked into files or output.
func (m *MemorySecrets) Values() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]string, 0, len(m.items))
	for _, v := range m.items {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
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
