package keychain_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"

	"tokentray/auth"
	"tokentray/auth/keychain"
	"tokentray/internal/msg"
)

// The contract every keychain keeps, run against each backend: the OS
// keychain (the real Secret Service of the session bus; `make test` runs
// an unlocked gnome-keyring in a private session) and the file keychain.

// secretStore is what both backends are to the engine.
type secretStore interface {
	auth.SecretStore
	Check() error
}

// Environment of the contract's child processes: which backend to open
// and where, so a child opens the same keychain as its parent.
const (
	contractChild   = "TOKENTRAY_CONTRACT_CHILD"
	contractFileDir = "TOKENTRAY_CONTRACT_FILE_DIR"
	contractKey     = "TOKENTRAY_CONTRACT_KEY"
	contractID      = "TOKENTRAY_CONTRACT_ID"
	contractService = "TOKENTRAY_CONTRACT_SERVICE"
	contractIndex   = "TOKENTRAY_CONTRACT_INDEX"
)

// backend is one keychain under test.
type backend struct {
	name string
	// env opens this backend in a child process (see openFromEnv).
	env []string
}

func (b backend) open(service string) secretStore { return openWith(b.env, service) }

// openWith opens the keychain env describes, for service.
func openWith(env []string, service string) secretStore {
	get := func(k string) string {
		for _, kv := range env {
			if v, ok := strings.CutPrefix(kv, k+"="); ok {
				return v
			}
		}
		return ""
	}
	if dir := get(contractFileDir); dir != "" {
		return keychain.NewFile(filepath.Join(dir, service, keychain.FileName), service,
			keychain.Key{Path: get(contractKey), From: keychain.KeyFromEnv})
	}
	return keychain.New(service, 10*time.Second)
}

// newFileBackend is a file keychain with a fresh key in a test folder.
func newFileBackend(t *testing.T) backend {
	t.Helper()
	dir := t.TempDir()
	key := filepath.Join(dir, "key", keychain.KeyName)
	if _, err := keychain.NewKey(key, time.Now()); err != nil {
		t.Fatal(err)
	}
	return backend{name: "file", env: []string{contractFileDir + "=" + filepath.Join(dir, "data"), contractKey + "=" + key}}
}

// eachBackend runs f against the OS keychain (when a session bus is
// there) and the file keychain.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	t.Run("os", func(t *testing.T) {
		needBus(t)
		f(t, backend{name: "os"})
	})
	t.Run("file", func(t *testing.T) { f(t, newFileBackend(t)) })
}

// item returns b's keychain for service and a fresh credential ID whose
// items are deleted when the test ends.
func item(t *testing.T, b backend, service string) (secretStore, string) {
	t.Helper()
	k := b.open(service)
	id := "test-" + auth.NewID()
	t.Cleanup(func() {
		for _, f := range append(auth.SecretFields, "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "shared") {
			_ = k.Delete(id, f)
		}
	})
	return k, id
}

func TestContractRoundTrip(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		values := map[string]string{
			auth.FieldAppKey:      "test-app-key-0001",
			auth.FieldAppSecret:   "test-app-secret-0001 with spaces, ünïcödé and \"quotes\"",
			auth.FieldAccessToken: strings.Repeat("t", auth.MaxSecretBytes), // exactly at the cap
		}
		for f, v := range values {
			if err := k.Set(id, f, v); err != nil {
				t.Fatalf("Set %s: %v", f, err)
			}
		}
		for f, v := range values {
			got, err := k.Get(id, f)
			if err != nil {
				t.Fatalf("Get %s: %v", f, err)
			}
			if got != v {
				t.Errorf("Get %s = %q (%d bytes), want %d bytes", f, got, len(got), len(v))
			}
		}
		// A second handle (as another process opens it) reads the same.
		if got, err := b.open(testService).Get(id, auth.FieldAppKey); err != nil || got != "test-app-key-0001" {
			t.Fatalf("a second handle reads %q, %v", got, err)
		}
	})
}

