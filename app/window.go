package app

import (
	"context"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/icons"
	"tokentray/internal/msg"
)

// Options shape the window.
type Options struct {
	Sandbox bool
	// PhoneURL is the sandbox's simulated phone, shown in the 2FA dialog.
	PhoneURL string
	Clock    clockwork.Clock
	// Focus selects a credential when the window opens.
	Focus string
	// Do, with Focus, starts that credential's action when the window
	// opens (a notification's Log in, Verify now or Extend button).
	Do auth.ActionKind
	// Runner runs slow work and widget updates; nil means goroutines
	// and fyne.Do.
	Runner Runner
	// Lang is the language the window speaks (the language setting as
	// the wiring resolved it); empty means English.
	Lang msg.Lang
	// Language resolves a language setting ("auto", "zh-HK") to the
	// language to speak, so a change on the settings page takes effect
	// at once; nil keeps Lang until the window is opened again.
	Language func(setting string) msg.Lang
	// Fonts finds a font for a language's characters; nil means the
	// system's (SystemFont). Without one the window speaks English and
	// says what to install.
	Fonts FontFinder
}

// UI is the window. Its widgets are fields so tests can tap and read them.
type UI struct {
	App     fyne.App
	Win     fyne.Window
	backend service.Service
	opts    Options
	run     Runner
	lang    msg.Lang

	mu       sync.Mutex
	rows     []Row
	selected int
	// clip is the token this window last put on the clipboard.
	clip string

	escapes []func()
	// closed ends when the window is closed.
	closed chan struct{}
	// listed receives a value whenever the list was read again.
	listed chan struct{}

	Tabs       *container.AppTabs
	List       *widget.List
	Status     *widget.Label
	Banner     *widget.Label
	RefreshAll *widget.Button
	AddButton  *widget.Button
	Details    *Details
	Settings   *SettingsPage
	// FontMissing says, in the window, that no font for the chosen
	// language's characters was found, and what to install.
	FontMissing *widget.Label

	settingsTab *container.TabItem
	// missing is the language the window could not show for want of a
	// font ("" when none).
	missing msg.Lang
	// base is the app's theme before the window chose a font.
	base fyne.Theme
}

// New builds the window on a (real or test) Fyne app.
func New(a fyne.App, b service.Service, opts Options) *UI {
	if opts.Clock == nil {
		opts.Clock = clockwork.NewRealClock()
	}
	if opts.Runner == nil {
		opts.Runner = fyneRunner{}
	}
	if opts.Lang == "" {
		opts.Lang = msg.English
	}
	if opts.Fonts == nil {
		opts.Fonts = SystemFont
	}
	u := &UI{App: a, backend: b, opts: opts, run: opts.Runner, selected: -1, closed: make(chan struct{}), listed: make(chan struct{}, 1), base: a.Settings().Theme()}
	u.lang = u.fit(opts.Lang)
	if err := UseLanguage(u.lang); err != nil {
		fyne.LogError("load the window's translations", err)
	}
	title := "tokentray"
	if opts.Sandbox {
		title = lang.L("app.title_sandbox")
	}
	u.Win = a.NewWindow(title)
	u.Win.SetIcon(fyne.NewStaticResource("app.png", icons.App))
	u.build()
	u.Win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			u.Escape()
		}
	})
	u.Win.Resize(fyne.NewSize(900, 620))
	return u
}

