// Command benchmark measures the agent as a whole process, the way a
// desktop runs it, against the floors of internal/floors built and run
// beside it in the same session: memory and CPU while idle, the D-Bus
// signals it sends a panel, the signals while a verification counts down,
// and how soon a confirmation on the (sandbox) phone shows in the tray;
// then the command line against its floor (internal/floors/settings),
// refresh all of 50 credentials against one, and the window's first
// frame (process.go). With -scale it measures instead the command line,
// a cold refresh (with the Secret Service calls it makes) and the
// agent's start at several numbers of credentials (scale.go).
//
// It must run inside a private desktop session (scripts/with-desktop.sh:
// a D-Bus session bus, a keyring and an X display). It plays the panel
// (org.kde.StatusNotifierWatcher) itself and starts its own sandbox
// brokers, with the latency given by -latency. It prints one table: each
// figure, its floor, the ratio and the target, medians of -runs runs.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"

	"tokentray/auth"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/fault"
	"tokentray/internal/system"
)

var (
	binFlag     = flag.String("bin", "bin/tokentray", "the tokentray binary to measure")
	runs        = flag.Int("runs", 3, "runs; each figure is the median")
	idle        = flag.Duration("idle", 60*time.Second, "the idle window measured")
	pendingFor  = flag.Duration("pending", 10*time.Second, "the window measured while a verification counts down")
	latency     = flag.Duration("latency", 200*time.Millisecond, "how long the sandbox brokers take to answer")
	credentials = flag.Int("credentials", 4, "healthy credentials in the measured profile")
	windowScale = flag.Int("window-scale", 0, "measure only the window's first frame at 4 and at this many credentials")
	idleOnly    = flag.Bool("idle-only", false, "measure only the idle agent against its floors (memory, CPU, signals)")
	scale       = flag.String("scale", "", "measure only the whole-process rows at these sizes (1,50,200,1000) against their floors")
	commands    = flag.Bool("commands", false, "measure only the command line (status, token, refresh all), not the agent or the window")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "benchmark:", err)
		os.Exit(1)
	}
}

// figures of one run.
type figures struct {
	agentRSS, fyneRSS, trayRSS       float64 // MiB
	agentPSS, trayPSS                float64 // MiB, proportional set size
	agentTicks, fyneTicks, trayTicks float64 // CPU ticks over the idle window
	agentSig, fyneSig, traySig       float64 // D-Bus signals over the idle window
	pendingSigPerSec                 float64
	confirmToOK                      float64 // seconds
	pendingSignals                   string  // which signals, while pending
}

func run() error {
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" || os.Getenv("DISPLAY") == "" {
		return errors.New("run inside a desktop session: bash scripts/with-desktop.sh go run ./internal/benchmark")
	}
	bin, err := filepath.Abs(*binFlag)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "tokentray-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	floorFyne, floorTray := filepath.Join(tmp, "floor-fynetray"), filepath.Join(tmp, "floor-systray")
	for _, b := range [][2]string{{floorFyne, "./internal/floors/fynetray"}, {floorTray, "./internal/floors/systray"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			return fmt.Errorf("build %s: %v\n%s", b[1], err, out)
		}
	}
	if *scale != "" {
		sizes, err := parseSizes(*scale)
		if err != nil {
			return err
		}
		return measureScale(tmp, bin, sizes, *runs)
	}
	if *windowScale > 0 {
		return measureWindowScale(tmp, *windowScale, *runs)
	}
	if *commands {
		cf, err := measureCommands(tmp, bin, *runs)
		if err != nil {
			return err
		}
		fmt.Printf("Command line, median of its runs\nMachine: %s; load average %s\n\n", machine(), loadAverage())
		fmt.Println("| figure | tokentray | floor | ratio | target | |")
		fmt.Println("| --- | --- | --- | --- | --- | --- |")
		printCommandRows(cf, ratioText, verdictText)
		return nil
	}
	p, err := newPanel()
	if err != nil {
		return err
	}
	defer p.conn.Close()

	var all []figures
	for i := 1; i <= *runs; i++ {
		fmt.Fprintf(os.Stderr, "run %d of %d: idle %v, pending %v, %d credentials, broker latency %v\n", i, *runs, *idle, *pendingFor, *credentials, *latency)
		f, err := oneRun(p, tmp, bin, floorFyne, floorTray)
		if err != nil {
			return fmt.Errorf("run %d: %w", i, err)
		}
		all = append(all, f)
	}
	var cf commandFigures
	if !*idleOnly {
		if cf, err = measureCommands(tmp, bin, *runs); err != nil {
			return err
		}
	}
	printTable(all, cf)
	return nil
}

