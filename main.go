// Command tokentray keeps Futu and Webull OpenAPI credentials alive from
// the system tray, and hands current tokens to scripts and other apps.
//
// This program is the command line and the always-on agent (the tray); it
// does not link the GUI toolkit. The window is its own program,
// tokentray-window, which the agent and `tokentray window` start.
//
// main parses nothing itself: it opens one system.Door, which builds the
// real parts (keychain, store, brokers, engine), and hands it to the
// command line, the agent and the window.
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"tokentray/auth"
	"tokentray/auth/sandbox"
	"tokentray/cli"
	"tokentray/internal/agentrun"
	"tokentray/internal/autostart"
	"tokentray/internal/msg"
	"tokentray/internal/notifyhook"
	"tokentray/internal/system"
	sandboxdemo "tokentray/internal/system/demo"
	"tokentray/tray"
)

func main() {
	ctx, stop := signalContext()
	door := system.NewDoor(system.Options{Notifier: tray.DesktopNotifier{}})
	d := commandLine(door)
	d.RunAgent = func(ctx context.Context, o cli.AgentRun) error { return runAgent(ctx, d, door, o) }
	d.RunWindow = func(ctx context.Context, sandboxed bool, focus string) error {
		return runWindow(ctx, d, door, sandboxed, focus)
	}
	code := cli.Run(ctx, os.Args[1:], d)
	stop()
	os.Exit(code)
}

// signalContext ends on Ctrl-C (SIGINT: the person cancels) or SIGTERM
// (the process is told to stop: its terminal closed, a service manager),
// the latter with the cause auth.ErrStopped, so a Webull verification
// waiting for the phone is left pending for the agent instead of being
// abandoned. Later signals are caught until stop is called.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	ch := make(chan os.Signal, 2)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		if s, ok := <-ch; ok && s == syscall.SIGTERM {
			cancel(auth.ErrStopped)
		} else {
			cancel(context.Canceled)
		}
	}()
	return ctx, func() { signal.Stop(ch); cancel(context.Canceled) }
}

// commandLine is what the command line gets from the process and the
// door: the streams, the environment, the terminal, and the profiles'
// parts.
func commandLine(door *system.Door) cli.Deps {
	return cli.Deps{
		Stdin:      os.Stdin,
		Stdout:     os.Stdout,
		Stderr:     os.Stderr,
		Getenv:     os.Getenv,
		Environ:    os.Environ,
		IsTerminal: cli.IsTerminal,
		ReadSecret: func(prompt string) (string, error) { return cli.ReadTerminal(os.Stdin, os.Stderr, prompt, false) },
		ReadLine:   func(prompt string) (string, error) { return cli.ReadTerminal(os.Stdin, os.Stderr, prompt, true) },
		Clock:      door.Clock(),
		Open: func(sandboxed bool) (cli.Parts, error) {
			p, err := door.Open(sandboxed)
			if err != nil {
				return cli.Parts{}, err
			}
			parts := cli.Parts{Service: p.Service(), Dir: p.Profile.Dir, Prefs: p.Store, CheckKeychain: p.CheckKeychain,
				Keychain: p.KeychainStatus}
			if f := p.FileKeychain(); f != nil {
				parts.MoveKeychainAside = func() (string, error) { return f.MoveAside(door.Clock().Now()) }
				parts.CheckFileKeychain = f.Check
			}
			return parts, nil
		},
		ProfileDir: func(sandboxed bool) (string, error) {
			p, err := door.Profile(sandboxed)
			return p.Dir, err
		},
		StartSandbox: func(o cli.SandboxOptions) (*cli.SandboxBrokers, error) {
			p, err := door.Open(true)
			if err != nil {
				return nil, err
			}
			s, err := sandboxdemo.Serve(p, sandboxdemo.ServeOptions{FutuPort: o.FutuPort, WebullPort: o.WebullPort, Fresh: o.Fresh, Seed: o.Seed, Logf: o.Logf})
			if s == nil {
				return nil, err
			}
			return &cli.SandboxBrokers{FutuURL: s.FutuURL, FutuAdminURL: s.FutuAdminURL, WebullURL: s.WebullURL, PhoneURL: s.PhoneURL,
				Restored: s.Restored, Seeded: s.Seeded, DemoNames: s.DemoNames, Notes: s.Notes, Stop: s.Close}, err
		},
		Autostart: autostart.ForAgent(selfDir(), false),
		Language:  door.Language,
	}
}

