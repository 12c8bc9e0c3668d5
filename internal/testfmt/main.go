// Command testfmt turns `go test -json` into what a person can follow: a
// line per package as it finishes, in go test's own format ("ok  \tPKG\t1.2s",
// "FAIL\tPKG\t3.4s"), the output of every failed test, build errors, and
// while nothing finishes a line every half minute saying what still runs
// (a cold build of the race-enabled tests prints nothing for minutes).
// It exits 1 when a package failed and ends with go test's closing word,
// PASS or FAIL.
//
// Usage: go test -json ./... | go run ./internal/testfmt
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action      string
	Package     string
	ImportPath  string // build-output events
	Test        string
	Output      string
	Elapsed     float64
	FailedBuild string
}

func main() {
	os.Exit(run(os.Stdin, os.Stdout, 30*time.Second))
}

// run formats the events read from in onto out, with a progress line
// after every quiet spell of quiet; it returns the exit code.
func run(in io.Reader, out io.Writer, quiet time.Duration) int {
	f := &formatter{out: out, running: map[string]bool{}, tests: map[string][]string{}, start: time.Now()}
	done := make(chan struct{})
	defer close(done)
	go f.heartbeat(quiet, done)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			f.print(sc.Text()) // not JSON: go's own message (a setup error)
			continue
		}
		f.event(e)
	}
	return f.end()
}

type formatter struct {
	mu       sync.Mutex
	out      io.Writer
	last     time.Time
	start    time.Time
	running  map[string]bool
	tests    map[string][]string // package/test -> output, kept until it ends
	failed   int
	packages int
}

func (f *formatter) print(s string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.printLocked(s)
}

func (f *formatter) printLocked(s string) {
	fmt.Fprintln(f.out, s)
	f.last = time.Now()
}

func (f *formatter) event(e event) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.Action == "build-output" {
		fmt.Fprint(f.out, e.Output)
		f.last = time.Now()
		return
	}
	key := e.Package + "\x00" + e.Test
	switch e.Action {
	case "start":
		f.running[e.Package] = true
	case "output":
		f.tests[key] = append(f.tests[key], e.Output)
	case "pass", "skip":
		if e.Test != "" {
			delete(f.tests, key)
			return
		}
		f.finish(e, "ok  ")
	case "fail":
		if e.Test != "" {
			fmt.Fprint(f.out, strings.Join(f.tests[key], ""))
			f.last = time.Now()
			delete(f.tests, key)
			return
		}
		f.failed++
		f.finish(e, "FAIL")
	}
}

// finish prints a package's line as go test does (f.mu held).
func (f *formatter) finish(e event, word string) {
	delete(f.running, e.Package)
	f.packages++
	key := e.Package + "\x00"
	lines := f.tests[key]
	delete(f.tests, key)
	noTests := false
	for _, l := range lines {
		if strings.Contains(l, "[no test files]") {
			noTests = true
		}
	}
	switch {
	case noTests:
		f.printLocked("?   \t" + e.Package + "\t[no test files]")
	case word == "FAIL":
		// The package's own output (a panic, a build failure) first.
		for _, l := range lines {
			if t := strings.TrimSpace(l); t != "" && t != "FAIL" && !strings.HasPrefix(t, "FAIL\t") {
				fmt.Fprint(f.out, l)
			}
		}
		if e.FailedBuild != "" {
			f.printLocked("FAIL\t" + e.Package + " [build failed]")
		} else {
			f.printLocked(fmt.Sprintf("FAIL\t%s\t%.3fs", e.Package, e.Elapsed))
		}
	default:
		f.printLocked(fmt.Sprintf("ok  \t%s\t%.3fs", e.Package, e.Elapsed))
	}
}

// heartbeat says what still runs after every quiet spell.
func (f *formatter) heartbeat(quiet time.Duration, done <-chan struct{}) {
	t := time.NewTicker(quiet / 3)
	defer t.Stop()
	for {
		select {
		case <-done:
			return
		case <-t.C:
		}
		f.mu.Lock()
		if time.Since(f.last) >= quiet {
			elapsed := time.Since(f.start).Round(time.Second)
			if len(f.running) == 0 {
				f.printLocked(fmt.Sprintf("  … building the tests (%s so far; a cold build takes several minutes)", elapsed))
			} else {
				var names []string
				for p := range f.running {
					names = append(names, p)
				}
				sort.Strings(names)
				more := ""
				if len(names) > 3 {
					names, more = names[:3], fmt.Sprintf(" and %d more", len(names)-3)
				}
				f.printLocked(fmt.Sprintf("  … %s so far; still running: %s%s", elapsed, strings.Join(names, ", "), more))
			}
		}
		f.mu.Unlock()
	}
}

// end prints the closing word and returns the exit code.
func (f *formatter) end() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	elapsed := time.Since(f.start).Round(time.Second)
	if f.failed > 0 {
		f.printLocked(fmt.Sprintf("%d of %d packages failed (%s)", f.failed, f.packages, elapsed))
		f.printLocked("FAIL")
		return 1
	}
	f.printLocked(fmt.Sprintf("%d packages passed (%s)", f.packages, elapsed))
	f.printLocked("PASS")
	return 0
}
