package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/term"
)

// ErrInterrupted is Ctrl-C at a prompt: the command stops at once, as it
// would on the signal, with exit code 130.
var ErrInterrupted = errors.New("cancelled at the prompt")

// ExitInterrupted is the exit code of a command stopped by Ctrl-C
// (128 + SIGINT, as shells report it).
const ExitInterrupted = 130

// ReadTerminal reads one line typed on the terminal in, after writing
// prompt to out; echo shows what is typed (a secret is not shown). Enter
// ends the line, Ctrl-C cancels (ErrInterrupted), Ctrl-D on an empty line
// ends the input (io.EOF), Backspace and Ctrl-U edit. The terminal is put
// back as it was before ReadTerminal returns.
func ReadTerminal(in *os.File, out io.Writer, prompt string, echo bool) (string, error) {
	fd := int(in.Fd())
	old, err := term.MakeRaw(fd)
	if err != nil {
		return "", err
	}
	defer func() { _ = term.Restore(fd, old) }()
	fmt.Fprint(out, prompt)
	var shown io.Writer
	if echo {
		shown = out
	}
	line, err := readLine(in, shown)
	// Raw mode: the terminal does not turn a newline into a line start.
	fmt.Fprint(out, "\r\n")
	return line, err
}

// readLine reads keys from r until Enter, Ctrl-C or Ctrl-D on an empty
// line; echo, when not nil, shows the line as it is edited.
func readLine(r io.Reader, echo io.Writer) (string, error) {
	var line []byte
	var b [1]byte
	erase := func(n int) {
		if echo != nil {
			for ; n > 0; n-- {
				fmt.Fprint(echo, "\b \b")
			}
		}
	}
	for {
		n, err := r.Read(b[:])
		if n == 0 {
			if err == nil {
				continue
			}
			if errors.Is(err, io.EOF) && len(line) > 0 {
				return string(line), nil
			}
			return "", err
		}
		switch c := b[0]; {
		case c == '\r' || c == '\n':
			return string(line), nil
		case c == 0x03: // Ctrl-C
			return "", ErrInterrupted
		case c == 0x04: // Ctrl-D
			if len(line) == 0 {
				return "", io.EOF
			}
		case c == 0x7f || c == 0x08: // Backspace
			if len(line) > 0 {
				_, size := utf8.DecodeLastRune(line)
				line = line[:len(line)-size]
				erase(1)
			}
		case c == 0x15: // Ctrl-U
			erase(utf8.RuneCount(line))
			line = line[:0]
		case c == 0x1b: // an escape sequence (an arrow key): not text
			skipEscape(r)
		case c < 0x20:
		default:
			line = append(line, c)
			if echo != nil {
				_, _ = echo.Write([]byte{c})
			}
		}
	}
}

// skipEscape reads the rest of an escape sequence (ESC [ ... final byte).
func skipEscape(r io.Reader) {
	var b [1]byte
	if n, _ := r.Read(b[:]); n == 0 || (b[0] != '[' && b[0] != 'O') {
		return
	}
	for {
		if n, _ := r.Read(b[:]); n == 0 || (b[0] >= 0x40 && b[0] <= 0x7e) {
			return
		}
	}
}
