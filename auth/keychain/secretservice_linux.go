//go:build linux

package keychain

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/godbus/dbus/v5"
	"github.com/zalando/go-keyring"
	ss "github.com/zalando/go-keyring/secret_service"
)

// The Secret Service, spoken to directly so that one process opens one
// connection and one session, finds its collection once and remembers
// where each item is: a read of a known item is one D-Bus call, a write
// one call, where go-keyring's Get makes seven (a new session, a
// collection lookup, an unlock and a search every time) and its Set
// five. Items carry go-keyring's attributes and label, so either finds
// what the other stored.
const (
	ssName       = "org.freedesktop.secrets"
	ssPath       = dbus.ObjectPath("/org/freedesktop/secrets")
	ssService    = "org.freedesktop.Secret.Service"
	ssCollection = "org.freedesktop.Secret.Collection"
	ssItem       = "org.freedesktop.Secret.Item"
	ssPrompt     = "org.freedesktop.Secret.Prompt"
	ssLogin      = dbus.ObjectPath("/org/freedesktop/secrets/collection/login")
	ssDefault    = dbus.ObjectPath("/org/freedesktop/secrets/aliases/default")
)

type secretService struct {
	// opts are extra options for the connection (tests count calls).
	opts []dbus.ConnOption

	mu         sync.Mutex
	conn       *dbus.Conn
	session    session
	collection dbus.ObjectPath
	items      map[string]dbus.ObjectPath // service + "\x00" + user
	// indexed is closed when the index under way (if any) is done:
	// reads wait for it rather than search item by item meanwhile.
	indexed chan struct{}
}

// waitIndex waits for an index under way, if any; the caller does not
// hold mu. The caller's own timeout bounds the wait.
func (s *secretService) waitIndex() {
	s.mu.Lock()
	ch := s.indexed
	s.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

func newOSBackend() backend { return &secretService{} }

// open connects and opens a session once; the caller holds mu.
func (s *secretService) open() error {
	if s.conn != nil {
		return nil
	}
	if err := sessionBusPresent(); err != nil {
		return &busError{err}
	}
	conn, err := dbus.ConnectSessionBus(s.opts...)
	if err != nil {
		return &busError{err}
	}
	s.conn, s.session, s.collection, s.items = conn, session{}, "", map[string]dbus.ObjectPath{}
	return nil
}

// openSession opens the session secrets travel in, once: encrypted where
// the service offers it, as libsecret does, else plain, the fallback the
// specification allows. The caller holds mu.
func (s *secretService) openSession() error {
	if s.session.path != "" {
		return nil
	}
	sess, err := startSession(s.conn.Object(ssName, ssPath))
	if err != nil {
		return err
	}
	s.session = sess
	return nil
}

// startSession asks the service at obj for the encrypted session, and
// for the plain one only when the service says it does not offer that.
func startSession(obj dbus.BusObject) (session, error) {
	sess, ok, err := openEncrypted(obj)
	if err != nil {
		return session{}, err
	}
	if !ok {
		var ignored dbus.Variant
		if err := obj.Call(ssService+".OpenSession", 0, AlgorithmPlain, dbus.MakeVariant("")).Store(&ignored, &sess.path); err != nil {
			return session{}, err
		}
	}
	return sess, nil
}

// sessionAlgorithm opens the session if need be and names its algorithm.
func (s *secretService) sessionAlgorithm() (string, error) {
	var alg string
	err := s.retry(func() error {
		if err := s.openSession(); err != nil {
			return err
		}
		alg = s.session.algorithm()
		return nil
	})
	return alg, err
}

// reset forgets the connection after a failure that may have broken it.
func (s *secretService) reset() {
	if s.conn != nil {
		s.conn.Close()
	}
	s.conn, s.session, s.collection, s.items = nil, session{}, "", nil
}

// retry runs f; when f fails in a way a fresh connection, session or
// item lookup could fix, it forgets them and runs f once more.
func (s *secretService) retry(f func() error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if err = s.open(); err != nil {
			s.reset()
			return err
		}
		if err = f(); err == nil || errors.Is(err, keyring.ErrNotFound) {
			return err
		}
		switch name := dbusName(err); {
		case name == "org.freedesktop.Secret.Error.NoSuchObject", name == "org.freedesktop.DBus.Error.UnknownObject",
			name == "org.freedesktop.DBus.Error.UnknownMethod":
			// A cached item went (deleted by another process): look it up again.
			s.items = map[string]dbus.ObjectPath{}
			s.collection = ""
		case name == "org.freedesktop.Secret.Error.NoSession", isConnError(err):
			// A lost session or connection: start over.
			s.reset()
		default:
			return err
		}
	}
	if isConnError(err) && !errors.As(err, new(*ownError)) {
		// Not an answer of the service's, nor a failure named here: the
		// connection to the session bus failed twice.
		return &busError{err}
	}
	return err
}

