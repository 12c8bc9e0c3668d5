package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
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
				prompt := s.label + ": "
				if keep {
					prompt = s.label + " (empty keeps the current one): "
				}
				read := e.ReadSecret
				if s.shown && e.ReadLine != nil {
					read = e.ReadLine
				}
				v, err = read(prompt)
				switch {
				case errors.Is(err, ErrInterrupted):
					return nil, &exitError{code: ExitInterrupted, err: errors.New("cancelled: nothing was changed")}
				case errors.Is(err, io.EOF):
					return nil, fmt.Errorf("no %s was entered (the input ended with Ctrl-D): nothing was changed", s.label)
				case err != nil:
					return nil, fmt.Errorf("could not read the %s from the terminal: %w", s.label, err)
				}
			} else {
				if r == nil {
					r = bufio.NewReader(e.Stdin)
				}
				var line string
				line, err = r.ReadString('\n')
				if err != nil && !errors.Is(err, io.EOF) {
					return nil, fmt.Errorf("could not read the %s from stdin: %w", s.label, err)
				}
				v = line
			}
			v = strings.TrimSpace(v)
		}
		if v == "" && keep {
			continue
		}
		if v == "" {
			return nil, usagef("the %s is missing: set %s, or give it on stdin (see tokentray help add)", s.label, strings.Join(s.envs, " or "))
		}
		out[s.field] = v
	}
	return out, nil
}