func (u *UI) build() {
	u.Banner = widget.NewLabel("")
	u.Banner.Wrapping = fyne.TextWrapWord
	if u.opts.Sandbox {
		u.Banner.SetText(lang.L("app.sandbox_banner"))
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
			// A row reused for a credential in the same state keeps its
			// decoded icon: scrolling a long list decodes nothing.
			if res := stateIcon(r.Health.State); img.Resource != res {
				img.Resource = res
				img.Refresh()
			}
			state.SetText(u.shortState(r.Health, u.opts.Clock.Now()))
		},
	)
	u.List.OnSelected = func(id widget.ListItemID) {
		u.mu.Lock()
		u.selected = id
		u.mu.Unlock()
		u.showDetails()
	}
	u.List.OnUnselected = func(id widget.ListItemID) {
		u.mu.Lock()
		if u.selected == id {
			u.selected = -1
		}
		u.mu.Unlock()
		u.showDetails()
	}
	u.Details = u.newDetails()

	u.RefreshAll = widget.NewButtonWithIcon(lang.L("app.refresh_all"), theme.ViewRefreshIcon(), func() {
		u.work(lang.L("app.refreshing_all"), func(ctx context.Context) (string, error) {
			return lang.L("app.refreshed_all"), refresh(ctx, u.backend, "")
		})
	})
	u.AddButton = widget.NewButtonWithIcon(lang.L("app.add_credential"), theme.ContentAddIcon(), func() { u.ShowAddForm() })

	split := container.NewHSplit(u.List, container.NewPadded(u.Details.box))
	split.Offset = 0.4
	top := container.NewHBox(u.AddButton, u.RefreshAll)
	creds := container.NewBorder(top, nil, nil, nil, split)
	u.Settings = u.newSettingsPage()
	u.settingsTab = container.NewTabItemWithIcon(lang.L("app.tab_settings"), theme.SettingsIcon(), u.Settings.box)
	u.Tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("app.tab_credentials"), theme.AccountIcon(), creds),
		u.settingsTab,
	)
	u.Tabs.OnSelected = func(t *container.TabItem) {
		if t == u.settingsTab {
			u.Settings.Load()
		}
	}
	u.FontMissing = widget.NewLabel("")
	u.FontMissing.Wrapping = fyne.TextWrapWord
	u.FontMissing.Importance = widget.WarningImportance
	u.FontMissing.Hide()
	if u.missing != "" {
		u.FontMissing.SetText(lang.L("app.font_missing", kv("Language", string(u.missing), "Install", fontInstallHint())))
		u.FontMissing.Show()
	}
	u.Win.SetContent(container.NewBorder(container.NewVBox(u.FontMissing, u.Banner), u.Status, nil, nil, u.Tabs))
}

var (
	stateIconsMu sync.Mutex
	stateIcons   = map[auth.State]fyne.Resource{}
)

// stateIcon is the list's icon for a state, one resource per state.
func stateIcon(st auth.State) fyne.Resource {
	stateIconsMu.Lock()
	defer stateIconsMu.Unlock()
	res, ok := stateIcons[st]
	if !ok {
		res = fyne.NewStaticResource("state-"+st.String()+".png", icons.ForState(st))
		stateIcons[st] = res
	}
	return res
}

// shortState is a row's state: the time left only where it is what the
// state is about (a verification's countdown, a token's life), never
// beside "Action needed", which the time left does not fix.
func (u *UI) shortState(h auth.Health, now time.Time) string {
	title := u.stateTitle(h.State)
	switch {
	case h.State == auth.Pending && !h.Deadline.IsZero():
		return lang.L("app.state_left", kv("State", title, "Left", auth.Countdown(h.Deadline.Sub(now))))
	case h.State != auth.OK && h.State != auth.Expiring:
		return title
	case !h.ExpiresAt.IsZero() && h.ExpiresAt.After(now):
		return lang.L("app.state_left", kv("State", title, "Left", u.lang.Duration(h.ExpiresAt.Sub(now))))
	}
	return title
}

// stateTitle is a state as the window names it ("Action needed").
func (u *UI) stateTitle(s auth.State) string { return u.lang.Render(s.Message()) }

// say is an error as the window shows it: its message in the window's
// language.
func (u *UI) say(err error) string { return sentence(u.lang.Err(err)) }

