package main

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

func TestAPackageLineAsEachFinishesAndFailuresInFull(t *testing.T) {
	in := strings.Join([]string{
		`{"Action":"start","Package":"tokentray/a"}`,
		`{"Action":"run","Package":"tokentray/a","Test":"TestOK"}`,
		`{"Action":"output","Package":"tokentray/a","Test":"TestOK","Output":"=== RUN   TestOK\n"}`,
		`{"Action":"pass","Package":"tokentray/a","Test":"TestOK","Elapsed":0.01}`,
		`{"Action":"output","Package":"tokentray/a","Output":"ok  \ttokentray/a\t0.020s\n"}`,
		`{"Action":"pass","Package":"tokentray/a","Elapsed":0.02}`,
		`{"Action":"start","Package":"tokentray/b"}`,
		`{"Action":"output","Package":"tokentray/b","Test":"TestBad","Output":"    b_test.go:9: want 2, got 3\n"}`,
		`{"Action":"fail","Package":"tokentray/b","Test":"TestBad","Elapsed":0.01}`,
		`{"Action":"fail","Package":"tokentray/b","Elapsed":1.5}`,
		`{"Action":"start","Package":"tokentray/c"}`,
		`{"Action":"output","Package":"tokentray/c","Output":"?   \ttokentray/c\t[no test files]\n"}`,
		`{"Action":"skip","Package":"tokentray/c","Elapsed":0}`,
	}, "\n")
	var out bytes.Buffer
	code := run(strings.NewReader(in), &out, time.Hour)
	got := out.String()
	for _, want := range []string{
		"ok  \ttokentray/a\t0.020s\n",
		"    b_test.go:9: want 2, got 3\nFAIL\ttokentray/b\t1.500s\n",
		"?   \ttokentray/c\t[no test files]\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "=== RUN") {
		t.Errorf("a passing test's output was shown:\n%s", got)
	}
	if code != 1 || !strings.HasSuffix(got, "\nFAIL\n") {
		t.Errorf("exit %d, closing %q", code, got[strings.LastIndex(strings.TrimSuffix(got, "\n"), "\n")+1:])
	}
}

func TestAQuietBuildSaysItIsStillWorking(t *testing.T) {
	r, w := io.Pipe()
	var out lockedBuffer
	done := make(chan int)
	go func() { done <- run(r, &out, 30*time.Millisecond) }()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "building the tests") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	w.Write([]byte(`{"Action":"start","Package":"tokentray/a"}` + "\n"))
	w.Write([]byte(`{"Action":"pass","Package":"tokentray/a","Elapsed":1}` + "\n"))
	w.Close()
	if code := <-done; code != 0 {
		t.Errorf("exit %d", code)
	}
	if got := out.String(); !strings.Contains(got, "building the tests") || !strings.HasSuffix(got, "\nPASS\n") {
		t.Errorf("output:\n%s", got)
	}
}
