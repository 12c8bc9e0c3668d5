package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/keychain"
	"tokentray/auth/store"
	"tokentray/internal/atomicfile"
	"tokentray/internal/msg"
	"tokentray/internal/userunit"
)

func serviceCommand(e *env) *cobra.Command {
	c := newCommand("service", "run the agent as a systemd user service", "service install [--credential FILE]\nservice uninstall\nservice status",
		`Runs the agent headless as a systemd user service, for a server where
the bots run: started at boot, restarted when it fails, logging to the
journal (journalctl --user -u tokentray).

  install      write ~/.config/systemd/user/tokentray.service (the
               absolute path of this tokentray, "agent --headless",
               restart on failure, the keychain settings, and the file
               keychain's key as the systemd credential tokentray.key),
               and print the commands that enable it
  uninstall    stop and disable the service, and remove the unit
  status       what systemd says about the service

  --credential FILE   hand the key over encrypted: FILE is the key
                      encrypted with "systemd-creds --user encrypt
                      --name=tokentray.key" (systemd 256 or later), loaded
                      with LoadCredentialEncrypted=, so it opens only on
                      this machine (and its TPM, when it has one)

Where systemd does not run, install says so and prints the unit to use
elsewhere. With --sandbox it is the sandbox profile's agent, as
tokentray-sandbox.service.`)
	c.Args = func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usage(msg.New("cli.service_needs"))
		}
		return usage(msg.New("cli.service_not_a_command", "Word", strconv.Quote(args[0])))
	}
	c.RunE = func(*cobra.Command, []string) error { return nil }
	var credential string
	installC := newCommand("install", "write the systemd user unit", "service install [--credential FILE]", "")
	installC.Flags().StringVar(&credential, "credential", "", "the key encrypted with systemd-creds")
	installC.Args = noArgs
	installC.RunE = func(*cobra.Command, []string) error { return serviceInstall(e, credential) }
	uninstallC := newCommand("uninstall", "stop the service and remove its unit", "service uninstall", "")
	uninstallC.Args = noArgs
	uninstallC.RunE = func(*cobra.Command, []string) error { return serviceUninstall(e) }
	statusC := newCommand("status", "what systemd says about the service", "service status", "")
	statusC.Args = noArgs
	statusC.RunE = func(*cobra.Command, []string) error { return serviceStatus(e) }
	c.AddCommand(installC, uninstallC, statusC)
	return c
}

func (e *env) systemd() userunit.Systemd {
	if e.Systemd != nil {
		return e.Systemd
	}
	return userunit.Host{}
}