// Reload reads the credentials from the backend and redraws.
func (u *UI) Reload(ctx context.Context) error {
	rows, err := u.backend.Rows(ctx)
	if err != nil {
		u.setStatus(u.say(err))
		return err
	}
	u.run.Do(func() {
		u.mu.Lock()
		name := ""
		if u.selected >= 0 && u.selected < len(u.rows) {
			name = u.rows[u.selected].Name
		}
		u.mu.Unlock()
		act := auth.ActionNone
		if u.opts.Focus != "" {
			name, u.opts.Focus = u.opts.Focus, ""
			act, u.opts.Do = u.opts.Do, auth.ActionNone
		}
		// The selection follows the credential, not its place: the list's
		// own selection and the pane are set together, so they agree even
		// when the credential's row did not move (the list would not call
		// OnSelected again for it).
		at := -1
		for i, r := range rows {
			if r.Name == name {
				at = i
			}
		}
		u.mu.Lock()
		u.rows = rows
		u.selected = at
		u.mu.Unlock()
		select {
		case u.listed <- struct{}{}:
		default:
		}
		u.List.Refresh()
		if at >= 0 {
			u.List.Select(at)
		} else {
			u.List.UnselectAll()
		}
		u.showDetails()
		if at >= 0 && act != auth.ActionNone {
			u.Act(auth.Next(act, name))
		}
		if len(rows) == 0 {
			u.Status.SetText(lang.L("app.no_credentials", kv("Add", lang.L("app.add_credential"))))
		}
	})
	return nil
}

// speak switches the window to language l: its widgets are made again
// in l, the settings page stays in view, and the list is read again.
func (u *UI) speak(l msg.Lang) {
	l = u.fit(l)
	if err := UseLanguage(l); err != nil {
		fyne.LogError("load the window's translations", err)
	}
	u.lang = l
	u.opts.Lang = l
	if u.opts.Sandbox {
		u.Win.SetTitle(lang.L("app.title_sandbox"))
	}
	u.mu.Lock()
	u.selected = -1
	u.mu.Unlock()
	u.build()
	u.Tabs.Select(u.settingsTab)
	u.Settings.Load()
	if u.missing == "" {
		u.Settings.Message.SetText(lang.L("app.language_changed", kv("Language", l.Name())))
	}
	u.run.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = u.Reload(ctx)
	})
}

// fit is the language the window can show for l: l itself, drawn with a
// font that has its characters, or English when the system has no such
// font (FontMissing then says what to install).
func (u *UI) fit(l msg.Lang) msg.Lang {
	u.missing = ""
	var f *Font
	if l != msg.English {
		if f = u.opts.Fonts(l); f == nil {
			u.missing, l = l, msg.English
		}
	}
	switch {
	case f != nil:
		u.App.Settings().SetTheme(scriptTheme{Theme: u.base, font: f})
	case u.App.Settings().Theme() != u.base:
		u.App.Settings().SetTheme(u.base)
	}
	return l
}

// selectName selects the credential called name, if it is listed.
func (u *UI) selectName(name string) {
	if name == "" {
		return
	}
	for i, r := range u.Rows() {
		if r.Name == name {
			u.List.Select(i)
			return
		}
	}
}

// Focus raises the window and, when name is not empty, selects that
// credential (a second `tokentray window NAME` asks for this) and starts
// act when it is not none.
func (u *UI) Focus(name string, act auth.ActionKind) {
	u.Win.Show()
	u.Win.RequestFocus()
	if name == "" {
		return
	}
	u.Tabs.SelectIndex(0)
	u.selectName(name)
	if act != auth.ActionNone {
		u.Act(auth.Next(act, name))
	}
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

func (u *UI) row(name string) (Row, bool) {
	for _, r := range u.Rows() {
		if r.Name == name {
			return r, true
		}
	}
	return Row{}, false
}

func (u *UI) setStatus(s string) { u.run.Do(func() { u.Status.SetText(s) }) }

// work does slow work off the UI thread and reports the outcome: f's
// sentence when it succeeds ("Done." when it has none), else its error.
// Afterwards the list is read again.
func (u *UI) work(doing string, f func(ctx context.Context) (string, error)) {
	u.Status.SetText(doing)
	u.run.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		said, err := f(ctx)
		switch {
		case err != nil:
			u.setStatus(u.say(err))
		case said != "":
			u.setStatus(said)
		default:
			u.setStatus(lang.L("app.done"))
		}
		_ = u.Reload(ctx)
	})
}

