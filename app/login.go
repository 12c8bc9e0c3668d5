package app

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// verifyWindow is the 2FA deadline the progress bar is drawn against.
const verifyWindow = 5 * time.Minute

// LoginDialog shows a login or 2FA verification while it runs: the steps,
// a countdown updated every second, the login URL when no browser could
// be opened, and Cancel. When the attempt fails (the 5 minutes ran out,
// the login was denied) it stays open with the reason and a one-click
// retry that starts over with a new token or login.
type LoginDialog struct {
	ui  *UI
	row Row

	Steps     *widget.Label
	Countdown *widget.Label
	Progress  *widget.ProgressBar
	URL       *widget.Entry
	// CopyURL copies the address to open in a browser.
	CopyURL *widget.Button
	Cancel  *widget.Button
	Retry   *widget.Button
	dlg     dialog.Dialog
	open    bool

	// instead is what the failed attempt's error says to do when that is
	// not another attempt (correct the secret the broker refused).
	instead auth.Action

	mu     sync.Mutex
	last   auth.LoginEvent
	cancel context.CancelFunc
}

func newLoginDialog(u *UI, r Row) *LoginDialog {
	ld := &LoginDialog{ui: u, row: r}
	ld.Steps = widget.NewLabel(u.startText(r))
	ld.Steps.Wrapping = fyne.TextWrapWord
	ld.Countdown = widget.NewLabel("")
	ld.Countdown.TextStyle = fyne.TextStyle{Bold: true}
	ld.Countdown.SizeName = theme.SizeNameHeadingText
	ld.Countdown.Alignment = fyne.TextAlignCenter
	ld.Progress = widget.NewProgressBar()
	ld.Progress.Max = verifyWindow.Seconds()
	ld.Progress.TextFormatter = func() string { return "" }
	ld.Progress.Hide()
	ld.URL = widget.NewEntry()
	ld.CopyURL = widget.NewButtonWithIcon(lang.L("app.copy"), theme.ContentCopyIcon(), func() {
		u.App.Clipboard().SetContent(ld.URL.Text)
		ld.CopyURL.SetText(lang.L("app.copied"))
	})
	address := container.NewBorder(nil, nil, nil, ld.CopyURL, ld.URL)
	ld.URL.Hide()
	ld.CopyURL.Hide()
	ld.Cancel = widget.NewButton(lang.L("app.cancel"), func() { ld.stop() })
	ld.Retry = widget.NewButtonWithIcon(retryText(r), theme.ViewRefreshIcon(), func() { ld.retry() })
	ld.Retry.Importance = widget.HighImportance
	ld.Retry.Hide()

	content := []fyne.CanvasObject{ld.Countdown, ld.Progress, ld.Steps, address}
	if u.opts.Sandbox && r.Kind == auth.KindWebull {
		text := lang.L("app.sandbox_phone")
		if u.opts.PhoneURL != "" {
			text = lang.L("app.sandbox_phone_at", kv("URL", u.opts.PhoneURL))
		}
		phone := widget.NewLabel(text)
		phone.Wrapping = fyne.TextWrapWord
		content = append(content, phone)
	}
	body := container.NewVBox(content...)
	title := lang.L("app.login_title", kv("Name", r.Name))
	if r.Kind == auth.KindWebull {
		title = lang.L("app.verify_title", kv("Name", r.Name))
	}
	buttons := container.NewCenter(container.NewHBox(ld.Cancel, ld.Retry))
	ld.dlg = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(body)), u.Win)
	ld.dlg.Resize(fyne.NewSize(600, 520))
	return ld
}

func (u *UI) startText(r Row) string {
	if r.Kind == auth.KindWebull {
		return lang.L("app.asking_webull")
	}
	return lang.L("app.opening_futu", kv("Brand", u.lang.Render(msg.New("brand."+r.Credential.FutuBrand()))))
}

func retryText(r Row) string {
	if r.Kind == auth.KindWebull {
		return lang.L("app.new_token")
	}
	return lang.L("app.try_again")
}