func attrs(service, user string) map[string]string {
	a := map[string]string{"username": user, "service": service}
	if strings.HasPrefix(user, checkPrefix) {
		// Check's throwaway items can be found without listing every item.
		a["tokentray"] = "check"
	}
	return a
}

// removeStaleChecks deletes the throwaway items of Check calls whose
// process died before deleting them.
func (s *secretService) removeStaleChecks(service string) error {
	return s.retry(func() error {
		var unlocked, locked []dbus.ObjectPath
		if err := s.conn.Object(ssName, ssPath).Call(ssService+".SearchItems", 0, map[string]string{"service": service, "tokentray": "check"}).Store(&unlocked, &locked); err != nil {
			return err
		}
		for _, p := range unlocked {
			v, err := s.conn.Object(ssName, p).GetProperty(ssItem + ".Attributes")
			if err != nil {
				continue
			}
			a, _ := v.Value().(map[string]string)
			if !checkerGone(a["username"]) {
				continue
			}
			var prompt dbus.ObjectPath
			if err := s.conn.Object(ssName, p).Call(ssItem+".Delete", 0).Store(&prompt); err == nil {
				s.items = map[string]dbus.ObjectPath{}
			}
		}
		return nil
	})
}

// find returns the item of service/user, from the cache or a search of
// all collections, unlocking it when it is locked.
func (s *secretService) find(service, user string) (dbus.ObjectPath, error) {
	key := service + "\x00" + user
	if p, ok := s.items[key]; ok {
		return p, nil
	}
	var unlocked, locked []dbus.ObjectPath
	if err := s.conn.Object(ssName, ssPath).Call(ssService+".SearchItems", 0, attrs(service, user)).Store(&unlocked, &locked); err != nil {
		return "", err
	}
	var p dbus.ObjectPath
	switch {
	case len(unlocked) > 0:
		p = unlocked[0]
	case len(locked) > 0:
		p = locked[0]
		if err := s.unlock(p); err != nil {
			return "", err
		}
	default:
		return "", keyring.ErrNotFound
	}
	s.items[key] = p
	return p, nil
}

// unlock unlocks one object, through the desktop's prompt if it asks.
func (s *secretService) unlock(p dbus.ObjectPath) error {
	var unlocked []dbus.ObjectPath
	var prompt dbus.ObjectPath
	if err := s.conn.Object(ssName, ssPath).Call(ssService+".Unlock", 0, []dbus.ObjectPath{p}).Store(&unlocked, &prompt); err != nil {
		return err
	}
	if slices.Contains(unlocked, p) {
		return nil
	}
	dismissed, result, err := s.prompt(prompt)
	if err != nil {
		return err
	}
	done, _ := result.Value().([]dbus.ObjectPath)
	if dismissed || !slices.Contains(done, p) {
		return &ownError{kind: KindDismissed, text: fmt.Sprintf("failed to unlock %s: the unlock prompt was dismissed", p)}
	}
	return nil
}

// prompt shows a Secret Service prompt and waits for its answer.
func (s *secretService) prompt(p dbus.ObjectPath) (dismissed bool, result dbus.Variant, err error) {
	if p == "/" || p == "" {
		return false, dbus.MakeVariant(""), nil
	}
	match := []dbus.MatchOption{dbus.WithMatchObjectPath(p), dbus.WithMatchInterface(ssPrompt)}
	if err := s.conn.AddMatchSignal(match...); err != nil {
		return false, dbus.Variant{}, err
	}
	defer func() { _ = s.conn.RemoveMatchSignal(match...) }()
	ch := make(chan *dbus.Signal, 4)
	s.conn.Signal(ch)
	defer s.conn.RemoveSignal(ch)
	if err := s.conn.Object(ssName, p).Call(ssPrompt+".Prompt", 0, "").Err; err != nil {
		return false, dbus.Variant{}, err
	}
	for sig := range ch {
		if sig.Path == p && sig.Name == ssPrompt+".Completed" && len(sig.Body) == 2 {
			d, _ := sig.Body[0].(bool)
			v, _ := sig.Body[1].(dbus.Variant)
			return d, v, nil
		}
	}
	return false, dbus.Variant{}, &ownError{kind: KindFailed, text: "the keychain's prompt ended without an answer"}
}

