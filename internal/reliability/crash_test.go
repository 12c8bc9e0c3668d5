//go:build unix

package reliability

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

// The crash loop: tokentray processes (the command line and the agent)
// are killed with SIGKILL at random moments while they add, log in,
// refresh, extend and remove credentials against the sandbox, whose Futu
// OAuth refresh tokens rotate on every refresh. After each kill:
//   - the settings file parses and every credential loads (status works);
//   - no keychain item is left that no credential owns;
//   - a credential shown OK really works: a forced renewal succeeds, so
//     a refresh token lost in the kill is never reported as OK.
//
// `go test` runs a few rounds; `make stress` runs TOKENTRAY_STRESS rounds
// (bounded by TOKENTRAY_STRESS_TIME). TOKENTRAY_STRESS_SEED replays a run.

const keychainService = "tokentray-sandbox"

type harness struct {
	t    *testing.T
	dir  string
	env  []string
	sb   *sandbox.Sandbox
	rng  *rand.Rand
	took map[string]time.Duration // how long each operation takes unkilled

	extra []string // names of added credentials, maybe there
	n     int

	// ours are the credential IDs this profile's settings or journal ever
	// named. Other tests share the session's keychain service, so only
	// items of these IDs are this test's to judge.
	ours map[string]bool
}

// remember adds the IDs the settings and the store's journal name now
// (the journal names an add before any secret of it is written).
func (h *harness) remember() {
	if h.ours == nil {
		h.ours = map[string]bool{}
	}
	for _, name := range []string{"settings.json", "journal.json"} {
		b, err := os.ReadFile(filepath.Join(filepath.Dir(h.settingsPath()), name))
		if err != nil {
			continue
		}
		var f struct {
			Credentials []struct{ ID string }
			Pending     []struct{ ID string }
		}
		if json.Unmarshal(b, &f) != nil {
			continue
		}
		for _, c := range append(f.Credentials, f.Pending...) {
			h.ours[c.ID] = true
		}
	}
}

type result struct {
	stdout, stderr string
	code           int
}

func newHarness(t *testing.T, seed uint64) *harness {
	t.Helper()
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		t.Skip("needs the keychain: run inside scripts/with-desktop.sh (make test does)")
	}
	sb, err := sandbox.Start(sandbox.Options{Futu: futusim.Options{RotateRefresh: true}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sb.Close)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	empty := filepath.Join(dir, "empty-path")
	for _, d := range []string{home, empty} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			t.Fatal(err)
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); k == "HOME" || k == "PATH" || strings.HasPrefix(k, "TOKENTRAY_") || strings.HasPrefix(k, "FUTU_") || strings.HasPrefix(k, "WEBULL_") {
			continue
		}
		env = append(env, kv)
	}
	// No browser can be found on an empty PATH: logins print their page.
	env = append(env, "HOME="+home, "PATH="+empty, "TOKENTRAY_CONFIG_DIR="+dir)
	return &harness{t: t, dir: dir, env: env, sb: sb, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), took: map[string]time.Duration{}}
}

func (h *harness) settingsPath() string { return filepath.Join(h.dir, "sandbox", "settings.json") }

func (h *harness) command(extra []string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, append([]string{"--sandbox"}, args...)...)
	cmd.Env = append(append([]string(nil), h.env...), extra...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	return cmd
}

// run runs a command to its end.
func (h *harness) run(extra []string, args ...string) result {
	h.t.Helper()
	cmd := h.command(extra, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		}
	}()
	_ = cmd.Wait()
	close(done)
	h.took[args[0]] = time.Since(start)
	return result{out.String(), errb.String(), cmd.ProcessState.ExitCode()}
}

