package cli

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"tokentray/auth/keychain"
	"tokentray/auth/store"
	"tokentray/internal/msg"
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
			return usage(msg.New("cli.keychain_needs"))
		}
		return usage(msg.New("cli.keychain_not_a_command", "Word", strconv.Quote(args[0])))
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
		return msg.Errorf("cli.keychain_key_from_systemd", "Path", key.Path)
	}
	if _, err := keychain.NewKey(key.Path, e.Clock.Now()); err != nil {
		return err
	}
	w := e.Stdout
	fmt.Fprintln(w, e.tr(msg.New("cli.keychain_created", "Path", key.Path)))
	fmt.Fprintln(w, e.tr(msg.New("cli.keychain_keep_copy")))
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr(msg.New("cli.keychain_use_file", "Command", e.cmdLine("config", "keychain", "file"))))
	fmt.Fprintln(w)
	fmt.Fprintln(w, e.tr(msg.New("cli.keychain_as_service")))
	fmt.Fprintf(w, "  %s\n", e.cmdLine("service", "install"))
	fmt.Fprintln(w, e.tr(msg.New("cli.keychain_bind")))
	fmt.Fprintf(w, "  systemd-creds --user encrypt --name=%s %s %s.cred\n", keychain.KeyName, key.Path, key.Path)
	fmt.Fprintf(w, "  %s\n", e.cmdLine("service", "install", "--credential", key.Path+".cred"))
	fmt.Fprintln(w, e.tr(msg.New("cli.keychain_then_delete", "Path", key.Path)))
	return nil
}

func (e *env) keychainReport() (KeychainReport, error) {
	p, err := e.open()
	if err != nil {
		return KeychainReport{}, err
	}
	if p.Keychain == nil {
		return KeychainReport{}, msg.Errorf("cli.keychain_no_report")
	}
	r, ok := p.Keychain()
	if !ok {
		return KeychainReport{}, msg.Errorf("cli.keychain_none")
	}
	return r, nil
}

// serverHint ends a message saying that no OS keychain runs here with
// the way a server keeps its secrets, chosen by the person.
func (e *env) serverHint(sentence string) string {
	return e.tr(msg.New("cli.server_hint", "Sentence", trimEnd(sentence), "Init", e.cmdLine("keychain", "init"), "Config", e.cmdLine("config", "keychain", "file")))
}

// sessionNote says what the Secret Service session algorithm means for
// the secrets on their way to the keychain.
func (e *env) sessionNote(alg string) string {
	switch alg {
	case keychain.AlgorithmEncrypted:
		return e.tr(msg.New("cli.session_encrypted", "Alg", alg))
	case keychain.AlgorithmPlain:
		return e.tr(msg.New("cli.session_plain", "Alg", alg))
	}
	return alg
}

// chosenBy says what chose the keychain (the wiring's KeychainChoice.By).
func (e *env) chosenBy(by string) string {
	switch by {
	case "the default":
		return e.tr(msg.New("cli.chosen_by_default"))
	case "the keychain setting":
		return e.tr(msg.New("cli.chosen_by_setting"))
	}
	return e.tr(msg.New("cli.chosen_by", "By", by))
}

func keychainStatus(e *env) error {
	r, err := e.keychainReport()
	if err != nil {
		return err
	}
	w := e.Stdout
	var rows [][2]string
	row := func(label msg.Message, value string) {
		rows = append(rows, [2]string{e.tr(msg.New("cli.label", "Label", label)), value})
	}
	if r.Kind == store.KeychainFile {
		row(msg.New("cli.kc_keychain"), e.tr(msg.New("cli.kc_file_keychain", "By", e.chosenBy(r.ChosenBy))))
		row(msg.New("cli.kc_file"), r.File)
		row(msg.New("cli.kc_key"), e.tr(msg.New("cli.kc_key_from", "Path", r.Key.Path, "From", e.keyFrom(r.Key.From))))
	} else {
		row(msg.New("cli.kc_keychain"), e.tr(msg.New("cli.kc_system_keychain", "By", e.chosenBy(r.ChosenBy))))
		row(msg.New("cli.kc_service"), r.Service)
		if r.Session != "" {
			row(msg.New("cli.kc_session"), e.sessionNote(r.Session))
		}
	}
	switch {
	case r.Err != nil:
		row(msg.New("cli.kc_state"), e.tr(msg.New("cli.kc_unreadable")))
	case r.Items >= 0:
		row(msg.New("cli.kc_state"), e.tr(msg.New("cli.kc_readable_items", "Count", r.Items)))
	default:
		row(msg.New("cli.kc_state"), e.tr(msg.New("cli.kc_readable")))
	}
	width := 10
	for _, r := range rows {
		width = max(width, displayWidth(r[0])+1)
	}
	for _, r := range rows {
		fmt.Fprintf(w, "%s%s\n", padTo(r[0], width), r[1])
	}
	return r.Err
}

func (e *env) keyFrom(from string) string {
	switch from {
	case keychain.KeyFromSystemd:
		return e.tr(msg.New("cli.key_from_systemd", "Name", keychain.KeyName))
	case keychain.KeyFromEnv:
		return e.tr(msg.New("cli.key_from_env"))
	}
	return e.tr(msg.New("cli.key_from_default"))
}

func keychainMoveAside(e *env) error {
	p, err := e.open()
	if err != nil {
		return err
	}
	if p.MoveKeychainAside == nil {
		return msg.Errorf("cli.keychain_no_file")
	}
	moved, err := p.MoveKeychainAside()
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.keychain_moved", "Path", moved)))
	fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.keychain_moved_next", "Command", e.cmdLine("status"))))
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
