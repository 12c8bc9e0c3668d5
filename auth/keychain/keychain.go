// Package keychain keeps tokentray's secrets in the operating system's
// keychain: the Secret Service (gnome-keyring, KeePassXC) on Linux, the
// login keychain on macOS and Credential Manager on Windows. Every call
// is bounded by a timeout, values are capped in size, and failures read as
// one sentence that says how to fix them. There is no plain-text fallback.
package keychain

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/jonboulle/clockwork"
	"github.com/zalando/go-keyring"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// DefaultTimeout bounds one keychain call when New is given no timeout.
const DefaultTimeout = 5 * time.Second

// ErrUnavailable is matched (errors.Is) by every error that means the
// keychain itself could not be used: no Secret Service, a locked keychain,
// a call that did not answer in time.
var ErrUnavailable = errors.New("the system keychain is unavailable")

// Kind is what went wrong with the OS keychain, for a face to test
// (KindOf), never the sentence.
type Kind int

const (
	// KindNone: not a keychain failure.
	KindNone Kind = iota
	// KindFailed: the keychain answered with an error of its own.
	KindFailed
	// KindNoBus: this process has no D-Bus session bus to reach a
	// keychain by (a server without a desktop, an ssh session).
	KindNoBus
	// KindNoService: the session bus has no Secret Service on it.
	KindNoService
	// KindLocked: the keychain (or the collection) is locked.
	KindLocked
	// KindDismissed: the desktop's unlock prompt was dismissed.
	KindDismissed
	// KindTimedOut: the keychain did not answer in time.
	KindTimedOut
	// KindMismatch: the keychain gave back another value than was stored.
	KindMismatch
)

// KindOf says what kind of keychain failure err is: the kind of the
// *Error in its chain, KindNone for anything else (a file keychain's
// failure is a *FileError with its Problem).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindNone
}

// ownError is a failure this package names itself (not a D-Bus reply),
// with its kind.
type ownError struct {
	kind Kind
	text string
}

func (e *ownError) Error() string { return e.text }

// busError is a failure to reach the session bus at all.
type busError struct{ err error }

func (e *busError) Error() string { return e.err.Error() }
func (e *busError) Unwrap() error { return e.err }

// backend is the part of go-keyring the adapter uses; tests swap it.
type backend interface {
	Set(service, user, password string) error
	Get(service, user string) (string, error)
	Delete(service, user string) error
}

// Keyring is an auth.SecretStore backed by the OS keychain. Item user
// names are "<credID>/<field>" under one service name, so a credential's
// secrets survive a rename.
type Keyring struct {
	service string
	timeout time.Duration
	clock   clockwork.Clock
	be      backend

	marksMu sync.Mutex
	marks   string // where Check leaves its marks; "" for nowhere
}

var _ auth.SecretStore = (*Keyring)(nil)

// Option configures a Keyring.
type Option func(*Keyring)

// WithClock sets the clock that measures the timeout (tests pass a fake one).
func WithClock(c clockwork.Clock) Option {
	return func(k *Keyring) {
		if c != nil {
			k.clock = c
		}
	}
}

// New returns a Keyring storing items under service ("tokentray", or
// "tokentray-sandbox" for the sandbox profile). A timeout of 0 or less
// means DefaultTimeout.
func New(service string, timeout time.Duration, opts ...Option) *Keyring {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	k := &Keyring{service: service, timeout: timeout, clock: clockwork.NewRealClock(), be: newOSBackend()}
	for _, o := range opts {
		o(k)
	}
	return k
}

// Service is the keychain service name the items are stored under.
func (k *Keyring) Service() string { return k.service }

func user(credID, field string) (string, error) {
	if credID == "" || field == "" || strings.Contains(credID, "/") || strings.Contains(field, "/") {
		return "", msg.Errorf("keychain.bad_item", "ID", strconv.Quote(credID), "Field", strconv.Quote(field))
	}
	return credID + "/" + field, nil
}

// Get returns the value of one field, or auth.ErrSecretNotFound.
func (k *Keyring) Get(credID, field string) (string, error) {
	u, err := user(credID, field)
	if err != nil {
		return "", err
	}
	type result struct {
		v   string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := k.be.Get(k.service, u)
		done <- result{v, err}
	}()
	timer := k.clock.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case r := <-done:
		if r.err != nil {
			return "", k.explain("read", field, r.v, r.err)
		}
		return r.v, nil
	case <-timer.Chan():
		return "", k.timedOut("read", field)
	}
}