// killDuring starts a command and kills it (and its children) with
// SIGKILL after a random moment within about the time it takes.
func (h *harness) killDuring(extra []string, approve bool, args ...string) {
	h.t.Helper()
	cmd := h.command(extra, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); approve && strings.HasPrefix(s, "http") {
				approve = false
				go func() { _ = (futusimtest.Browser{Approve: true}).Open(s) }()
			}
		}
	}()
	key := "agent" // tokentray with no command is the agent
	if len(args) > 0 {
		key = args[0]
	}
	span := h.took[key]
	if span <= 0 || span > 2*time.Second {
		span = 300 * time.Millisecond
	}
	time.Sleep(time.Duration(h.rng.Int64N(int64(span*6/5) + 1)))
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
}

// login logs oauth in to the end, approving in the sandbox's browser.
func (h *harness) login(name string) {
	h.t.Helper()
	for attempt := 0; ; attempt++ {
		cmd := h.command(nil, "login", name, "--no-browser")
		stdout, _ := cmd.StdoutPipe()
		var errb bytes.Buffer
		cmd.Stderr = &errb
		start := time.Now()
		if err := cmd.Start(); err != nil {
			h.t.Fatal(err)
		}
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if s := strings.TrimSpace(sc.Text()); strings.HasPrefix(s, "http") {
				go func() { _ = (futusimtest.Browser{Approve: true}).Open(s) }()
			}
		}
		err := cmd.Wait()
		if err == nil {
			h.took["login"] = time.Since(start)
			return
		}
		// The redirect port may be held for a moment by another test's login.
		if attempt == 5 {
			h.t.Fatalf("login %s: %v: %s", name, err, errb.String())
		}
		time.Sleep(time.Second)
	}
}

func (h *harness) addKey(name string) result {
	k, s, tok := h.sb.Futu.AddAPIKey(time.Now().Add(90 * 24 * time.Hour))
	return h.run([]string{"FUTU_APP_KEY=" + k, "FUTU_APP_SECRET=" + s, "FUTU_ACCESS_TOKEN=" + tok},
		"add", "futu-key", name, "--endpoint", h.sb.FutuURL)
}

type status struct {
	Credentials []struct {
		Name, Health, Reason string
		Next                 *struct{ Action string }
	}
}

