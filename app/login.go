package app

import (
	"context"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
)

// verifyWindow is the 2FA deadline the progress bar is drawn against.
const verifyWindow = 5 * time.Minute

// LoginDialog shows a login or 2FA verification while it runs: the steps,
// a countdown updated every second, the login URL when no browser could
// be opened, and Cancel.
type LoginDialog struct {
	ui  *UI
	row Row

	Steps     *widget.Label
	Countdown *widget.Label
	Progress  *widget.ProgressBar
	URL       *widget.Entry
	Cancel    *widget.Button
	dlg       dialog.Dialog

	mu       sync.Mutex
	last     auth.LoginEvent
	cancel   context.CancelFunc
	finished chan struct{}
	result   auth.Health
	err      error
}

func newLoginDialog(u *UI, r Row) *LoginDialog {
	ld := &LoginDialog{ui: u, row: r, finished: make(chan struct{})}
	ld.Steps = widget.NewLabel(startText(r))
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
	ld.URL.Hide()
	ld.Cancel = widget.NewButton("Cancel", func() { ld.stop() })

	content := []fyne.CanvasObject{ld.Countdown, ld.Progress, ld.Steps, ld.URL}
	if u.opts.Sandbox && r.Kind == auth.KindWebull {
		where := "on the Webull sandbox's phone page (its address is printed by tokentray sandbox)"
		if u.opts.PhoneURL != "" {
			where = "at " + u.opts.PhoneURL
		}
		phone := widget.NewLabel("Sandbox: there is no real phone; the SMS code and the Confirm button are " + where + ".")
		phone.Wrapping = fyne.TextWrapWord
		content = append(content, phone)
	}
	body := container.NewVBox(content...)
	title := "Log in: " + r.Name
	if r.Kind == auth.KindWebull {
		title = "Verify Webull token: " + r.Name
	}
	ld.dlg = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, ld.Cancel, nil, nil, container.NewVScroll(body)), u.Win)
	ld.dlg.Resize(fyne.NewSize(600, 520))
	return ld
}

func startText(r Row) string {
	if r.Kind == auth.KindWebull {
		return "Asking Webull for a new token…"
	}
	return "Opening the Futu login page in your browser…"
}

func (ld *LoginDialog) start() {
	ctx, cancel := context.WithCancel(context.Background())
	ld.cancel = cancel
	ld.dlg.Show()
	ticker := ld.ui.opts.Clock.NewTicker(time.Second)
	ld.ui.background(func() {
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
	ld.ui.background(func() {
		h, err := ld.ui.backend.Login(ctx, ld.row.Name, func(ev auth.LoginEvent) {
			ld.mu.Lock()
			ld.last = ev
			ld.mu.Unlock()
			ld.redraw()
		})
		cancelled := ctx.Err() != nil
		cancel()
		ld.mu.Lock()
		ld.result, ld.err = h, err
		ld.mu.Unlock()
		ld.ui.do(func() {
			ld.dlg.Hide()
			switch {
			case cancelled:
				ld.ui.Status.SetText("Cancelled: " + ld.row.Name + " was left as it was.")
			case err != nil:
				ld.ui.Status.SetText(err.Error())
			default:
				ld.ui.Status.SetText(ld.row.Name + ": " + h.String())
			}
		})
		rctx, rcancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer rcancel()
		_ = ld.ui.Reload(rctx)
		close(ld.finished)
	})
}

// redraw shows the latest event with the time left now.
func (ld *LoginDialog) redraw() {
	ld.mu.Lock()
	ev := ld.last
	ld.mu.Unlock()
	now := ld.ui.opts.Clock.Now()
	ld.ui.do(func() {
		if len(ev.Steps) > 0 || ev.Health.Reason != "" {
			text := ev.Health.Reason
			if len(ev.Steps) > 0 {
				text = strings.TrimSpace(text + "\n\n" + numbered(ev.Steps))
			}
			ld.Steps.SetText(text)
		}
		if ev.Health.State == auth.Pending && !ev.Health.Deadline.IsZero() {
			left := ev.Health.Deadline.Sub(now)
			ld.Countdown.SetText(auth.Countdown(left) + " left")
			ld.Progress.SetValue(max(0, left.Seconds()))
			ld.Progress.Show()
		}
		if ev.URL != "" && ld.URL.Text != ev.URL {
			ld.URL.SetText(ev.URL)
			ld.URL.Show()
			ld.Steps.SetText("Your browser could not be opened. Copy this address into a browser to log in:")
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

func (ld *LoginDialog) stop() {
	if ld.cancel != nil {
		ld.cancel()
	}
}

// Wait blocks until the login ends and returns its outcome.
func (ld *LoginDialog) Wait() (auth.Health, error) {
	<-ld.finished
	ld.mu.Lock()
	defer ld.mu.Unlock()
	return ld.result, ld.err
}