func runAgent(ctx context.Context, d cli.Deps, door *system.Door, o cli.AgentRun) error {
	sandboxed := o.Sandbox
	headless := o.Headless || noDisplay(d.Getenv)
	parts, err := door.Open(sandboxed)
	if err != nil {
		return err
	}
	dir := parts.Profile.Dir
	lang := door.Language(sandboxed)
	// One agent per profile: a second would renew the same tokens and,
	// in the sandbox, replace the demo under the first one's feet.
	unlock, ok, err := agentrun.Lock(dir)
	if err != nil {
		return msg.Wrap(err, "cli.agent_lock_failed", "Err", err)
	} else if !ok {
		if r, running := agentrun.Running(dir); running && r.Mode == agentrun.Headless {
			fmt.Fprintln(d.Stderr, lang.Render(msg.New("cli.agent_running_headless", "PID", r.PID)))
		} else {
			fmt.Fprintln(d.Stderr, lang.Render(msg.New("cli.agent_running")))
		}
		return nil
	}
	defer unlock()
	// Without a keychain nothing can be renewed or stored: say so at once
	// rather than at the first renewal.
	if err := parts.CheckKeychain(); err != nil {
		return err
	}
	phone := ""
	if sandboxed {
		fresh, err := freshSandbox(d.Getenv)
		if err != nil {
			return err
		}
		demo, err := sandboxdemo.Start(parts, fresh)
		if err != nil {
			return err
		}
		defer demo.Close()
		phone = demo.PhoneURL
		for _, n := range demo.Notes {
			fmt.Fprintln(d.Stderr, n)
		}
		if demo.Seeded {
			cli.Say(d, d.Stderr, lang.Render(msg.New("cli.sandbox_seeded", "Names", strings.Join(sandbox.DemoNames, ", "))))
		}
		if demo.Shared {
			cli.Say(d, d.Stderr, lang.Render(msg.New("cli.agent_sandbox_shared", "Futu", demo.FutuURL, "Webull", demo.WebullURL, "Phone", phone)))
		} else {
			cli.Say(d, d.Stderr, lang.Render(msg.New("cli.agent_sandbox", "Futu", demo.FutuURL, "Webull", demo.WebullURL, "Phone", phone)))
		}
	}
	mode := agentrun.Tray
	if headless {
		mode = agentrun.Headless
	}
	_ = agentrun.Write(dir, agentrun.Record{PID: os.Getpid(), Mode: mode, Since: door.Clock().Now().UTC()})
	if headless {
		return runHeadless(ctx, d, parts)
	}
	// The agent starts one window at a time and closes it when it quits.
	window := func(ctx context.Context, name string, act auth.ActionKind) error {
		w := windowSpec{sandbox: sandboxed, focus: name, do: act, phone: phone, env: d.Environ()}
		return w.run(ctx, os.Stdout, os.Stderr)
	}
	agent := tray.NewAgent(parts.Service(), tray.AgentOptions{
		Sandbox: sandboxed, Dir: dir, SettingsFile: parts.SettingsFile(), Prefs: parts.Store,
		Changed: parts.Changed(), Window: window, Notifier: tray.WithSink(parts.Notifier, notifyHook(d, parts)),
		Clipboard: tray.SystemClipboard(), Autostart: autostart.ForAgent(selfDir(), sandboxed),
		Language: agentLanguage(d),
	})
	if !tray.HostPresent() {
		log.SetOutput(tray.WithoutHostNoise(log.Writer()))
		cli.Say(d, d.Stderr, lang.Render(msg.New("cli.agent_no_tray")))
		agent.OpenWindow("")
	}
	agent.Run(ctx)
	return nil
}

