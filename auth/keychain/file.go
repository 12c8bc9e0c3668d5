package keychain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/gofrs/flock"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
	"tokentray/internal/msg"
)

// FileName is the file keychain's file in a profile's settings folder.
const FileName = "keychain.age"

// KeyName is the file name of the file keychain's key: in the systemd
// credentials folder, and in the default key folder.
const KeyName = "tokentray.key"

// FileFormat is the newest layout of the file keychain this tokentray
// reads and writes.
const FileFormat = 1

const (
	// maxFileBytes caps the encrypted file: a thousand credentials take
	// well under 1 MiB, so a larger file is not one tokentray wrote.
	maxFileBytes = 16 << 20
	// maxKeyBytes caps the key file (an age identity is 74 characters).
	maxKeyBytes = 64 << 10
	// defaultLockWait bounds a wait for another process's write.
	defaultLockWait = 30 * time.Second
)

// Key origins: where KeyFor found the key's path.
const (
	KeyFromSystemd = "systemd credential"
	KeyFromEnv     = "TOKENTRAY_KEY_FILE"
	KeyFromDefault = "default"
)

// Key is where the file keychain's key, an age identity, is kept.
type Key struct {
	Path string
	// From says how Path was chosen: KeyFromSystemd, KeyFromEnv or
	// KeyFromDefault.
	From string
}

// KeyFor finds the key: $CREDENTIALS_DIRECTORY/tokentray.key when the
// process runs under systemd with that credential, else the file named
// by TOKENTRAY_KEY_FILE, else DefaultKeyPath. getenv nil means os.Getenv.
func KeyFor(getenv func(string) string) (Key, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	if d := getenv("CREDENTIALS_DIRECTORY"); d != "" {
		p := filepath.Join(d, KeyName)
		if _, err := os.Stat(p); err == nil {
			return Key{Path: p, From: KeyFromSystemd}, nil
		}
	}
	if p := getenv("TOKENTRAY_KEY_FILE"); p != "" {
		if !filepath.IsAbs(p) {
			return Key{}, msg.Errorf("keychain.key_env_relative", "Path", strconv.Quote(p))
		}
		return Key{Path: p, From: KeyFromEnv}, nil
	}
	p, err := DefaultKeyPath(getenv)
	if err != nil {
		return Key{}, err
	}
	return Key{Path: p, From: KeyFromDefault}, nil
}

// DefaultKeyPath is the key's place when nothing else names one: the
// user's data folder ($XDG_DATA_HOME, else ~/.local/share on Linux),
// away from the settings folder that holds the encrypted file, so that
// a copy of the settings is not also a copy of the key.
func DefaultKeyPath(getenv func(string) string) (string, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	var base string
	switch {
	case filepath.IsAbs(getenv("XDG_DATA_HOME")):
		base = getenv("XDG_DATA_HOME")
	case runtime.GOOS == "windows" && getenv("LOCALAPPDATA") != "":
		base = getenv("LOCALAPPDATA")
	case runtime.GOOS == "darwin":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", msg.Wrap(err, "keychain.no_data_dir", "Err", err)
		}
		base = d
	default:
		home := getenv("HOME")
		if !filepath.IsAbs(home) {
			return "", msg.Errorf("keychain.no_data_dir_home")
		}
		base = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(base, "tokentray", KeyName), nil
}

// Problem says what is wrong with the file keychain, so that each face
// can say what to do next in its own way.
type Problem int

const (
	// ProblemKeyMissing: the key file does not exist.
	ProblemKeyMissing Problem = iota + 1
	// ProblemKeyExposed: others can read or write the key file.
	ProblemKeyExposed
	// ProblemKeyUnreadable: the key file is not an age identity, or cannot be read.
	ProblemKeyUnreadable
	// ProblemWrongKey: the key does not open the file.
	ProblemWrongKey
	// ProblemDamaged: the file cannot be decrypted or read.
	ProblemDamaged
	// ProblemNewer: a newer tokentray wrote the file.
	ProblemNewer
	// ProblemBusy: another process held the file's lock too long.
	ProblemBusy
	// ProblemIO: the file or its folder could not be read or written.
	ProblemIO
	// ProblemKeyLost: the key file does not exist, but the file keychain
	// encrypted to it does; only that key (a copy of it) opens it.
	ProblemKeyLost
)

// FileError is a file keychain failure as one sentence; it matches
// ErrUnavailable. Nothing was written when it is returned. Problem says
// what is wrong; Message says it as data.
type FileError struct {
	Problem Problem
	// Path is the file the problem is about (the key or the keychain).
	Path string
	why  msg.Message
}

func (e *FileError) Error() string { return e.why.String() }
func (e *FileError) Unwrap() error { return ErrUnavailable }

