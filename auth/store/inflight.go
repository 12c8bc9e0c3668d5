package store

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// A call that may replace a credential's secrets (a refresh that rotates
// the refresh token, an extension, a login) leaves a mark beside the
// credential's lock for as long as it runs. The broker may have issued a
// new secret before the process died and before the keychain held it, so
// a mark whose owner is gone means the stored secrets may be dead: the
// next process checks the credential with the broker at once instead of
// trusting the stored health.
const inflightSuffix = ".inflight"

type inflightMark struct {
	Op    string    `json:"op"`
	PID   int       `json:"pid"`
	Since time.Time `json:"since"`
}

func (s *Store) markPath(id string) string {
	return filepath.Join(s.dir, locksDir, id+inflightSuffix)
}

func (s *Store) lockPath(id string) string {
	return filepath.Join(s.dir, locksDir, id+".lock")
}

// MarkInFlight records that op ("refresh", "extend", "login") is about
// to ask the broker for new secrets of credential id. The caller holds
// the credential's Lock. clear removes the mark; a caller that could not
// learn the outcome (the broker did not answer) leaves it, so the next
// process checks again. The mark is not synced to disk: it guards
// against a killed process, whose writes the kernel keeps.
func (s *Store) MarkInFlight(id, op string) (clear func(), err error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	b, _ := json.Marshal(inflightMark{Op: op, PID: os.Getpid(), Since: s.clock.Now().UTC()})
	path := s.markPath(id)
	// The file stays between calls and is emptied instead of removed: a
	// write to an existing file changes no directory, which is what makes
	// creating and deleting one per call slow on a journaling file system.
	fh, err := auth.OpenRegularFile(path, os.O_WRONLY|os.O_CREATE, 0o600) // a named pipe is refused, not waited on
	if err == nil {
		_, err = fh.WriteAt(b, 0)
		if cerr := fh.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return nil, msg.Errorf("store.mark_unwritable", "Op", op, "Dir", filepath.Dir(path), "Err", err)
	}
	return func() { _ = os.Truncate(path, 0) }, nil
}

// InFlight reports whether credential id carries a mark. While the
// caller holds the credential's Lock, a mark can only be one left by a
// process that died in the middle of a call to the broker.
func (s *Store) InFlight(id string) bool {
	if checkID(id) != nil {
		return false
	}
	fi, err := os.Lstat(s.markPath(id))
	return err == nil && fi.Size() > 0
}

// Interrupted returns the IDs of credentials whose mark was left by a
// process that is gone: the mark is there and nobody holds the lock.
// A credential being worked on right now, by this process or another,
// is not listed.
func (s *Store) Interrupted() ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, locksDir))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, msg.Errorf("store.locks_unreadable", "Dir", s.dir, "Err", err)
	}
	var out []string
	for _, e := range entries {
		id, ok := strings.CutSuffix(e.Name(), inflightSuffix)
		if !ok || checkID(id) != nil {
			continue
		}
		// A finished call empties its mark and leaves the file: such a
		// mark is no reason to probe the lock (with a thousand
		// credentials, that was two thousand lock calls per status).
		if fi, err := e.Info(); err != nil || fi.Size() == 0 {
			continue
		}
		fl := flock.New(s.lockPath(id), flock.SetPermissions(0o600))
		locked, err := fl.TryLock()
		if err != nil || !locked {
			continue // its owner is alive and still working
		}
		// The owner may have finished between ReadDir and TryLock; only a
		// mark seen while holding the lock is a stale one.
		if s.InFlight(id) {
			out = append(out, id)
		}
		_ = fl.Unlock()
	}
	return out, nil
}
