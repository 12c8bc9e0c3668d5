// Package store keeps tokentray's settings file: the list of credentials
// (names, kinds, endpoints, expiry times, health) and the user's
// preferences. Secrets never go in it; they live in the keychain behind
// an auth.SecretStore, keyed by each credential's ID. The file is written
// atomically and guarded by cross-process locks, so the agent, the window
// and a command line can all use it at once.
package store

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/targets"
	"tokentray/internal/msg"
)

const (
	settingsName = "settings.json"
	journalName  = "journal.json"
	lockName     = "settings.lock"
	locksDir     = "locks"

	// fileVersion is the settings format this code writes and reads.
	fileVersion = 1
	// lockRetry is how often a lock wait looks again.
	lockRetry = 20 * time.Millisecond
	// defaultSettingsWait bounds a wait for the settings lock, which is only
	// held for a file write and, in Add and Remove, a few keychain calls.
	defaultSettingsWait = time.Minute
	// MaxSettingsBytes caps the settings file: a thousand credentials take
	// about 1 MiB, so a bigger file is not one tokentray wrote, and reading
	// it whole would cost its size in memory.
	MaxSettingsBytes = 4 << 20
	// maxQuoted is how much of a name an error message repeats.
	maxQuoted = 64
)

// ErrNotFound is matched (errors.Is) when a name or ID is unknown; the
// error itself is a sentence naming the credential.
var ErrNotFound = errors.New("credential not found")

type notFoundError struct {
	why  msg.Message
	name string
}

func (e *notFoundError) Error() string        { return e.why.String() }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// Message is the sentence as data.
func (e *notFoundError) Message() msg.Message { return e.why }

func notFoundName(name string) error {
	return &notFoundError{why: msg.New("store.not_found_name", "Name", msg.Plain(quote(name))), name: name}
}

func notFoundID(id string) error {
	return &notFoundError{why: msg.New("store.not_found_id", "ID", quote(id))}
}

// MissingName is the name err says no credential has, when it says so
// (a lookup by name that found none).
func MissingName(err error) (string, bool) {
	var nf *notFoundError
	if errors.As(err, &nf) && nf.name != "" {
		return nf.name, true
	}
	return "", false
}

