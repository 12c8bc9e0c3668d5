package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/icons"
)

// Options shape the window.
type Options struct {
	Sandbox bool
	// PhoneURL is the sandbox's simulated phone, shown in the 2FA dialog.
	PhoneURL string
	Clock    clockwork.Clock
	// Focus selects a credential when the window opens.
	Focus string
}

// UI is the window. Its widgets are fields so tests can tap and read them.
type UI struct {
	App     fyne.App
	Win     fyne.Window
	backend Backend
	opts    Options

	mu   sync.Mutex
	rows []Row

	// uiMu orders widget updates made from background work, and bg
	// counts that work, so tests can wait for it (Fyne's test driver
	// runs fyne.Do on the calling goroutine, not on one UI thread).
	uiMu sync.Mutex
	bg   sync.WaitGroup

	List       *widget.List
	Status     *widget.Label
	Banner     *widget.Label
	RefreshAll *widget.Button
	AddButton  *widget.Button
	Details    *Details
	selected   int
}

// Details is the pane for the selected credential.
type Details struct {
	Title  *widget.Label
	Kind   *widget.Label
	State  *widget.Label
	Reason *widget.Label
	Expiry *widget.Label

	Refresh *widget.Button
	Login   *widget.Button
	Copy    *widget.Button
	Logout  *widget.Button
	Remove  *widget.Button
}

// New builds the window on a (real or test) Fyne app.
func New(a fyne.App, b Backend, opts Options) *UI {
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	title := "tokentray"
	if opts.Sandbox {
		title += " (sandbox)"
	}
	u := &UI{App: a, Win: a.NewWindow(title), backend: b, opts: opts, selected: -1}
	u.Win.SetIcon(fyne.NewStaticResource("app.png", icons.App))
	u.build()
	u.Win.Resize(fyne.NewSize(860, 600))
	return u
}

func (u *UI) build() {
	u.Banner = widget.NewLabel("")
	u.Banner.Wrapping = fyne.TextWrapWord
	if u.opts.Sandbox {
		u.Banner.SetText("Sandbox: these brokers are simulated on this computer. Nothing here touches a real account.")
		u.Banner.Importance = widget.WarningImportance
	} else {
		u.Banner.Hide()
	}
	u.Status = widget.NewLabel("")
	u.Status.Wrapping = fyne.TextWrapWord

	u.List = widget.NewList(
		func() int { u.mu.Lock(); defer u.mu.Unlock(); return len(u.rows) },
		func() fyne.CanvasObject {
			img := canvas.NewImageFromResource(nil)
			img.SetMinSize(fyne.NewSize(22, 22))
			img.FillMode = canvas.ImageFillContain
			name := widget.NewLabel("name")
			name.TextStyle.Bold = true
			state := widget.NewLabel("state")
			return container.NewBorder(nil, nil, img, state, name)
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			u.mu.Lock()
			if id >= len(u.rows) {
				u.mu.Unlock()
				return
			}
			r := u.rows[id]
			u.mu.Unlock()
			c := o.(*fyne.Container)
			name := c.Objects[0].(*widget.Label)
			img := c.Objects[1].(*canvas.Image)
			state := c.Objects[2].(*widget.Label)
			name.SetText(r.Name)
			img.Resource = fyne.NewStaticResource("state-"+r.Health.State.String()+".png", icons.ForState(r.Health.State))
			img.Refresh()
			state.SetText(shortState(r.Health, u.opts.Clock.Now()))
		},
	)
	u.List.OnSelected = func(id widget.ListItemID) { u.selected = id; u.showDetails() }

	d := &Details{
		Title: widget.NewLabel("Select a credential"), Kind: widget.NewLabel(""),
		State: widget.NewLabel(""), Reason: widget.NewLabel(""), Expiry: widget.NewLabel(""),
	}
	d.Title.TextStyle.Bold = true
	d.Reason.Wrapping = fyne.TextWrapWord
	d.Refresh = widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), func() { u.refreshSelected() })
	d.Login = widget.NewButtonWithIcon("Log in / verify", theme.LoginIcon(), func() { u.loginSelected() })
	d.Copy = widget.NewButtonWithIcon("Copy token", theme.ContentCopyIcon(), func() { u.copySelected() })
	d.Logout = widget.NewButtonWithIcon("Log out", theme.LogoutIcon(), func() { u.logoutSelected() })
	d.Remove = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), func() { u.removeSelected() })
	d.Remove.Importance = widget.DangerImportance
	u.Details = d
	u.setDetailButtons(false)

	u.RefreshAll = widget.NewButtonWithIcon("Refresh all", theme.ViewRefreshIcon(), func() {
		u.run("Refreshing every credential…", func(ctx context.Context) (string, error) {
			return "Every credential was checked.", u.backend.Refresh(ctx, "")
		})
	})
	u.AddButton = widget.NewButtonWithIcon("Add credential…", theme.ContentAddIcon(), func() { u.showAddForm() })

	details := container.NewVBox(d.Title, d.Kind, d.State, d.Expiry, d.Reason, layout.NewSpacer(),
		container.NewGridWithColumns(2, d.Refresh, d.Login, d.Copy, d.Logout, d.Remove))
	split := container.NewHSplit(u.List, container.NewPadded(details))
	split.Offset = 0.45
	top := container.NewVBox(u.Banner, container.NewHBox(u.AddButton, u.RefreshAll))
	u.Win.SetContent(container.NewBorder(top, u.Status, nil, nil, split))
}