func (e *env) executable() (string, error) {
	if e.Executable != nil {
		return e.Executable()
	}
	exe, err := os.Executable()
	if err != nil {
		return "", msg.Wrap(err, "cli.service_no_executable", "Err", err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return exe, nil
}

// unitPath is where the profile's unit goes.
func (e *env) unitPath() (userunit.Spec, string, error) {
	spec := userunit.Spec{Sandbox: e.sandbox}
	dir, err := userunit.Dir(e.Getenv)
	if err != nil {
		return spec, "", err
	}
	return spec, filepath.Join(dir, spec.Name()), nil
}

func serviceInstall(e *env, credential string) error {
	spec, path, err := e.unitPath()
	if err != nil {
		return err
	}
	if spec.Exe, err = e.executable(); err != nil {
		return err
	}
	if d := e.Getenv("TOKENTRAY_CONFIG_DIR"); d != "" {
		abs, err := filepath.Abs(d)
		if err != nil {
			return err
		}
		spec.Env = append(spec.Env, "TOKENTRAY_CONFIG_DIR="+abs)
	}
	r, err := e.keychainReport()
	if err != nil {
		return err
	}
	if r.Kind == store.KeychainFile {
		spec.Env = append(spec.Env, "TOKENTRAY_KEYCHAIN=file")
		switch {
		case credential != "":
			abs, err := filepath.Abs(credential)
			if err != nil {
				return err
			}
			if _, err := os.Stat(abs); err != nil {
				return msg.Wrap(err, "cli.service_cred_unreadable", "Path", abs, "Err", keychain.ErrText(err),
					"Command", "systemd-creds --user encrypt --name="+userunit.CredentialName+" "+shellQuote(r.Key.Path)+" "+shellQuote(abs))
			}
			spec.Credential = abs
		case r.Key.From == keychain.KeyFromSystemd:
			return msg.Errorf("cli.service_under_systemd")
		default:
			if _, err := os.Stat(r.Key.Path); errors.Is(err, fs.ErrNotExist) {
				var fe *keychain.FileError
				if errors.As(r.Err, &fe) && fe.Problem == keychain.ProblemKeyLost {
					return r.Err // the file keychain needs that key back, not a new one
				}
				return keychain.MissingKey(r.Key)
			}
			spec.Key = r.Key.Path
		}
	} else if credential != "" {
		return usage(msg.New("cli.service_credential_os", "Command", e.cmdLine("config", "keychain", "file")))
	}
	unit := spec.Unit()
	if why := e.systemd().Absent(); why != "" {
		fmt.Fprint(e.Stdout, unit)
		return msg.Errorf("cli.service_no_systemd", "Why", why, "Path", path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return msg.Wrap(err, "cli.cannot_create", "Path", filepath.Dir(path), "Err", keychain.ErrText(err))
	}
	old, _ := auth.ReadRegular(path, 1<<20)
	if err := atomicfile.Write(path, []byte(unit), 0o644); err != nil {
		return msg.Wrap(err, "cli.cannot_write", "Path", path, "Err", keychain.ErrText(err))
	}
	name := strings.TrimSuffix(spec.Name(), ".service")
	w := e.Stdout
	switch {
	case old == nil:
		fmt.Fprintln(w, e.tr(msg.New("cli.service_wrote", "Path", path)))
	case string(old) == unit:
		fmt.Fprintln(w, e.tr(msg.New("cli.service_up_to_date", "Path", path)))
	default:
		fmt.Fprintln(w, e.tr(msg.New("cli.service_replaced", "Path", path)))
	}
	if r.Kind != store.KeychainFile {
		fmt.Fprintln(w, e.tr(msg.New("cli.service_os_keychain_note", "Init", e.cmdLine("keychain", "init"), "Config", e.cmdLine("config", "keychain", "file"))))
	}
	fmt.Fprintln(w, "\n"+e.tr(msg.New("cli.service_next_steps", "Name", name, "User", userName(e.Getenv))))
	return nil
}

// userName is the login name for loginctl.
func userName(getenv func(string) string) string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := getenv("USER"); u != "" {
		return u
	}
	return "$USER"
}

func serviceUninstall(e *env) error {
	spec, path, err := e.unitPath()
	if err != nil {
		return err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return msg.Errorf("cli.service_none", "Path", path)
	}
	sd := e.systemd()
	running := sd.Absent() == ""
	stopped := false
	if running {
		if out, err := sd.Systemctl("disable", "--now", spec.Name()); err != nil {
			fmt.Fprintln(e.Stderr, "tokentray: "+e.tr(msg.New("cli.service_disable_failed", "Name", spec.Name(), "Out", oneLine(out))))
		} else {
			stopped = true
		}
	}
	if err := os.Remove(path); err != nil {
		return msg.Wrap(err, "cli.cannot_remove", "Path", path, "Err", keychain.ErrText(err))
	}
	if running {
		_, _ = sd.Systemctl("daemon-reload")
	}
	if stopped {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.service_removed_stopped", "Name", spec.Name(), "Path", path)))
	} else {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.service_removed", "Name", spec.Name(), "Path", path)))
	}
	return nil
}

func serviceStatus(e *env) error {
	spec, path, err := e.unitPath()
	if err != nil {
		return err
	}
	installed := true
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		installed = false
	}
	if installed {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.service_unit", "Path", path)))
	} else {
		fmt.Fprintln(e.Stdout, e.tr(msg.New("cli.service_unit_none", "Path", path, "Command", e.cmdLine("service", "install"))))
	}
	sd := e.systemd()
	if why := sd.Absent(); why != "" {
		return msg.Errorf("cli.service_status_no_systemd", "Why", why)
	}
	out, err := sd.Systemctl("status", "--no-pager", "--lines=5", spec.Name())
	fmt.Fprint(e.Stdout, out)
	if err != nil || !installed {
		return &exitError{code: ExitError}
	}
	return nil
}
