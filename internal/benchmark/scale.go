package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/auth"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/fault"
	"tokentray/internal/system"
)

// scaleProfile is a sandbox profile of n healthy Futu API keys, each
// with its own app key on the shared sandbox broker, written as an agent
// that has just checked them leaves them: the settings file at once, the
// secrets one keychain item each.
type scaleProfile struct {
	n        int
	cfg, dir string
	first    string // the first credential's name
	unadv    func()
}

func newScaleProfile(tmp string, sb *sandbox.Sandbox, n int) (*scaleProfile, error) {
	cfg := filepath.Join(tmp, fmt.Sprintf("scale%d", n))
	parts, err := system.NewDoor(system.Options{Getenv: func(k string) string {
		if k == "TOKENTRAY_CONFIG_DIR" {
			return cfg
		}
		return os.Getenv(k)
	}}).Open(true)
	if err != nil {
		return nil, err
	}
	p := &scaleProfile{n: n, cfg: cfg, dir: parts.Profile.Dir}
	if p.unadv, err = sb.Advertise(p.dir); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	exp := now.Add(90 * 24 * time.Hour)
	var f struct {
		Version     int               `json:"version"`
		Credentials []auth.Credential `json:"credentials"`
	}
	f.Version = 1
	items := map[string]string{}
	for i := range n {
		k, s, tok := sb.Futu.AddAPIKey(exp)
		c := auth.Credential{ID: auth.NewID(), Name: fmt.Sprintf("futu-%04d", i), Kind: auth.KindFutuKey, Endpoint: sb.FutuURL,
			ExpiresAt: exp, AddedAt: now, LastChecked: now, Health: auth.Health{State: auth.OK, ExpiresAt: exp, CheckedAt: now}}
		for field, v := range map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s, auth.FieldAccessToken: tok} {
			if i == 0 {
				// The one `token` reads, where its floor (go-keyring)
				// looks: the login collection.
				if err := parts.Store.Secrets().Set(c.ID, field, v); err != nil {
					return p, err
				}
				continue
			}
			items[c.ID+"/"+field] = v
		}
		f.Credentials = append(f.Credentials, c)
	}
	if err := storeItems(parts.Profile.Service, items); err != nil {
		return p, err
	}
	p.first = f.Credentials[0].Name
	b, err := json.MarshalIndent(f, "", "  ") // as tokentray writes it
	if err != nil {
		return p, err
	}
	if err := os.WriteFile(parts.Store.Path(), append(b, '\n'), 0o600); err != nil {
		return p, err
	}
	if cs, err := parts.Store.List(); err != nil || len(cs) != n {
		return p, fmt.Errorf("the profile of %d credentials reads back %d (%v)", n, len(cs), err)
	}
	return p, nil
}

func (p *scaleProfile) env() []string {
	return append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+p.cfg, "LANG=C.UTF-8")
}

// storeItems puts the items in gnome-keyring's session collection, with
// the attributes tokentray's items carry: tokentray finds them there as
// in the login collection, and the session collection lives in memory,
// where the login collection writes its whole file again for every item
// (a thousand credentials' items took tens of minutes).
func storeItems(service string, items map[string]string) error {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return err
	}
	defer conn.Close()
	svc := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets")
	var out dbus.Variant
	var sess dbus.ObjectPath
	if err := svc.Call("org.freedesktop.Secret.Service.OpenSession", 0, "plain", dbus.MakeVariant("")).Store(&out, &sess); err != nil {
		return fmt.Errorf("open a keychain session: %w", err)
	}
	coll := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/collection/session")
	type secret struct {
		Session     dbus.ObjectPath
		Parameters  []byte
		Value       []byte
		ContentType string `dbus:"content_type"`
	}
	var calls []*dbus.Call
	wait := func() error {
		for _, c := range calls {
			if err := (<-c.Done).Err; err != nil {
				return fmt.Errorf("store a keychain item: %w", err)
			}
		}
		calls = calls[:0]
		return nil
	}
	for user, v := range items {
		props := map[string]dbus.Variant{
			"org.freedesktop.Secret.Item.Label":      dbus.MakeVariant(fmt.Sprintf("Password for '%s' on '%s'", user, service)),
			"org.freedesktop.Secret.Item.Attributes": dbus.MakeVariant(map[string]string{"username": user, "service": service}),
		}
		calls = append(calls, coll.Go("org.freedesktop.Secret.Collection.CreateItem", 0, nil, props, secret{sess, []byte{}, []byte(v), "text/plain; charset=utf8"}, true))
		if len(calls) == 256 {
			if err := wait(); err != nil {
				return err
			}
		}
	}
	return wait()
}

// scaleRow is one size's figures, medians of their runs (milliseconds).
type scaleRow struct {
	n                          int
	status, statusFloor        float64
	token, tokenFloor          float64
	refresh                    float64
	keychainCalls              float64 // Secret Service method calls of one cold refresh
	start                      float64 // agent start to its tray item registered
	statusSamples, tokSamples  []float64
	floorSamples, tokFSamples  []float64
	refreshSamples, startTimes []float64
	callSamples                []float64
	callKinds                  string // the last cold refresh's calls by method
}

