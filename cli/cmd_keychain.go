package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth/keychain"
	"tokentray/auth/store"
)

// KeychainReport is what `tokentray keychain status` shows about the
// keychain a profile uses (the wiring fills it in).
type KeychainReport = keychain.Report

func keychainCommand(e *env) *cobra.Command {
	c := newCommand("keychain", "set up and check where secrets are kept", "keychain init\nkeychain status\nkeychain move-aside",
		`tokentray keeps every secret in the system keychain (the Secret Service
on Linux, the login keychain on macOS, Credential Manager on Windows). On
a server with no desktop there is none: keep the secrets in the file
keychain instead, one file per profile encrypted with age, whose key is
kept apart from it. Nothing switches on its own; choose it with
"tokentray config keychain file" or TOKENTRAY_KEYCHAIN=file.

  init         create the file keychain's key (mode 0600); it refuses to
               replace a key, or to write one into a folder other users
               can read or write
  status       say which keychain is in use, where, and whether it can
               be read (exit 1 when it cannot)
  move-aside   rename a damaged file keychain out of the way, keeping it
               whole; the next secret stored starts a new one

The key is read from $CREDENTIALS_DIRECTORY/tokentray.key when tokentray
runs under systemd with that credential (LoadCredential=, or
LoadCredentialEncrypted= for a key bound to the machine with
systemd-creds), else from the file TOKENTRAY_KEY_FILE names, else from
tokentray/tokentray.key in your data folder (~/.local/share on Linux).`)
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("keychain needs init, status or move-aside; run: tokentray help keychain")
		}
		return usagef("%q is not a keychain command; it takes init, status or move-aside", args[0])
	}
	c.RunE = func(*cobra.Command, []string) error { return nil }
	initC := newCommand("init", "create the file keychain's key", "keychain init", "")
	initC.Args = noArgs
	initC.RunE = func(*cobra.Command, []string) error { return keychainInit(e) }
	statusC := newCommand("status", "say which keychain is in use and whether it can be read", "keychain status", "")
	statusC.Args = noArgs
	statusC.RunE = func(*cobra.Command, []string) error { return keychainStatus(e) }
	asideC := newCommand("move-aside", "move a damaged file keychain out of the way", "keychain move-aside", "")
	asideC.Args = noArgs
	asideC.RunE = func(*cobra.Command, []string) error { return keychainMoveAside(e) }
	c.AddCommand(initC, statusC, asideC)
	return c
}

func keychainInit(e *env) error {
	key, err := keychain.KeyFor(e.Getenv)
	if err != nil {
		return err
	}
	if key.From == keychain.KeyFromSystemd {
		return fmt.Errorf("this process already gets the file keychain's key from systemd (%s); nothing was created", key.Path)
	}
	if _, err := keychain.NewKey(key.Path, e.Clock.Now()); err != nil {
		return err
	}
	w := e.Stdout
	fmt.Fprintf(w, "Created the file keychain's key: %s (mode 0600).\n", key.Path)
	fmt.Fprintln(w, "Keep a copy of it somewhere safe and offline: without it, the secrets in the file keychain cannot be read.")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Keep the secrets in the file keychain:\n  %s\n(or set TOKENTRAY_KEYCHAIN=file for one process).\n", e.cmdLine("config", "keychain", "file"))
	fmt.Fprintln(w)
	fmt.Fprintln(w, "To run tokentray as a systemd user service that reads the key as a credential:")
	fmt.Fprintf(w, "  %s\n", e.cmdLine("service", "install"))
	fmt.Fprintln(w, "To bind the key to this machine (and its TPM, when it has one) instead of keeping it in a plain file (systemd 256 or later):")
	fmt.Fprintf(w, "  systemd-creds --user encrypt --name=%s %s %s.cred\n", keychain.KeyName, key.Path, key.Path)
	fmt.Fprintf(w, "  %s\n", e.cmdLine("service", "install", "--credential", key.Path+".cred"))
	fmt.Fprintf(w, "then, once the service runs, keep the plain key offline and delete %s.\n", key.Path)
	return nil
}

