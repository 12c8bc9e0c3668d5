// Command tokentray keeps Futu and Webull OpenAPI credentials alive from
// the system tray, and hands current tokens to scripts and other apps.
//
// main parses nothing itself: it wires the real dependencies (keychain,
// brokers, tray, window) into the command line and runs it.
package main

import (
	// First, before Fyne initialises: see the package's doc.
	"early.tokentray/localefix"

	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/gofrs/flock"

	"tokentray/app"
	"tokentray/auth/engine"
	"tokentray/auth/sandbox"
	"tokentray/cli"
	"tokentray/tray"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	d := cli.SystemDeps()
	d.Environ = localefix.Environ
	d.RunAgent = func(ctx context.Context, sandboxed bool) error { return runAgent(ctx, d, sandboxed) }
	d.RunWindow = func(ctx context.Context, sandboxed bool, focus string) error {
		return runWindow(d, sandboxed, focus)
	}
	code := cli.Run(ctx, os.Args[1:], d)
	stop()
	os.Exit(code)
}

// runAgent is the always-on process: the tray and the credential engine.
// In the sandbox profile it also hosts both simulated brokers and starts
// from a fresh demo.
func runAgent(ctx context.Context, d cli.Deps, sandboxed bool) error {
	parts, err := d.Open(sandboxed)
	if err != nil {
		return err
	}
	eng := parts.Engine
	// One agent per profile: a second would renew the same tokens and,
	// in the sandbox, replace the demo under the first one's feet.
	lock := flock.New(filepath.Join(eng.Store().Dir(), "agent.lock"))
	if ok, err := lock.TryLock(); err != nil {
		return fmt.Errorf("check whether tokentray is already running: %w", err)
	} else if !ok {
		fmt.Fprintln(d.Stderr, "tokentray is already running for this profile (in the tray, or as its window where there is no tray); open the window with: tokentray window")
		return nil
	}
	defer lock.Unlock()
	// Without a keychain nothing can be renewed or stored: say so at once
	// rather than at the first renewal.
	if parts.CheckKeychain != nil {
		if err := parts.CheckKeychain(); err != nil {
			return err
		}
	}
	phone := ""
	if sandboxed {
		dir := eng.Store().Dir()
		if futuURL, webullURL, err := sandbox.Running(dir); err == nil {
			// `tokentray sandbox` already serves this profile: use its brokers.
			phone = webullURL + "/sandbox/phone"
			fmt.Fprintf(d.Stderr, "Using the sandbox brokers already running: Futu %s, Webull %s\nSandbox phone (Webull SMS codes): %s\n", futuURL, webullURL, phone)
		} else {
			sb, err := sandbox.Start(sandbox.DemoOptions())
			if err != nil {
				return fmt.Errorf("start the sandbox brokers: %w", err)
			}
			defer sb.Close()
			unadvertise, err := sb.Advertise(dir)
			if err != nil {
				return fmt.Errorf("record the sandbox's addresses: %w", err)
			}
			defer unadvertise()
			// The demo credentials are replaced with ones for the brokers
			// just started; anything else in the sandbox profile stays.
			if err := sb.Seed(eng.Store()); err != nil {
				return err
			}
			phone = sb.PhoneURL()
			fmt.Fprintf(d.Stderr, "Sandbox brokers: Futu %s, Webull %s\nSandbox phone (Webull SMS codes): %s\n", sb.FutuURL, sb.WebullURL, phone)
		}
	}
	changed := make(chan struct{}, 1)
	eng = engine.NewWithOptions(engine.Options{
		Store: eng.Store(), Providers: eng.Providers(), Clock: eng.Clock(),
		OnChange: func(string) {
			select {
			case changed <- struct{}{}:
			default:
			}
		},
	})
	open := func(name string) {
		if err := openWindow(sandboxed, name, phone); err != nil {
			fmt.Fprintln(d.Stderr, err)
		}
	}
	agent := tray.NewAgent(eng, tray.AgentOptions{
		Sandbox: sandboxed, Changed: changed, OpenWindow: open, Notifier: tray.DesktopNotifier{},
	})
	if !tray.HostPresent() {
		log.SetOutput(tray.WithoutHostNoise(log.Writer()))
		fmt.Fprintln(d.Stderr, "No system tray was found on this desktop (on GNOME, install the AppIndicator extension): opening the window instead; tokentray keeps renewing credentials while it runs.")
		open("")
	}
	agent.Run(ctx)
	return nil
}

// openWindow starts `tokentray window` as its own process: the Fyne
// window costs memory the always-on agent should not carry.
func openWindow(sandboxed bool, focus, phone string) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find tokentray's own binary to open the window: %w", err)
	}
	args := []string{"window"}
	if sandboxed {
		args = append(args, "--sandbox")
	}
	if focus != "" {
		args = append(args, focus)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(localefix.Environ(), "TOKENTRAY_SANDBOX_PHONE="+phone)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("open the window: %w", err)
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

func runWindow(d cli.Deps, sandboxed bool, focus string) error {
	parts, err := d.Open(sandboxed)
	if err != nil {
		return err
	}
	eng := parts.Engine
	if focus != "" {
		if _, err := eng.Get(focus); err != nil {
			return err
		}
	}
	return app.Run(app.EngineBackend{Eng: eng, Sandbox: sandboxed}, app.Options{
		Sandbox: sandboxed, Focus: focus, PhoneURL: os.Getenv("TOKENTRAY_SANDBOX_PHONE"),
	})
}