func TestContractUpdateReplacesTheOnlyItem(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		for _, v := range []string{"test-refresh-token-old", "test-refresh-token-new"} {
			if err := k.Set(id, auth.FieldRefreshToken, v); err != nil {
				t.Fatal(err)
			}
		}
		got, err := k.Get(id, auth.FieldRefreshToken)
		if err != nil || got != "test-refresh-token-new" {
			t.Fatalf("Get = %q, %v; want the new value", got, err)
		}
		// One delete must remove it: an update must not have left a second item behind.
		if err := k.Delete(id, auth.FieldRefreshToken); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get(id, auth.FieldRefreshToken); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Fatalf("after delete, Get err = %v, want ErrSecretNotFound", err)
		}
	})
}

func TestContractDeleteAndNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		if _, err := k.Get(id, auth.FieldWebullToken); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Fatalf("Get of a missing item: %v, want ErrSecretNotFound", err)
		}
		if err := k.Delete(id, auth.FieldWebullToken); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Fatalf("Delete of a missing item: %v, want ErrSecretNotFound", err)
		}
		if err := k.Set(id, auth.FieldWebullToken, "test-webull-token-0001"); err != nil {
			t.Fatal(err)
		}
		if err := k.Set(id, auth.FieldAppKey, "test-app-key-0002"); err != nil {
			t.Fatal(err)
		}
		if err := k.Delete(id, auth.FieldWebullToken); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get(id, auth.FieldWebullToken); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Fatalf("deleted item still readable: %v", err)
		}
		// Deleting one field leaves the credential's other fields alone.
		if got, err := k.Get(id, auth.FieldAppKey); err != nil || got != "test-app-key-0002" {
			t.Fatalf("sibling field = %q, %v", got, err)
		}
	})
}

func TestContractValueOverTheCapIsRefusedNotTruncated(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		if err := k.Set(id, auth.FieldAccessToken, "test-access-token-small"); err != nil {
			t.Fatal(err)
		}
		big := "test-" + strings.Repeat("x", auth.MaxSecretBytes)
		err := k.Set(id, auth.FieldAccessToken, big)
		var tooLarge auth.ErrSecretTooLarge
		if !errors.As(err, &tooLarge) || tooLarge.Size != len(big) || tooLarge.Field != auth.FieldAccessToken {
			t.Fatalf("Set over the cap: %v, want auth.ErrSecretTooLarge", err)
		}
		if strings.Contains(err.Error(), "xxxxxxxx") {
			t.Errorf("error message contains the value: %q", err)
		}
		got, err := k.Get(id, auth.FieldAccessToken)
		if err != nil || got != "test-access-token-small" {
			t.Fatalf("after a refused Set the old value must stay: got %d bytes, %v", len(got), err)
		}
	})
}

func TestContractRejectsMalformedItemNames(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k := b.open(testService)
		for _, c := range [][2]string{{"", auth.FieldAppKey}, {"a/b", auth.FieldAppKey}, {"id", ""}, {"id", "x/y"}} {
			if err := k.Set(c[0], c[1], "test-value"); !msg.Of(err).Is("keychain.bad_item") {
				t.Errorf("Set(%q, %q) = %v, want a refusal", c[0], c[1], err)
			}
		}
	})
}

func TestContractServicesAreSeparate(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		sb := b.open(testService + "-sandbox")
		t.Cleanup(func() { _ = sb.Delete(id, auth.FieldAppSecret) })
		if err := k.Set(id, auth.FieldAppSecret, "test-app-secret-real"); err != nil {
			t.Fatal(err)
		}
		if _, err := sb.Get(id, auth.FieldAppSecret); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Fatalf("the sandbox service sees the real service's item: %v", err)
		}
		if err := sb.Set(id, auth.FieldAppSecret, "test-app-secret-sandbox"); err != nil {
			t.Fatal(err)
		}
		if got, _ := k.Get(id, auth.FieldAppSecret); got != "test-app-secret-real" {
			t.Fatalf("the sandbox overwrote the real item: %q", got)
		}
	})
}