// check holds the invariants after a kill; it returns how many lost
// logins were told truthfully (and logged in again).
func (h *harness) check(round int, what string) (told int) {
	t := h.t
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("round %d, after killing %s: %s", round, what, fmt.Sprintf(format, args...))
	}
	h.remember() // before status, whose store open settles the journal
	r := h.run(nil, "status", "--json")
	var st status
	if err := json.Unmarshal([]byte(r.stdout), &st); err != nil || (r.code != 0 && r.code != 1 && r.code != 3) {
		fail("status exited %d: %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	b, err := os.ReadFile(h.settingsPath())
	var file struct {
		Credentials []struct{ ID, Name string }
	}
	if err != nil || json.Unmarshal(b, &file) != nil {
		fail("the settings do not parse: %v", err)
	}
	if len(file.Credentials) != len(st.Credentials) {
		fail("%d credentials in the settings, %d in status", len(file.Credentials), len(st.Credentials))
	}
	ids := map[string]bool{}
	for _, c := range file.Credentials {
		ids[c.ID] = true
	}
	users, err := testutil.KeychainUsers(keychainService)
	if err != nil {
		fail("list the keychain: %v", err)
	}
	for _, u := range users {
		if id, _, _ := strings.Cut(u, "/"); h.ours[id] && !ids[id] {
			fail("keychain item %s belongs to no credential", u)
		}
	}
	for _, c := range st.Credentials {
		switch {
		case c.Health == "ok":
			// Shown OK: it must really work. (The agent's own demo
			// brokers die with it, so a broker that cannot be reached is
			// no lie; only "you must act" would be.)
			r := h.run(nil, "refresh", c.Name, "--force")
			if r.code == 3 {
				fail("%s was shown OK, but a forced renewal says (exit %d): %s%s", c.Name, r.code, r.stdout, r.stderr)
			}
			if ours(c.Name) && r.code != 0 {
				fail("%s was shown OK, but a forced renewal failed (exit %d): %s%s", c.Name, r.code, r.stdout, r.stderr)
			}
		case c.Name == "oauth" && c.Next != nil && c.Next.Action == "login":
			// The kill lost the rotated refresh token, and status says so.
			told++
			h.login("oauth")
		}
	}
	return told
}

// ours are the credentials the loop adds, on the test's sandbox.
func ours(name string) bool {
	return name == "oauth" || name == "key" || name == "spare" || strings.HasPrefix(name, "tmp")
}

func (h *harness) round(round int) (what string, told int) {
	ops := []string{"refresh", "extend", "add", "remove", "login", "agent", "status"}
	op := ops[h.rng.IntN(len(ops))]
	switch op {
	case "refresh":
		h.killDuring(nil, false, "refresh", "oauth", "--force")
	case "extend":
		// --shorten: a shorter life than the current one is refused otherwise,
		// before Futu is asked, and the kill would land in nothing.
		h.killDuring(nil, false, "extend", "key", "--days", strconv.Itoa(30+h.rng.IntN(300)), "--shorten")
	case "add":
		h.n++
		name := fmt.Sprintf("tmp%d", h.n)
		k, s, tok := h.sb.Futu.AddAPIKey(time.Now().Add(90 * 24 * time.Hour))
		h.killDuring([]string{"FUTU_APP_KEY=" + k, "FUTU_APP_SECRET=" + s, "FUTU_ACCESS_TOKEN=" + tok}, false,
			"add", "futu-key", name, "--endpoint", h.sb.FutuURL)
		h.extra = append(h.extra, name)
	case "remove":
		if len(h.extra) == 0 {
			h.addKey("spare")
			h.extra = append(h.extra, "spare")
		}
		name := h.extra[0]
		h.extra = h.extra[1:]
		h.killDuring(nil, false, "remove", name)
	case "login":
		h.killDuring(nil, true, "login", "oauth", "--no-browser")
	case "agent":
		h.took["agent"] = time.Second
		h.killDuring(nil, false)
	case "status":
		h.killDuring(nil, false, "status")
	}
	return op, h.check(round, op)
}

func envInt(t *testing.T, name string, def int) int {
	if v := os.Getenv(name); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return n
	}
	return def
}

func TestCrashLoop(t *testing.T) {
	rounds := envInt(t, "TOKENTRAY_STRESS", 12)
	limit := 2 * time.Minute
	if v := os.Getenv("TOKENTRAY_STRESS_TIME"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("TOKENTRAY_STRESS_TIME: %v", err)
		}
		limit = d
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("TOKENTRAY_STRESS_SEED"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatalf("TOKENTRAY_STRESS_SEED: %v", err)
		}
		seed = n
	}
	t.Logf("seed %d (TOKENTRAY_STRESS_SEED replays it)", seed)
	h := newHarness(t, seed)
	if r := h.run(nil, "add", "futu-oauth", "oauth", "--endpoint", h.sb.FutuURL); r.code != 0 {
		t.Fatalf("add oauth: %d %s%s", r.code, r.stdout, r.stderr)
	}
	h.login("oauth")
	if r := h.addKey("key"); r.code != 0 {
		t.Fatalf("add key: %d %s%s", r.code, r.stdout, r.stderr)
	}
	// Measure each operation once, unkilled, so kills land inside it.
	h.run(nil, "refresh", "oauth", "--force")
	h.run(nil, "extend", "key", "--days", "90")
	h.run(nil, "status")
	h.addKey("spare")
	h.run(nil, "remove", "spare")

	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	counts := map[string]int{}
	told, done := 0, 0
	for i := range rounds {
		if ctx.Err() != nil {
			t.Logf("stopped after %d rounds: the time limit %s was reached", i, limit)
			break
		}
		op, n := h.round(i)
		counts[op]++
		told += n
		done++
	}
	t.Logf("%d rounds, all invariants held; kills by operation: %v; logins lost in a kill and reported as such: %d", done, counts, told)
}