func oneRun(p *panel, tmp, bin, floorFyne, floorTray string) (figures, error) {
	var f figures
	cfg, err := os.MkdirTemp(tmp, "profile")
	if err != nil {
		return f, err
	}
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return f, err
	}
	defer sb.Close()
	sb.Futu.Faults().Set(futu.VerifyPath, fault.Rule{Latency: *latency})
	getenv := func(k string) string {
		if k == "TOKENTRAY_CONFIG_DIR" {
			return cfg
		}
		return os.Getenv(k)
	}
	parts, err := system.NewDoor(system.Options{Getenv: getenv}).Open(true)
	if err != nil {
		return f, err
	}
	unadvertise, err := sb.Advertise(parts.Profile.Dir)
	if err != nil {
		return f, err
	}
	defer unadvertise()
	st := parts.Store
	now := time.Now().UTC()
	for i := 0; i < *credentials; i++ {
		exp := now.Add(90 * 24 * time.Hour)
		appKey, appSecret, token := sb.Futu.AddAPIKey(exp)
		c := auth.Credential{ID: auth.NewID(), Name: fmt.Sprintf("futu-%02d", i), Kind: auth.KindFutuKey, Endpoint: sb.FutuURL, ExpiresAt: exp, AddedAt: now}
		if err := st.Add(c, map[string]string{auth.FieldAppKey: appKey, auth.FieldAppSecret: appSecret, auth.FieldAccessToken: token}); err != nil {
			return f, err
		}
	}

	env := append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+cfg, "LANG=C.UTF-8")
	agent, err := p.start(env, bin, "--sandbox")
	if err != nil {
		return f, err
	}
	defer agent.stop()
	fyneP, err := p.start(env, floorFyne)
	if err != nil {
		return f, err
	}
	defer fyneP.stop()
	trayP, err := p.start(env, floorTray)
	if err != nil {
		return f, err
	}
	defer trayP.stop()

	// Settled: every credential checked, nothing running.
	if err := p.waitTip(agent, 60*time.Second, func(tip string) bool {
		return strings.Count(tip, ": OK") == *credentials && !strings.Contains(tip, "checking")
	}); err != nil {
		return f, err
	}
	time.Sleep(3 * time.Second)

	procs := []*proc{agent, fyneP, trayP}
	ticks0 := make([]float64, len(procs))
	for i, pr := range procs {
		ticks0[i] = pr.ticks()
		p.reset(pr)
	}
	time.Sleep(*idle)
	f.agentTicks, f.fyneTicks, f.trayTicks = agent.ticks()-ticks0[0], fyneP.ticks()-ticks0[1], trayP.ticks()-ticks0[2]
	f.agentSig, f.fyneSig, f.traySig = float64(p.count(agent)), float64(p.count(fyneP)), float64(p.count(trayP))
	f.agentRSS, f.fyneRSS, f.trayRSS = agent.rss(), fyneP.rss(), trayP.rss()
	f.agentPSS, f.trayPSS = agent.pss(), trayP.pss()
	if *idleOnly {
		return f, nil
	}

	// A verification started elsewhere (here: this process writes it to
	// the store, as `tokentray login` does), then confirmed on the phone.
	appKey, appSecret := sb.Webull.AddApp(false)
	ti, err := sb.Webull.IssueToken(appKey)
	if err != nil {
		return f, err
	}
	c := auth.Credential{ID: auth.NewID(), Name: "webull-bench", Kind: auth.KindWebull, Endpoint: sb.WebullURL,
		TokenStatus: string(ti.Status), ExpiresAt: ti.Expires.UTC(), AddedAt: time.Now().UTC()}
	if err := st.Add(c, map[string]string{auth.FieldAppKey: appKey, auth.FieldAppSecret: appSecret, auth.FieldWebullToken: ti.Token}); err != nil {
		return f, err
	}
	if err := p.waitTip(agent, 20*time.Second, func(tip string) bool { return strings.Contains(tip, "webull-bench: Pending") }); err != nil {
		return f, err
	}
	p.reset(agent)
	time.Sleep(*pendingFor)
	f.pendingSigPerSec = float64(p.count(agent)) / pendingFor.Seconds()
	f.pendingSignals = p.signals(agent)
	code, ok := sb.Webull.SMSCode(ti.Token)
	if !ok {
		return f, errors.New("the sandbox has no SMS code for the pending token")
	}
	if err := sb.Webull.Verify(ti.Token, code); err != nil {
		return f, err
	}
	confirmed := time.Now()
	if err := p.waitTip(agent, 30*time.Second, func(tip string) bool { return strings.Contains(tip, "webull-bench: OK") }); err != nil {
		return f, err
	}
	f.confirmToOK = time.Since(confirmed).Seconds()
	return f, nil
}