func TestContractConcurrentUse(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				f := fmt.Sprintf("f%d", i)
				for j := range 3 {
					v := fmt.Sprintf("test-value-%d-%d", i, j)
					if err := k.Set(id, f, v); err != nil {
						errs <- err
						return
					}
					if got, err := k.Get(id, f); err != nil || got != v {
						errs <- fmt.Errorf("%s: got %q, %v; want %q", f, got, err, v)
						return
					}
					// Everyone also writes one shared item at the same time.
					if err := k.Set(id, "shared", v); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		got, err := k.Get(id, "shared")
		if err != nil || !strings.HasPrefix(got, "test-value-") {
			t.Fatalf("shared item = %q, %v", got, err)
		}
		if err := k.Delete(id, "shared"); err != nil {
			t.Fatal(err)
		}
		if _, err := k.Get(id, "shared"); !errors.Is(err, auth.ErrSecretNotFound) {
			t.Fatalf("concurrent writes left a duplicate shared item: %v", err)
		}
	})
}

func TestContractCheck(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		if err := b.open(testService).Check(); err != nil {
			t.Fatalf("Check on a working keychain: %v", err)
		}
	})
}

// TestContractChild is not a test: it is the body of the contract's
// child processes.
func TestContractChild(t *testing.T) {
	mode := os.Getenv(contractChild)
	if mode == "" {
		t.Skip("runs only as a child of the contract tests")
	}
	k := openWith(os.Environ(), os.Getenv(contractService))
	id, i := os.Getenv(contractID), os.Getenv(contractIndex)
	switch mode {
	case "writer":
		// Writes one field over and over, saying after each write which
		// value is stored, until it is killed.
		for n := 0; ; n++ {
			if err := k.Set(id, auth.FieldAccessToken, writerValue(n)); err != nil {
				fmt.Println("ERROR", err)
				os.Exit(1)
			}
			fmt.Println("WROTE", n)
		}
	case "concurrent":
		for j := range concurrentWrites {
			v := fmt.Sprintf("test-value-%s-%d", i, j)
			if err := k.Set(id, "f"+i, v); err != nil {
				fmt.Println("ERROR", err)
				os.Exit(1)
			}
			if err := k.Set(id, "shared", v); err != nil {
				fmt.Println("ERROR", err)
				os.Exit(1)
			}
		}
	}
}

const concurrentWrites = 10

// writerValue is the n-th value the writer stores: large, so that most
// of the writer's time is spent writing it.
func writerValue(n int) string {
	s := fmt.Sprintf("test-access-token-%06d-", n)
	return s + strings.Repeat("w", auth.MaxSecretBytes-len(s))
}

func childCmd(ctx context.Context, b backend, mode, service, id string, extra ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestContractChild$", "-test.count=1", "-test.v=false")
	cmd.Env = append(append(append(os.Environ(), b.env...), contractChild+"="+mode, contractService+"="+service, contractID+"="+id), extra...)
	return cmd
}

func TestContractConcurrentWritersAcrossProcesses(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		const procs = 4
		errs := make(chan error, procs)
		for i := range procs {
			go func() {
				out, err := childCmd(ctx, b, "concurrent", testService, id, contractIndex+"="+strconv.Itoa(i)).CombinedOutput()
				if err != nil {
					err = fmt.Errorf("writer %d: %v\n%s", i, err, out)
				}
				errs <- err
			}()
		}
		for range procs {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		// Every process's last write is there: none was lost to another's.
		for i := range procs {
			want := fmt.Sprintf("test-value-%d-%d", i, concurrentWrites-1)
			if got, err := k.Get(id, "f"+strconv.Itoa(i)); err != nil || got != want {
				t.Errorf("f%d = %q, %v; want %q", i, got, err, want)
			}
		}
		if got, err := k.Get(id, "shared"); err != nil || !strings.HasSuffix(got, fmt.Sprintf("-%d", concurrentWrites-1)) {
			t.Errorf("shared = %q, %v; want one process's last value", got, err)
		}
	})
}

