package testutil

import (
	"sort"
	"sync"

	"tokentray/auth"
)

// MemorySecrets is an in-memory auth.SecretStore for tests. It enforces
// the same size cap as the keychain.
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
		return "", auth.ErrSecretNotFound
	}
	return v, nil
}

func (m *MemorySecrets) Set(id, field, value string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.Fail != nil {
		return m.Fail
	}
	if len(value) > auth.MaxSecretBytes {
		return auth.ErrSecretTooLarge{Field: field, Size: len(value)}
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
		return auth.ErrSecretNotFound
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