// start begins an attempt; it runs on the UI thread.
func (ld *LoginDialog) start() {
	ctx, cancel := context.WithCancel(context.Background())
	ld.mu.Lock()
	ld.cancel = cancel
	ld.last = auth.LoginEvent{}
	ld.mu.Unlock()
	ld.Retry.Hide()
	ld.URL.SetText("")
	ld.URL.Hide() // an earlier attempt's address no longer works
	ld.CopyURL.Hide()
	ld.Cancel.SetText(lang.L("app.cancel"))
	ld.Steps.SetText(ld.ui.startText(ld.row))
	if !ld.open {
		ld.open = true
		ld.ui.modal(ld.dlg, ld.stop)
	}
	ticker := ld.ui.opts.Clock.NewTicker(time.Second)
	ld.ui.run.Go(func() {
		defer ticker.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticker.Chan():
				ld.redraw()
			}
		}
	})
	ld.ui.run.Go(func() {
		h, err := ld.ui.backend.Login(ctx, ld.row.Name, auth.LoginOptions{Lang: ld.ui.lang}, func(ev auth.LoginEvent) {
			ld.mu.Lock()
			ld.last = ev
			ld.mu.Unlock()
			ld.redraw()
		})
		// A login can finish and store its tokens although Cancel was
		// pressed a moment before: the outcome decides, not the button.
		cancelled := err != nil && errors.Is(err, context.Canceled)
		cancel()
		ld.ui.run.Do(func() {
			switch {
			case cancelled:
				ld.close()
				ld.ui.Status.SetText(lang.L("app.login_cancelled", kv("Name", ld.row.Name)))
			case err != nil:
				// Stay open: the reason, and the way forward in one click.
				ld.Countdown.Hide()
				ld.Progress.Hide()
				ld.Steps.SetText(ld.ui.say(err))
				ld.Cancel.SetText(lang.L("app.close"))
				ld.instead = auth.Action{}
				ld.Retry.SetText(retryText(ld.row))
				ld.Retry.SetIcon(theme.ViewRefreshIcon())
				if a, ok := auth.ActionOf(err); ok && a.Kind == auth.ActionUpdate {
					ld.instead = a
					ld.Retry.SetText(ld.ui.lang.Render(a.Message()))
					ld.Retry.SetIcon(actionIcon(a.Kind))
				}
				ld.Retry.Show()
				ld.ui.Status.SetText(ld.ui.say(err))
			default:
				ld.close()
				ld.ui.Status.SetText(ld.ui.healthLine(ld.row.Name, h))
			}
		})
		rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer rcancel()
		_ = ld.ui.Reload(rctx)
	})
}

// retry starts over, or does what the failure said to do instead.
func (ld *LoginDialog) retry() {
	if a := ld.instead; !a.IsZero() {
		ld.close()
		ld.ui.Act(a)
		return
	}
	ld.start()
}

// redraw shows the latest event with the time left now.
func (ld *LoginDialog) redraw() {
	ld.mu.Lock()
	ev := ld.last
	ld.mu.Unlock()
	now := ld.ui.opts.Clock.Now()
	ld.ui.run.Do(func() {
		steps := ev.StepsIn(ld.ui.lang)
		if len(steps) > 0 || ev.Health.Reason != "" || !ev.Health.Why.IsZero() {
			text := sentence(ev.Health.Explain(ld.ui.lang))
			if len(steps) > 0 {
				text = strings.TrimSpace(text + "\n\n" + numbered(steps))
			}
			ld.Steps.SetText(text)
		}
		if ev.Health.State == auth.Pending && !ev.Health.Deadline.IsZero() {
			left := ev.Health.Deadline.Sub(now)
			ld.Countdown.SetText(lang.L("app.time_left", kv("Left", auth.Countdown(left))))
			ld.Countdown.Show()
			ld.Progress.SetValue(max(0, left.Seconds()))
			ld.Progress.Show()
		}
		if ev.URL != "" && ld.URL.Text != ev.URL {
			ld.URL.SetText(ev.URL)
			ld.URL.Show()
			ld.CopyURL.SetText(lang.L("app.copy"))
			ld.CopyURL.Show()
			ld.Steps.SetText(lang.L("app.no_browser"))
		}
	})
}

func numbered(steps []string) string {
	var b strings.Builder
	for i, s := range steps {
		b.WriteString(string(rune('1'+i)) + ". " + s + "\n")
	}
	return strings.TrimSpace(b.String())
}

// stop cancels a running attempt, or closes the dialog after a failed one.
func (ld *LoginDialog) stop() {
	ld.mu.Lock()
	cancel := ld.cancel
	ld.mu.Unlock()
	if ld.Retry.Visible() {
		ld.close()
		return
	}
	if cancel != nil {
		cancel()
	}
}

func (ld *LoginDialog) close() {
	ld.open = false
	ld.dlg.Hide()
}

// Open reports whether the dialog is on screen.
func (ld *LoginDialog) Open() bool { return ld.open }

// StartLogin runs a login or 2FA verification with its dialog.
func (u *UI) StartLogin(r Row) *LoginDialog {
	ld := newLoginDialog(u, r)
	ld.start()
	return ld
}

// healthLine is a credential's health in one line: "futu-main: OK:
// the token was renewed".
func (u *UI) healthLine(name string, h auth.Health) string {
	reason := h.Explain(u.lang)
	if reason == "" {
		return lang.L("app.name_state", kv("Name", name, "State", u.stateTitle(h.State)))
	}
	return lang.L("app.name_state_reason", kv("Name", name, "State", u.stateTitle(h.State), "Reason", reason))
}