func TestContractKillMidWriteLeavesThePreviousValue(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		k, id := item(t, b, testService)
		if err := k.Set(id, auth.FieldAppKey, "test-app-key-bystander"); err != nil {
			t.Fatal(err)
		}
		for round := range 3 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			cmd := childCmd(ctx, b, "writer", testService, id)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// Kill it at a different point of its writes each round.
			stopAt := 3 + 7*round
			last := -1
			sc := bufio.NewScanner(out)
			for sc.Scan() {
				line := sc.Text()
				if n, ok := strings.CutPrefix(line, "WROTE "); ok {
					last, _ = strconv.Atoi(n)
					if last >= stopAt {
						break
					}
				} else if strings.HasPrefix(line, "ERROR") {
					t.Fatal(line)
				}
			}
			_ = cmd.Process.Kill() // SIGKILL: no deferred cleanup runs
			_ = cmd.Wait()
			cancel()
			if last < stopAt {
				t.Fatalf("round %d: the writer stopped after write %d", round, last)
			}
			got, err := k.Get(id, auth.FieldAccessToken)
			if err != nil {
				t.Fatalf("round %d: after a kill -9 the item cannot be read: %v", round, err)
			}
			// A whole value, never older than the last one reported: the
			// writer may have gone on writing between its report and the
			// kill (on a busy machine, several times), never half a write.
			var n int
			if _, err := fmt.Sscanf(got, "test-access-token-%06d-", &n); err != nil || got != writerValue(n) || n < last {
				t.Fatalf("round %d: after a kill -9 the item holds %.30q, want a whole write from %d on", round, got, last)
			}
			if got, err := k.Get(id, auth.FieldAppKey); err != nil || got != "test-app-key-bystander" {
				t.Fatalf("round %d: another item was lost: %q, %v", round, got, err)
			}
		}
		// The next write tidies up what the killed writer left.
		if err := k.Set(id, auth.FieldAppSecret, "test-app-secret-after"); err != nil {
			t.Fatal(err)
		}
		if f, ok := k.(*keychain.File); ok {
			entries, _ := os.ReadDir(filepath.Dir(f.Path()))
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), "."+keychain.FileName) {
					t.Errorf("a killed writer's temporary file %s is still there", e.Name())
				}
			}
		}
	})
}

// fileUnderTest is a file keychain holding one stored secret.
func fileUnderTest(t *testing.T) (b backend, f *keychain.File, id string, before []byte) {
	t.Helper()
	b = newFileBackend(t)
	f = b.open(testService).(*keychain.File)
	id = "test-" + auth.NewID()
	if err := f.Set(id, auth.FieldAppSecret, "test-app-secret-kept-0009"); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(f.Path())
	if err != nil {
		t.Fatal(err)
	}
	return b, f, id, before
}

// assertRefused checks that every call fails with one sentence naming
// the problem, and that the file was not touched.
// assertRefused checks every call is refused with a FileError of problem
// want saying the message code, with the parameters args (name, value
// pairs) as given, and that the file is unchanged.
func assertRefused(t *testing.T, f *keychain.File, id string, before []byte, want keychain.Problem, code string, args ...string) {
	t.Helper()
	calls := map[string]func() error{
		"get":    func() error { _, err := f.Get(id, auth.FieldAppSecret); return err },
		"set":    func() error { return f.Set(id, auth.FieldAppKey, "test-app-key-new-0010") },
		"delete": func() error { return f.Delete(id, auth.FieldAppSecret) },
		"check":  f.Check,
	}
	for op, call := range calls {
		err := call()
		var fe *keychain.FileError
		if !errors.As(err, &fe) || fe.Problem != want {
			t.Errorf("%s: %v, want a FileError of problem %d", op, err, want)
			continue
		}
		if !errors.Is(err, keychain.ErrUnavailable) {
			t.Errorf("%s: %v does not match ErrUnavailable", op, err)
		}
		for _, l := range msg.Langs {
			s := l.Err(err)
			if strings.Contains(s, "\n") || strings.Contains(s, "AGE-SECRET-KEY") || strings.Contains(s, "test-app-") {
				t.Errorf("%s: the message in %s spans lines or shows a secret: %q", op, l, s)
			}
		}
		m := fe.Message()
		if !m.Is(code) {
			t.Errorf("%s: %v, want %s", op, m, code)
		}
		for i := 0; i+1 < len(args); i += 2 {
			if got := m.Arg(args[i]); got != args[i+1] {
				t.Errorf("%s: %s is %q, want %q", op, args[i], got, args[i+1])
			}
		}
	}
	after, err := os.ReadFile(f.Path())
	if err != nil || !slices.Equal(after, before) {
		t.Errorf("the file keychain changed after a refused call (%v)", err)
	}
}

