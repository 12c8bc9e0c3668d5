package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

// writeSettings writes a settings file of n checked Futu API keys
// ("futu-0000"…) with prefs, as an agent leaves it.
func writeSettings(t *testing.T, dir string, n int) []auth.Credential {
	t.Helper()
	now := t0.UTC()
	exp := now.Add(90 * 24 * time.Hour)
	p := DefaultPrefs()
	p.LeadTime = 42 * time.Minute
	f := file{Version: fileVersion, Prefs: &p}
	for i := range n {
		f.Credentials = append(f.Credentials, auth.Credential{ID: auth.NewID(), Name: fmt.Sprintf("futu-%04d", i), Kind: auth.KindFutuKey,
			Endpoint: "https://127.0.0.1:1", ExpiresAt: exp, AddedAt: now, LastChecked: now,
			Health: auth.Health{State: auth.OK, ExpiresAt: exp, CheckedAt: now}})
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, settingsName), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return f.Credentials
}

// forgetRaw makes the next read of the settings a first one, as in a
// new process.
func forgetRaw() {
	rawMu.Lock()
	rawLast = rawFile{}
	rawMu.Unlock()
}

// A command that needs one credential (`token NAME`) decodes that one:
// opening the store, reading the prefs and finding the credential
// allocate as often with a thousand credentials as with one, where
// decoding every credential allocates several times per credential.
func TestOneCredentialIsReadWithoutDecodingTheOthers(t *testing.T) {
	mallocs := func(n int) uint64 {
		dir := t.TempDir()
		cs := writeSettings(t, dir, n)
		want := cs[len(cs)-1]
		var got auth.Credential
		var before, after runtime.MemStats
		forgetRaw()
		runtime.GC()
		runtime.ReadMemStats(&before)
		s, err := Open(dir, testutil.NewMemorySecrets())
		if err == nil {
			_, err = s.Prefs()
		}
		if err == nil {
			got, err = s.Get(want.Name)
		}
		runtime.ReadMemStats(&after)
		if err != nil || got.ID != want.ID {
			t.Fatalf("%d credentials: Get(%s) = %+v, %v", n, want.Name, got, err)
		}
		return after.Mallocs - before.Mallocs
	}
	one, thousand := mallocs(1), mallocs(1000)
	t.Logf("allocations: %d with one credential, %d with a thousand", one, thousand)
	if thousand > one+one/2 {
		t.Fatalf("reading one of a thousand credentials made %d allocations, against %d for the only one: the others were decoded", thousand, one)
	}
}

// What the quick read answers is what the full read answers; where the
// file is one the full read refuses, the quick read does not answer.
func TestTheQuickReadAgreesWithTheFullRead(t *testing.T) {
	dir := t.TempDir()
	writeSettings(t, dir, 5)
	forgetRaw()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	quick, err := s.Get("FUTU-0003") // another case: the one it can only mean
	if err != nil {
		t.Fatal(err)
	}
	qp, err := s.Prefs()
	if err != nil || qp.LeadTime != 42*time.Minute {
		t.Fatalf("quick prefs: %+v, %v", qp, err)
	}
	if rp, err := ReadPrefs(dir); err != nil || !reflect.DeepEqual(rp, qp) {
		t.Fatalf("ReadPrefs = %+v, %v; want %+v", rp, err, qp)
	}
	all, err := s.List() // the full read
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(quick, all[3]) {
		t.Fatalf("quick read %+v\nfull read  %+v", quick, all[3])
	}
	if fp, err := s.Prefs(); err != nil || !reflect.DeepEqual(fp, qp) {
		t.Fatalf("full prefs %+v, quick %+v (%v)", fp, qp, err)
	}
	if _, err := openAt(t, dir, testutil.NewMemorySecrets()).Get("futu-9"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a name not there: %v", err)
	}

	// Two names alike but for case: refused by both, as by the full read.
	raw, _ := os.ReadFile(filepath.Join(dir, settingsName))
	twice := strings.Replace(string(raw), `"name":"futu-0001"`, `"name":"FUTU-0003"`, 1)
	if err := os.WriteFile(filepath.Join(dir, settingsName), []byte(twice), 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(dir, testutil.NewMemorySecrets())
	if err == nil {
		_, err = s2.Get("futu-0003")
	}
	if !msg.Of(err).Is("store.two_named") {
		t.Fatalf("two credentials named alike: %v", err)
	}

	// Damage in another credential: the one asked for is read; the full
	// read (status) reports the damage.
	bad := strings.Replace(string(raw), `"state":"ok"`, `"state":"fine"`, 1)
	if err := os.WriteFile(filepath.Join(dir, settingsName), []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	s3 := openAt(t, dir, testutil.NewMemorySecrets())
	if c, err := s3.Get("futu-0004"); err != nil || c.Name != "futu-0004" {
		t.Fatalf("a sound credential beside a damaged one: %+v, %v", c, err)
	}
	var ce *CorruptError
	if _, err := s3.Get("futu-0000"); !errors.As(err, &ce) {
		t.Fatalf("the damaged credential itself: %v, want the damaged file reported", err)
	}

	// A file cut short is not read in part.
	writeSettings(t, dir, 5)
	raw, _ = os.ReadFile(filepath.Join(dir, settingsName))
	if err := os.WriteFile(filepath.Join(dir, settingsName), raw[:len(raw)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, ok := quickGet(filepath.Join(dir, settingsName), "futu-0000"); ok {
		t.Fatal("a file cut short was read in part")
	}
	if _, err := Open(dir, testutil.NewMemorySecrets()); !errors.As(err, &ce) {
		t.Fatalf("Open of a file cut short = %v, want it reported as damaged", err)
	}
}