// Message is the sentence as data.
func (e *FileError) Message() msg.Message { return e.why }

// File is an auth.SecretStore kept in one age-encrypted file per
// profile. Items have the OS keychain's layout ("<credID>/<field>" under
// the profile's service name) and its limits; the key is never in the
// file. Writes replace the file atomically under a cross-process lock,
// so concurrent writers lose nothing and a process killed mid-write
// leaves the previous file whole.
type File struct {
	path     string
	service  string
	key      Key
	lockWait time.Duration
	mu       sync.Mutex
}

var _ auth.SecretStore = (*File)(nil)

// NewFile returns the file keychain kept at path, holding the items of
// service, opened with key. Nothing is read until it is used.
func NewFile(path, service string, key Key) *File {
	return &File{path: path, service: service, key: key, lockWait: defaultLockWait}
}

// Service is the service name the items are stored under.
func (f *File) Service() string { return f.service }

// Path is the encrypted file.
func (f *File) Path() string { return f.path }

// Key is where the key is read from.
func (f *File) Key() Key { return f.key }

// contents is the decrypted file.
type contents struct {
	Format  int               `json:"tokentray_keychain"`
	Service string            `json:"service"`
	Items   map[string]string `json:"items"`
}

func (f *File) fail(p Problem, path string, why msg.Message) error {
	return &FileError{Problem: p, Path: path, why: why}
}

// identity reads the key, refusing one that others can read.
func (f *File) identity() (*age.X25519Identity, error) {
	p := f.key.Path
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if _, ferr := os.Lstat(f.path); ferr == nil {
			return nil, f.fail(ProblemKeyLost, p, msg.New("keychain.key_lost", "Key", p, "Origin", keyOrigin(f.key), "File", f.path))
		}
		return nil, MissingKey(f.key)
	case err != nil:
		return nil, f.fail(ProblemKeyUnreadable, p, msg.New("keychain.key_unreadable", "Key", p, "Err", ErrText(err)))
	case !fi.Mode().IsRegular():
		return nil, f.fail(ProblemKeyUnreadable, p, msg.New("keychain.key_not_regular", "Key", p))
	case runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0:
		return nil, f.fail(ProblemKeyExposed, p, msg.New("keychain.key_exposed", "Key", p, "Mode", fmt.Sprintf("%04o", fi.Mode().Perm())))
	case fi.Size() > maxKeyBytes:
		return nil, f.fail(ProblemKeyUnreadable, p, msg.New("keychain.key_too_big", "Key", p, "Size", fi.Size()))
	}
	// Opened without waiting: replaced by a named pipe since the Stat, it
	// is refused, not waited on.
	b, err := auth.ReadRegular(p, maxKeyBytes)
	if err != nil {
		return nil, f.fail(ProblemKeyUnreadable, p, msg.New("keychain.key_unreadable", "Key", p, "Err", ErrText(err)))
	}
	id, err := ParseKey(b)
	if err != nil {
		return nil, f.fail(ProblemKeyUnreadable, p, msg.New("keychain.key_not_age", "Key", p, "Err", err))
	}
	return id, nil
}

// ParseKey reads the one age X25519 identity of a key file; comments
// and blank lines are allowed, as age-keygen writes them.
func ParseKey(b []byte) (*age.X25519Identity, error) {
	var found *age.X25519Identity
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, err := age.ParseX25519Identity(line)
		if err != nil {
			// age's message repeats the line, which is the key itself.
			return nil, msg.Errorf("keychain.key_line_not_age")
		}
		if found != nil {
			return nil, msg.Errorf("keychain.key_many_identities")
		}
		found = id
	}
	if found == nil {
		return nil, msg.Errorf("keychain.key_no_identity")
	}
	return found, nil
}

// MissingKey is the error of a key that does not exist.
func MissingKey(k Key) error {
	return &FileError{Problem: ProblemKeyMissing, Path: k.Path,
		why: msg.New("keychain.key_missing", "Key", k.Path, "Origin", keyOrigin(k))}
}

func keyOrigin(k Key) msg.Message {
	switch k.From {
	case KeyFromSystemd:
		return msg.New("keychain.origin_systemd", "Name", KeyName)
	case KeyFromEnv:
		return msg.New("keychain.origin_env")
	}
	return msg.New("keychain.origin_default", "Name", KeyName)
}

