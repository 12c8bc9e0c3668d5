//go:build linux

package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"tokentray/internal/testutil"
)

// openPTY opens a pseudo-terminal: the side a program reads as its
// terminal, and the side that plays the person's keyboard.
func openPTY(t *testing.T) (tty, keys *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	keys = os.NewFile(uintptr(fd), "/dev/ptmx")
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tty.Close(); keys.Close() })
	return tty, keys
}

// On a real terminal Ctrl-C and Ctrl-D end the prompt at once, and the
// terminal is as it was before (echo on, line editing on).
func TestAPromptOnATerminalStopsAtCtrlCAndRestoresIt(t *testing.T) {
	for _, c := range []struct {
		keys string
		want error
		line string
	}{
		{"secr\x03", ErrInterrupted, ""},
		{"\x04", io.EOF, ""},
		{"test-secret-0001\r", nil, "test-secret-0001"},
	} {
		tty, keys := openPTY(t)
		before, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			line string
			err  error
		}
		done := make(chan result, 1)
		var shown strings.Builder
		go func() {
			line, err := ReadTerminal(tty, &shown, "Futu App Secret: ", false)
			done <- result{line, err}
		}()
		// The keys come once the prompt reads them key by key, as a
		// person types after seeing it.
		if !testutil.Poll(10*time.Second, time.Millisecond, func() bool {
			now, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
			return err == nil && now.Lflag&unix.ICANON == 0
		}) {
			t.Fatal("the prompt never took the terminal")
		}
		if _, err := keys.WriteString(c.keys); err != nil {
			t.Fatal(err)
		}
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("keys %q: the prompt did not end", c.keys)
		}
		if r.line != c.line || !errors.Is(r.err, c.want) || (c.want == nil && r.err != nil) {
			t.Errorf("keys %q: %q, %v; want %q, %v", c.keys, r.line, r.err, c.line, c.want)
		}
		after, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
		if err != nil {
			t.Fatal(err)
		}
		if after.Lflag != before.Lflag || after.Iflag != before.Iflag || after.Oflag != before.Oflag {
			t.Errorf("keys %q: the terminal was left changed (lflag %#x, was %#x)", c.keys, after.Lflag, before.Lflag)
		}
		if strings.Contains(shown.String(), "secr") {
			t.Errorf("keys %q: the secret was shown: %q", c.keys, shown.String())
		}
	}
}
