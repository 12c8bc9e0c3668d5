//go:build linux

package keychain

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/auth"
)

// Secrets cross the session bus encrypted where the Secret Service
// offers it (gnome-keyring does): the session negotiated is
// dh-ietf1024-sha256-aes128-cbc-pkcs7, no message on the bus carries a
// stored value in clear, and what is stored reads back (also by a second
// process with its own session, and in GetSecrets batches).
func TestTheSecretServiceSessionIsEncrypted(t *testing.T) {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("DBUS_SESSION_BUS_ADDRESS is unset: run under dbus-run-session with an unlocked gnome-keyring (make test does)")
	}
	const value = "test-secret-value-0001-in-clear"
	var mu sync.Mutex
	var seen [][]byte
	watch := func(m *dbus.Message) {
		mu.Lock()
		defer mu.Unlock()
		for _, b := range m.Body {
			seen = append(seen, []byte(strings.TrimSpace(fmtBody(b))))
		}
	}
	be := &secretService{opts: []dbus.ConnOption{dbus.WithOutgoingInterceptor(watch), dbus.WithIncomingInterceptor(watch)}}
	k := New("tokentray-test-session", 10*time.Second)
	k.be = be
	t.Cleanup(func() { be.mu.Lock(); be.reset(); be.mu.Unlock() })
	if got := k.SessionAlgorithm(); got != AlgorithmEncrypted {
		t.Fatalf("session algorithm %q, want %q", got, AlgorithmEncrypted)
	}
	id := "test-" + auth.NewID()
	t.Cleanup(func() { _ = k.Delete(id, auth.FieldAccessToken); _ = k.Delete(id, auth.FieldAppKey) })
	if err := k.Set(id, auth.FieldAccessToken, value); err != nil {
		t.Fatal(err)
	}
	if err := k.Set(id, auth.FieldAppKey, ""); err != nil { // a whole block of padding
		t.Fatal(err)
	}
	if v, err := k.Get(id, auth.FieldAccessToken); err != nil || v != value {
		t.Fatalf("Get = %q, %v", v, err)
	}
	other := New("tokentray-test-session", 10*time.Second) // another process's own session
	if v, err := other.Get(id, auth.FieldAccessToken); err != nil || v != value {
		t.Fatalf("a second session reads %q, %v", v, err)
	}
	vs, missing, err := other.GetFields(id, []string{auth.FieldAccessToken, auth.FieldAppKey})
	if err != nil || len(missing) != 0 || vs[auth.FieldAccessToken] != value || vs[auth.FieldAppKey] != "" {
		t.Fatalf("GetFields = %q, %q, %v", vs, missing, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(seen) == 0 {
		t.Fatal("no message was watched")
	}
	for _, b := range seen {
		if bytes.Contains(b, []byte(value)) {
			t.Fatalf("a message on the bus carries the value in clear: %q", b)
		}
	}
}

// fmtBody renders a message argument with every byte array in it as
// text, so a value sent in clear would show.
func fmtBody(v any) string {
	var b strings.Builder
	var walk func(r reflect.Value)
	walk = func(r reflect.Value) {
		switch r.Kind() {
		case reflect.Interface, reflect.Pointer:
			if !r.IsNil() {
				walk(r.Elem())
			}
		case reflect.Slice, reflect.Array:
			if r.Type().Elem().Kind() == reflect.Uint8 {
				b.Write(r.Bytes())
				b.WriteByte(' ')
				return
			}
			for i := 0; i < r.Len(); i++ {
				walk(r.Index(i))
			}
		case reflect.Map:
			for _, k := range r.MapKeys() {
				walk(k)
				walk(r.MapIndex(k))
			}
		case reflect.Struct:
			if vv, ok := r.Interface().(dbus.Variant); ok {
				walk(reflect.ValueOf(vv.Value()))
				return
			}
			for i := 0; i < r.NumField(); i++ {
				if r.Type().Field(i).IsExported() {
					walk(r.Field(i))
				}
			}
		case reflect.Invalid:
		default:
			fmt.Fprint(&b, r.Interface(), " ")
		}
	}
	walk(reflect.ValueOf(v))
	return b.String()
}

// Both ends of the exchange derive one key, and a sealed value opens to
// what was sealed; a wrong IV length or bad padding is refused.
func TestSessionKeyAndSealing(t *testing.T) {
	a, _ := rand.Int(rand.Reader, ietf1024)
	b, _ := rand.Int(rand.Reader, ietf1024)
	A := new(big.Int).Exp(big.NewInt(2), a, ietf1024)
	B := new(big.Int).Exp(big.NewInt(2), b, ietf1024)
	ka, err := sessionKey(a, B.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := sessionKey(b, A.Bytes())
	if !bytes.Equal(ka, kb) || len(ka) != 16 {
		t.Fatalf("keys differ: %x %x", ka, kb)
	}
	if _, err := sessionKey(a, []byte{1}); err == nil {
		t.Error("a peer key of 1 was taken")
	}
	s := session{path: "/s", key: ka}
	// The plain text must not show in the sealed value; a value of a byte
	// or two shows in random cipher text by chance (1 in 16 for "x").
	for _, v := range []string{"", "x", strings.Repeat("y", 16), "日本語 token"} {
		sec, err := s.seal(v)
		if err != nil || len(sec.Parameters) != 16 || len(sec.Value)%16 != 0 || (len(v) > 4 && bytes.Contains(sec.Value, []byte(v))) {
			t.Fatalf("seal %q: %+v, %v", v, sec, err)
		}
		if got, err := s.open(sec); err != nil || got != v {
			t.Fatalf("open(seal(%q)) = %q, %v", v, got, err)
		}
	}
	sec, _ := s.seal("x")
	sec.Value[len(sec.Value)-1] ^= 0xff
	if _, err := s.open(sec); err == nil {
		t.Error("a damaged secret opened")
	}
	plain := session{path: "/p"}
	if sec, _ := plain.seal("v"); string(sec.Value) != "v" || plain.algorithm() != AlgorithmPlain {
		t.Errorf("plain session: %+v", sec)
	}
}

// fakeService answers OpenSession as a Secret Service would: with the
// encrypted session when it offers it (doing its side of the exchange),
// else NotSupported, and the plain session always.
type fakeService struct {
	dbus.BusObject // only Call is used
	encrypted      bool
	asked          []string
	key            []byte
}

func (f *fakeService) Call(method string, _ dbus.Flags, args ...any) *dbus.Call {
	alg, _ := args[0].(string)
	f.asked = append(f.asked, alg)
	switch {
	case alg == AlgorithmPlain:
		return &dbus.Call{Body: []any{dbus.MakeVariant(""), dbus.ObjectPath("/session/plain")}}
	case alg == AlgorithmEncrypted && f.encrypted:
		theirs, _ := args[1].(dbus.Variant).Value().([]byte)
		priv, _ := rand.Int(rand.Reader, ietf1024)
		f.key, _ = sessionKey(priv, theirs)
		pub := new(big.Int).Exp(big.NewInt(2), priv, ietf1024)
		return &dbus.Call{Body: []any{dbus.MakeVariant(pub.Bytes()), dbus.ObjectPath("/session/dh")}}
	}
	return &dbus.Call{Err: dbus.Error{Name: "org.freedesktop.DBus.Error.NotSupported", Body: []any{"no such algorithm"}}}
}

// The encrypted session is asked for first; plain only where the service
// says it does not offer it, and then named as plain.
func TestStartSessionPrefersEncryptedAndFallsBackToPlain(t *testing.T) {
	dh := &fakeService{encrypted: true}
	sess, err := startSession(dh)
	if err != nil || sess.algorithm() != AlgorithmEncrypted || sess.path != "/session/dh" || !bytes.Equal(sess.key, dh.key) {
		t.Fatalf("with the encrypted session offered: %+v, %v (asked %q)", sess, err, dh.asked)
	}
	old := &fakeService{}
	sess, err = startSession(old)
	if err != nil || sess.algorithm() != AlgorithmPlain || sess.path != "/session/plain" {
		t.Fatalf("without it: %+v, %v", sess, err)
	}
	if len(old.asked) != 2 || old.asked[0] != AlgorithmEncrypted || old.asked[1] != AlgorithmPlain {
		t.Errorf("asked for %q, want the encrypted session, then plain", old.asked)
	}
}

// The private exponent is short (twice the group's strength and more),
// positive, and new for every session.
func TestPrivateExponentIsShortAndFresh(t *testing.T) {
	seen := map[string]bool{}
	for range 64 {
		priv, err := privateExponent()
		if err != nil {
			t.Fatal(err)
		}
		if priv.Sign() <= 0 || priv.BitLen() > privateBits {
			t.Fatalf("private exponent of %d bits (sign %d), want 1 to %d bits", priv.BitLen(), priv.Sign(), privateBits)
		}
		if seen[priv.String()] {
			t.Fatal("a private exponent came twice")
		}
		seen[priv.String()] = true
	}
	if privateBits < 160 {
		t.Fatalf("a %d-bit exponent is below twice the 1024-bit group's 80-bit strength", privateBits)
	}
}
