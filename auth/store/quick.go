package store

import (
	"encoding/json"
	"os"
	"strings"
	"sync"

	"github.com/tidwall/gjson"

	"tokentray/auth"
)

// A command that needs one credential (`token NAME`, `env`, `exec`) or
// only the settings (the language, the keychain choice) reads just that
// part of the settings file: the file is checked to be well-formed JSON
// of a format this tokentray reads, then the one credential or the
// prefs are found by skipping over the rest and decoded alone. Decoding
// every credential is most of what reading the settings costs (a
// thousand credentials are 350 KB); a command that lists them all
// (status, the agent) still decodes and checks every one. Anything the
// quick read cannot vouch for (no file, a file too large, damaged, of a
// newer format, two credentials the name could mean, a credential that
// does not decode) goes to the full read, which reports it.

// rawFile is the settings file's bytes as last read by this process,
// and which file that was: every write is a rename, so a file with the
// same identity, size and modification time holds the same bytes.
type rawFile struct {
	path string
	fi   os.FileInfo
	b    []byte
}

var (
	rawMu   sync.Mutex
	rawLast rawFile
)

// quickBytes returns the settings file at path when its parts can be
// read alone: a regular file within the size limit, well-formed JSON,
// an object of a format this tokentray reads. ok is false otherwise.
func quickBytes(path string) (b []byte, ok bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > MaxSettingsBytes {
		return nil, false
	}
	rawMu.Lock()
	last := rawLast
	rawMu.Unlock()
	if last.path == path && os.SameFile(last.fi, fi) && last.fi.ModTime().Equal(fi.ModTime()) && last.fi.Size() == fi.Size() {
		return last.b, true
	}
	b, err = readCapped(path, MaxSettingsBytes)
	if err != nil || int64(len(b)) != fi.Size() || !gjson.ValidBytes(b) {
		return nil, false
	}
	top := gjson.ParseBytes(b)
	if !top.IsObject() {
		return nil, false
	}
	if v := top.Get("version"); v.Exists() && (v.Type != gjson.Number || v.Int() > fileVersion) {
		return nil, false
	}
	rawMu.Lock()
	rawLast = rawFile{path: path, fi: fi, b: b}
	rawMu.Unlock()
	return b, true
}

// quickGet finds the credential called name (an exact match, else the
// one whose name differs only in case) and decodes it alone. ok is
// false when the quick read cannot answer: the full read then does.
func quickGet(path, name string) (c auth.Credential, ok bool) {
	b, ok := quickBytes(path)
	if !ok {
		return c, false
	}
	list := gjson.GetBytes(b, "credentials")
	if !list.IsArray() {
		return c, false
	}
	var folded []string // raw JSON of the matches
	good := true
	list.ForEach(func(_, v gjson.Result) bool {
		n := v.Get("name")
		if !v.IsObject() || n.Type != gjson.String {
			good = false // the full read says what is wrong with it
			return false
		}
		if strings.EqualFold(n.Str, name) {
			folded = append(folded, v.Raw)
		}
		return true
	})
	// Two names alike in all but case make the file one the full read
	// refuses; no match at all may be a file it cannot read either.
	if !good || len(folded) != 1 {
		return c, false
	}
	if err := json.Unmarshal([]byte(folded[0]), &c); err != nil || c.ID == "" || auth.ValidateName(c.Name) != nil {
		return auth.Credential{}, false
	}
	return c, true
}

// quickPrefs decodes the prefs alone.
func quickPrefs(path string) (p Prefs, ok bool) {
	b, ok := quickBytes(path)
	if !ok {
		return p, false
	}
	v := gjson.GetBytes(b, "prefs")
	if !v.Exists() || v.Type == gjson.Null {
		return DefaultPrefs(), true
	}
	if err := json.Unmarshal([]byte(v.Raw), &p); err != nil {
		return Prefs{}, false
	}
	return p.withDefaults(), true
}

// parsedCurrent reports whether this store holds the settings file as
// it is now, parsed in full: then that answers, and the quick read is
// not needed.
func (s *Store) parsedCurrent() bool {
	fi, err := os.Stat(s.Path())
	if err != nil {
		return false
	}
	s.cacheMu.Lock()
	c := s.cache
	s.cacheMu.Unlock()
	return c.fi != nil && os.SameFile(c.fi, fi) && c.fi.ModTime().Equal(fi.ModTime()) && c.fi.Size() == fi.Size()
}
