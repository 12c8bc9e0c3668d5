package store

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"tokentray/internal/atomicfile"
	"tokentray/internal/msg"
)

// writeFileAtomic replaces dir/name with data (mode 0600): readers see
// the old file or the new one, never a mix, and a crash leaves the old one.
func writeFileAtomic(dir, name string, data []byte) error {
	return atomicfile.Write(filepath.Join(dir, name), data, 0o600)
}

func tempPrefix(name string) string { return atomicfile.TempPrefix(name) }

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced there; rename is durable enough
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// removeStaleTemps deletes temp files left by a writer that crashed; the
// caller holds the settings lock, so no write is in progress.
func (s *Store) removeStaleTemps() {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, tempPrefix(settingsName)) || strings.HasPrefix(n, tempPrefix(journalName)) {
			_ = os.Remove(filepath.Join(s.dir, n))
		}
	}
}

// leftovers reports whether a writer that was interrupted may have left
// something to finish: a temp file, or a journal that is not empty (or
// cannot be read as one). Looking takes no lock; finishing does.
func (s *Store) leftovers() bool {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return true
	}
	for _, e := range entries {
		n := e.Name()
		if strings.HasPrefix(n, tempPrefix(settingsName)) || strings.HasPrefix(n, tempPrefix(journalName)) {
			return true
		}
		if n == journalName {
			b, err := readCapped(filepath.Join(s.dir, n), MaxSettingsBytes)
			var j journal
			if err != nil || json.Unmarshal(b, &j) != nil || len(j.Pending) > 0 {
				return true
			}
		}
	}
	return false
}

// readJournal returns the pending entries; a damaged journal is moved
// aside and read as empty, since it only ever costs orphaned keychain items.
func (s *Store) readJournal() journal {
	path := filepath.Join(s.dir, journalName)
	b, err := readCapped(path, MaxSettingsBytes)
	if err != nil {
		return journal{}
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		_, _ = s.moveAside(path)
		return journal{}
	}
	return j
}

func (s *Store) writeJournal(j journal) error {
	path := filepath.Join(s.dir, journalName)
	if len(j.Pending) == 0 {
		if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
			return msg.Errorf("store.journal_unupdatable", "Path", path, "Err", err)
		}
		return nil
	}
	b, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(s.dir, journalName, append(b, '\n')); err != nil {
		return msg.Errorf("store.journal_unwritable", "Dir", s.dir, "Err", err)
	}
	return nil
}

// journalAdd records that id's secrets are about to change.
func (s *Store) journalAdd(id, op string) error {
	j := s.readJournal()
	j.Pending = slices.DeleteFunc(j.Pending, func(e journalEntry) bool { return e.ID == id })
	j.Pending = append(j.Pending, journalEntry{ID: id, Op: op, At: s.clock.Now().UTC()})
	return s.writeJournal(j)
}

// journalDone forgets id once its add or remove has finished.
func (s *Store) journalDone(id string) error {
	j := s.readJournal()
	n := len(j.Pending)
	j.Pending = slices.DeleteFunc(j.Pending, func(e journalEntry) bool { return e.ID == id })
	if len(j.Pending) == n {
		return nil
	}
	return s.writeJournal(j)
}

// cleanJournal finishes interrupted adds and removes: an ID in the journal
// but not in the settings owns nothing, so its secrets are deleted. An ID
// whose secrets cannot be deleted now (locked keychain) stays for next time.
func (s *Store) cleanJournal(f file) error {
	j := s.readJournal()
	if len(j.Pending) == 0 {
		return nil
	}
	var keep []journalEntry
	for _, e := range j.Pending {
		if findID(f.Credentials, e.ID) >= 0 {
			continue
		}
		if s.deleteSecrets(e.ID) != nil {
			keep = append(keep, e)
		}
	}
	j.Pending = keep
	// Not fatal: at worst the cleanup runs again at the next start.
	_ = s.writeJournal(j)
	return nil
}
