package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func openAt(t *testing.T, dir string, sec auth.SecretStore) *Store {
	t.Helper()
	s, err := Open(dir, sec, WithClock(clockwork.NewFakeClockAt(t0)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func newCred(name string, kind auth.Kind) auth.Credential {
	return auth.Credential{ID: auth.NewID(), Name: name, Kind: kind}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func oneSentence(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	sec := testutil.NewMemorySecrets()
	s := openAt(t, dir, sec)
	if cs, err := s.List(); err != nil || len(cs) != 0 {
		t.Fatalf("fresh store lists %v, %v", cs, err)
	}
	web := newCred("webull-main", auth.KindWebull)
	web.Region = "us"
	web.ExpiresAt = t0.Add(15 * 24 * time.Hour)
	futu := newCred("Futu-key", auth.KindFutuKey)
	if err := s.Add(web, map[string]string{auth.FieldAppKey: "test-app-key-0001", auth.FieldAppSecret: "test-app-secret-0001"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(futu, map[string]string{auth.FieldAccessToken: "test-access-token-0001"}); err != nil {
		t.Fatal(err)
	}

	// A second Store on the same directory (another process) sees it all.
	s2 := openAt(t, dir, sec)
	cs, err := s2.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].Name != "Futu-key" || cs[1].Name != "webull-main" {
		t.Fatalf("List = %+v, want Futu-key then webull-main", cs)
	}
	got, err := s2.Get("webull-main")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != web.ID || got.Region != "us" || !got.ExpiresAt.Equal(web.ExpiresAt) || !got.AddedAt.Equal(t0) {
		t.Fatalf("Get = %+v", got)
	}
	if byCase, err := s2.Get("WEBULL-MAIN"); err != nil || byCase.ID != web.ID {
		t.Fatalf("case-insensitive Get = %v, %v", byCase.ID, err)
	}
	if byID, err := s2.GetByID(futu.ID); err != nil || byID.Name != "Futu-key" {
		t.Fatalf("GetByID = %+v, %v", byID, err)
	}
	if v, err := auth.Bind(s2.Secrets(), web.ID).Get(auth.FieldAppSecret); err != nil || v != "test-app-secret-0001" {
		t.Fatalf("secret = %q, %v", v, err)
	}

	// Update: a rename and a new health survive a reopen; the ID and secrets stay.
	got.Name = "webull-renamed"
	got.Health = auth.Health{State: auth.Expiring, Reason: "expires in 2 days; it will be renewed", CheckedAt: t0}
	if err := s2.Update(got); err != nil {
		t.Fatal(err)
	}
	again, err := openAt(t, dir, sec).GetByID(web.ID)
	if err != nil {
		t.Fatal(err)
	}
	if again.Name != "webull-renamed" || again.Health.State != auth.Expiring || again.Health.Reason == "" {
		t.Fatalf("after Update: %+v", again)
	}
	if _, err := s.Get("webull-main"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old name still found: %v", err)
	}

	// Remove deletes the entry and every secret of that credential only.
	if err := s.Remove("webull-renamed"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetByID(web.ID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("removed credential still there: %v", err)
	}
	if vals := sec.Values(); !slices.Equal(vals, []string{"test-access-token-0001"}) {
		t.Fatalf("secrets after Remove = %v, want only the Futu token", vals)
	}
	if slices.Contains(dirNames(t, dir), journalName) {
		t.Error("a finished Remove left its journal behind")
	}
}

func TestNotFoundIsASentenceNamingTheCredential(t *testing.T) {
	s := openAt(t, t.TempDir(), testutil.NewMemorySecrets())
	checks := map[string]error{}
	_, checks["Get"] = s.Get("nope")
	_, checks["GetByID"] = s.GetByID("abcdef")
	checks["Update"] = s.Update(auth.Credential{ID: "abcdef", Name: "nope", Kind: auth.KindWebull})
	checks["Remove"] = s.Remove("nope")
	for op, err := range checks {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v, want ErrNotFound", op, err)
			continue
		}
		oneSentence(t, err)
		// Each face adds its own way to list the names (the command line
		// its profile's status command), so the sentence holds none.
		if strings.Contains(err.Error(), "tokentray") || !(strings.Contains(err.Error(), `"nope"`) || strings.Contains(err.Error(), `"abcdef"`)) {
			t.Errorf("%s: %q should name the credential and hold no command line", op, err)
		}
	}
}

func TestDuplicateNamesAreRefused(t *testing.T) {
	sec := testutil.NewMemorySecrets()
	s := openAt(t, t.TempDir(), sec)
	a := newCred("main", auth.KindFutuOAuth)
	if err := s.Add(a, map[string]string{auth.FieldRefreshToken: "test-refresh-token-a"}); err != nil {
		t.Fatal(err)
	}
	dup := newCred("Main", auth.KindWebull)
	err := s.Add(dup, map[string]string{auth.FieldWebullToken: "test-webull-token-dup"})
	oneSentence(t, err)
	if m := msg.Of(err); !m.Is("store.duplicate_name") || m.Arg("Name") != `"main"` {
		t.Fatalf("duplicate Add: %v", err)
	}
	if slices.Contains(sec.Values(), "test-webull-token-dup") {
		t.Fatal("a refused Add left its secret in the keychain")
	}
	b := newCred("other", auth.KindWebull)
	if err := s.Add(b, nil); err != nil {
		t.Fatal(err)
	}
	b.Name = "MAIN"
	if err := s.Update(b); !msg.Of(err).Is("store.duplicate_name") {
		t.Fatalf("rename onto an existing name: %v", err)
	}
	sameID := newCred("third", auth.KindWebull)
	sameID.ID = a.ID
	if err := s.Add(sameID, nil); err == nil {
		t.Fatal("a second credential with the same ID was accepted")
	}
	bad := newCred("has space", auth.KindWebull)
	if err := s.Add(bad, nil); err == nil || !strings.Contains(err.Error(), "not a usable name") {
		t.Fatalf("bad name: %v", err)
	}
	cs, _ := s.List()
	if len(cs) != 2 {
		t.Fatalf("store holds %d credentials, want 2", len(cs))
	}
}

func TestAddRefusesOversizedSecretBeforeStoringAny(t *testing.T) {
	sec := testutil.NewMemorySecrets()
	s := openAt(t, t.TempDir(), sec)
	c := newCred("big", auth.KindFutuOAuth)
	err := s.Add(c, map[string]string{
		auth.FieldAccessToken:  "test-access-token-ok",
		auth.FieldRefreshToken: strings.Repeat("r", auth.MaxSecretBytes+1),
	})
	var tl auth.ErrSecretTooLarge
	if !errors.As(err, &tl) || tl.Field != auth.FieldRefreshToken {
		t.Fatalf("Add = %v, want ErrSecretTooLarge for the refresh token", err)
	}
	if len(sec.Values()) != 0 {
		t.Fatalf("secrets stored despite the refusal: %d", len(sec.Values()))
	}
	if _, err := s.Get("big"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused credential listed: %v", err)
	}
}

// failingSets fails the Set calls after the first ok ones.
type failingSets struct {
	*testutil.MemorySecrets
	ok int
}

func (f *failingSets) Set(id, field, v string) error {
	if f.ok == 0 {
		return errors.New("the system keychain is locked; unlock it and try again")
	}
	f.ok--
	return f.MemorySecrets.Set(id, field, v)
}

func TestAddKeychainFailureLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	mem := testutil.NewMemorySecrets()
	sec := &failingSets{MemorySecrets: mem, ok: 1}
	s := openAt(t, dir, sec)
	c := newCred("half", auth.KindFutuKey)
	err := s.Add(c, map[string]string{auth.FieldAppKey: "test-app-key-h", auth.FieldAppSecret: "test-app-secret-h", auth.FieldAccessToken: "test-access-token-h"})
	if err == nil || !strings.Contains(err.Error(), "locked") {
		t.Fatalf("Add = %v, want the keychain's error", err)
	}
	if len(mem.Values()) != 0 {
		t.Fatalf("secrets written before the failure were kept: %v", mem.Values())
	}
	if _, err := s.Get("half"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("failed Add is listed: %v", err)
	}
	if slices.Contains(dirNames(t, dir), journalName) {
		t.Error("journal kept although the cleanup succeeded")
	}
}

// crash panics out of Add or Remove at a hook, like a process killed there.
type crash struct{}

func crashAt(t *testing.T, hook *func(), f func() error) {
	t.Helper()
	*hook = func() { panic(crash{}) }
	defer func() {
		*hook = nil
		if r := recover(); r != (crash{}) {
			t.Fatalf("expected the simulated crash, got %v", r)
		}
	}()
	_ = f()
	t.Fatal("the hook was never reached")
}

func TestOpenCleansSecretsOfAnInterruptedAdd(t *testing.T) {
	dir := t.TempDir()
	sec := testutil.NewMemorySecrets()
	s := openAt(t, dir, sec)
	keep := newCred("keep", auth.KindWebull)
	if err := s.Add(keep, map[string]string{auth.FieldWebullToken: "test-webull-token-keep"}); err != nil {
		t.Fatal(err)
	}
	lost := newCred("lost", auth.KindFutuOAuth)
	crashAt(t, &hookAfterAddSecrets, func() error {
		return s.Add(lost, map[string]string{auth.FieldAccessToken: "test-access-token-lost", auth.FieldRefreshToken: "test-refresh-token-lost"})
	})
	if n := len(sec.Values()); n != 3 {
		t.Fatalf("before the restart the keychain holds %d items, want 3 (the crash left 2 orphans)", n)
	}
	if _, err := s.Get("lost"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the interrupted Add is listed: %v", err)
	}

	openAt(t, dir, sec) // the next start
	if vals := sec.Values(); !slices.Equal(vals, []string{"test-webull-token-keep"}) {
		t.Fatalf("after Open the keychain holds %v, want only the kept credential's token", vals)
	}
	if slices.Contains(dirNames(t, dir), journalName) {
		t.Error("journal not cleared after the cleanup")
	}
	// The name is free again.
	if err := s.Add(newCred("lost", auth.KindFutuOAuth), nil); err != nil {
		t.Fatal(err)
	}
}

func TestOpenCleansSecretsOfAnInterruptedRemove(t *testing.T) {
	dir := t.TempDir()
	sec := testutil.NewMemorySecrets()
	s := openAt(t, dir, sec)
	c := newCred("gone", auth.KindFutuKey)
	if err := s.Add(c, map[string]string{auth.FieldAppKey: "test-app-key-g", auth.FieldAppSecret: "test-app-secret-g"}); err != nil {
		t.Fatal(err)
	}
	crashAt(t, &hookAfterRemoveSettings, func() error { return s.Remove("gone") })
	if _, err := s.Get("gone"); !errors.Is(err, ErrNotFound) {
		t.Fatal("the settings entry should be gone before the secrets")
	}
	if len(sec.Values()) != 2 {
		t.Fatalf("want the 2 orphaned secrets before the restart, have %v", sec.Values())
	}
	openAt(t, dir, sec)
	if len(sec.Values()) != 0 {
		t.Fatalf("orphans survived Open: %v", sec.Values())
	}
}

func TestCleanupWaitsForAnUnlockedKeychain(t *testing.T) {
	dir := t.TempDir()
	sec := testutil.NewMemorySecrets()
	s := openAt(t, dir, sec)
	crashAt(t, &hookAfterAddSecrets, func() error {
		return s.Add(newCred("x", auth.KindWebull), map[string]string{auth.FieldWebullToken: "test-webull-token-x"})
	})
	sec.Fail = errors.New("the system keychain is locked; unlock it and try again")
	// A locked keychain must not stop tokentray from starting and listing.
	s2 := openAt(t, dir, sec)
	if _, err := s2.List(); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(dirNames(t, dir), journalName) {
		t.Fatal("the journal was dropped although its secrets could not be deleted")
	}
	sec.Fail = nil
	if len(sec.Values()) != 1 {
		t.Fatal("the orphan should still be there while the keychain was locked")
	}
	openAt(t, dir, sec)
	if len(sec.Values()) != 0 {
		t.Fatalf("orphan not deleted once the keychain was unlocked: %v", sec.Values())
	}
}

func TestRemoveReportsSecretsItCouldNotDelete(t *testing.T) {
	dir := t.TempDir()
	sec := testutil.NewMemorySecrets()
	s := openAt(t, dir, sec)
	if err := s.Add(newCred("r", auth.KindWebull), map[string]string{auth.FieldWebullToken: "test-webull-token-r"}); err != nil {
		t.Fatal(err)
	}
	sec.Fail = errors.New("the system keychain is locked; unlock it and try again")
	err := s.Remove("r")
	oneSentence(t, err)
	if m := msg.Of(err); !m.Is("store.secrets_left") || m.Arg("Name") != "r" {
		t.Fatalf("Remove = %v", err)
	}
	if _, err := s.Get("r"); !errors.Is(err, ErrNotFound) {
		t.Fatal("the credential should be removed from the settings anyway")
	}
	sec.Fail = nil
	openAt(t, dir, sec)
	if len(sec.Values()) != 0 {
		t.Fatalf("secrets left after the next start: %v", sec.Values())
	}
}

func TestSettingsNeverHoldASecret(t *testing.T) {
	dir := t.TempDir()
	sec := testutil.NewMemorySecrets()
	s := openAt(t, dir, sec)
	for _, k := range auth.Kinds {
		c := newCred("cred-"+string(k), k)
		c.Endpoint = "https://sandbox.invalid"
		c.ClientID = "client-id-is-not-secret"
		secrets := map[string]string{}
		for _, f := range auth.SecretFields {
			secrets[f] = fmt.Sprintf("test-%s-%s-0001", k, f)
		}
		if err := s.Add(c, secrets); err != nil {
			t.Fatal(err)
		}
		c.Health = auth.Health{State: auth.OK, Reason: "valid for 89 days"}
		if err := s.Update(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPrefs(DefaultPrefs()); err != nil {
		t.Fatal(err)
	}
	values := sec.Values()
	if len(values) != len(auth.Kinds)*len(auth.SecretFields) {
		t.Fatalf("keychain holds %d values, want %d", len(values), len(auth.Kinds)*len(auth.SecretFields))
	}
	settings, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(settings), "cred-webull") || !strings.Contains(string(settings), "client-id-is-not-secret") {
		t.Fatalf("settings.json lacks the credentials:\n%s", settings)
	}
	// Nothing in the directory, not just settings.json, may hold a secret.
	err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, v := range values {
			if strings.Contains(string(b), v) {
				t.Errorf("%s contains the secret %q", path, v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAtomicWritesLeaveNoTempFiles(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	for i := range 5 {
		c := newCred(fmt.Sprintf("c%d", i), auth.KindWebull)
		if err := s.Add(c, map[string]string{auth.FieldWebullToken: fmt.Sprintf("test-webull-token-%d", i)}); err != nil {
			t.Fatal(err)
		}
		c.TokenStatus = "NORMAL"
		if err := s.Update(c); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetPrefs(Prefs{LeadTime: 10 * time.Minute}); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("c0"); err != nil {
		t.Fatal(err)
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{locksDir, settingsName, lockName}) {
		t.Fatalf("directory holds %v, want only locks, settings.lock and settings.json", names)
	}
}

func TestFailedWriteKeepsTheOldFileAndNoTemp(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	// A non-empty directory in the way makes the rename fail after the
	// temp file was fully written.
	if err := os.MkdirAll(filepath.Join(target, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(dir, "target", []byte("new")); err == nil {
		t.Fatal("rename over a non-empty directory should fail")
	}
	if names := dirNames(t, dir); !slices.Equal(names, []string{"target"}) {
		t.Fatalf("a failed write left %v", names)
	}
}

func TestOpenRemovesTempFilesOfACrashedWriter(t *testing.T) {
	dir := t.TempDir()
	sec := testutil.NewMemorySecrets()
	s := openAt(t, dir, sec)
	if err := s.Add(newCred("safe", auth.KindFutuKey), nil); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, tempPrefix(settingsName)+"123")
	if err := os.WriteFile(stale, []byte(`{"version":1,"credentials":[{"id":"x","na`), 0o600); err != nil {
		t.Fatal(err)
	}
	s2 := openAt(t, dir, sec)
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Fatal("stale temp file survived Open")
	}
	if _, err := s2.Get("safe"); err != nil {
		t.Fatalf("settings damaged by a stale temp file: %v", err)
	}
}

func TestCorruptSettingsAreMovedAsideWithAClearError(t *testing.T) {
	valid := `{"version":1,"credentials":[{"id":"aa11","name":"main","kind":"webull","added_at":"2026-01-01T00:00:00Z","health":{"state":"ok"}}]}`
	cases := map[string]string{
		"truncated":    valid[:len(valid)/2],
		"empty":        "",
		"garbage":      "\x00\x00\x00not json",
		"repeated ID":  `{"version":1,"credentials":[{"id":"aa11","name":"a","kind":"webull"},{"id":"aa11","name":"b","kind":"webull"}]}`,
		"bad state":    strings.Replace(valid, `"ok"`, `"fine"`, 1),
		"null":         "null",
		"null, spaced": " null\n",
	}
	for name, content := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, settingsName)
			if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
				t.Fatal(err)
			}
			// A pending journal must not drive a cleanup against empty settings.
			if err := os.WriteFile(filepath.Join(dir, journalName), []byte(`{"pending":[{"id":"aa11","op":"add"}]}`), 0o600); err != nil {
				t.Fatal(err)
			}
			sec := testutil.NewMemorySecrets()
			_ = sec.Set("aa11", auth.FieldWebullToken, "test-webull-token-aa11")

			_, err := Open(dir, sec, WithClock(clockwork.NewFakeClockAt(t0)))
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Open = %v, want a *CorruptError", err)
			}
			oneSentence(t, err)
			want := path + ".corrupt-20260301T120000Z"
			if m := msg.Of(err); ce.MovedTo != want || !m.Is("store.corrupt") || m.Arg("MovedTo") != want || m.Arg("Path") != path {
				t.Fatalf("error %q should say the file was moved to %s", err, want)
			}
			kept, rerr := os.ReadFile(want)
			if rerr != nil || string(kept) != content {
				t.Fatalf("the damaged file was not kept byte for byte: %v", rerr)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatal("settings.json was replaced instead of moved aside")
			}
			if len(sec.Values()) != 1 {
				t.Fatal("secrets were deleted on the word of a journal whose settings were damaged")
			}
			// The next start works, with empty settings.
			s := openAt(t, dir, sec)
			if cs, err := s.List(); err != nil || len(cs) != 0 {
				t.Fatalf("after moving aside: %v, %v", cs, err)
			}
		})
	}
}

func TestCorruptionWhileRunningIsMovedAsideToo(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	if err := s.Add(newCred("a", auth.KindWebull), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path(), []byte(`{"version":1,"credentials":[`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := s.List()
	var ce *CorruptError
	if !errors.As(err, &ce) || ce.MovedTo == "" {
		t.Fatalf("List on a damaged file = %v", err)
	}
	// The same second again: a second damaged file gets its own name.
	if err := os.WriteFile(s.Path(), []byte(`nope`), 0o600); err != nil {
		t.Fatal(err)
	}
	err = s.Update(newCred("a", auth.KindWebull))
	var ce2 *CorruptError
	if !errors.As(err, &ce2) || ce2.MovedTo == ce.MovedTo {
		t.Fatalf("second damage: %v (first moved to %s)", err, ce.MovedTo)
	}
	if _, err := os.Stat(ce.MovedTo); err != nil {
		t.Fatal("the first damaged file was overwritten")
	}
}

func TestNewerFormatIsNotTouched(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, settingsName)
	content := `{"version":99,"credentials":[]}`
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(dir, testutil.NewMemorySecrets())
	if m := msg.Of(err); !m.Is("store.newer") || m.Arg("Format") != "99" {
		t.Fatalf("Open = %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != content {
		t.Fatal("a newer settings file was changed")
	}
}

func TestPrefs(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	p, err := s.Prefs()
	if err != nil {
		t.Fatal(err)
	}
	if p.LeadTime != auth.DefaultLead || !slices.Equal(p.WarnDays, []int{14, 7, 1}) || p.CheckEvery != time.Hour || p.ExtendDays != 90 {
		t.Fatalf("defaults = %+v", p)
	}
	p.LeadTime = 30 * time.Minute
	p.WarnDays = []int{3, 30, 3}
	if err := s.SetPrefs(p); err != nil {
		t.Fatal(err)
	}
	got, err := openAt(t, dir, testutil.NewMemorySecrets()).Prefs()
	if err != nil {
		t.Fatal(err)
	}
	if got.LeadTime != 30*time.Minute || !slices.Equal(got.WarnDays, []int{30, 3}) {
		t.Fatalf("after SetPrefs: %+v", got)
	}
	b, _ := os.ReadFile(s.Path())
	if !strings.Contains(string(b), `"lead_time": "30m"`) {
		t.Errorf("durations should read well in the file:\n%s", b)
	}
	// Turning warnings off is kept, not replaced by the defaults.
	got.WarnDays = []int{}
	if err := s.SetPrefs(got); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Prefs(); len(p.WarnDays) != 0 {
		t.Fatalf("warnings switched off came back as %v", p.WarnDays)
	}
	err = s.SetPrefs(Prefs{LeadTime: time.Second})
	oneSentence(t, err)
	if !strings.Contains(err.Error(), "allowed: 1m to 168h") {
		t.Fatalf("bad lead time: %v", err)
	}
	// Fields missing from a hand-written file read as defaults.
	if err := os.WriteFile(s.Path(), []byte(`{"version":1,"credentials":[],"prefs":{"extend_days":365}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Prefs(); p.ExtendDays != 365 || p.LeadTime != auth.DefaultLead || len(p.WarnDays) != 3 {
		t.Fatalf("partial prefs = %+v", p)
	}
}

func TestLockExcludesAndHonoursTheContext(t *testing.T) {
	s := openAt(t, t.TempDir(), testutil.NewMemorySecrets())
	unlock, err := s.Lock(context.Background(), "cred1")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err = s.Lock(ctx, "cred1")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second Lock = %v, want it to give up when ctx ends", err)
	}
	oneSentence(t, err)
	// Another credential is not blocked.
	other, err := s.Lock(context.Background(), "cred2")
	if err != nil {
		t.Fatal(err)
	}
	other()
	unlock()
	unlock() // harmless twice
	again, err := s.Lock(context.Background(), "cred1")
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	again()
	if _, err := s.Lock(context.Background(), "../evil"); err == nil {
		t.Fatal("a credential ID with a path in it was accepted")
	}
}

func TestOpenOfASettledProfileTakesNoLock(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	if err := s.Add(newCred("one", auth.KindFutuKey), map[string]string{auth.FieldAccessToken: "test-access-token"}); err != nil {
		t.Fatal(err)
	}
	// Another process holds the settings (a long write, a hung command).
	held := flock.New(filepath.Join(dir, lockName))
	if ok, err := held.TryLock(); !ok || err != nil {
		t.Fatalf("lock the settings: %v, %v", ok, err)
	}
	defer held.Unlock()
	done := make(chan error, 1)
	go func() {
		s, err := Open(dir, testutil.NewMemorySecrets())
		if err == nil {
			_, err = s.Get("one")
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("opening a profile with nothing to finish waited for the settings lock")
	}
}
