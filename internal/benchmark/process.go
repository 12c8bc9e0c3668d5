package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"

	"tokentray/auth"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox"
	"tokentray/auth/sandbox/fault"
	"tokentray/internal/system"
)

// commandFigures are the command line's and the window's figures, each
// the median of its runs.
type commandFigures struct {
	status, statusFloor float64 // ms: `tokentray status`, reading and parsing the settings
	token, tokenFloor   float64 // ms: `tokentray token NAME`, one go-keyring read plus the parse
	refresh1, refresh50 float64 // ms: `tokentray refresh` of 1 and of 50 credentials
	mapped, frame       float64 // ms: the window mapped, and its first frame
	cliRuns, winRuns    int
}

// measureCommands times the command line against its floor (the
// settings program of internal/floors), refresh all of 50 credentials
// against one, and the window from its start to its first frame.
func measureCommands(tmp, bin string, runs int) (commandFigures, error) {
	cf := commandFigures{cliRuns: 15, winRuns: 5}
	floor, window := filepath.Join(tmp, "floor-settings"), filepath.Join(tmp, "tokentray-window")
	for _, b := range [][2]string{{floor, "./internal/floors/settings"}, {window, "./app/cmd/tokentray-window"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			return cf, fmt.Errorf("build %s: %v\n%s", b[1], err, out)
		}
	}
	var profs []*profile
	defer func() {
		for _, p := range profs {
			p.close()
		}
	}()
	newProf := func(name string, n int) (*profile, error) {
		p, err := newProfile(filepath.Join(tmp, name), n)
		if p != nil {
			profs = append(profs, p)
		}
		return p, err
	}

	fmt.Fprintf(os.Stderr, "command line: %d runs of status, token and their floors\n", cf.cliRuns)
	p, err := newProf("cli", 4)
	if err != nil {
		return cf, err
	}
	if cf.status, cf.statusFloor, err = timePair(p.env(), []string{bin, "--sandbox", "status"}, []string{floor, p.dir}, cf.cliRuns, false); err != nil {
		return cf, err
	}
	if cf.token, cf.tokenFloor, err = timePair(p.env(), []string{bin, "--sandbox", "token", p.names[0]}, []string{floor, "-token", p.names[0], p.dir}, cf.cliRuns, true); err != nil {
		return cf, err
	}

	fmt.Fprintf(os.Stderr, "refresh all: 1 and 50 credentials, broker latency %v, %d runs of each\n", *latency, runs)
	one, err := newProf("refresh1", 1)
	if err != nil {
		return cf, err
	}
	fifty, err := newProf("refresh50", 50)
	if err != nil {
		return cf, err
	}
	var t1, t50 []float64
	for range runs {
		for _, c := range []struct {
			p  *profile
			to *[]float64
		}{{one, &t1}, {fifty, &t50}} {
			d, out, err := timeRun(c.p.env(), bin, "--sandbox", "refresh")
			if err != nil {
				return cf, fmt.Errorf("tokentray refresh of %d credentials: %v\n%s", len(c.p.names), err, out)
			}
			*c.to = append(*c.to, d)
		}
	}
	cf.refresh1, cf.refresh50 = medianOf(t1), medianOf(t50)

	if *commands {
		return cf, nil
	}
	fmt.Fprintf(os.Stderr, "window: %d runs to the first frame\n", cf.winRuns)
	if cf.mapped, cf.frame, err = timeWindow(p.env(), window, cf.winRuns); err != nil {
		return cf, err
	}
	return cf, nil
}

// profile is a sandbox profile in its own config folder, with n healthy
// Futu API keys (each its own app key, checked by the broker when added)
// on its own sandbox brokers, which answer after -latency.
type profile struct {
	cfg, dir string
	names    []string
	sb       *sandbox.Sandbox
	unadv    func()
}

func newProfile(cfg string, n int) (*profile, error) {
	parts, err := system.NewDoor(system.Options{Getenv: func(k string) string {
		if k == "TOKENTRAY_CONFIG_DIR" {
			return cfg
		}
		return os.Getenv(k)
	}}).Open(true)
	if err != nil {
		return nil, err
	}
	sb, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		return nil, err
	}
	p := &profile{cfg: cfg, dir: parts.Profile.Dir, sb: sb}
	if p.unadv, err = sb.Advertise(p.dir); err != nil {
		return p, err
	}
	exp := time.Now().Add(90 * 24 * time.Hour)
	for i := range n {
		k, s, tok := sb.Futu.AddAPIKey(exp)
		c := auth.Credential{Name: fmt.Sprintf("key%02d", i), Kind: auth.KindFutuKey, Endpoint: sb.FutuURL, ExpiresAt: exp}
		if _, err := parts.Engine.Add(context.Background(), c, map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s, auth.FieldAccessToken: tok}); err != nil {
			return p, fmt.Errorf("add %s: %w", c.Name, err)
		}
		p.names = append(p.names, c.Name)
	}
	sb.Futu.Faults().Set(futu.VerifyPath, fault.Rule{Latency: *latency})
	return p, nil
}