// panel plays the desktop's StatusNotifierWatcher and counts the signals
// each tray item sends.
type panel struct {
	conn *dbus.Conn
	reg  chan string // "sender/path" of each item registered

	mu      sync.Mutex
	counts  map[string]int // by the sender's unique bus name
	members map[string]int // by sender and signal name
}

func newPanel() (*panel, error) {
	conn, err := dbus.ConnectSessionBus()
	if err != nil {
		return nil, err
	}
	p := &panel{conn: conn, reg: make(chan string, 8), counts: map[string]int{}, members: map[string]int{}}
	if err := conn.Export(watcher{p}, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		return nil, err
	}
	if reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		return nil, fmt.Errorf("could not play the panel (%v %v): is a panel running in this session?", reply, err)
	}
	if err := conn.AddMatchSignal(); err != nil {
		return nil, err
	}
	sig := make(chan *dbus.Signal, 1024)
	conn.Signal(sig)
	go func() {
		for s := range sig {
			p.mu.Lock()
			p.counts[s.Sender]++
			p.members[s.Sender+" "+s.Name]++
			p.mu.Unlock()
		}
	}()
	return p, nil
}

type watcher struct{ p *panel }

func (w watcher) RegisterStatusNotifierItem(sender dbus.Sender, path string) *dbus.Error {
	w.p.reg <- string(sender) + "|" + path
	return nil
}

func (p *panel) reset(pr *proc) {
	p.mu.Lock()
	p.counts[pr.bus] = 0
	for k := range p.members {
		if strings.HasPrefix(k, pr.bus+" ") {
			delete(p.members, k)
		}
	}
	p.mu.Unlock()
}

// signals names the signals pr sent since the last reset, with counts.
func (p *panel) signals(pr *proc) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for k, n := range p.members {
		if name, ok := strings.CutPrefix(k, pr.bus+" "); ok {
			out = append(out, fmt.Sprintf("%s %d", name[strings.LastIndex(name, ".")+1:], n))
		}
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}

func (p *panel) count(pr *proc) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.counts[pr.bus]
}

// proc is one measured process with its tray item.
type proc struct {
	cmd  *exec.Cmd
	bus  string // its unique bus name
	item dbus.BusObject
	gone chan struct{}
}

func (p *panel) start(env []string, prog string, args ...string) (*proc, error) {
	cmd := exec.Command(prog, args...)
	cmd.Env = env
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	pr := &proc{cmd: cmd, gone: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(pr.gone) }()
	select {
	case r := <-p.reg:
		sender, path, _ := strings.Cut(r, "|")
		if !strings.HasPrefix(path, "/") {
			path = "/StatusNotifierItem"
		}
		pr.bus = sender
		pr.item = p.conn.Object(sender, dbus.ObjectPath(path))
	case <-pr.gone:
		return nil, fmt.Errorf("%s exited before showing a tray icon", filepath.Base(prog))
	case <-time.After(60 * time.Second):
		pr.stop()
		return nil, fmt.Errorf("%s showed no tray icon within 60 s", filepath.Base(prog))
	}
	return pr, nil
}

func (pr *proc) stop() {
	_ = pr.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-pr.gone:
	case <-time.After(10 * time.Second):
		_ = pr.cmd.Process.Kill()
		<-pr.gone
	}
}

// ticks is the process's user and system CPU time in clock ticks.
func (pr *proc) ticks() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pr.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndex(s, ")")+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	k, _ := strconv.ParseFloat(f[12], 64)
	return u + k
}

// pss is the process's proportional set size in MiB: its resident
// memory, each page shared with other processes counted in part.
func (pr *proc) pss() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/smaps_rollup", pr.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "Pss:") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// rss is the process's resident memory in MiB.
func (pr *proc) rss() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pr.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			kb, _ := strconv.ParseFloat(strings.Fields(l)[1], 64)
			return kb / 1024
		}
	}
	return 0
}