// writable is the collection new items go in: "login" where it exists,
// else the default alias (as go-keyring chooses), unlocked once.
func (s *secretService) writable() (dbus.ObjectPath, error) {
	if s.collection != "" {
		return s.collection, nil
	}
	v, err := s.conn.Object(ssName, ssPath).GetProperty(ssService + ".Collections")
	if err != nil {
		return "", err
	}
	c := ssDefault
	if paths, ok := v.Value().([]dbus.ObjectPath); ok && slices.Contains(paths, ssLogin) {
		c = ssLogin
	}
	if err := s.unlock(c); err != nil {
		return "", err
	}
	s.collection = c
	return c, nil
}

func (s *secretService) Get(service, user string) (string, error) {
	s.waitIndex()
	var v string
	err := s.retry(func() error {
		p, err := s.find(service, user)
		if err != nil {
			return err
		}
		if err := s.openSession(); err != nil {
			return err
		}
		var sec ss.Secret
		err = s.conn.Object(ssName, p).Call(ssItem+".GetSecret", 0, s.session.path).Store(&sec)
		if dbusName(err) == "org.freedesktop.Secret.Error.IsLocked" {
			if err = s.unlock(p); err == nil {
				err = s.conn.Object(ssName, p).Call(ssItem+".GetSecret", 0, s.session.path).Store(&sec)
			}
		}
		if err != nil {
			return err
		}
		v, err = s.session.open(sec)
		return err
	})
	return v, err
}

func (s *secretService) Set(service, user, password string) error {
	return s.retry(func() error {
		c, err := s.writable()
		if err != nil {
			return err
		}
		if err := s.openSession(); err != nil {
			return err
		}
		props := map[string]dbus.Variant{
			ssItem + ".Label":      dbus.MakeVariant(fmt.Sprintf("Password for '%s' on '%s'", user, service)),
			ssItem + ".Attributes": dbus.MakeVariant(attrs(service, user)),
		}
		sec, err := s.session.seal(password)
		if err != nil {
			return err
		}
		var item, prompt dbus.ObjectPath
		if err := s.conn.Object(ssName, c).Call(ssCollection+".CreateItem", 0, props, sec, true).Store(&item, &prompt); err != nil {
			if dbusName(err) == "org.freedesktop.Secret.Error.IsLocked" {
				s.collection = "" // locked since: unlock on the next try
				err = dbus.Error{Name: "org.freedesktop.Secret.Error.NoSuchObject", Body: []any{err.Error()}}
			}
			return err
		}
		if _, _, err := s.prompt(prompt); err != nil {
			return err
		}
		if item != "/" && item != "" {
			s.items[service+"\x00"+user] = item
		} else {
			delete(s.items, service+"\x00"+user)
		}
		return nil
	})
}

func (s *secretService) Delete(service, user string) error {
	return s.retry(func() error {
		p, err := s.find(service, user)
		if err != nil {
			return err
		}
		var prompt dbus.ObjectPath
		if err := s.conn.Object(ssName, p).Call(ssItem+".Delete", 0).Store(&prompt); err != nil {
			return err
		}
		delete(s.items, service+"\x00"+user)
		_, _, err = s.prompt(prompt)
		return err
	})
}

// isConnError reports a failure that a new connection and session may
// fix: anything but an answer of the service's or a dismissed prompt.
func isConnError(err error) bool {
	var own *ownError
	return err != nil && dbusName(err) == "" && !(errors.As(err, &own) && own.kind == KindDismissed)
}

func (s *secretService) prepareWrite() error {
	return s.retry(func() error {
		if _, err := s.writable(); err != nil {
			return err
		}
		return s.openSession()
	})
}