// ErrText is an OS error without the path it repeats.
func ErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// read decrypts the file; a missing file is an empty keychain.
func (f *File) read(id *age.X25519Identity) (contents, error) {
	c := contents{Format: FileFormat, Service: f.service, Items: map[string]string{}}
	fh, err := auth.OpenRegular(f.path) // a named pipe is refused, not waited on
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	var odd *auth.NotRegularError
	if errors.As(err, &odd) {
		return c, f.damaged(msg.New("keychain.damaged_not_ours"))
	}
	if err != nil {
		return c, f.fail(ProblemIO, f.path, msg.New("keychain.file_unreadable", "File", f.path, "Err", ErrText(err)))
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return c, f.fail(ProblemIO, f.path, msg.New("keychain.file_unreadable", "File", f.path, "Err", ErrText(err)))
	}
	if !fi.Mode().IsRegular() || fi.Size() > maxFileBytes {
		return c, f.damaged(msg.New("keychain.damaged_not_ours"))
	}
	r, err := age.Decrypt(fh, id)
	if err != nil {
		var nm *age.NoIdentityMatchError
		if errors.As(err, &nm) {
			return c, f.fail(ProblemWrongKey, f.path, msg.New("keychain.wrong_key", "Key", f.key.Path, "File", f.path))
		}
		return c, f.damaged(msg.New("keychain.damaged_not_age"))
	}
	plain, err := io.ReadAll(io.LimitReader(r, maxFileBytes+1))
	if err != nil || len(plain) > maxFileBytes {
		return c, f.damaged(msg.New("keychain.damaged_content"))
	}
	var got contents
	if err := json.Unmarshal(plain, &got); err != nil || got.Format < 1 {
		return c, f.damaged(msg.New("keychain.damaged_not_keychain"))
	}
	if got.Format > FileFormat {
		return c, f.fail(ProblemNewer, f.path, msg.New("keychain.file_newer", "File", f.path, "Format", got.Format, "Max", FileFormat))
	}
	if got.Service != f.service {
		return c, f.damaged(msg.New("keychain.damaged_service", "Have", strconv.Quote(got.Service), "Want", strconv.Quote(f.service)))
	}
	if got.Items == nil {
		got.Items = map[string]string{}
	}
	return got, nil
}

func (f *File) damaged(why msg.Message) error {
	return f.fail(ProblemDamaged, f.path, msg.New("keychain.damaged", "File", f.path, "Why", why))
}

// write replaces the file with c, encrypted to id's recipient.
func (f *File) write(id *age.X25519Identity, c contents) error {
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, id.Recipient())
	if err != nil {
		return err
	}
	if err := json.NewEncoder(w).Encode(c); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	// The folder exists: write runs under locked, which made it.
	if err := atomicfile.Write(f.path, buf.Bytes(), 0o600); err != nil {
		return f.fail(ProblemIO, f.path, msg.New("keychain.file_unwritable", "File", f.path, "Err", ErrText(err)))
	}
	return nil
}

// locked runs fn holding the file's cross-process lock, after removing
// what a writer killed midway left (under the lock, no write is under way).
func (f *File) locked(fn func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	dir := filepath.Dir(f.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return f.fail(ProblemIO, dir, msg.New("keychain.file_dir_uncreatable", "Dir", dir, "Err", ErrText(err)))
	}
	fl := flock.New(f.path+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), f.lockWait)
	defer cancel()
	ok, err := fl.TryLockContext(ctx, 10*time.Millisecond)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return f.fail(ProblemIO, f.path, msg.New("keychain.file_unlockable", "File", f.path, "Err", ErrText(err)))
	}
	if !ok {
		return f.fail(ProblemBusy, f.path, msg.New("keychain.file_busy", "File", f.path, "Wait", f.lockWait.String()))
	}
	defer fl.Unlock()
	f.removeStaleTemps()
	return fn()
}

func (f *File) removeStaleTemps() {
	dir, base := filepath.Dir(f.path), atomicfile.TempPrefix(filepath.Base(f.path))
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), base) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// Get returns the value of one field, or auth.ErrSecretNotFound.
func (f *File) Get(credID, field string) (string, error) {
	u, err := user(credID, field)
	if err != nil {
		return "", err
	}
	id, err := f.identity()
	if err != nil {
		return "", err
	}
	c, err := f.read(id)
	if err != nil {
		return "", err
	}
	v, ok := c.Items[u]
	if !ok {
		return "", auth.ErrSecretNotFound
	}
	return v, nil
}

// GetFields reads several fields of one credential with one decryption.
func (f *File) GetFields(credID string, fields []string) (map[string]string, []string, error) {
	for _, fl := range fields {
		if _, err := user(credID, fl); err != nil {
			return nil, nil, err
		}
	}
	id, err := f.identity()
	if err != nil {
		return nil, nil, err
	}
	c, err := f.read(id)
	if err != nil {
		return nil, nil, err
	}
	values := map[string]string{}
	var missing []string
	for _, fl := range fields {
		if v, ok := c.Items[credID+"/"+fl]; ok {
			values[fl] = v
		} else {
			missing = append(missing, fl)
		}
	}
	return values, missing, nil
}