func (p *profile) env() []string {
	return append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+p.cfg, "LANG=C.UTF-8")
}

func (p *profile) close() {
	if p.unadv != nil {
		p.unadv()
	}
	p.sb.Close()
}

// timePair runs a and b alternately n times, after one run of each to
// warm the caches, and returns the median milliseconds of each. With
// same, both must print the same thing.
func timePair(env, a, b []string, n int, same bool) (float64, float64, error) {
	var ta, tb []float64
	for i := range n + 1 {
		da, outA, err := timeRun(env, a[0], a[1:]...)
		if err != nil {
			return 0, 0, fmt.Errorf("tokentray %s: %v\n%s", strings.Join(a[1:], " "), err, outA)
		}
		db, outB, err := timeRun(env, b[0], b[1:]...)
		if err != nil {
			return 0, 0, fmt.Errorf("%s: %v\n%s", filepath.Base(b[0]), err, outB)
		}
		if same && outA != outB {
			return 0, 0, fmt.Errorf("tokentray %s and its floor printed different things", strings.Join(a[1:], " "))
		}
		if i > 0 {
			ta, tb = append(ta, da), append(tb, db)
		}
	}
	return medianOf(ta), medianOf(tb), nil
}

// timeRun runs a program to its end and returns its wall time in
// milliseconds and its output.
func timeRun(env []string, name string, args ...string) (float64, string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	return msSince(start), out.String(), err
}

func msSince(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// timeWindow starts the window n times and returns the median
// milliseconds from its start to its X window being mapped, and to its
// first frame: the first moment the mapped window shows more than one
// colour.
func timeWindow(env []string, window string, n int) (float64, float64, error) {
	var mapped, frames []float64
	err := windowRuns([][]string{env}, window, n, func(_ int, m, f float64) {
		mapped, frames = append(mapped, m), append(frames, f)
	})
	return medianOf(mapped), medianOf(frames), err
}

// timeWindows starts the window n times on each environment in turn and
// returns each one's first frames, in milliseconds.
func timeWindows(envs [][]string, window string, n int) ([][]float64, error) {
	frames := make([][]float64, len(envs))
	err := windowRuns(envs, window, n, func(i int, _, f float64) { frames[i] = append(frames[i], f) })
	return frames, err
}

func windowRuns(envs [][]string, window string, n int, got func(i int, mapped, frame float64)) error {
	x, err := xgb.NewConn()
	if err != nil {
		return fmt.Errorf("connect to the X display: %w", err)
	}
	defer x.Close()
	root := xproto.Setup(x).DefaultScreen(x).Root
	if err := xproto.ChangeWindowAttributesChecked(x, root, xproto.CwEventMask, []uint32{xproto.EventMaskSubstructureNotify}).Check(); err != nil {
		return fmt.Errorf("watch the X display: %w", err)
	}
	maps := make(chan xproto.Window, 16)
	go func() {
		for {
			ev, err := x.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if m, ok := ev.(xproto.MapNotifyEvent); ok && !m.OverrideRedirect {
				maps <- m.Window
			}
		}
	}()
	for range n {
		for i, env := range envs {
			m, f, err := oneWindow(x, maps, env, window)
			if err != nil {
				return err
			}
			got(i, m, f)
		}
	}
	return nil
}

func oneWindow(x *xgb.Conn, maps <-chan xproto.Window, env []string, window string) (mapped, frame float64, err error) {
	for len(maps) > 0 {
		<-maps // left from an earlier window
	}
	cmd := exec.Command(window, "--sandbox")
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	gone := make(chan struct{})
	go func() { _ = cmd.Wait(); close(gone) }()
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-gone:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-gone
		}
	}()
	deadline := time.After(30 * time.Second)
	var win xproto.Window
	select {
	case win = <-maps:
		mapped = msSince(start)
	case <-gone:
		return 0, 0, fmt.Errorf("the window exited before it showed: %s", out.String())
	case <-deadline:
		return 0, 0, errors.New("the window never appeared")
	}
	for !painted(x, win) {
		select {
		case <-gone:
			return 0, 0, fmt.Errorf("the window exited before its first frame: %s", out.String())
		case <-deadline:
			return 0, 0, errors.New("the window never drew its first frame")
		case <-time.After(10 * time.Millisecond):
		}
	}
	return mapped, msSince(start), nil
}

// painted says whether win shows more than one colour.
func painted(x *xgb.Conn, win xproto.Window) bool {
	g, err := xproto.GetGeometry(x, xproto.Drawable(win)).Reply()
	if err != nil || g.Width == 0 || g.Height == 0 {
		return false
	}
	img, err := xproto.GetImage(x, xproto.ImageFormatZPixmap, xproto.Drawable(win), 0, 0, g.Width, g.Height, 0xffffffff).Reply()
	if err != nil || len(img.Data) < 8 {
		return false
	}
	d := img.Data
	for i := 4; i+3 <= len(d); i += 4 {
		if d[i] != d[0] || d[i+1] != d[1] || d[i+2] != d[2] {
			return true
		}
	}
	return false
}