func TestFileKeychainMissingKey(t *testing.T) {
	b, _, id, before := fileUnderTest(t)
	key := strings.TrimPrefix(b.env[1], contractKey+"=")
	if err := os.Rename(key, key+".away"); err != nil {
		t.Fatal(err)
	}
	f := b.open(testService).(*keychain.File)
	// The file holds secrets encrypted to the lost key: only its copy
	// opens them, so the sentence says so rather than "make a key".
	assertRefused(t, f, id, before, keychain.ProblemKeyLost, "keychain.key_lost", "Key", key, "File", f.Path())

	// With no file keychain yet, a missing key is one to make.
	if err := os.Rename(f.Path(), f.Path()+".away"); err != nil {
		t.Fatal(err)
	}
	if err := f.Check(); err == nil {
		t.Fatal("Check opened a keychain with no key")
	} else if fe := (*keychain.FileError)(nil); !errors.As(err, &fe) || fe.Problem != keychain.ProblemKeyMissing || !fe.Message().Is("keychain.key_missing") {
		t.Errorf("no key and no file: %v, want a FileError of problem %d", err, keychain.ProblemKeyMissing)
	}
}

func TestFileKeychainWrongKey(t *testing.T) {
	b, _, id, before := fileUnderTest(t)
	key := strings.TrimPrefix(b.env[1], contractKey+"=")
	other := filepath.Join(t.TempDir(), "private", "other.key")
	if _, err := keychain.NewKey(other, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(other, key); err != nil {
		t.Fatal(err)
	}
	f := b.open(testService).(*keychain.File)
	assertRefused(t, f, id, before, keychain.ProblemWrongKey, "keychain.wrong_key", "File", f.Path())
}

func TestFileKeychainKeyOthersCanRead(t *testing.T) {
	b, f, id, before := fileUnderTest(t)
	key := strings.TrimPrefix(b.env[1], contractKey+"=")
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	assertRefused(t, f, id, before, keychain.ProblemKeyExposed, "keychain.key_exposed", "Mode", "0644")
}

func TestFileKeychainKeyThatIsNotAKey(t *testing.T) {
	b, f, id, before := fileUnderTest(t)
	key := strings.TrimPrefix(b.env[1], contractKey+"=")
	if err := os.WriteFile(key, []byte("AGE-SECRET-KEY-1NOTAKEYATALL\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// What to do is part of the sentence: the key named is not the key.
	assertRefused(t, f, id, before, keychain.ProblemKeyUnreadable, "keychain.key_not_age")
}

func TestFileKeychainDamagedFile(t *testing.T) {
	for _, c := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"truncated", func(b []byte) []byte { return b[:len(b)-20] }},
		{"a flipped byte", func(b []byte) []byte {
			d := slices.Clone(b)
			d[len(d)-5] ^= 0xff
			return d
		}},
		{"not age at all", func([]byte) []byte { return []byte("{\"items\":{}}\n") }},
		{"empty", func([]byte) []byte { return nil }},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, f, id, good := fileUnderTest(t)
			bad := c.damage(good)
			if err := os.WriteFile(f.Path(), bad, 0o600); err != nil {
				t.Fatal(err)
			}
			assertRefused(t, f, id, bad, keychain.ProblemDamaged, "keychain.damaged", "File", f.Path())
			// Moved aside only when asked, and kept whole.
			moved, err := f.MoveAside(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
			if err != nil {
				t.Fatal(err)
			}
			if kept, err := os.ReadFile(moved); err != nil || !slices.Equal(kept, bad) {
				t.Fatalf("the damaged file was not kept whole at %s: %v", moved, err)
			}
			if err := f.Set(id, auth.FieldAppKey, "test-app-key-fresh-0011"); err != nil {
				t.Fatalf("after moving it aside a new keychain starts: %v", err)
			}
		})
	}
}