// quote is %q of s, cut to its first maxQuoted characters so a message
// never repeats a huge argument whole.
func quote(s string) string {
	r := []rune(s)
	if len(r) <= maxQuoted {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprintf("%q… (%d characters)", string(r[:maxQuoted]), len(r))
}

// CorruptError reports a settings file that could not be read; it was
// renamed to MovedTo, never replaced in place.
type CorruptError struct {
	Path    string
	MovedTo string
	Err     error
}

func (e *CorruptError) Error() string { return e.Message().String() }

// Message is the sentence as data.
func (e *CorruptError) Message() msg.Message {
	return msg.New("store.corrupt", "Path", e.Path, "Err", e.Err, "MovedTo", e.MovedTo)
}
func (e *CorruptError) Unwrap() error { return e.Err }

// file is the JSON form of settings.json.
type file struct {
	Version     int               `json:"version"`
	Credentials []auth.Credential `json:"credentials"`
	Prefs       *Prefs            `json:"prefs,omitempty"`
	// Shares are the credentials' share targets, by credential ID.
	Shares map[string]targets.Shared `json:"shares,omitempty"`
}

// journalEntry records a credential whose secrets are being written or
// deleted, so an interrupted Add or Remove can be cleaned up.
type journalEntry struct {
	ID string    `json:"id"`
	Op string    `json:"op"` // "add" or "remove"
	At time.Time `json:"at"`
}

type journal struct {
	Pending []journalEntry `json:"pending"`
}

// Store is the settings file of one profile directory.
type Store struct {
	dir          string
	secrets      auth.SecretStore
	clock        clockwork.Clock
	settingsWait time.Duration

	cacheMu sync.Mutex
	cache   parsed
}

// Option configures Open.
type Option func(*Store)

// WithClock sets the clock used for AddedAt and for naming a file moved aside.
func WithClock(c clockwork.Clock) Option {
	return func(s *Store) {
		if c != nil {
			s.clock = c
		}
	}
}

// Tidy removes what a process killed during an Add, a Remove or a
// keychain check left behind: keychain items no credential owns (named
// in the journal), throwaway check items of processes that are gone,
// and temp files of an interrupted write. Open does it, so every
// command does it as it starts; the agent also does it at its start and
// before each round of checks, so an add or remove killed while the
// agent runs leaves nothing behind longer than one check interval.
func (s *Store) Tidy() error { return s.tidy(false) }

// tidy is Tidy; at open it also reads the settings once, so a damaged
// file is reported by Open.
func (s *Store) tidy(open bool) error {
	// A keychain check killed midway leaves a throwaway item and a mark
	// beside the locks; the keychain removes the items of processes that
	// are gone, and is not asked at all when no such mark is there.
	if r, ok := s.secrets.(interface{ CheckMarksIn(dir string) }); ok {
		r.CheckMarksIn(filepath.Join(s.dir, locksDir))
	}
	if !s.leftovers() {
		if !open {
			return nil
		}
		// Nothing to finish: read as any reader does, without the lock;
		// a well-formed file is read in full by the first command that
		// needs every credential, and in part by one that needs one.
		if _, ok := quickBytes(s.Path()); ok {
			return nil
		}
		_, err := s.load()
		return err
	}
	return s.withSettingsLock(func() error {
		s.removeStaleTemps()
		f, err := s.loadLocked()
		if err != nil {
			return err
		}
		return s.cleanJournal(f)
	})
}

// Open opens (creating, mode 0700) the settings directory dir. It
// finishes the cleanup of an Add or Remove that was interrupted, deleting
// secrets that no credential owns. A damaged settings file is moved aside
// and reported as a *CorruptError.
func Open(dir string, secrets auth.SecretStore, opts ...Option) (*Store, error) {
	if dir == "" {
		return nil, msg.Errorf("store.no_dir")
	}
	if secrets == nil {
		return nil, msg.Errorf("store.no_secret_store")
	}
	s := &Store{dir: dir, secrets: secrets, clock: clockwork.NewRealClock(), settingsWait: defaultSettingsWait}
	for _, o := range opts {
		o(s)
	}
	if err := mkdirPrivate(dir); err != nil {
		return nil, err
	}
	if err := mkdirPrivate(filepath.Join(dir, locksDir)); err != nil {
		return nil, err
	}
	if err := s.tidy(true); err != nil {
		return nil, err
	}
	return s, nil
}

func mkdirPrivate(dir string) error {
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return msg.Errorf("store.dir_uncreatable", "Dir", dir, "Err", err)
	}
	if os.IsNotExist(statErr) {
		// MkdirAll is subject to the umask; make sure only the user can read it.
		if err := os.Chmod(dir, 0o700); err != nil {
			return msg.Errorf("store.dir_not_private", "Dir", dir, "Err", err)
		}
	}
	return nil
}

// Dir is the settings directory.
func (s *Store) Dir() string { return s.dir }

// Secrets is the keychain the credentials' secrets are kept in.
func (s *Store) Secrets() auth.SecretStore { return s.secrets }

// Path is the settings file.
func (s *Store) Path() string { return filepath.Join(s.dir, settingsName) }

