// Command tokentray-window is tokentray's window: the credentials and
// their health, adding and fixing credentials, the 2FA countdown and the
// settings. It is its own program so that the always-on agent and the
// command line never carry the GUI toolkit; the agent starts it (from the
// tray, or when there is no tray), and so does `tokentray window`.
//
// Usage: tokentray-window [--sandbox] [--do ACTION] [NAME]
//
// --do starts NAME's action when the window opens: login, verify,
// extend, update or retry (a notification's button asks for this).
package main

import (
	// First, before Fyne initialises: see the package's doc.
	_ "early.tokentray/localefix"

	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"tokentray/app"
	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
	"tokentray/internal/system"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stderr))
}

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("tokentray-window", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	sandboxed := fs.Bool("sandbox", false, "use the sandbox profile")
	do := fs.String("do", "", "the action to start on NAME")
	bad := fs.Parse(args) != nil || fs.NArg() > 1 || (*do != "" && fs.NArg() == 0)
	// Its sentences are in the language the window would speak.
	door := system.NewDoor(system.Options{})
	l := door.Language(*sandboxed)
	if bad {
		fmt.Fprintln(stderr, "tokentray-window: "+l.Render(msg.New("app.window_usage", "Usage", "tokentray-window [--sandbox] [--do ACTION] [NAME]")))
		return 2
	}
	act := auth.ActionKind(*do)
	if !act.Valid() {
		fmt.Fprintln(stderr, "tokentray-window: "+l.Render(msg.New("app.window_bad_action", "Action", strconv.Quote(*do))))
		return 2
	}
	if err := open(door, *sandboxed, fs.Arg(0), act); err != nil {
		fmt.Fprintln(stderr, "tokentray: "+l.Err(err))
		return 1
	}
	return 0
}

func open(door *system.Door, sandboxed bool, focus string, act auth.ActionKind) error {
	// Fyne panics on a display it cannot open: find out first.
	if err := checkDisplay(os.Getenv); err != nil {
		return err
	}
	parts, err := door.Open(sandboxed)
	if err != nil {
		return err
	}
	svc := parts.Service()
	if focus != "" {
		if _, err := svc.Get(context.Background(), focus); err != nil {
			return err
		}
	}
	// The window speaks the language the person chose: the profile's
	// language setting, else the environment and the desktop; a change
	// on its settings page is resolved the same way.
	language := func(setting string) msg.Lang { return system.Language(setting, nil) }
	return runWindow(svc, app.Options{
		Sandbox: sandboxed, Focus: focus, Do: act, PhoneURL: os.Getenv("TOKENTRAY_SANDBOX_PHONE"),
		Lang: door.Language(sandboxed), Language: language,
	})
}

// startWindow is app.Run; a test puts a failing one in its place.
var startWindow = app.Run

// runWindow runs the window. The display was checked just before, but it
// can still go away (or refuse one more client) before the toolkit opens
// it, and the toolkit panics then: that becomes one sentence too.
func runWindow(b service.Service, o app.Options) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		why := fmt.Sprint(r)
		if !strings.Contains(why, "GLFW") {
			panic(r)
		}
		err = msg.Errorf("app.display_failed", "Display", strconv.Quote(os.Getenv("DISPLAY")), "Why", why, "Else", elsewhere())
	}()
	return startWindow(b, o)
}