// GetFields reads several fields of one credential together, in one
// keychain call where the keychain allows (the Secret Service's
// GetSecrets), and returns the values found and the fields that are not
// stored. A field in neither (a locked item, say) is left for Get, which
// says what went wrong; an error means nothing was read.
func (k *Keyring) GetFields(credID string, fields []string) (map[string]string, []string, error) {
	r, ok := k.be.(interface {
		getMany(service string, users []string) (map[string]string, []string, error)
	})
	if !ok {
		return nil, nil, nil
	}
	users := make([]string, len(fields))
	for i, f := range fields {
		u, err := user(credID, f)
		if err != nil {
			return nil, nil, err
		}
		users[i] = u
	}
	type result struct {
		values  map[string]string
		missing []string
	}
	got := make(chan result, 1)
	if err := k.call(func() error {
		v, m, err := r.getMany(k.service, users)
		got <- result{v, m}
		return err
	}); err != nil {
		return nil, nil, err
	}
	res := <-got
	byUser, absent := res.values, res.missing
	values := map[string]string{}
	for u, v := range byUser {
		values[strings.TrimPrefix(u, credID+"/")] = v
	}
	missing := make([]string, len(absent))
	for i, u := range absent {
		missing[i] = strings.TrimPrefix(u, credID+"/")
	}
	return values, missing, nil
}

// Set stores value for one field, replacing any previous value. A value
// larger than auth.MaxSecretBytes is refused, never truncated.
func (k *Keyring) Set(credID, field, value string) error {
	u, err := user(credID, field)
	if err != nil {
		return err
	}
	if len(value) > auth.MaxSecretBytes {
		return auth.ErrSecretTooLarge{Field: field, Size: len(value)}
	}
	if err := k.call(func() error { return k.be.Set(k.service, u, value) }); err != nil {
		if errors.Is(err, errTimeout) {
			return k.timedOut("store", field)
		}
		return k.explain("store", field, value, err)
	}
	return nil
}

// Delete removes one field; auth.ErrSecretNotFound when it was not there.
func (k *Keyring) Delete(credID, field string) error {
	u, err := user(credID, field)
	if err != nil {
		return err
	}
	if err := k.call(func() error { return k.be.Delete(k.service, u) }); err != nil {
		if errors.Is(err, errTimeout) {
			return k.timedOut("delete", field)
		}
		return k.explain("delete", field, "", err)
	}
	return nil
}

// Check proves the keychain works by storing, reading back and deleting
// a throwaway item; the UI calls it at start so a missing or locked
// keychain is reported before the user types a secret.
func (k *Keyring) Check() error {
	var b [8]byte
	_, _ = rand.Read(b[:])
	id := fmt.Sprintf("%s%d-%s", checkPrefix, os.Getpid(), hex.EncodeToString(b[:]))
	const field = "test item"
	want := "tokentray-keychain-check-" + hex.EncodeToString(b[:4])
	k.RemoveStaleChecks()
	unmark := k.mark(id)
	if err := k.Set(id, field, want); err != nil {
		if !errors.Is(err, errTimeout) {
			unmark() // refused: nothing was stored
		}
		return err
	}
	got, err := k.Get(id, field)
	derr := k.Delete(id, field)
	if derr == nil || errors.Is(derr, auth.ErrSecretNotFound) {
		unmark()
	}
	if err != nil {
		return err
	}
	if got != want {
		return &Error{Op: "read", Field: field, Kind: KindMismatch, cause: errors.New("a different value came back")}
	}
	if derr != nil && !errors.Is(derr, auth.ErrSecretNotFound) {
		return derr
	}
	return nil
}

var errTimeout = errors.New("keychain call timed out")

// call runs f in a goroutine and gives up after the timeout, so a keychain
// prompt nobody answers or a hung D-Bus never freezes the caller.
func (k *Keyring) call(f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := k.clock.NewTimer(k.timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.Chan():
		return errTimeout
	}
}

// Error is a keychain failure explained for the user; it matches
// ErrUnavailable and unwraps to the underlying cause. Kind says what
// went wrong; Message says it as data.
type Error struct {
	Op    string // "read", "store", "delete"
	Field string
	Kind  Kind
	// detail is the keychain's own words (withheld whole if they showed
	// the value); timeout is the bound a KindTimedOut call passed.
	detail  string
	timeout time.Duration
	cause   error
}

func (e *Error) Error() string   { return e.Message().String() }
func (e *Error) Unwrap() []error { return []error{ErrUnavailable, e.cause} }