// secretCalls counts the method calls sent to the Secret Service on the
// session bus, by every process (a monitor sees them all).
type secretCalls struct {
	conn *dbus.Conn
	n    atomic.Int64

	mu       sync.Mutex
	byMember map[string]int
}

// members returns the calls by method since the last time, and forgets
// them.
func (sc *secretCalls) members() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	var out []string
	for m, n := range sc.byMember {
		out = append(out, fmt.Sprintf("%s %d", m, n))
	}
	sort.Strings(out)
	sc.byMember = map[string]int{}
	return strings.Join(out, ", ")
}

func newSecretCalls() (*secretCalls, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, err
	}
	rules := []string{"type='method_call',destination='org.freedesktop.secrets'"}
	if err := conn.BusObject().Call("org.freedesktop.DBus.Monitoring.BecomeMonitor", 0, rules, uint32(0)).Err; err != nil {
		conn.Close()
		return nil, fmt.Errorf("watch the session bus: %w", err)
	}
	sc := &secretCalls{conn: conn, byMember: map[string]int{}}
	ch := make(chan *dbus.Message, 4096)
	conn.Eavesdrop(ch)
	go func() {
		for m := range ch {
			if m.Type == dbus.TypeMethodCall {
				sc.n.Add(1)
				member, _ := m.Headers[dbus.FieldMember].Value().(string)
				sc.mu.Lock()
				sc.byMember[member]++
				sc.mu.Unlock()
			}
		}
	}()
	return sc, nil
}

// settle waits until no call has arrived for a moment, so that a count
// read after a process ended holds all of its calls.
func (sc *secretCalls) settle() int64 {
	last := sc.n.Load()
	for {
		time.Sleep(100 * time.Millisecond)
		if now := sc.n.Load(); now == last {
			return now
		} else {
			last = now
		}
	}
}

// parseSizes reads "1,50,200,1000"; the first size is the reference
// the others are compared with.
func parseSizes(s string) ([]int, error) {
	var out []int
	for f := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-scale %q: want sizes such as 1,50,200,1000", s)
		}
		out = append(out, n)
	}
	return out, nil
}

// measureScale measures, at each size, the whole-process rows against
// floors taken in the same run: status and its parse floor, token and
// token at the first size, a cold refresh of every credential (and the
// Secret Service calls it makes) against the calls the broker's bound
// lets through, and the agent's start to its tray item. The sizes are
// taken in turn within each round, so load that comes and goes falls on
// all of them.
func measureScale(tmp, bin string, sizes []int, runs int) error {
	floor := filepath.Join(tmp, "floor-settings")
	if out, err := exec.Command("go", "build", "-o", floor, "./internal/floors/settings").CombinedOutput(); err != nil {
		return fmt.Errorf("build the settings floor: %v\n%s", err, out)
	}
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return err
	}
	defer sb.Close()
	var profs []*scaleProfile
	defer func() {
		for _, p := range profs {
			if p.unadv != nil {
				p.unadv()
			}
		}
	}()
	for _, n := range sizes {
		fmt.Fprintf(os.Stderr, "scale: writing a profile of %d credentials\n", n)
		p, err := newScaleProfile(tmp, sb, n)
		if p != nil {
			profs = append(profs, p)
		}
		if err != nil {
			return err
		}
	}
	sb.Futu.Faults().Set(futu.VerifyPath, fault.Rule{Latency: *latency})
	calls, err := newSecretCalls()
	if err != nil {
		return err
	}
	defer calls.conn.Close()
	pn, err := newPanel()
	if err != nil {
		return err
	}
	defer pn.conn.Close()

	rows := make([]*scaleRow, len(profs))
	for i, p := range profs {
		rows[i] = &scaleRow{n: p.n}
	}
	const cliRuns = 9
	for round := range cliRuns + 1 {
		fmt.Fprintf(os.Stderr, "scale: round %d of %d (status, token)\n", round, cliRuns)
		for i, p := range profs {
			r := rows[i]
			a, outA, err := timeRun(p.env(), bin, "--sandbox", "status")
			if err != nil {
				return fmt.Errorf("status at %d: %v\n%s", p.n, err, outA)
			}
			b, outB, err := timeRun(p.env(), floor, p.dir)
			if err != nil {
				return fmt.Errorf("the settings floor at %d: %v\n%s", p.n, err, outB)
			}
			t, outT, err := timeRun(p.env(), bin, "--sandbox", "token", p.first)
			if err != nil {
				return fmt.Errorf("token at %d: %v\n%s", p.n, err, outT)
			}
			tf, outTF, err := timeRun(p.env(), floor, "-token", p.first, p.dir)
			if err != nil {
				return fmt.Errorf("the token floor at %d: %v\n%s", p.n, err, outTF)
			}
			if outT != outTF {
				return fmt.Errorf("token at %d and its floor printed different things", p.n)
			}
			if round == 0 {
				continue // warms the caches
			}
			r.statusSamples, r.floorSamples = append(r.statusSamples, a), append(r.floorSamples, b)
			r.tokSamples, r.tokFSamples = append(r.tokSamples, t), append(r.tokFSamples, tf)
		}
	}
	for round := range runs {
		fmt.Fprintf(os.Stderr, "scale: round %d of %d (refresh, agent start)\n", round+1, runs)
		for i, p := range profs {
			r := rows[i]
			before := calls.settle()
			calls.members()
			d, out, err := timeRun(p.env(), bin, "--sandbox", "refresh")
			if err != nil {
				return fmt.Errorf("refresh of %d: %v\n%s", p.n, err, out)
			}
			r.refreshSamples = append(r.refreshSamples, d)
			r.callSamples = append(r.callSamples, float64(calls.settle()-before))
			r.callKinds = calls.members()

			start := time.Now()
			agent, err := pn.start(p.env(), bin, "--sandbox")
			if err != nil {
				return fmt.Errorf("the agent at %d: %w", p.n, err)
			}
			r.startTimes = append(r.startTimes, msSince(start))
			agent.stop()
		}
	}
	for _, r := range rows {
		r.status, r.statusFloor = medianOf(r.statusSamples), medianOf(r.floorSamples)
		r.token, r.tokenFloor = medianOf(r.tokSamples), medianOf(r.tokFSamples)
		r.refresh, r.keychainCalls, r.start = medianOf(r.refreshSamples), medianOf(r.callSamples), medianOf(r.startTimes)
	}
	printScale(rows, cliRuns, runs)
	return nil
}

