package store

import (
	"errors"
	"os"
	"strings"
	"testing"

	"tokentray/auth"
	"tokentray/internal/msg"
	"tokentray/internal/testutil"
)

func TestOversizedSettingsAreRefusedUnreadAndUntouched(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	// A sparse file: its size is what counts, not what is on the disk.
	fh, err := os.Create(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(MaxSettingsBytes + 1); err != nil {
		t.Fatal(err)
	}
	fh.Close()

	_, err = s.List()
	oneSentence(t, err)
	var ce *CorruptError
	if errors.As(err, &ce) {
		t.Fatalf("an oversized file was treated as damaged and moved: %v", err)
	}
	if m := msg.Of(err); !m.Is("store.too_big") || m.Arg("MiB") != "4" || m.Arg("Path") != s.Path() {
		t.Fatalf("error does not say which file is too large and the limit: %q", err)
	}
	if fi, err := os.Stat(s.Path()); err != nil || fi.Size() != MaxSettingsBytes+1 {
		t.Fatalf("the oversized file was changed: %v", err)
	}
	if err := s.Add(newCred("a", auth.KindWebull), nil); err == nil {
		t.Fatal("Add wrote over an oversized settings file")
	}
	if _, err := Open(dir, testutil.NewMemorySecrets()); err == nil {
		t.Fatal("Open accepted an oversized settings file")
	}
}

func TestSettingsAtTheCapAreRead(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	body := `{"version":1,"credentials":[]}`
	pad := strings.Repeat(" ", MaxSettingsBytes-len(body))
	if err := os.WriteFile(s.Path(), []byte(body+pad), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(); err != nil {
		t.Fatalf("a file of exactly the cap: %v", err)
	}
}

func TestHugeNamesAreNotEchoedWhole(t *testing.T) {
	s := openAt(t, t.TempDir(), testutil.NewMemorySecrets())
	huge := strings.Repeat("n", 10_000)
	for what, err := range map[string]error{
		"Get":     func() error { _, err := s.Get(huge); return err }(),
		"GetByID": func() error { _, err := s.GetByID(huge); return err }(),
		"Remove":  s.Remove(huge),
		"Update":  s.Update(auth.Credential{ID: huge, Name: "a", Kind: auth.KindWebull}),
		"Lock":    func() error { _, err := s.Lock(t.Context(), huge); return err }(),
	} {
		oneSentence(t, err)
		if len(err.Error()) > 400 {
			t.Errorf("%s: %d-character error for a 10,000-character name: %.120q…", what, len(err.Error()), err)
		}
		if !strings.Contains(err.Error(), "(10000 characters)") {
			t.Errorf("%s: error does not say how long the name was: %.200q", what, err)
		}
	}
}

func TestUpdateManyWritesOnceAndSkipsWhatIsGone(t *testing.T) {
	dir := t.TempDir()
	s := openAt(t, dir, testutil.NewMemorySecrets())
	var cs []auth.Credential
	for _, n := range []string{"a", "b", "c"} {
		c := newCred(n, auth.KindWebull)
		if err := s.Add(c, nil); err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	before, err := os.Stat(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	gone := newCred("gone", auth.KindWebull)
	for i := range cs {
		cs[i].TokenStatus = "NORMAL"
	}
	err = s.UpdateMany(append(cs, gone))
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("UpdateMany with a removed credential = %v, want ErrNotFound", err)
	}
	after, _ := os.Stat(s.Path())
	if os.SameFile(before, after) {
		t.Fatal("settings were not rewritten")
	}
	got, _ := s.List()
	if len(got) != 3 {
		t.Fatalf("a removed credential came back: %d credentials", len(got))
	}
	for _, c := range got {
		if c.TokenStatus != "NORMAL" {
			t.Errorf("%s not saved: %+v", c.Name, c)
		}
		if c.AddedAt.IsZero() {
			t.Errorf("%s lost its AddedAt", c.Name)
		}
	}
	// Nothing to save: no write at all.
	if err := s.UpdateMany(nil); err != nil {
		t.Fatal(err)
	}
	again, _ := os.Stat(s.Path())
	if !os.SameFile(after, again) {
		t.Fatal("an empty batch rewrote the settings")
	}
}

// countingSecrets counts the calls that reach the keychain.
type countingSecrets struct {
	auth.SecretStore
	gets, sets int
}

func (c *countingSecrets) Get(id, f string) (string, error) {
	c.gets++
	return c.SecretStore.Get(id, f)
}
func (c *countingSecrets) Set(id, f, v string) error { c.sets++; return c.SecretStore.Set(id, f, v) }

func TestBindReadsEachFieldOnce(t *testing.T) {
	mem := testutil.NewMemorySecrets()
	cnt := &countingSecrets{SecretStore: mem}
	s := openAt(t, t.TempDir(), cnt)
	_ = mem.Set("id1", auth.FieldAppKey, "test-app-key")
	b := s.Bind("id1")
	for range 3 {
		if v, err := b.Get(auth.FieldAppKey); err != nil || v != "test-app-key" {
			t.Fatalf("Get = %q, %v", v, err)
		}
		if _, err := b.Get(auth.FieldRefreshToken); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Fatalf("missing field: %v", err)
		}
	}
	if cnt.gets != 2 {
		t.Fatalf("%d keychain reads for 2 fields read 3 times each", cnt.gets)
	}
	if err := b.Set(auth.FieldRefreshToken, "test-refresh-2"); err != nil {
		t.Fatal(err)
	}
	if v, _ := b.Get(auth.FieldRefreshToken); v != "test-refresh-2" || cnt.gets != 2 {
		t.Fatalf("a written field read back as %q after %d reads", v, cnt.gets)
	}
	if v, _ := mem.Get("id1", auth.FieldRefreshToken); v != "test-refresh-2" {
		t.Fatal("Set did not reach the keychain")
	}
	if err := b.Delete(auth.FieldRefreshToken); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(auth.FieldRefreshToken); !errors.Is(err, auth.ErrSecretNotFound) {
		t.Fatalf("a deleted field still reads: %v", err)
	}
	// A failed read is not remembered.
	mem.Fail = errors.New("test: keychain locked")
	b2 := s.Bind("id1")
	if _, err := b2.Get(auth.FieldAppKey); err == nil {
		t.Fatal("want the keychain's error")
	}
	mem.Fail = nil
	if v, err := b2.Get(auth.FieldAppKey); err != nil || v != "test-app-key" {
		t.Fatalf("after the keychain recovered: %q, %v", v, err)
	}
}

func TestAddOfAHugeNameDoesNotEchoIt(t *testing.T) {
	s := openAt(t, t.TempDir(), testutil.NewMemorySecrets())
	err := s.Add(auth.Credential{ID: auth.NewID(), Name: strings.Repeat("x", 10_000), Kind: auth.KindWebull}, nil)
	oneSentence(t, err)
	if len(err.Error()) > 400 || !strings.Contains(err.Error(), "(10000 characters)") {
		t.Fatalf("%d-character error: %.200q", len(err.Error()), err)
	}
}
