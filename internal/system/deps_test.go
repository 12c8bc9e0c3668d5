package system_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// linked is every package pkg links (go list -deps), by import path.
func linked(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH, so the dependencies cannot be listed")
	}
	out, err := exec.Command(goBin, "list", "-deps", pkg).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v %s", pkg, err, stderr)
	}
	m := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		m[p] = true
	}
	if !m[pkg] {
		t.Fatalf("go list -deps %s did not list the package itself: %q", pkg, out)
	}
	return m
}

// faces are the packages a person sees tokentray through.
var faces = []string{"tokentray/tray", "tokentray/app", "tokentray/cli"}

// TestTheWiringImportsNoFace: the package that builds the real parts is
// below every face, so each face's program links only its own face.
func TestTheWiringImportsNoFace(t *testing.T) {
	deps := linked(t, "tokentray/internal/system")
	for _, f := range faces {
		if deps[f] {
			t.Errorf("tokentray/internal/system links the face %s", f)
		}
	}
}

// sandbox is the simulated brokers: only a program that runs them links
// them (tokentray does: `tokentray sandbox`, the sandbox profile's agent).
var sandbox = []string{"tokentray/auth/sandbox", "tokentray/auth/sandbox/futusim", "tokentray/auth/sandbox/webullsim", "tokentray/auth/sandbox/fault"}

// TestTheWiringLinksNoSandbox: the wiring finds the sandbox brokers of
// the sandbox profile by their record alone (internal/sandboxaddr);
// starting them is internal/system/demo.
func TestTheWiringLinksNoSandbox(t *testing.T) {
	deps := linked(t, "tokentray/internal/system")
	for _, p := range sandbox {
		if deps[p] {
			t.Errorf("tokentray/internal/system links %s", p)
		}
	}
}

// TestTheWindowProgramLinksNoTrayAndNoSandbox: the window's program
// carries neither the agent's tray, nor the command line, nor the
// simulated brokers, which it never runs. (Fyne's own desktop driver
// links fyne.io/systray for apps with a tray icon; the window has none.)
func TestTheWindowProgramLinksNoTrayAndNoSandbox(t *testing.T) {
	deps := linked(t, "tokentray/app/cmd/tokentray-window")
	for _, f := range append([]string{"tokentray/tray", "tokentray/cli"}, sandbox...) {
		if deps[f] {
			t.Errorf("the window's program links %s", f)
		}
	}
}

// imports is every package a package under pattern imports itself (not
// through another), by importing package, tests left out.
func imports(t *testing.T, pattern string) map[string][]string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not on PATH, so the imports cannot be listed")
	}
	out, err := exec.Command(goBin, "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, pattern).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list %s: %v %s", pattern, err, stderr)
	}
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			m[f[0]] = f[1:]
		}
	}
	if len(m) == 0 {
		t.Fatalf("go list %s listed no package", pattern)
	}
	return m
}

// engineFree are the faces that reach the credentials only through
// auth/service, never the engine below it.
var engineFree = []string{"tokentray/app/...", "tokentray/tray/...", "tokentray/cli/..."}

// TestNoFaceImportsTheEngine: every face takes the one service
// interface (auth/service), so none imports the engine itself; the
// service is the only door to it.
func TestNoFaceImportsTheEngine(t *testing.T) {
	for _, pattern := range engineFree {
		for pkg, imps := range imports(t, pattern) {
			for _, imp := range imps {
				if imp == "tokentray/auth/engine" {
					t.Errorf("%s imports tokentray/auth/engine; take a service.Service instead", pkg)
				}
			}
		}
	}
}

// brokers are the broker packages: the wiring builds them, and the
// faces learn what they need of them from the kinds' descriptions
// (auth.Describe) and the service.
var brokers = []string{"tokentray/auth/futu", "tokentray/auth/webull"}

// TestNoFaceLinksABrokerOrTheSandbox: the command line, the tray and the
// window reach the brokers only through the service and the kinds'
// descriptions, and start the sandbox through what the program hands
// them (cli.Deps.StartSandbox), so none links a broker package or the
// simulated brokers.
func TestNoFaceLinksABrokerOrTheSandbox(t *testing.T) {
	for _, f := range faces {
		deps := linked(t, f)
		for _, p := range append(append([]string{}, brokers...), sandbox...) {
			if deps[p] {
				t.Errorf("the face %s links %s", f, p)
			}
		}
		for p := range deps {
			if strings.HasPrefix(p, "tokentray/auth/sandbox/") && !slices.Contains(sandbox, p) {
				t.Errorf("the face %s links %s", f, p)
			}
		}
	}
}

// programs are the shipped programs: the command line with the agent,
// and the window.
var programs = []string{"tokentray", "tokentray/app/cmd/tokentray-window"}

// testSupport reports whether pkg is code only tests use: the shared
// test helpers (internal/testutil) and the packages named like
// net/http/httptest after what they help test (futusimtest, the
// sandbox's stand-in browser).
func testSupport(pkg string) bool {
	if !strings.HasPrefix(pkg, "tokentray/") {
		return false
	}
	last := pkg[strings.LastIndex(pkg, "/")+1:]
	return pkg == "tokentray/internal/testutil" || strings.HasSuffix(last, "test")
}

// TestTheShippedProgramsLinkNoTestSupport: what only tests use (a
// stand-in browser, in-memory keychains, fake clocks' helpers) is not
// in a program a person runs.
func TestTheShippedProgramsLinkNoTestSupport(t *testing.T) {
	for _, p := range []string{"tokentray/internal/testutil", "tokentray/auth/sandbox/futusim/futusimtest"} {
		if !testSupport(p) {
			t.Fatalf("%s is not taken for test support", p)
		}
	}
	for _, prog := range programs {
		for p := range linked(t, prog) {
			if testSupport(p) {
				t.Errorf("the program %s links %s, which only tests use", prog, p)
			}
		}
	}
}