// Message is the sentence as data: what failed, why, and the fix for
// this platform.
func (e *Error) Message() msg.Message {
	switch e.Kind {
	case KindTimedOut:
		return msg.New("keychain.timed_out", "Timeout", e.timeout.String(), "Op", opMessage(e.Op), "Field", e.Field, "Fix", fixHint())
	case KindMismatch:
		return msg.New("keychain.mismatch", "Fix", fixHint())
	}
	var why msg.Message
	switch e.Kind {
	case KindNoBus, KindNoService:
		why = msg.New("keychain.why_no_service", "Detail", e.detail)
	case KindLocked:
		why = msg.New("keychain.why_locked", "Detail", e.detail)
	case KindDismissed:
		why = msg.New("keychain.why_dismissed")
	default:
		why = msg.New("keychain.why_error", "Detail", e.detail)
	}
	switch e.Op {
	case "store":
		return msg.New("keychain.cannot_store", "Field", e.Field, "Why", why, "Fix", fixHint())
	case "delete":
		return msg.New("keychain.cannot_delete", "Field", e.Field, "Why", why, "Fix", fixHint())
	}
	return msg.New("keychain.cannot_read", "Field", e.Field, "Why", why, "Fix", fixHint())
}

func opMessage(op string) msg.Message {
	switch op {
	case "store":
		return msg.New("keychain.op_store")
	case "delete":
		return msg.New("keychain.op_delete")
	}
	return msg.New("keychain.op_read")
}

func (k *Keyring) timedOut(op, field string) error {
	return &Error{Op: op, Field: field, Kind: KindTimedOut, timeout: k.timeout, cause: errTimeout}
}

// explain turns a go-keyring error into auth's sentinels or a typed
// *Error. value is only used to make sure it never appears in the message.
func (k *Keyring) explain(op, field, value string, err error) error {
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return auth.ErrSecretNotFound
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return auth.ErrSecretTooLarge{Field: field, Size: len(value)}
	}
	return &Error{Op: op, Field: field, Kind: kindOf(err), detail: redact(err.Error(), value), cause: err}
}

// kindOf classifies a keychain call's failure by its type and D-Bus
// error name.
func kindOf(err error) Kind {
	var own *ownError
	var bus *busError
	switch {
	case errors.As(err, &own):
		return own.kind
	case errors.As(err, &bus):
		return KindNoBus
	case noService(err):
		return KindNoService
	case locked(err):
		return KindLocked
	}
	return KindFailed
}

// dbusName is the D-Bus error name behind err, if any.
func dbusName(err error) string {
	var v dbus.Error
	if errors.As(err, &v) {
		return v.Name
	}
	var p *dbus.Error
	if errors.As(err, &p) && p != nil {
		return p.Name
	}
	return ""
}

// noService reports a D-Bus answer that says no Secret Service is there.
func noService(err error) bool {
	name := dbusName(err)
	return name == "org.freedesktop.DBus.Error.ServiceUnknown" ||
		name == "org.freedesktop.DBus.Error.NameHasNoOwner" ||
		name == "org.freedesktop.DBus.Error.NoServer" ||
		name == "org.freedesktop.DBus.Error.Disconnected" ||
		name == "org.freedesktop.DBus.Error.NoReply" ||
		name == "org.freedesktop.DBus.Error.TimedOut" ||
		strings.HasPrefix(name, "org.freedesktop.DBus.Error.Spawn.")
}

// locked reports a D-Bus answer that says the item or collection is locked.
func locked(err error) bool {
	name := dbusName(err)
	return name == "org.freedesktop.Secret.Error.IsLocked" ||
		name == "org.freedesktop.Secret.Error.NoSuchObject" ||
		name == "org.freedesktop.DBus.Error.UnknownObject"
}

// redact keeps a value out of a message: where it appears, the whole
// detail goes (see auth.Exposes).
func redact(msg, value string) string {
	if auth.Exposes(msg, value) {
		return auth.Withheld
	}
	return msg
}

// fixHint says, for this platform, what the user does to get a working keychain.
func fixHint() msg.Message {
	switch runtime.GOOS {
	case "darwin":
		return msg.New("keychain.fix_darwin")
	case "windows":
		return msg.New("keychain.fix_windows")
	default:
		return msg.New("keychain.fix_linux")
	}
}

// PrepareWrite does ahead of time what the next Set would otherwise do
// first (find and unlock the collection), so that a secret a broker
// has just issued reaches the keychain in one call. Errors are left
// for that Set to report.
func (k *Keyring) PrepareWrite() {
	if p, ok := k.be.(interface{ prepareWrite() error }); ok {
		_ = k.call(p.prepareWrite)
	}
}

