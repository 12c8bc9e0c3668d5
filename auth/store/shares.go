package store

import (
	"slices"

	"tokentray/auth/targets"
)

// Shared returns the share targets of the credential with id.
func (s *Store) Shared(id string) (targets.Shared, error) {
	f, err := s.load()
	if err != nil {
		return targets.Shared{}, err
	}
	v := f.Shares[id]
	v.Targets = slices.Clone(v.Targets)
	return v, nil
}

// AllShared returns every credential's share targets, by credential ID.
func (s *Store) AllShared() (map[string]targets.Shared, error) {
	f, err := s.load()
	if err != nil {
		return nil, err
	}
	return cloneShares(f.Shares), nil
}

// ChangeShared runs fn on the share targets of the credential with id,
// holding the settings lock, and saves what fn left when it returns nil.
// It does not take the credential's Lock: a push records its result
// while a login holds that for minutes.
func (s *Store) ChangeShared(id string, fn func(*targets.Shared) error) error {
	if err := checkID(id); err != nil {
		return err
	}
	return s.withSettingsLock(func() error {
		f, err := s.loadLocked()
		if err != nil {
			return err
		}
		if findID(f.Credentials, id) < 0 {
			return notFoundID(id)
		}
		sh := f.Shares[id]
		sh.Targets = slices.Clone(sh.Targets)
		if err := fn(&sh); err != nil {
			return err
		}
		if f.Shares == nil {
			f.Shares = map[string]targets.Shared{}
		}
		if len(sh.Targets) == 0 && sh.Fingerprint == "" && sh.TokenChangedAt.IsZero() {
			delete(f.Shares, id)
		} else {
			f.Shares[id] = sh
		}
		return s.writeLocked(f)
	})
}
