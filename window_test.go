//go:build unix

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeWindow puts a tokentray-window script on PATH, found there because
// the test binary has none beside it.
func fakeWindow(t *testing.T, script string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tokentray-window"), []byte("#!/bin/sh\n"+script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
}

func TestAFailingWindowSaysItsSentenceOnce(t *testing.T) {
	fakeWindow(t, "echo 'a line the toolkit logged' >&2\necho 'tokentray: the display is gone: run it from your desktop' >&2\nexit 1\n")
	var stdout, stderr bytes.Buffer
	err := windowSpec{sandbox: true, focus: "futu-demo"}.run(context.Background(), &stdout, &stderr)
	if err == nil || err.Error() != "the display is gone: run it from your desktop" {
		t.Fatalf("run returned %v, want the window's last sentence", err)
	}
	if got := stderr.String(); got != "a line the toolkit logged\n" {
		t.Fatalf("stderr %q: the earlier lines pass, the sentence is left to the caller", got)
	}
}

func TestAWindowGetsItsProfileAndFocus(t *testing.T) {
	fakeWindow(t, "echo \"$* phone=$TOKENTRAY_SANDBOX_PHONE\"\necho 'last words' >&2\n")
	var stdout, stderr bytes.Buffer
	err := windowSpec{sandbox: true, focus: "futu-demo", phone: "http://127.0.0.1:1/sandbox/phone"}.run(context.Background(), &stdout, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	if got := stdout.String(); got != "--sandbox futu-demo phone=http://127.0.0.1:1/sandbox/phone\n" {
		t.Fatalf("the window was started as %q", got)
	}
	if got := stderr.String(); got != "last words\n" {
		t.Fatalf("a window that closed normally lost its output: %q", got)
	}
}

func TestNoWindowProgramIsOneSentence(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	err := windowSpec{}.run(context.Background(), &bytes.Buffer{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "tokentray-window") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("without the window's program: %v", err)
	}
}
