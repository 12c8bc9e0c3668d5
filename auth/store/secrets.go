package store

import (
	"errors"
	"sync"

	"tokentray/auth"
)

// Bind returns credential id's secrets for the span of one operation (a
// check, a refresh, a login): each field is read from the keychain at
// most once, writes go through at once and are remembered, and a failed
// read is not remembered. Use a fresh one per operation, so that what
// another process wrote in between is seen.
func (s *Store) Bind(id string) auth.Secrets {
	return &onceSecrets{inner: auth.Bind(s.secrets, id), known: map[string]cached{}}
}

// BindFields is Bind for an operation that reads these fields: the
// first read fetches them all together, in one keychain call where the
// keychain can (see keychain.Keyring.GetFields).
func (s *Store) BindFields(id string, fields ...string) auth.Secrets {
	o := &onceSecrets{inner: auth.Bind(s.secrets, id), known: map[string]cached{}}
	if r, ok := s.secrets.(fieldsReader); ok && len(fields) > 1 {
		o.prefetch = func() (map[string]string, []string, error) { return r.GetFields(id, fields) }
	}
	return o
}

// fieldsReader reads several fields of one credential at once.
type fieldsReader interface {
	GetFields(credID string, fields []string) (values map[string]string, missing []string, err error)
}

type cached struct {
	v       string
	missing bool
}

type onceSecrets struct {
	inner auth.Secrets
	mu    sync.Mutex
	known map[string]cached
	// prefetch, when set, reads the operation's fields at the first Get.
	prefetch func() (map[string]string, []string, error)
}

func (o *onceSecrets) Get(field string) (string, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.prefetch != nil {
		// A field the batch could not read is read on its own below,
		// which explains a failure.
		values, missing, err := o.prefetch()
		o.prefetch = nil
		if err == nil {
			for f, v := range values {
				if _, ok := o.known[f]; !ok {
					o.known[f] = cached{v: v}
				}
			}
			for _, f := range missing {
				if _, ok := o.known[f]; !ok {
					o.known[f] = cached{missing: true}
				}
			}
		}
	}
	if c, ok := o.known[field]; ok {
		if c.missing {
			return "", auth.ErrSecretNotFound
		}
		return c.v, nil
	}
	v, err := o.inner.Get(field)
	switch {
	case err == nil:
		o.known[field] = cached{v: v}
	case errors.Is(err, auth.ErrSecretNotFound):
		o.known[field] = cached{missing: true}
	}
	return v, err
}

func (o *onceSecrets) Set(field, value string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err := o.inner.Set(field, value); err != nil {
		// The item may or may not have changed: read it again next time.
		delete(o.known, field)
		return err
	}
	o.known[field] = cached{v: value}
	return nil
}

func (o *onceSecrets) Delete(field string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	err := o.inner.Delete(field)
	if err == nil || errors.Is(err, auth.ErrSecretNotFound) {
		o.known[field] = cached{missing: true}
	} else {
		delete(o.known, field)
	}
	return err
}