// sentence is a reason or error as the window shows it.
func sentence(s string) string { return auth.Display(s) }

// Show shows the window, loads the credentials, and keeps them current
// while it is open: it reloads when the settings file changes (the
// agent, the command line or this window wrote it) and, only while a
// verification is pending, redraws its countdown every second without
// asking the backend. Idle, it does not wake at all.
func (u *UI) Show() {
	u.Win.Show()
	ctx, cancel := context.WithCancel(context.Background())
	u.Win.SetOnClosed(func() {
		cancel()
		close(u.closed)
		u.clearClipboard()
	})
	u.run.Go(func() { u.follow(ctx) })
}

// fallbackReload is how often the list is read again when the settings
// file cannot be watched.
const fallbackReload = time.Minute

func (u *UI) follow(ctx context.Context) {
	changed := make(chan struct{}, 1)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default:
		}
	}
	var fallback <-chan time.Time
	if err := u.backend.Watch(ctx, notify); err != nil {
		t := u.opts.Clock.NewTicker(fallbackReload)
		defer t.Stop()
		fallback = t.Chan()
	}
	reload := func() {
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		_ = u.Reload(rctx)
	}
	// The clock ticks only while a verification counts down, or until
	// the list was read again once after one ran out.
	var over time.Time
	var tick clockwork.Ticker
	var tickC <-chan time.Time
	defer func() {
		if tick != nil {
			tick.Stop()
		}
	}()
	retick := func() {
		c := u.countdowns()
		need := c == countdownRunning || c == countdownOver && !u.earliestDeadline().Equal(over)
		switch {
		case need && tick == nil:
			tick = u.opts.Clock.NewTicker(time.Second)
			tickC = tick.Chan()
		case !need && tick != nil:
			tick.Stop()
			tick, tickC = nil, nil
		}
	}
	reload()
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
			reload()
			u.run.Do(func() {
				if len(u.Settings.order) > 0 {
					u.Settings.Load()
				}
			})
		case <-fallback:
			reload()
		case <-u.listed:
			retick()
		case <-tickC:
			switch u.countdowns() {
			case countdownRunning:
				u.run.Do(func() { u.List.Refresh(); u.showDetails() })
			case countdownOver:
				// Once per run-out deadline: the list then says what is known.
				if d := u.earliestDeadline(); !d.Equal(over) {
					over = d
					reload()
				}
			}
			retick()
		}
	}
}

func (u *UI) earliestDeadline() time.Time {
	u.mu.Lock()
	defer u.mu.Unlock()
	var d time.Time
	for _, r := range u.rows {
		if r.Health.State == auth.Pending && !r.Health.Deadline.IsZero() && (d.IsZero() || r.Health.Deadline.Before(d)) {
			d = r.Health.Deadline
		}
	}
	return d
}

type countdown int

const (
	countdownNone countdown = iota
	countdownRunning
	countdownOver
)

// countdowns reports whether a pending verification is counting down,
// or one has just run out (the list then says more than the clock).
func (u *UI) countdowns() countdown {
	now := u.opts.Clock.Now()
	u.mu.Lock()
	defer u.mu.Unlock()
	c := countdownNone
	for _, r := range u.rows {
		if r.Health.State != auth.Pending || r.Health.Deadline.IsZero() {
			continue
		}
		if !now.Before(r.Health.Deadline) {
			return countdownOver
		}
		c = countdownRunning
	}
	return c
}