func (e *env) keychainReport() (KeychainReport, error) {
	p, err := e.open()
	if err != nil {
		return KeychainReport{}, err
	}
	if p.Keychain == nil {
		return KeychainReport{}, errors.New("this build of tokentray cannot say where its secrets are kept")
	}
	r, ok := p.Keychain()
	if !ok {
		return KeychainReport{}, errors.New("this profile keeps its secrets outside any keychain")
	}
	return r, nil
}

// serverHint ends a message saying that no OS keychain runs here with
// the way a server keeps its secrets, chosen by the person.
func (e *env) serverHint(msg string) string {
	return strings.TrimRight(msg, ". ") + ". On a server without a desktop, keep the secrets in the encrypted file keychain instead: " +
		e.cmdLine("keychain", "init") + ", then " + e.cmdLine("config", "keychain", "file")
}

// sessionNote says what the Secret Service session algorithm means for
// the secrets on their way to the keychain.
func sessionNote(alg string) string {
	switch alg {
	case keychain.AlgorithmEncrypted:
		return alg + " (encrypted)"
	case keychain.AlgorithmPlain:
		return alg + " (secrets cross the session bus unencrypted: the Secret Service offers no encrypted session)"
	}
	return alg
}

func chosenBy(by string) string {
	if by == "the default" {
		return "the default"
	}
	return "chosen by " + by
}

func keychainStatus(e *env) error {
	r, err := e.keychainReport()
	if err != nil {
		return err
	}
	w := e.Stdout
	if r.Kind == store.KeychainFile {
		fmt.Fprintf(w, "Keychain: the file keychain (%s)\n", chosenBy(r.ChosenBy))
		fmt.Fprintf(w, "File:     %s\n", r.File)
		fmt.Fprintf(w, "Key:      %s (%s)\n", r.Key.Path, keyFrom(r.Key.From))
	} else {
		fmt.Fprintf(w, "Keychain: the system keychain (%s)\n", chosenBy(r.ChosenBy))
		fmt.Fprintf(w, "Service:  %s\n", r.Service)
		if r.Session != "" {
			fmt.Fprintf(w, "Session:  %s\n", sessionNote(r.Session))
		}
	}
	if r.Err != nil {
		fmt.Fprintln(w, "State:    cannot be read")
		return r.Err
	}
	if r.Items >= 0 {
		fmt.Fprintf(w, "State:    can be read (%d %s)\n", r.Items, plural(r.Items, "item", "items"))
	} else {
		fmt.Fprintln(w, "State:    can be read")
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func keyFrom(from string) string {
	switch from {
	case keychain.KeyFromSystemd:
		return "the systemd credential " + keychain.KeyName
	case keychain.KeyFromEnv:
		return "named by TOKENTRAY_KEY_FILE"
	}
	return "the default place"
}

func keychainMoveAside(e *env) error {
	p, err := e.open()
	if err != nil {
		return err
	}
	if p.MoveKeychainAside == nil {
		return errors.New("this profile does not keep its secrets in the file keychain, so there is no file to move aside")
	}
	moved, err := p.MoveKeychainAside()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Moved the damaged file keychain to %s, whole; the next secret stored starts a new one.\n", moved)
	fmt.Fprintf(e.Stdout, "Credentials whose secrets were in it need them again: see which with %s\n", e.cmdLine("status"))
	return nil
}

// keychainNext is the command that fixes a keychain failure, or "".
func (e *env) keychainNext(err error) string {
	var fe *keychain.FileError
	if errors.As(err, &fe) {
		switch fe.Problem {
		case keychain.ProblemKeyMissing:
			return e.cmdLine("keychain", "init")
		case keychain.ProblemKeyExposed:
			return "chmod 600 " + shellQuote(fe.Path)
		case keychain.ProblemDamaged:
			return e.cmdLine("keychain", "move-aside")
		}
		return ""
	}
	return ""
}