// Set stores value for one field, replacing any previous value. A value
// larger than auth.MaxSecretBytes is refused, never truncated.
func (f *File) Set(credID, field, value string) error {
	u, err := user(credID, field)
	if err != nil {
		return err
	}
	if len(value) > auth.MaxSecretBytes {
		return auth.ErrSecretTooLarge{Field: field, Size: len(value)}
	}
	id, err := f.identity()
	if err != nil {
		return err
	}
	return f.locked(func() error {
		c, err := f.read(id)
		if err != nil {
			return err
		}
		c.Items[u] = value
		c.Format, c.Service = FileFormat, f.service
		return f.write(id, c)
	})
}

// Delete removes one field; auth.ErrSecretNotFound when it was not there.
func (f *File) Delete(credID, field string) error {
	u, err := user(credID, field)
	if err != nil {
		return err
	}
	id, err := f.identity()
	if err != nil {
		return err
	}
	return f.locked(func() error {
		c, err := f.read(id)
		if err != nil {
			return err
		}
		if _, ok := c.Items[u]; !ok {
			return auth.ErrSecretNotFound
		}
		delete(c.Items, u)
		c.Format, c.Service = FileFormat, f.service
		return f.write(id, c)
	})
}

// Check proves the key can be used and opens the file (a missing file
// is an empty keychain).
func (f *File) Check() error {
	_, err := f.Count()
	return err
}

// Count is how many items the file holds, read with the key.
func (f *File) Count() (int, error) {
	id, err := f.identity()
	if err != nil {
		return 0, err
	}
	c, err := f.read(id)
	if err != nil {
		return 0, err
	}
	return len(c.Items), nil
}

// MoveAside renames a damaged file out of the way (keychain.age.damaged-
// TIME), keeping it whole, and returns its new path; the next write
// starts an empty keychain. A file the key opens is not moved.
func (f *File) MoveAside(now time.Time) (string, error) {
	var moved string
	err := f.locked(func() error {
		if _, err := os.Stat(f.path); errors.Is(err, fs.ErrNotExist) {
			return f.fail(ProblemIO, f.path, msg.New("keychain.nothing_to_move", "File", f.path))
		}
		if id, err := f.identity(); err == nil {
			if _, err := f.read(id); err == nil {
				return msg.Errorf("keychain.not_damaged", "File", f.path)
			}
		}
		moved = f.path + ".damaged-" + now.UTC().Format("20060102T150405Z")
		if err := os.Rename(f.path, moved); err != nil {
			return f.fail(ProblemIO, f.path, msg.New("keychain.file_unmovable", "File", f.path, "Err", ErrText(err)))
		}
		return nil
	})
	return moved, err
}

// NewKey makes a new age identity and writes it to path with mode 0600,
// refusing to replace a key that exists or to write into a folder that
// other users can read or write. It returns the key's public recipient.
func NewKey(path string, now time.Time) (string, error) {
	if !filepath.IsAbs(path) {
		return "", msg.Errorf("keychain.key_path_relative", "Path", strconv.Quote(path))
	}
	if _, err := os.Lstat(path); err == nil {
		return "", keyExists(path)
	}
	dir := filepath.Dir(path)
	_, statErr := os.Stat(dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", msg.Wrap(err, "keychain.key_dir_uncreatable", "Dir", dir, "Err", ErrText(err))
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		_ = os.Chmod(dir, 0o700) // MkdirAll is subject to the umask
	}
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(dir)
		if err != nil {
			return "", msg.Wrap(err, "keychain.key_dir_unreadable", "Dir", dir, "Err", ErrText(err))
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return "", msg.Errorf("keychain.key_dir_exposed", "Dir", dir, "Mode", fmt.Sprintf("%04o", fi.Mode().Perm()))
		}
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return "", err
	}
	text := fmt.Sprintf("# tokentray file keychain key, created %s\n# public key: %s\n%s\n",
		now.UTC().Format(time.RFC3339), id.Recipient(), id)
	// O_EXCL: a key another process made meanwhile is never replaced.
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return "", keyExists(path)
	}
	if err != nil {
		return "", msg.Wrap(err, "keychain.key_unwritable", "Key", path, "Err", ErrText(err))
	}
	if _, err := fh.WriteString(text); err != nil {
		fh.Close()
		os.Remove(path)
		return "", msg.Wrap(err, "keychain.key_unwritable", "Key", path, "Err", ErrText(err))
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		os.Remove(path)
		return "", msg.Wrap(err, "keychain.key_unwritable", "Key", path, "Err", ErrText(err))
	}
	if err := fh.Close(); err != nil {
		return "", err
	}
	return id.Recipient().String(), nil
}

// keyExists is the error of NewKey over a key that exists.
func keyExists(path string) error {
	return &FileError{Problem: ProblemIO, Path: path, why: msg.New("keychain.key_exists", "Key", path)}
}