// networkFloor is how long checking n credentials with one broker takes
// at best: the rounds of calls its per-host bound lets through at once,
// each the broker's latency.
func networkFloor(n int) float64 {
	const perHost = 64
	rounds := (n + perHost - 1) / perHost
	return float64(rounds) * float64(latency.Milliseconds())
}

func printScale(rows []*scaleRow, cliRuns, runs int) {
	fmt.Printf("Whole processes at scale: %d runs of status and token, %d of refresh and the agent's start, the broker answering in %v\n", cliRuns, runs, *latency)
	fmt.Printf("Machine: %s; load average %s\n\n", machine(), loadAverage())
	one := rows[0]
	fmt.Println("| figure | N | tokentray | floor | ratio | target | |")
	fmt.Println("| --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range rows {
		fmt.Printf("| `status` | %d | %.1f ms | reading and parsing the settings %.1f ms | %s | ≤ 1.5× | %s |\n",
			r.n, r.status, r.statusFloor, ratioText(r.status, r.statusFloor), verdictText(r.status <= 1.5*r.statusFloor))
	}
	for _, r := range rows {
		fmt.Printf("| `token NAME` | %d | %.1f ms | `token` at N=%d %.1f ms (go-keyring and the parse: %.1f ms) | %s | ≤ 1.3× | %s |\n",
			r.n, r.token, one.n, one.token, r.tokenFloor, ratioText(r.token, one.token), verdictText(r.token <= 1.3*one.token))
	}
	for _, r := range rows {
		nf := networkFloor(r.n)
		fmt.Printf("| `refresh` (cold process) | %d | %.0f ms | %d rounds of the broker's %v: %.0f ms | %s | ≤ 1.5× | %s |\n",
			r.n, r.refresh, int(nf/float64(latency.Milliseconds())), *latency, nf, ratioText(r.refresh, nf), verdictText(r.refresh <= 1.5*nf))
	}
	for _, r := range rows {
		if r.n == 200 {
			fmt.Printf("| `refresh` of 200 against `refresh` of %d | %d | %.0f ms | %.0f ms | %s | ≤ 2.5× | %s |\n",
				one.n, r.n, r.refresh, one.refresh, ratioText(r.refresh, one.refresh), verdictText(r.refresh <= 2.5*one.refresh))
		}
	}
	for _, r := range rows {
		per := r.keychainCalls / float64(r.n)
		fmt.Printf("| keychain calls per credential, cold `refresh` | %d | %.2f (%.0f calls) | – | – | ≤ 2 | %s |\n",
			r.n, per, r.keychainCalls, verdictText(per <= 2))
	}
	for _, r := range rows {
		fmt.Printf("| agent start to tray registered | %d | %.0f ms | at N=%d %.0f ms | %s | ≤ 3× | %s |\n",
			r.n, r.start, one.n, one.start, ratioText(r.start, one.start), verdictText(r.start <= 3*one.start))
	}
	fmt.Println()
	for _, r := range rows {
		fmt.Printf("Secret Service calls of a cold `refresh` of %d (the last run): %s\n", r.n, r.callKinds)
	}
}

// loadAverage is the 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