// runHeadless is the agent on a server: no tray, no window, no desktop
// notification; a line on stderr for each event (without a time of its
// own under systemd, whose journal adds one).
func runHeadless(ctx context.Context, d cli.Deps, parts *system.Parts) error {
	var now func() time.Time
	if d.Getenv("JOURNAL_STREAM") == "" {
		now = parts.Clock.Now
	}
	events := tray.NewEventLog(d.Stderr, now)
	// No desktop notification: every event goes to the notify command,
	// whose failures go to the log.
	hook := notifyHook(d, parts)
	hook.SetReport(func(line string) { events.Printf("%s", line) })
	agent := tray.NewAgent(parts.Service(), tray.AgentOptions{
		Sandbox: parts.Profile.Sandbox, Dir: parts.Profile.Dir, SettingsFile: parts.SettingsFile(), Prefs: parts.Store,
		Changed: parts.Changed(), Notifier: tray.WithSink(nil, hook), Language: agentLanguage(d),
	})
	events.SetLang(agent.Lang)
	where := msg.New("tray.log_keychain_system")
	if f := parts.FileKeychain(); f != nil {
		where = msg.New("tray.log_keychain_file", "Path", f.Path())
	}
	events.Say(msg.New("tray.log_running", "PID", os.Getpid(), "Dir", parts.Profile.Dir, "Where", where))
	agent.RunHeadless(ctx, events)
	events.Say(msg.New("tray.log_stopped"))
	return nil
}

// agentLanguage resolves the language setting for the agent, each time
// it reads the settings: the setting, else FUTU_LANGUAGE, the locale and
// the desktop's language.
func agentLanguage(d cli.Deps) func(setting string) msg.Lang {
	return func(setting string) msg.Lang { return system.Language(setting, d.Getenv) }
}

// notifyHook runs the profile's notify command for every notification
// the agent sends; its failures are shown on the desktop.
func notifyHook(d cli.Deps, parts *system.Parts) *notifyhook.Hook {
	st, desktop := parts.Store, parts.Notifier
	lang := func() msg.Lang {
		p, err := st.Prefs()
		if err != nil {
			return system.Language("", d.Getenv)
		}
		return system.Language(p.Language, d.Getenv)
	}
	return notifyhook.New(notifyhook.Options{
		Command: func() string {
			p, err := st.Prefs()
			if err != nil {
				return ""
			}
			return p.NotifyCommand
		},
		CommandLine: cli.CommandLine,
		Environ:     os.Environ(),
		Clock:       parts.Clock,
		Report:      func(line string) { _ = desktop.Notify(lang().Text("notify.hook_failed_title"), line) },
		Lang:        lang,
	})
}

// noDisplay reports whether this process has no display to show a tray
// or a window on: on Linux and the BSDs, neither DISPLAY nor
// WAYLAND_DISPLAY is set (a server, an SSH session, a systemd service).
func noDisplay(getenv func(string) string) bool {
	switch runtime.GOOS {
	case "darwin", "windows":
		return false
	}
	return getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == ""
}

// freshSandbox reads TOKENTRAY_SANDBOX_FRESH: set to 1, the agent's
// sandbox brokers start over with new demo credentials instead of their
// saved state.
func freshSandbox(getenv func(string) string) (bool, error) {
	v := getenv("TOKENTRAY_SANDBOX_FRESH")
	if v == "" {
		return false, nil
	}
	fresh, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("TOKENTRAY_SANDBOX_FRESH is %q; set it to 1 to start the sandbox over, or unset it", v)
	}
	return fresh, nil
}

// runWindow is `tokentray window`: the window's program, in the
// foreground, until it is closed.
func runWindow(ctx context.Context, d cli.Deps, door *system.Door, sandboxed bool, focus string) error {
	w := windowSpec{sandbox: sandboxed, focus: focus, phone: d.Getenv("TOKENTRAY_SANDBOX_PHONE"), env: d.Environ()}
	if sandboxed && w.phone == "" {
		// The sandbox brokers running for this profile (the agent's, or
		// `tokentray sandbox`) have the phone the window links to.
		w.phone = door.RunningPhone()
	}
	return w.run(ctx, d.Stdout, d.Stderr)
}

// selfDir is the folder of this binary (symlinks resolved), where the
// agent and the window live side by side.
func selfDir() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	return filepath.Dir(exe)
}
