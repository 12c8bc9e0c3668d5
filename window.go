package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
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
	phone   string   // the sandbox phone's address, shown in the window
	env     []string // the environment of the window's process
}

func (w windowSpec) args() []string {
	var args []string
	if w.sandbox {
		args = append(args, "--sandbox")
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
	cmd.Stdin, cmd.Stdout = os.Stdin, stdout
	pipe, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start the window (%s): %w", prog, err)
	}
	last := passAllButLast(pipe, stderr)
	err = cmd.Wait()
	line := <-last
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

// passAllButLast copies r's lines to w, holding each back until the next
// arrives; it sends the last line on the channel once r ends.
func passAllButLast(r io.Reader, w io.Writer) <-chan string {
	last := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		held, have := "", false
		for sc.Scan() {
			if have {
				fmt.Fprintln(w, held)
			}
			held, have = sc.Text(), true
		}
		_, _ = io.Copy(io.Discard, r)
		last <- held
	}()
	return last
}