func (p *panel) waitTip(pr *proc, within time.Duration, ok func(string) bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	tip := ""
	for {
		if v, err := pr.item.GetProperty("org.kde.StatusNotifierItem.ToolTip"); err == nil {
			if f, good := v.Value().([]interface{}); good && len(f) == 4 {
				tip = fmt.Sprint(f[2]) + "\n" + fmt.Sprint(f[3])
				if ok(tip) {
					return nil
				}
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the tray never showed what was waited for; tooltip %q", tip)
		case <-pr.gone:
			return errors.New("the agent exited")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func median(fs []figures, get func(figures) float64) float64 {
	v := make([]float64, len(fs))
	for i, f := range fs {
		v[i] = get(f)
	}
	sort.Float64s(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}

func printTable(fs []figures, cf commandFigures) {
	m := func(get func(figures) float64) float64 { return median(fs, get) }
	ratio, verdict := ratioText, verdictText
	rss, fyne, tray := m(func(f figures) float64 { return f.agentRSS }), m(func(f figures) float64 { return f.fyneRSS }), m(func(f figures) float64 { return f.trayRSS })
	ticks, fyneTicks, trayTicks := m(func(f figures) float64 { return f.agentTicks }), m(func(f figures) float64 { return f.fyneTicks }), m(func(f figures) float64 { return f.trayTicks })
	sig, fyneSig, traySig := m(func(f figures) float64 { return f.agentSig }), m(func(f figures) float64 { return f.fyneSig }), m(func(f figures) float64 { return f.traySig })
	pend := m(func(f figures) float64 { return f.pendingSigPerSec })
	ok := m(func(f figures) float64 { return f.confirmToOK })
	w := idle.Seconds()
	fmt.Printf("Whole process, %d credentials, idle window %.0f s, median of %d runs\n", *credentials, w, len(fs))
	fmt.Printf("Machine: %s; load average %s\n\n", machine(), loadAverage())
	fmt.Println("| figure | tokentray agent | floor | ratio | target | |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	fmt.Printf("| idle RSS | %.1f MiB | Fyne tray app %.1f MiB | %s | ≤ 0.20× | %s |\n", rss, fyne, ratio(rss, fyne), verdict(rss <= 0.20*fyne))
	fmt.Printf("| idle RSS | %.1f MiB | systray-only %.1f MiB | %s | ≤ 2× | %s |\n", rss, tray, ratio(rss, tray), verdict(rss <= 2*tray))
	pss, trayPSS := m(func(f figures) float64 { return f.agentPSS }), m(func(f figures) float64 { return f.trayPSS })
	fmt.Printf("| idle PSS | %.1f MiB | systray-only %.1f MiB | %s | ≤ 2.5× | %s |\n", pss, trayPSS, ratio(pss, trayPSS), verdict(pss <= 2.5*trayPSS))
	fmt.Printf("| idle CPU over %.0f s | %.0f ticks | systray-only %.0f, Fyne %.0f ticks | %s | 0 ticks | %s |\n", w, ticks, trayTicks, fyneTicks, ratio(ticks, trayTicks), verdict(ticks == 0))
	fmt.Printf("| idle D-Bus signals over %.0f s | %.0f | systray-only %.0f, Fyne %.0f | %s | 0 | %s |\n", w, sig, traySig, fyneSig, ratio(sig, traySig), verdict(sig == 0))
	// One update is the tooltip and one menu line. fyne.io/systray sends
	// the tooltip as PropertiesChanged and NewToolTip, a menu line as
	// ItemsPropertiesUpdated, then the menu's Version (PropertiesChanged)
	// and LayoutUpdated: 5 signals.
	if *idleOnly {
		return
	}
	fmt.Printf("| D-Bus signals per second while a verification counts down | %.1f | one update (tooltip and one menu line): 5 signals | %s | one update a second | %s |\n", pend, ratio(pend, 5), verdict(pend <= 5.5))
	fmt.Printf("| phone confirmation to OK in the tray | %.1f s | poll cadence 5 s | %s | within ~5 s | %s |\n", ok, ratio(ok, 5), verdict(ok <= 5.5))
	printCommandRows(cf, ratio, verdict)
	fmt.Printf("\nSignals while a verification counted down (last run, %.0f s): %s\n", pendingFor.Seconds(), fs[len(fs)-1].pendingSignals)
}

func ratioText(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

func verdictText(ok bool) string {
	if ok {
		return "met"
	}
	return "missed"
}