func shortState(h auth.Health, now time.Time) string {
	switch {
	case h.State == auth.Pending && !h.Deadline.IsZero():
		return fmt.Sprintf("Pending, %s left", auth.Countdown(h.Deadline.Sub(now)))
	case !h.ExpiresAt.IsZero() && h.ExpiresAt.After(now):
		return h.State.Title() + ", " + auth.Approx(h.ExpiresAt.Sub(now)) + " left"
	}
	return h.State.Title()
}

// Reload reads the credentials from the backend and redraws.
func (u *UI) Reload(ctx context.Context) error {
	rows, err := u.backend.List(ctx)
	if err != nil {
		u.setStatus(err.Error())
		return err
	}
	u.do(func() {
		u.mu.Lock()
		u.rows = rows
		u.mu.Unlock()
		u.List.Refresh()
		if u.opts.Focus != "" {
			for i, r := range rows {
				if r.Name == u.opts.Focus {
					u.List.Select(i)
				}
			}
			u.opts.Focus = ""
		}
		u.showDetails()
		if len(rows) == 0 {
			u.Status.SetText("No credentials yet: choose “Add credential…” to add a Futu login, a Futu API key or a Webull app key.")
		}
	})
	return nil
}

// Rows returns what the list shows now.
func (u *UI) Rows() []Row {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]Row(nil), u.rows...)
}

func (u *UI) current() (Row, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.selected < 0 || u.selected >= len(u.rows) {
		return Row{}, false
	}
	return u.rows[u.selected], true
}

func (u *UI) showDetails() {
	r, ok := u.current()
	d := u.Details
	u.setDetailButtons(ok)
	if !ok {
		d.Title.SetText("Select a credential")
		for _, l := range []*widget.Label{d.Kind, d.State, d.Reason, d.Expiry} {
			l.SetText("")
		}
		return
	}
	now := u.opts.Clock.Now()
	d.Title.SetText(r.Name)
	d.Kind.SetText(r.Kind.Title())
	d.State.SetText("Health: " + r.Health.State.Title())
	d.Reason.SetText(sentence(r.Health.Reason))
	switch {
	case r.Health.State == auth.Pending && !r.Health.Deadline.IsZero():
		d.Expiry.SetText("Verify within " + auth.Countdown(r.Health.Deadline.Sub(now)))
		d.Expiry.Show()
	case !r.Health.ExpiresAt.IsZero():
		d.Expiry.SetText("Expires " + r.Health.ExpiresAt.Local().Format("2 Jan 2006 15:04") + " (" + auth.Approx(r.Health.ExpiresAt.Sub(now)) + ")")
		d.Expiry.Show()
	default:
		d.Expiry.SetText("")
		d.Expiry.Hide()
	}
	switch r.Kind {
	case auth.KindFutuOAuth:
		d.Login.SetText("Log in with Futu")
	case auth.KindWebull:
		d.Login.SetText("Verify (SMS 2FA)")
	case auth.KindFutuKey:
		d.Login.SetText("Extend…")
		// An API key is revoked in the broker's portal, not here.
		d.Logout.Disable()
	}
}

func (u *UI) setDetailButtons(on bool) {
	for _, b := range []*widget.Button{u.Details.Refresh, u.Details.Login, u.Details.Copy, u.Details.Logout, u.Details.Remove} {
		if on {
			b.Enable()
		} else {
			b.Disable()
		}
	}
}

func (u *UI) setStatus(s string) { u.do(func() { u.Status.SetText(s) }) }

