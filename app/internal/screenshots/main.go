// Command screenshots redraws the pictures in docs/ from the real window
// against the sandbox brokers: the credentials, the Add form with a field
// marked wrong, the settings and the Webull 2FA dialog, in English or in
// the language given (zh-CN, zh-HK: the pictures are then named
// window.zh-CN.png and so on). It runs inside the private desktop
// session, beside a running `tokentray sandbox --seed`, and takes each
// picture with ImageMagick's import:
//
//	TOKENTRAY_FORCE_XVFB=1 bash scripts/with-desktop.sh sh -c \
//	  'bin/tokentray sandbox --seed & sleep 3; go run ./app/internal/screenshots docs zh-HK'
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"

	"tokentray/app"
	"tokentray/auth"
	"tokentray/auth/sandbox"
	"tokentray/internal/msg"
	"tokentray/internal/system"
)

func main() {
	fs := flag.NewFlagSet("screenshots", flag.ExitOnError)
	w := fs.Int("width", 960, "the window's width")
	h := fs.Int("height", 780, "the window's height (the window opens at 900×620)")
	_ = fs.Parse(os.Args[1:])
	if fs.NArg() != 1 && fs.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: screenshots [-width W -height H] DIR [zh-CN|zh-HK]")
		os.Exit(2)
	}
	l := msg.English
	if fs.NArg() == 2 {
		l = msg.Lang(fs.Arg(1))
	}
	size = fyne.NewSize(float32(*w), float32(*h))
	if err := run(fs.Arg(0), l); err != nil {
		fmt.Fprintln(os.Stderr, "screenshots:", err)
		os.Exit(1)
	}
}

// size is the window's size in the pictures.
var size fyne.Size

func run(dir string, l msg.Lang) error {
	parts, err := system.NewDoor(system.Options{}).Open(true)
	if err != nil {
		return err
	}
	_, webullURL, err := sandbox.Running(parts.Store.Dir())
	if err != nil {
		return err
	}
	a := fyneapp.NewWithID(app.AppID)
	u := app.New(a, parts.Service(), app.Options{Sandbox: true, PhoneURL: webullURL + "/sandbox/phone", Lang: l})
	u.Win.Resize(size)
	failed := make(chan error, 1)
	go func() {
		failed <- drive(u, dir, l)
		fyne.Do(a.Quit)
	}()
	u.Show()
	a.Run()
	return <-failed
}

func drive(u *app.UI, dir string, l msg.Lang) error {
	step := func(f func()) {
		fyne.DoAndWait(f)
		time.Sleep(1500 * time.Millisecond)
	}
	shot := func(name string) error {
		if l != msg.English {
			name = strings.TrimSuffix(name, ".png") + "." + string(l) + ".png"
		}
		out := filepath.Join(dir, name)
		crop := fmt.Sprintf("%dx%d+0+0", int(size.Width), int(size.Height))
		if b, err := exec.Command("import", "-window", "root", "-crop", crop, "+repage", out).CombinedOutput(); err != nil {
			return fmt.Errorf("import %s: %v: %s", out, err, b)
		}
		return nil
	}
	time.Sleep(2 * time.Second)
	step(func() { u.Focus(sandbox.DemoFutuExpiring, "") })
	if err := shot("window.png"); err != nil {
		return err
	}

	var f *app.AddForm
	step(func() {
		f = u.ShowAddForm()
		f.SetKind(auth.KindWebull)
		f.Choice(app.FieldRegion).SetSelected("hk")
		f.Name.SetText("webull hk")
		f.Secret(auth.FieldAppKey).SetText("demo-app-key")
		f.Save()
	})
	if err := shot("add-error.png"); err != nil {
		return err
	}
	step(u.Escape)

	step(func() { u.Tabs.SelectIndex(1) })
	if err := shot("settings.png"); err != nil {
		return err
	}

	var ld *app.LoginDialog
	step(func() {
		u.Tabs.SelectIndex(0)
		u.Focus(sandbox.DemoWebull, "")
		for _, r := range u.Rows() {
			if r.Name == sandbox.DemoWebull {
				ld = u.StartLogin(r)
			}
		}
	})
	time.Sleep(3 * time.Second)
	if err := shot("verify.png"); err != nil {
		return err
	}
	if ld != nil {
		step(u.Escape)
	}
	return nil
}
