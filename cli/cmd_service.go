package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/auth/keychain"
	"tokentray/auth/store"
	"tokentray/internal/atomicfile"
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
			return usagef("service needs install, uninstall or status; run: tokentray help service")
		}
		return usagef("%q is not a service command; it takes install, uninstall or status", args[0])
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
		return "", fmt.Errorf("cannot find where this tokentray is (%v)", err)
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
				return fmt.Errorf("the encrypted key %s cannot be read (%v); make it with: systemd-creds --user encrypt --name=%s %s %s", abs, keychain.ErrText(err), userunit.CredentialName, shellQuote(r.Key.Path), shellQuote(abs))
			}
			spec.Credential = abs
		case r.Key.From == keychain.KeyFromSystemd:
			return errors.New("this process runs under systemd with the key as a credential; run service install from your own shell")
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
		return usagef("--credential hands the file keychain's key to the service, but this profile keeps its secrets in the system keychain; run: %s", e.cmdLine("config", "keychain", "file"))
	}
	unit := spec.Unit()
	if why := e.systemd().Absent(); why != "" {
		fmt.Fprint(e.Stdout, unit)
		return fmt.Errorf("%s, so no service was installed; above is the unit, for a machine where systemd runs (as %s)", why, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("cannot create %s (%v)", filepath.Dir(path), keychain.ErrText(err))
	}
	old, _ := auth.ReadRegular(path, 1<<20)
	if err := atomicfile.Write(path, []byte(unit), 0o644); err != nil {
		return fmt.Errorf("cannot write %s (%v)", path, keychain.ErrText(err))
	}
	name := strings.TrimSuffix(spec.Name(), ".service")
	w := e.Stdout
	switch {
	case old == nil:
		fmt.Fprintf(w, "Wrote %s.\n", path)
	case string(old) == unit:
		fmt.Fprintf(w, "%s is already up to date.\n", path)
	default:
		fmt.Fprintf(w, "Replaced %s.\n", path)
	}
	if r.Kind != store.KeychainFile {
		fmt.Fprintf(w, "Note: this profile keeps its secrets in the system keychain, which a service on a server without a desktop cannot reach; there, run %s and %s, then install again.\n",
			e.cmdLine("keychain", "init"), e.cmdLine("config", "keychain", "file"))
	}
	fmt.Fprintf(w, "\nStart it now and at every boot:\n  systemctl --user daemon-reload\n  systemctl --user enable --now %s\n", name)
	fmt.Fprintf(w, "Keep it running while you are logged out:\n  loginctl enable-linger %s\n", userName(e.Getenv))
	fmt.Fprintf(w, "See what it does:\n  journalctl --user -u %s -f\n", name)
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
		return fmt.Errorf("no tokentray service is installed (there is no %s)", path)
	}
	sd := e.systemd()
	running := sd.Absent() == ""
	stopped := false
	if running {
		if out, err := sd.Systemctl("disable", "--now", spec.Name()); err != nil {
			fmt.Fprintf(e.Stderr, "tokentray: systemctl --user disable --now %s failed (%s)\n", spec.Name(), oneLine(out))
		} else {
			stopped = true
		}
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("cannot remove %s (%v)", path, keychain.ErrText(err))
	}
	if running {
		_, _ = sd.Systemctl("daemon-reload")
	}
	if stopped {
		fmt.Fprintf(e.Stdout, "Stopped and disabled %s, and removed %s.\n", spec.Name(), path)
	} else {
		fmt.Fprintf(e.Stdout, "Removed %s; if the service still runs, stop it with: systemctl --user disable --now %s\n", path, spec.Name())
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
		fmt.Fprintf(e.Stdout, "Unit: %s\n", path)
	} else {
		fmt.Fprintf(e.Stdout, "Unit: none (%s does not exist; write it with: %s)\n", path, e.cmdLine("service", "install"))
	}
	sd := e.systemd()
	if why := sd.Absent(); why != "" {
		return fmt.Errorf("%s, so it cannot say how the service runs", why)
	}
	out, err := sd.Systemctl("status", "--no-pager", "--lines=5", spec.Name())
	fmt.Fprint(e.Stdout, out)
	if err != nil || !installed {
		return &exitError{code: ExitError}
	}
	return nil
}