// getMany reads the items of several users of service with one
// GetSecrets call, after looking up the items not yet known with their
// searches sent at once. It returns the values read and the users that
// have no item; a user in neither (a locked item, one that went
// meanwhile) is left for Get, which unlocks and looks again. The lock is
// not held while the calls are answered, so the reads of credentials
// checked side by side travel together; any failure is left to Get,
// which retries.
func (s *secretService) getMany(service string, users []string) (map[string]string, []string, error) {
	s.waitIndex()
	s.mu.Lock()
	if err := s.open(); err != nil {
		s.reset()
		s.mu.Unlock()
		return nil, nil, err
	}
	conn := s.conn
	byPath := map[dbus.ObjectPath]string{}
	var unknown []string
	for _, u := range users {
		if p, ok := s.items[service+"\x00"+u]; ok {
			byPath[p] = u
		} else {
			unknown = append(unknown, u)
		}
	}
	s.mu.Unlock()

	calls := make([]*dbus.Call, len(unknown))
	for i, u := range unknown {
		calls[i] = conn.Object(ssName, ssPath).Go(ssService+".SearchItems", 0, nil, attrs(service, u))
	}
	found := map[string]dbus.ObjectPath{}
	var missing []string
	for i, call := range calls {
		<-call.Done
		var unlocked, locked []dbus.ObjectPath
		if err := call.Store(&unlocked, &locked); err != nil {
			return nil, nil, err
		}
		switch {
		case len(unlocked) > 0:
			found[unknown[i]] = unlocked[0]
			byPath[unlocked[0]] = unknown[i]
		case len(locked) == 0:
			missing = append(missing, unknown[i])
		}
	}
	values := map[string]string{}
	if len(byPath) == 0 {
		return values, missing, nil
	}

	s.mu.Lock()
	if s.conn != conn {
		s.mu.Unlock()
		return nil, nil, &ownError{kind: KindFailed, text: "the connection to the Secret Service was replaced"}
	}
	for u, p := range found {
		s.items[service+"\x00"+u] = p
	}
	err := s.openSession()
	session := s.session
	s.mu.Unlock()
	if err != nil {
		return nil, nil, err
	}
	paths := make([]dbus.ObjectPath, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	var secrets map[dbus.ObjectPath]ss.Secret
	if err := conn.Object(ssName, ssPath).Call(ssService+".GetSecrets", 0, paths, session.path).Store(&secrets); err != nil {
		return nil, nil, err
	}
	for p, u := range byPath {
		if sec, ok := secrets[p]; ok {
			v, err := session.open(sec)
			if err != nil {
				return nil, nil, err
			}
			values[u] = v
		}
	}
	return values, missing, nil
}

// indexWindow bounds the property reads index has in flight at once.
const indexWindow = 256

// index learns where every unlocked item of service is with one search
// and one property read per item not known yet, sent a window at a time
// without waiting for each answer. It is for a caller about to read the
// fields of many credentials: a search per field makes the service scan
// all its items each time (3,000 scans of 3,000 items to refresh a
// thousand credentials), where a property read costs it nothing to
// find. What it cannot learn (a locked item) is left to find.
func (s *secretService) index(service string) error {
	s.mu.Lock()
	if err := s.open(); err != nil {
		s.reset()
		s.mu.Unlock()
		return err
	}
	if s.indexed != nil {
		s.mu.Unlock()
		s.waitIndex() // another caller is at it
		return nil
	}
	done := make(chan struct{})
	s.indexed = done
	defer func() {
		s.mu.Lock()
		s.indexed = nil
		s.mu.Unlock()
		close(done)
	}()
	conn := s.conn
	known := map[dbus.ObjectPath]bool{}
	for _, p := range s.items {
		known[p] = true
	}
	s.mu.Unlock()

	var unlocked, locked []dbus.ObjectPath
	if err := conn.Object(ssName, ssPath).Call(ssService+".SearchItems", 0, map[string]string{"service": service}).Store(&unlocked, &locked); err != nil {
		return err
	}
	var paths []dbus.ObjectPath
	for _, p := range unlocked {
		if !known[p] {
			paths = append(paths, p)
		}
	}
	found := map[string]dbus.ObjectPath{}
	for start := 0; start < len(paths); start += indexWindow {
		window := paths[start:min(start+indexWindow, len(paths))]
		calls := make([]*dbus.Call, len(window))
		for i, p := range window {
			calls[i] = conn.Object(ssName, p).Go("org.freedesktop.DBus.Properties.Get", 0, nil, ssItem, "Attributes")
		}
		for i, c := range calls {
			<-c.Done
			var v dbus.Variant
			if c.Store(&v) != nil {
				continue // gone meanwhile: find looks again
			}
			a, _ := v.Value().(map[string]string)
			if u := a["username"]; u != "" && a["service"] == service {
				if _, dup := found[u]; !dup {
					found[u] = window[i]
				}
			}
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != conn {
		return &ownError{kind: KindFailed, text: "the connection to the Secret Service was replaced"}
	}
	for u, p := range found {
		if _, ok := s.items[service+"\x00"+u]; !ok {
			s.items[service+"\x00"+u] = p
		}
	}
	return nil
}