// do runs f on the UI thread, ordered with every other background update.
func (u *UI) do(f func()) {
	fyne.Do(func() {
		u.uiMu.Lock()
		defer u.uiMu.Unlock()
		f()
	})
}

// background runs slow work off the UI thread.
func (u *UI) background(f func()) {
	u.bg.Add(1)
	go func() {
		defer u.bg.Done()
		f()
	}()
}

// Settle waits until the background work started so far has finished
// and drawn its outcome.
func (u *UI) Settle() { u.bg.Wait() }

// Read runs f while no background update is drawing, for reading widgets
// from another goroutine.
func (u *UI) Read(f func()) {
	u.uiMu.Lock()
	defer u.uiMu.Unlock()
	f()
}

// run does slow work off the UI thread and reports the outcome: f's
// message when it succeeds ("Done." when it has none), else its error.
func (u *UI) run(doing string, f func(ctx context.Context) (string, error)) {
	u.Status.SetText(doing)
	u.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		msg, err := f(ctx)
		switch {
		case err != nil:
			u.setStatus(err.Error())
		case msg != "":
			u.setStatus(msg)
		default:
			u.setStatus("Done.")
		}
		_ = u.Reload(ctx)
	})
}

func (u *UI) refreshSelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	u.run("Checking "+r.Name+"…", func(ctx context.Context) (string, error) {
		return r.Name + " was checked.", u.backend.Refresh(ctx, r.Name)
	})
}

func (u *UI) copySelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	u.background(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tok, err := u.backend.Token(ctx, r.Name)
		u.do(func() {
			if err != nil {
				u.Status.SetText(err.Error())
				return
			}
			u.App.Clipboard().SetContent(tok)
			u.Status.SetText("Copied the current token of " + r.Name + " to the clipboard.")
		})
	})
}

func (u *UI) logoutSelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	what := "Its tokens are revoked with Futu and deleted from the keychain. Scripts that ask tokentray for it stop working until you log in again."
	if r.Kind == auth.KindWebull {
		what = "Its token is deleted from the keychain and from the file shared with the Webull SDKs. Webull cannot revoke it: it stays valid at Webull until it expires or goes unused for 15 days."
	}
	dialog.ShowConfirm("Log out of "+r.Name+"?", what,
		func(yes bool) {
			if !yes {
				return
			}
			u.run("Logging out of "+r.Name+"…", func(ctx context.Context) (string, error) {
				return "Logged out of " + r.Name + ": log in again when you need it.", u.backend.Logout(ctx, r.Name)
			})
		}, u.Win)
}

func (u *UI) removeSelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	dialog.ShowConfirm("Remove "+r.Name+"?",
		"Its secrets are deleted from the keychain. Scripts that use it stop working.",
		func(yes bool) {
			if !yes {
				return
			}
			u.selected = -1
			u.List.UnselectAll()
			u.run("Removing "+r.Name+"…", func(ctx context.Context) (string, error) {
				return r.Name + " was removed, with its secrets.", u.backend.Remove(ctx, r.Name)
			})
		}, u.Win)
}

func (u *UI) loginSelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	if r.Kind == auth.KindFutuKey {
		u.NewExtendDialog(r).dlg.Show()
		return
	}
	u.StartLogin(r)
}

// sentence is a reason or error as the window shows it.
func sentence(s string) string { return auth.Display(s) }

// StartLogin runs a login or 2FA verification with its dialog.
func (u *UI) StartLogin(r Row) *LoginDialog {
	ld := newLoginDialog(u, r)
	ld.start()
	return ld
}

// Show shows the window, loads the credentials, and keeps them current
// while it is open: every second while a countdown runs, else every 5 s
// (the agent or the command line may change them meanwhile).
func (u *UI) Show() {
	u.Win.Show()
	ctx, cancel := context.WithCancel(context.Background())
	u.Win.SetOnClosed(cancel)
	go u.follow(ctx)
}

func (u *UI) follow(ctx context.Context) {
	tick := u.opts.Clock.NewTicker(time.Second)
	defer tick.Stop()
	n := 0
	for {
		if n%5 == 0 || u.anyPending() {
			rctx, rcancel := context.WithTimeout(ctx, 30*time.Second)
			_ = u.Reload(rctx)
			rcancel()
		}
		n++
		select {
		case <-ctx.Done():
			return
		case <-tick.Chan():
		}
	}
}

func (u *UI) anyPending() bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	for _, r := range u.rows {
		if r.Health.State == auth.Pending {
			return true
		}
	}
	return false
}
