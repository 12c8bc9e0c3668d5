package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"tokentray/auth"
)

// windowProgram is the file name of the window's program.
func windowProgram() string {
	if runtime.GOOS == "windows" {
		return "tokentray-window.exe"
	}
	return "tokentray-window"
}

// findWindow finds the window's program: beside this binary (where `make
// build`, `make install` and the desktop package put it), else on PATH.
func findWindow() (string, error) {
	name := windowProgram()
	if exe, err := os.Executable(); err == nil {
		if real, err := filepath.EvalSymlinks(exe); err == nil {
			exe = real
		}
		p := filepath.Join(filepath.Dir(exe), name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("the window's program (%s) is neither beside tokentray nor on PATH: install both together (make install)", name)
}

// windowSpec is one window to start.
type windowSpec struct {
	sandbox bool
	focus   string
	do      auth.ActionKind // the action to start on focus; none: only show it
	phone   string          // the sandbox phone's address, shown in the window
	env     []string        // the environment of the window's process
}

func (w windowSpec) args() []string {
	var args []string
	if w.sandbox {
		args = append(args, "--sandbox")
	}
	if w.do != auth.ActionNone && w.focus != "" {
		args = append(args, "--do", string(w.do))
	}
	if w.focus != "" {
		args = append(args, w.focus)
	}
	return args
}

// run starts the window and waits until it is closed. Its output goes to
// stdout and stderr, but for the sentence a failing window ends with:
// that becomes the error, so it is said once.
func (w windowSpec) run(ctx context.Context, stdout, stderr io.Writer) error {
	prog, err := findWindow()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, prog, w.args()...)
	// Stopping tokentray closes the window it waits for, the same way.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 5 * time.Second
	cmd.Env = w.env
	if w.phone != "" {
		cmd.Env = append(cmd.Env, "TOKENTRAY_SANDBOX_PHONE="+w.phone)
	}
	held := &holdLast{w: stderr}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, held
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the window (%s): %w", prog, err)
	}
	err = cmd.Wait()
	if errors.Is(err, exec.ErrWaitDelay) {
		// The window closed normally; something it started (a browser)
		// still holds its output.
		err = nil
	}
	line := held.last()
	var xe *exec.ExitError
	switch {
	case err == nil:
		if line != "" {
			fmt.Fprintln(stderr, line)
		}
		return nil
	case errors.As(err, &xe) && line != "":
		return errors.New(strings.TrimPrefix(line, "tokentray: "))
	default:
		if line != "" {
			fmt.Fprintln(stderr, line)
		}
		return fmt.Errorf("the window stopped unexpectedly (%v)", err)
	}
}

// holdLast passes every line written to it on to w, but holds the
// latest one back until the next arrives.
type holdLast struct {
	w io.Writer

	mu      sync.Mutex
	partial []byte
	held    string
	have    bool
}

func (h *holdLast) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.partial = append(h.partial, p...)
	for {
		i := bytes.IndexByte(h.partial, '\n')
		if i < 0 {
			break
		}
		if h.have {
			fmt.Fprintln(h.w, h.held)
		}
		h.held, h.have = string(h.partial[:i]), true
		h.partial = h.partial[i+1:]
	}
	return len(p), nil
}

// last is the line held back (with any unfinished line after it).
func (h *holdLast) last() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.partial) > 0 {
		if h.have {
			fmt.Fprintln(h.w, h.held)
		}
		return string(h.partial)
	}
	return h.held
}