func TestFileKeychainWrittenByANewerTokentray(t *testing.T) {
	b, f, id, _ := fileUnderTest(t)
	key := strings.TrimPrefix(b.env[1], contractKey+"=")
	kb, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	ident, err := keychain.ParseKey(kb)
	if err != nil {
		t.Fatal(err)
	}
	newer := encryptForTest(t, ident.Recipient().String(), fmt.Sprintf(`{"tokentray_keychain":%d,"service":%q,"items":{}}`, keychain.FileFormat+1, testService))
	if err := os.WriteFile(f.Path(), newer, 0o600); err != nil {
		t.Fatal(err)
	}
	assertRefused(t, f, id, newer, keychain.ProblemNewer, "keychain.file_newer", "Max", "1")
}

// encryptForTest encrypts plain to recipient as age does.
func encryptForTest(t *testing.T, recipient, plain string) []byte {
	t.Helper()
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, plain); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestFileKeychainIsPrivateAndEncrypted(t *testing.T) {
	b, f, _, data := fileUnderTest(t)
	fi, err := os.Stat(f.Path())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("the file keychain has mode %04o, want 0600", fi.Mode().Perm())
	}
	key, _ := os.ReadFile(strings.TrimPrefix(b.env[1], contractKey+"="))
	ident, _ := keychain.ParseKey(key)
	for _, s := range []string{"test-app-secret-kept", ident.String(), "items"} {
		if strings.Contains(string(data), s) {
			t.Errorf("the file keychain holds %q in plain text", s)
		}
	}
	if !strings.HasPrefix(string(data), "age-encryption.org/v1\n") {
		t.Errorf("the file keychain is not an age file: %.40q", data)
	}
}

func TestNewKeyNeverReplacesAKeyNorWritesWhereOthersCanRead(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "private", keychain.KeyName)
	if _, err := keychain.NewKey(key, time.Now()); err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(key)
	if fi, _ := os.Stat(key); fi.Mode().Perm() != 0o600 {
		t.Errorf("the key has mode %04o, want 0600", fi.Mode().Perm())
	}
	if _, err := keychain.NewKey(key, time.Now()); !msg.Of(err).Is("keychain.key_exists") {
		t.Fatalf("a second NewKey: %v, want a refusal", err)
	}
	if again, _ := os.ReadFile(key); !slices.Equal(again, first) {
		t.Fatal("the key was replaced")
	}
	open := filepath.Join(dir, "open")
	if err := os.Mkdir(open, 0o777); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := keychain.NewKey(filepath.Join(open, keychain.KeyName), time.Now())
	if !msg.Of(err).Is("keychain.key_dir_exposed") {
		t.Fatalf("NewKey in a folder others can read: %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(open, keychain.KeyName)); err == nil {
		t.Fatal("a key was written where others can read it")
	}
}

func TestKeyForPrefersTheSystemdCredential(t *testing.T) {
	creds := t.TempDir()
	env := map[string]string{"TOKENTRAY_KEY_FILE": "/elsewhere/tokentray.key", "HOME": "/home/u", "CREDENTIALS_DIRECTORY": creds}
	get := func(k string) string { return env[k] }
	// Without the credential in the folder, the variable's key is used.
	if k, err := keychain.KeyFor(get); err != nil || k.Path != "/elsewhere/tokentray.key" || k.From != keychain.KeyFromEnv {
		t.Fatalf("KeyFor = %+v, %v", k, err)
	}
	if err := os.WriteFile(filepath.Join(creds, keychain.KeyName), nil, 0o400); err != nil {
		t.Fatal(err)
	}
	if k, err := keychain.KeyFor(get); err != nil || k.Path != filepath.Join(creds, keychain.KeyName) || k.From != keychain.KeyFromSystemd {
		t.Fatalf("KeyFor = %+v, %v; want the systemd credential", k, err)
	}
	delete(env, "CREDENTIALS_DIRECTORY")
	delete(env, "TOKENTRAY_KEY_FILE")
	if k, err := keychain.KeyFor(get); err != nil || k.Path != "/home/u/.local/share/tokentray/tokentray.key" || k.From != keychain.KeyFromDefault {
		t.Fatalf("KeyFor = %+v, %v; want the default", k, err)
	}
	env["TOKENTRAY_KEY_FILE"] = "relative.key"
	if _, err := keychain.KeyFor(get); !msg.Of(err).Is("keychain.key_env_relative") {
		t.Fatalf("a relative TOKENTRAY_KEY_FILE: %v", err)
	}
}