// printCommandRows adds the command line's and the window's rows to the
// table.
func printCommandRows(cf commandFigures, ratio func(a, b float64) string, verdict func(bool) string) {
	fmt.Printf("| `tokentray status` (median of %d) | %.1f ms | reading and parsing the settings file %.1f ms | %s | ≤ 2× | %s |\n",
		cf.cliRuns, cf.status, cf.statusFloor, ratio(cf.status, cf.statusFloor), verdict(cf.status <= 2*cf.statusFloor))
	fmt.Printf("| `tokentray token NAME`, fresh token (median of %d) | %.1f ms | one go-keyring read plus the parse %.1f ms | %s | ≤ 1.5× | %s |\n",
		cf.cliRuns, cf.token, cf.tokenFloor, ratio(cf.token, cf.tokenFloor), verdict(cf.token <= 1.5*cf.tokenFloor))
	fmt.Printf("| refresh all of 50 credentials, broker answering in %v | %.0f ms | refresh all of 1: %.0f ms | %s | ≤ 1.5× | %s |\n",
		*latency, cf.refresh50, cf.refresh1, ratio(cf.refresh50, cf.refresh1), verdict(cf.refresh50 <= 1.5*cf.refresh1))
	if *commands {
		return // the window was not measured
	}
	fmt.Printf("| window, start to first frame (median of %d) | %.0f ms (mapped at %.0f ms) | – | – | < 500 ms | %s |\n",
		cf.winRuns, cf.frame, cf.mapped, verdict(cf.frame < 500))
}

// machine says where the figures come from: cores, CPU, system and Go.
func machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	system := runtime.GOOS
	if b, err := os.ReadFile("/etc/os-release"); err == nil {
		for l := range strings.SplitSeq(string(b), "\n") {
			if v, ok := strings.CutPrefix(l, "PRETTY_NAME="); ok {
				system = strings.Trim(v, `"`)
			}
		}
	}
	return fmt.Sprintf("%d cores (%s), %s, %s", runtime.NumCPU(), cpu, system, runtime.Version())
}

// measureWindowScale times the window's first frame on a profile of 4
// credentials and on one of n, alternately, runs times each. The
// credentials are written to the store directly (no broker check), as
// an agent that has checked them leaves them.
func measureWindowScale(tmp string, n, runs int) error {
	window := filepath.Join(tmp, "tokentray-window")
	if out, err := exec.Command("go", "build", "-o", window, "./app/cmd/tokentray-window").CombinedOutput(); err != nil {
		return fmt.Errorf("build the window: %v\n%s", err, out)
	}
	var envs [][]string
	for _, size := range []int{4, n} {
		cfg := filepath.Join(tmp, fmt.Sprintf("window%d", size))
		parts, err := system.NewDoor(system.Options{Getenv: func(k string) string {
			if k == "TOKENTRAY_CONFIG_DIR" {
				return cfg
			}
			return os.Getenv(k)
		}}).Open(true)
		if err != nil {
			return err
		}
		// The settings file as an agent that checked them leaves it,
		// written at once (adding a thousand one by one takes minutes).
		now := time.Now().UTC()
		exp := now.Add(90 * 24 * time.Hour)
		var f struct {
			Version     int               `json:"version"`
			Credentials []auth.Credential `json:"credentials"`
		}
		f.Version = 1
		for i := range size {
			f.Credentials = append(f.Credentials, auth.Credential{ID: auth.NewID(), Name: fmt.Sprintf("futu-%04d", i), Kind: auth.KindFutuKey, Endpoint: "https://127.0.0.1:1",
				ExpiresAt: exp, AddedAt: now, LastChecked: now, Health: auth.Health{State: auth.OK, ExpiresAt: exp, CheckedAt: now}})
		}
		b, err := json.Marshal(f)
		if err != nil {
			return err
		}
		if err := os.WriteFile(parts.Store.Path(), b, 0o600); err != nil {
			return err
		}
		if cs, err := parts.Store.List(); err != nil || len(cs) != size {
			return fmt.Errorf("the profile of %d credentials reads back %d (%v)", size, len(cs), err)
		}
		envs = append(envs, append(os.Environ(), "TOKENTRAY_CONFIG_DIR="+cfg, "LANG=C.UTF-8"))
	}
	fmt.Fprintf(os.Stderr, "window at 4 and %d credentials, alternating: %d runs of each\n", n, runs)
	frames, err := timeWindows(envs, window, runs)
	if err != nil {
		return err
	}
	small, large := frames[0], frames[1]
	a, b := medianOf(small), medianOf(large)
	fmt.Printf("Window, start to first frame (median of %d, alternating)\nMachine: %s; load average %s\n\n", runs, machine(), loadAverage())
	fmt.Println("| figure | tokentray | floor | ratio | target | |")
	fmt.Println("| --- | --- | --- | --- | --- | --- |")
	fmt.Printf("| window, first frame at %d credentials | %.0f ms | at 4 credentials: %.0f ms | %s | ≤ 1.5× | %s |\n",
		n, b, a, ratioText(b, a), verdictText(b <= 1.5*a))
	return nil
}
