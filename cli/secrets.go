package cli

import (
	"bufio"
	"errors"
	"io"
	"strings"

	"tokentray/internal/msg"
)

// readSecrets reads each secret, in order, from its environment
// variable, else a prompt on a terminal (no echo but for an app key's
// ID), else one stdin line.
func readSecrets(e *env, in []secretInput) (map[string]string, error) {
	return readSecretsFor(e, in, false)
}

// readSecretsFor is readSecrets; with keep, a secret left empty is left
// out (update keeps the stored one) instead of refused.
func readSecretsFor(e *env, in []secretInput, keep bool) (map[string]string, error) {
	out := map[string]string{}
	tty := e.ReadSecret != nil && e.IsTerminal(e.Stdin)
	var r *bufio.Reader
	for _, s := range in {
		v := ""
		for _, name := range s.envs {
			if v = strings.TrimSpace(e.Getenv(name)); v != "" {
				break
			}
		}
		if v == "" {
			var err error
			if tty {
				prompt := e.tr(msg.New("cli.prompt", "Label", s.label)) + " "
				if keep {
					prompt = e.tr(msg.New("cli.prompt_keep", "Label", s.label)) + " "
				}
				read := e.ReadSecret
				if s.shown && e.ReadLine != nil {
					read = e.ReadLine
				}
				v, err = read(prompt)
				switch {
				case errors.Is(err, ErrInterrupted):
					return nil, &exitError{code: ExitInterrupted, err: msg.Errorf("cli.cancelled_nothing_changed")}
				case errors.Is(err, io.EOF):
					return nil, msg.Errorf("cli.secret_ctrl_d", "Label", s.label)
				case err != nil:
					return nil, msg.Wrap(err, "cli.secret_read_terminal", "Label", s.label, "Err", err)
				}
			} else {
				if r == nil {
					r = bufio.NewReader(e.Stdin)
				}
				var line string
				line, err = r.ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return nil, msg.Wrap(err, "cli.secret_read_stdin", "Label", s.label, "Err", err)
				}
				v = line
			}
			v = strings.TrimSpace(v)
		}
		if v == "" && keep {
			continue
		}
		if v == "" {
			return nil, usage(msg.New("cli.secret_missing", "Label", s.label, "Vars", e.orList(s.envs)))
		}
		out[s.field] = v
	}
	return out, nil
}