// Index readies the keychain for reading the secrets of many credentials
// at once (a refresh of every credential): it learns where each of the
// profile's items is with one search, so that each credential's fields
// are then one read, however many there are. Errors are left for the
// reads, which look items up one by one. Where the keychain has no such
// search (macOS, Windows, the file keychain) it does nothing.
func (k *Keyring) Index() {
	if x, ok := k.be.(interface{ index(service string) error }); ok {
		_ = k.call(func() error { return x.index(k.service) })
	}
}

// checkPrefix starts the credential ID of Check's throwaway item, which
// also names the process: "check-<pid>-<random>".
const checkPrefix = "check-"

// checkerGone reports whether the item user name is Check's and its
// process no longer runs.
func checkerGone(user string) bool {
	rest, ok := strings.CutPrefix(user, checkPrefix)
	if !ok {
		return false
	}
	pidText, _, ok := strings.Cut(rest, "-")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 {
		return true // an older tokentray's: nobody waits for it
	}
	return !processAlive(pid)
}

// RemoveStaleChecks deletes what a Check killed midway left behind, so
// nothing in the keychain outlives the process that wrote it. Where the
// keychain cannot be searched (macOS, Windows) it does nothing.
func (k *Keyring) RemoveStaleChecks() { _ = k.removeStaleChecks() }

func (k *Keyring) removeStaleChecks() error {
	if r, ok := k.be.(interface{ removeStaleChecks(service string) error }); ok {
		return k.call(func() error { return r.removeStaleChecks(k.service) })
	}
	return nil
}

// markSuffix ends the name of the file Check keeps, named like its
// throwaway item, for as long as that item may exist.
const markSuffix = ".keychain-check"

// CheckMarksIn makes Check keep a mark in dir for as long as its
// throwaway item may be in the keychain, and removes what the checks of
// gone processes left, looking in the keychain only when dir holds a
// mark of one: a process that only reads its settings never talks to
// the keychain. A profile's store calls it with its lock directory.
func (k *Keyring) CheckMarksIn(dir string) {
	k.marksMu.Lock()
	k.marks = dir
	k.marksMu.Unlock()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	var stale []string
	for _, e := range entries {
		if id, ok := strings.CutSuffix(e.Name(), markSuffix); ok && checkerGone(id) {
			stale = append(stale, filepath.Join(dir, e.Name()))
		}
	}
	if len(stale) == 0 || k.removeStaleChecks() != nil {
		return
	}
	for _, p := range stale {
		_ = os.Remove(p)
	}
}

// mark leaves Check's mark for item id, where CheckMarksIn said; the
// returned func removes it. The mark is not synced: it guards against a
// killed process, whose writes the kernel keeps.
func (k *Keyring) mark(id string) (unmark func()) {
	k.marksMu.Lock()
	dir := k.marks
	k.marksMu.Unlock()
	if dir == "" {
		return func() {}
	}
	p := filepath.Join(dir, id+markSuffix)
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		return func() {}
	}
	return func() { _ = os.Remove(p) }
}

// Missing reports whether err means that no OS keychain runs here at
// all: no session bus, or no Secret Service on it (a server without a
// desktop), as opposed to a locked or failing one.
func Missing(err error) bool {
	k := KindOf(err)
	return k == KindNoBus || k == KindNoService
}

// SessionAlgorithm names how secrets travel to the keychain: on Linux,
// the Secret Service session's algorithm (AlgorithmEncrypted where the
// service offers it, else AlgorithmPlain), opening the session if need
// be; empty where no session is used (macOS, Windows) or the keychain
// cannot be reached in time.
func (k *Keyring) SessionAlgorithm() string {
	a, ok := k.be.(interface{ sessionAlgorithm() (string, error) })
	if !ok {
		return ""
	}
	got := make(chan string, 1)
	err := k.call(func() error {
		alg, err := a.sessionAlgorithm()
		got <- alg
		return err
	})
	if err != nil {
		return ""
	}
	return <-got
}

// The Secret Service's session algorithms. The encrypted one is what
// libsecret asks for first: a Diffie-Hellman exchange in the 1024-bit
// MODP group of RFC 2409, the shared secret through HKDF-SHA256 to an
// AES-128 key, and each secret sent AES-128-CBC with PKCS#7 padding and
// a fresh IV. "plain" sends secrets over the session bus as they are,
// which the specification keeps for services that offer nothing else.
const (
	AlgorithmEncrypted = "dh-ietf1024-sha256-aes128-cbc-pkcs7"
	AlgorithmPlain     = "plain"
)