// List returns every credential, fresh from disk, sorted by name.
func (s *Store) List() ([]auth.Credential, error) {
	f, err := s.load()
	if err != nil {
		return nil, err
	}
	out := slices.Clone(f.Credentials)
	slices.SortFunc(out, func(a, b auth.Credential) int {
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// Get returns the credential with this name; an exact match wins, else a
// case-insensitive one.
func (s *Store) Get(name string) (auth.Credential, error) {
	if !s.parsedCurrent() {
		if c, ok := quickGet(s.Path(), name); ok {
			return c, nil
		}
	}
	f, err := s.load()
	if err != nil {
		return auth.Credential{}, err
	}
	if i := findName(f.Credentials, name); i >= 0 {
		return f.Credentials[i], nil
	}
	return auth.Credential{}, notFoundName(name)
}

// GetByID returns the credential with this ID.
func (s *Store) GetByID(id string) (auth.Credential, error) {
	f, err := s.load()
	if err != nil {
		return auth.Credential{}, err
	}
	if i := findID(f.Credentials, id); i >= 0 {
		return f.Credentials[i], nil
	}
	return auth.Credential{}, notFoundID(id)
}

func findName(cs []auth.Credential, name string) int {
	for i, c := range cs {
		if c.Name == name {
			return i
		}
	}
	for i, c := range cs {
		if strings.EqualFold(c.Name, name) {
			return i
		}
	}
	return -1
}

func findID(cs []auth.Credential, id string) int {
	for i, c := range cs {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// idOK: 1 to 64 ASCII letters, digits, dashes or underscores.
func idOK(id string) bool {
	if len(id) == 0 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func checkID(id string) error {
	if !idOK(id) {
		return msg.Errorf("store.bad_id", "ID", quote(id))
	}
	return nil
}

func checkCredential(c auth.Credential) error {
	if err := checkID(c.ID); err != nil {
		return err
	}
	if err := auth.ValidateName(c.Name); err != nil {
		return err
	}
	if !c.Kind.Valid() {
		return msg.Errorf("store.bad_kind", "Kind", quote(string(c.Kind)), "Kinds", kindList())
	}
	return nil
}

func kindList() string {
	names := make([]string, len(auth.Kinds))
	for i, k := range auth.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func duplicateName(cs []auth.Credential, c auth.Credential) error {
	for _, o := range cs {
		if o.ID != c.ID && strings.EqualFold(o.Name, c.Name) {
			return msg.Errorf("store.duplicate_name", "Name", msg.Plain(strconv.Quote(o.Name)))
		}
	}
	return nil
}

// Test hooks that simulate a crash at the two points where the settings
// file and the keychain disagree.
var (
	hookAfterAddSecrets     func()
	hookAfterRemoveSettings func()
)

// Add stores a new credential: its secrets first, then its settings
// entry, so a credential is never listed without its secrets. c.ID must
// be set (auth.NewID()); a zero AddedAt becomes now. Empty secret values
// are not stored. A name already in use is an error.
func (s *Store) Add(c auth.Credential, secrets map[string]string) error {
	if err := checkCredential(c); err != nil {
		return err
	}
	fields := make([]string, 0, len(secrets))
	for f, v := range secrets {
		if !slices.Contains(auth.SecretFields, f) {
			return msg.Errorf("store.bad_field", "Field", strconv.Quote(f))
		}
		if len(v) > auth.MaxSecretBytes {
			return auth.ErrSecretTooLarge{Field: f, Size: len(v)}
		}
		if v != "" {
			fields = append(fields, f)
		}
	}
	slices.Sort(fields)
	if c.AddedAt.IsZero() {
		c.AddedAt = s.clock.Now().UTC()
	}
	return s.withSettingsLock(func() error {
		f, err := s.loadLocked()
		if err != nil {
			return err
		}
		if err := duplicateName(f.Credentials, c); err != nil {
			return err
		}
		if findID(f.Credentials, c.ID) >= 0 {
			return msg.Errorf("store.duplicate_id", "ID", strconv.Quote(c.ID))
		}
		if err := s.journalAdd(c.ID, "add"); err != nil {
			return err
		}
		undo := func() {
			if s.deleteSecrets(c.ID) == nil {
				_ = s.journalDone(c.ID)
			}
		}
		for _, field := range fields {
			if err := s.secrets.Set(c.ID, field, secrets[field]); err != nil {
				undo()
				return msg.Wrap(err, "store.add_failed", "Name", c.Name, "Err", err)
			}
		}
		if hookAfterAddSecrets != nil {
			hookAfterAddSecrets()
		}
		f.Credentials = append(f.Credentials, c)
		if err := s.writeLocked(f); err != nil {
			undo()
			return err
		}
		return s.journalDone(c.ID)
	})
}

// Update replaces the stored metadata of the credential with c.ID.
// Callers that refresh a credential hold its Lock around the read, the
// refresh and this Update.
func (s *Store) Update(c auth.Credential) error {
	if err := checkCredential(c); err != nil {
		return err
	}
	return s.withSettingsLock(func() error {
		f, err := s.loadLocked()
		if err != nil {
			return err
		}
		i := findID(f.Credentials, c.ID)
		if i < 0 {
			return notFoundID(c.ID)
		}
		if err := duplicateName(f.Credentials, c); err != nil {
			return err
		}
		if c.AddedAt.IsZero() {
			c.AddedAt = f.Credentials[i].AddedAt
		}
		f.Credentials[i] = c
		return s.writeLocked(f)
	})
}

// UpdateMany replaces the stored metadata of several credentials with
// one write of the settings file, as a batch of refreshes does. A
// credential removed meanwhile is skipped, and so is one that fails its
// checks; the first such error is returned after the others were saved.
func (s *Store) UpdateMany(cs []auth.Credential) error {
	if len(cs) == 0 {
		return nil
	}
	var first error
	err := s.withSettingsLock(func() error {
		f, err := s.loadLocked()
		if err != nil {
			return err
		}
		changed := false
		for _, c := range cs {
			i := -1
			err := checkCredential(c)
			if err == nil {
				if i = findID(f.Credentials, c.ID); i < 0 {
					err = notFoundID(c.ID)
				}
			}
			if err == nil {
				err = duplicateName(f.Credentials, c)
			}
			if err != nil {
				if first == nil {
					first = err
				}
				continue
			}
			if c.AddedAt.IsZero() {
				c.AddedAt = f.Credentials[i].AddedAt
			}
			f.Credentials[i] = c
			changed = true
		}
		if !changed {
			return nil
		}
		return s.writeLocked(f)
	})
	if err != nil {
		return err
	}
	return first
}

// Remove deletes the named credential: its settings entry first, then
// every secret field, so a crash in between leaves only keychain items
// that the next Open deletes. Remove does not take the credential's Lock;
// hold it around Remove so a refresh cannot write secrets back.
func (s *Store) Remove(name string) error {
	return s.withSettingsLock(func() error {
		f, err := s.loadLocked()
		if err != nil {
			return err
		}
		i := findName(f.Credentials, name)
		if i < 0 {
			return notFoundName(name)
		}
		c := f.Credentials[i]
		if err := s.journalAdd(c.ID, "remove"); err != nil {
			return err
		}
		f.Credentials = slices.Delete(f.Credentials, i, i+1)
		delete(f.Shares, c.ID)
		if err := s.writeLocked(f); err != nil {
			_ = s.journalDone(c.ID)
			return err
		}
		if hookAfterRemoveSettings != nil {
			hookAfterRemoveSettings()
		}
		_ = os.Remove(s.markPath(c.ID))
		if err := s.deleteSecrets(c.ID); err != nil {
			// The journal keeps the ID, so the next start deletes the rest.
			return msg.Wrap(err, "store.secrets_left", "Name", c.Name, "Err", err)
		}
		return s.journalDone(c.ID)
	})
}

// deleteSecrets deletes every secret field of id; absent fields are fine.
func (s *Store) deleteSecrets(id string) error {
	var errs []error
	for _, field := range auth.SecretFields {
		if err := s.secrets.Delete(id, field); err != nil && !errors.Is(err, auth.ErrSecretNotFound) {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errs[0]
	}
	return nil
}

// Prefs returns the user's settings, defaults filled in.
func (s *Store) Prefs() (Prefs, error) {
	if !s.parsedCurrent() {
		if p, ok := quickPrefs(s.Path()); ok {
			return p, nil
		}
	}
	f, err := s.load()
	if err != nil {
		return Prefs{}, err
	}
	if f.Prefs == nil {
		return DefaultPrefs(), nil
	}
	p := *f.Prefs
	p.WarnDays = slices.Clone(p.WarnDays)
	return p.withDefaults(), nil
}

// SetPrefs validates and saves the user's settings.
func (s *Store) SetPrefs(p Prefs) error {
	p = p.withDefaults()
	if err := p.Validate(); err != nil {
		return err
	}
	// Latest warning first, once each.
	days := slices.Clone(p.WarnDays)
	slices.Sort(days)
	slices.Reverse(days)
	p.WarnDays = slices.Compact(days)
	if p.WarnDays == nil {
		p.WarnDays = []int{}
	}
	return s.withSettingsLock(func() error {
		f, err := s.loadLocked()
		if err != nil {
			return err
		}
		f.Prefs = &p
		return s.writeLocked(f)
	})
}

// Lock takes the cross-process lock of one credential, so the agent and
// a command line never refresh it at the same time. It waits until the
// lock is free or ctx ends. The returned unlock may be called more than once.
func (s *Store) Lock(ctx context.Context, credID string) (unlock func(), err error) {
	if err := checkID(credID); err != nil {
		return nil, err
	}
	fl := flock.New(s.lockPath(credID), flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil || !ok {
		if ctx.Err() != nil {
			return nil, msg.Wrap(ctx.Err(), "store.credential_busy")
		}
		return nil, msg.Errorf("store.credential_unlockable", "ID", credID, "Err", err, "Dir", s.dir)
	}
	var once sync.Once
	return func() { once.Do(func() { _ = fl.Unlock() }) }, nil
}

// TryLock takes the cross-process lock of one credential if it is free
// now, and reports false at once if it is not.
func (s *Store) TryLock(credID string) (unlock func(), ok bool, err error) {
	if err := checkID(credID); err != nil {
		return nil, false, err
	}
	fl := flock.New(s.lockPath(credID), flock.SetPermissions(0o600))
	ok, err = fl.TryLock()
	if err != nil {
		return nil, false, msg.Errorf("store.credential_unlockable", "ID", credID, "Err", err, "Dir", s.dir)
	}
	if !ok {
		return nil, false, nil
	}
	var once sync.Once
	return func() { once.Do(func() { _ = fl.Unlock() }) }, true, nil
}

// withSettingsLock runs fn holding the cross-process settings lock.
func (s *Store) withSettingsLock(fn func() error) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.settingsWait)
	defer cancel()
	fl := flock.New(filepath.Join(s.dir, lockName), flock.SetPermissions(0o600))
	ok, err := fl.TryLockContext(ctx, lockRetry)
	if err != nil || !ok {
		if ctx.Err() != nil {
			return msg.Wrap(ctx.Err(), "store.settings_busy", "Dir", s.dir, "Wait", s.settingsWait.String())
		}
		return msg.Errorf("store.settings_unlockable", "Dir", s.dir, "Err", err)
	}
	defer fl.Unlock()
	return fn()
}

// load reads the settings without the lock (writes are atomic renames, so
// a reader sees the old or the new file); a damaged file is moved aside
// under the lock.
func (s *Store) load() (file, error) {
	f, err := s.read()
	var ce *CorruptError
	if errors.As(err, &ce) {
		err = s.withSettingsLock(func() error {
			f, err = s.loadLocked()
			return err
		})
	}
	return f, err
}

// loadLocked reads the settings; the caller holds the settings lock.
func (s *Store) loadLocked() (file, error) {
	f, err := s.read()
	var ce *CorruptError
	if !errors.As(err, &ce) {
		if err != nil {
			return f, err
		}
		return f.clone(), nil // a writer changes what it gets
	}
	moved, merr := s.moveAside(ce.Path)
	if merr != nil {
		return file{}, msg.Errorf("store.corrupt_unmovable", "Path", ce.Path, "Err", ce.Err, "MoveErr", merr)
	}
	ce.MovedTo = moved
	// Journal IDs cannot be judged without the settings they refer to, so
	// the journal goes aside too rather than drive a cleanup.
	if _, err := os.Lstat(filepath.Join(s.dir, journalName)); err == nil {
		_, _ = s.moveAside(filepath.Join(s.dir, journalName))
	}
	return file{}, ce
}

// read returns the settings, parsed again only when the file changed:
// every write is a rename, so a file with the same identity, size and
// modification time holds what was parsed last time. What it returns is
// shared with the next callers: a reader copies what it hands out, and
// a writer gets its own copy from loadLocked. (Copying every credential
// at each read made `status` copy a thousand credentials four times.)
func (s *Store) read() (file, error) {
	fi, statErr := os.Stat(s.Path())
	if statErr == nil {
		s.cacheMu.Lock()
		c := s.cache
		s.cacheMu.Unlock()
		if c.fi != nil && os.SameFile(c.fi, fi) && c.fi.ModTime().Equal(fi.ModTime()) && c.fi.Size() == fi.Size() {
			return c.f, nil
		}
	}
	f, err := s.readFile()
	if err == nil && statErr == nil {
		s.cacheMu.Lock()
		s.cache = parsed{fi: fi, f: f}
		s.cacheMu.Unlock()
	}
	return f, err
}

// parsed is the settings file as last read, and which file that was.
type parsed struct {
	fi os.FileInfo
	f  file
}

func (f file) clone() file {
	f.Credentials = slices.Clone(f.Credentials)
	f.Shares = cloneShares(f.Shares)
	if f.Prefs != nil {
		p := *f.Prefs
		p.WarnDays = slices.Clone(p.WarnDays)
		f.Prefs = &p
	}
	return f
}

func cloneShares(m map[string]targets.Shared) map[string]targets.Shared {
	if m == nil {
		return nil
	}
	sh := make(map[string]targets.Shared, len(m))
	for id, v := range m {
		v.Targets = slices.Clone(v.Targets)
		sh[id] = v
	}
	return sh
}

func (s *Store) readFile() (file, error) {
	path := s.Path()
	b, err := readCapped(path, MaxSettingsBytes)
	if os.IsNotExist(err) {
		return file{Version: fileVersion}, nil
	}
	var big *tooBigError
	var odd *auth.NotRegularError
	if errors.As(err, &odd) {
		return file{}, msg.Errorf("store.not_regular", "File", odd)
	}
	if errors.As(err, &big) {
		return file{}, msg.Errorf("store.too_big", "Path", path, "MiB", MaxSettingsBytes>>20)
	}
	if err != nil {
		return file{}, msg.Errorf("store.unreadable", "Path", path, "Err", err)
	}
	var f *file
	if err := json.Unmarshal(b, &f); err != nil || f == nil {
		switch {
		case len(bytes.TrimSpace(b)) == 0:
			err = msg.Errorf("store.corrupt_empty")
		case f == nil && err == nil:
			err = msg.Errorf("store.corrupt_null")
		}
		return file{}, &CorruptError{Path: path, Err: err}
	}
	if f.Version > fileVersion {
		return file{}, msg.Errorf("store.newer", "Path", path, "Format", f.Version)
	}
	seen := map[string]bool{}
	names := map[string]string{}
	for _, c := range f.Credentials {
		if c.ID == "" || seen[c.ID] {
			return file{}, &CorruptError{Path: path, Err: msg.Errorf("store.corrupt_id", "Name", msg.Plain(strconv.Quote(c.Name)))}
		}
		seen[c.ID] = true
		// A name typed into the file by hand is held to the rule of
		// add, and two credentials with one name would make every
		// command that takes a name ambiguous: say so, change nothing.
		if err := auth.ValidateName(c.Name); err != nil {
			return file{}, msg.Errorf("store.bad_name_in_file", "Path", path, "Err", err)
		}
		if other, dup := names[strings.ToLower(c.Name)]; dup {
			return file{}, msg.Errorf("store.two_named", "Path", path, "First", strconv.Quote(other), "Second", strconv.Quote(c.Name))
		}
		names[strings.ToLower(c.Name)] = c.Name
	}
	return *f, nil
}

type tooBigError struct{ size int64 }

func (e *tooBigError) Error() string { return fmt.Sprintf("%d bytes is too large", e.size) }

// readCapped reads a whole file of at most limit bytes; a larger one is a
// *tooBigError, found without reading it, and anything but a regular file
// an *auth.NotRegularError, found without waiting on it.
func readCapped(path string, limit int64) ([]byte, error) {
	fh, err := auth.OpenRegular(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	if fi, err := fh.Stat(); err == nil && fi.Size() > limit {
		return nil, &tooBigError{fi.Size()}
	}
	// The file may grow between Stat and the read.
	b, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &tooBigError{int64(len(b))}
	}
	return b, nil
}

// moveAside renames a damaged file to <name>.corrupt-<UTC timestamp>.
func (s *Store) moveAside(path string) (string, error) {
	base := path + ".corrupt-" + s.clock.Now().UTC().Format("20060102T150405Z")
	target := base
	for i := 2; ; i++ {
		if _, err := os.Lstat(target); os.IsNotExist(err) {
			break
		}
		target = fmt.Sprintf("%s-%d", base, i)
	}
	if err := os.Rename(path, target); err != nil {
		return "", err
	}
	return target, syncDir(s.dir)
}

// writeLocked saves the settings; the caller holds the settings lock.
func (s *Store) writeLocked(f file) error {
	f.Version = fileVersion
	if f.Credentials == nil {
		f.Credentials = []auth.Credential{}
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return msg.Errorf("store.unencodable", "Err", err)
	}
	if err := writeFileAtomic(s.dir, settingsName, append(b, '\n')); err != nil {
		return msg.Errorf("store.unsaved", "Dir", s.dir, "Err", err)
	}
	return nil
}
