package tray

import (
	"context"
	"errors"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/auth/store"
	"tokentray/auth/targets"
	"tokentray/internal/msg"
)

// AgentOptions configure the always-on agent.
type AgentOptions struct {
	Sandbox bool
	// Dir is the profile's settings folder, where the agent remembers
	// which alerts it showed; empty: it forgets them when it quits.
	Dir string
	// SettingsFile is the profile's settings file, followed for changes
	// the command line and the window make; empty: not followed (the
	// settings are read once, at start).
	SettingsFile string
	// Prefs reads the profile's settings; nil means the defaults.
	Prefs Prefs
	// Window shows the window (at one credential when focus is set,
	// starting act on it when act is not none) and returns when it is
	// closed; ctx ends when the agent quits, which closes it. The agent
	// starts one window at a time.
	Window func(ctx context.Context, focus string, act auth.ActionKind) error
	// OpenWindow, used when Window is nil, shows the window and returns.
	OpenWindow func(name string)
	// Changed, when not nil, signals that the engine saved something.
	Changed <-chan struct{}
	Clock   clockwork.Clock
	// Notifier, when set, announces a credential that starts to need the
	// user, breaks, or crosses a warning day before expiry. When it is
	// also an ActionNotifier, the notification's buttons do the next action.
	Notifier Notifier
	// Clipboard receives tokens copied from the menu; nil: Copy token
	// says that there is no clipboard.
	Clipboard Clipboard
	// Autostart reads and sets starting at login; nil hides nothing but
	// the checkbox does nothing.
	Autostart Autostart
	// Language resolves the profile's language setting ("auto", "en",
	// "zh-CN", "zh-HK") to the language the tray, the notifications and
	// the event log speak: the wiring's system.Language, which follows
	// the environment and the desktop for auto. It is asked again each
	// time the settings change. Nil: the setting alone, English for auto.
	Language func(setting string) msg.Lang
}

// Prefs reads a profile's settings (*store.Store is one).
type Prefs interface {
	Prefs() (store.Prefs, error)
}

// Clipboard holds a copied token for a while.
type Clipboard interface {
	// WriteSecret puts text on the clipboard, marked so that clipboard
	// managers do not keep it where the desktop supports that.
	WriteSecret(text string) error
	// ClearIf empties the clipboard if it still holds text.
	ClearIf(text string) bool
}

// Autostart is the "Start at login" switch.
type Autostart interface {
	Enabled() bool
	Set(on bool) error
}

// Credentials is what the agent asks of the service (service.Service
// has it all): every credential's health, checks and renewals, tokens,
// 2FA verifications and the share targets' pushes.
type Credentials interface {
	Clock() clockwork.Clock
	Status(ctx context.Context) ([]service.Status, error)
	Credentials(ctx context.Context) ([]auth.Credential, error)
	AllShared(ctx context.Context) (map[string]targets.Shared, error)
	Lead() time.Duration
	Tidy(ctx context.Context) error
	Recover(ctx context.Context) []service.Result
	RefreshAll(ctx context.Context, force bool) ([]service.Result, error)
	RefreshNames(ctx context.Context, names []string, force bool) []service.Result
	Token(ctx context.Context, name string) (string, error)
	Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error)
	NewShareKeeper(notify func(service.PushResult)) *service.ShareKeeper
}

var _ Credentials = service.Service(nil)

// Agent keeps credentials current in the background and keeps the tray
// drawn from their health.
type Agent struct {
	eng  Credentials
	opts AgentOptions
	c    clockwork.Clock

	// out receives every view to draw (the tray, or a test's fake panel).
	out   func(View)
	views chan View
	// events brings the loop what the person asked for (refresh, redraw).
	events  chan event
	results chan result
	quit    context.CancelFunc

	mu      sync.Mutex
	entries []Entry
	busy    map[string]bool
	view    View
	prefs   agentPrefs
	alerts  *alerts
	// replacements announces tokens swapped by an extension.
	replacements replacements
	copied       string // the token last put on the clipboard
	clearT       clockwork.Timer
	windowMu     sync.Mutex
	window       bool // a window the agent started is open
	winWG        sync.WaitGroup
	life         context.Context // ends when the agent quits: its windows close
	endLife      context.CancelFunc
	// observe, when set, is told every credential's health each time
	// the agent reads it (the headless agent's log).
	observe func([]Entry)
	// verifier starts Webull verifications when headless.
	verifier *verifier
	// handled, when set, is told each event the loop handled and how
	// many polls are then in flight; it runs in the loop.
	handled   func(kind eventKind, polling int)
	notesOnce sync.Once
	notes     chan Notification
	// keeper pushes share targets; nil until the loop starts it.
	keeper *service.ShareKeeper
	// settleT hands freed memory back settleAfter after work has ended
	// (settle).
	settleMu    sync.Mutex
	settleT     *time.Timer
	settleAfter time.Duration
	settleOff   bool // the agent stopped
}

// settleAfter is how long the agent waits, after the last burst of work
// ended, before handing the memory it freed back to the system.
const settleAfter = 2 * time.Second

// settle hands the memory a burst of work freed back to the system,
// settleAfter after the last call: the start-up and a check round
// allocate a few MB that the collector, whose smallest heap is 4 MB,
// would otherwise keep resident while the agent sleeps (about a fifth
// of its idle memory). It is one collection of a heap of about 1 MB,
// well under a millisecond, once each time work ends; an idle agent
// does not call it. The wait is real time, not the agent's clock: it
// schedules nothing the user sees.
func (a *Agent) settle() {
	a.settleMu.Lock()
	defer a.settleMu.Unlock()
	if a.settleOff {
		return
	}
	if a.settleT == nil {
		a.settleT = time.AfterFunc(a.settleAfter, debug.FreeOSMemory)
		return
	}
	a.settleT.Reset(a.settleAfter)
}

// unsettle cancels a pending settle: the agent is stopping.
func (a *Agent) unsettle() {
	a.settleMu.Lock()
	defer a.settleMu.Unlock()
	a.settleOff = true
	if a.settleT != nil {
		a.settleT.Stop()
	}
}

// agentPrefs are the settings the agent follows, read again whenever the
// settings file changes.
type agentPrefs struct {
	every, lead, clipClear time.Duration
	warnDays               []int
	notify                 bool
	// lang is the language everything the agent says is in.
	lang msg.Lang
}

// result is the end of a check with the broker.
type result struct {
	all        bool
	names      []string
	unanswered bool
	poll       bool // a pending verification was asked about
	// start, for the round at start, is the last check of the
	// credentials it left out (see schedule.atStart).
	start time.Time
}

// NewAgent prepares an agent over the credentials of eng (a
// service.Service).
func NewAgent(eng Credentials, opts AgentOptions) *Agent {
	if opts.Clock == nil {
		opts.Clock = eng.Clock()
	}
	a := &Agent{
		eng: eng, opts: opts, c: opts.Clock,
		views:       make(chan View, 1),
		events:      make(chan event, 8),
		results:     make(chan result, 8),
		busy:        map[string]bool{},
		settleAfter: settleAfter,
	}
	a.out = a.send
	a.life, a.endLife = context.WithCancel(context.Background())
	a.prefs = a.readPrefs()
	alertsPath := ""
	if opts.Dir != "" {
		alertsPath = filepath.Join(opts.Dir, alertsFile)
	}
	a.alerts = newAlerts(a.prefs.warnDays, alertsPath)
	return a
}

func (a *Agent) readPrefs() agentPrefs {
	p := store.DefaultPrefs()
	if a.opts.Prefs != nil {
		if read, err := a.opts.Prefs.Prefs(); err == nil {
			p = read
		}
	}
	ap := prefsOf(p)
	if a.opts.Language != nil {
		ap.lang = a.opts.Language(p.Language)
	} else {
		ap.lang = msg.Choose(p.Language, nil, nil)
	}
	return ap
}

// Lang is the language the agent speaks now: the language setting as it
// was last read, resolved by AgentOptions.Language.
func (a *Agent) Lang() msg.Lang {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.prefs.lang
}

// Snapshot reads every credential's health from the service.
func (a *Agent) Snapshot() []Entry {
	ss, err := a.eng.Status(context.Background())
	if err != nil {
		return []Entry{{Name: "tokentray", Health: auth.Health{State: auth.Broken}.Because(msg.Of(err))}}
	}
	accounts := map[string]string{}
	replaced := map[string]auth.Replacement{}
	noToken := map[string]bool{}
	if cs, err := a.eng.Credentials(context.Background()); err == nil {
		lang := a.Lang()
		for _, c := range cs {
			accounts[c.Name] = lang.Render(c.WhoMsg())
			replaced[c.Name] = c.Replaced
			noToken[c.Name] = c.Kind == auth.KindWebull && c.TwoFactorOff
		}
	}
	out := make([]Entry, len(ss))
	for i, s := range ss {
		h := s.Health
		if h.ExpiresAt.IsZero() {
			h.ExpiresAt = s.ExpiresAt
		}
		out[i] = Entry{Name: s.Name, Kind: s.Kind, Health: h, Checked: s.LastChecked, Account: accounts[s.Name], Replaced: replaced[s.Name], NoToken: noToken[s.Name]}
	}
	if shared, err := a.eng.AllShared(context.Background()); err == nil {
		for i := range out {
			for _, t := range shared[out[i].Name].Targets {
				if t.State.Failing() {
					out[i].ShareFailing = append(out[i].ShareFailing, msg.New("tray.share_failing", "Target", t.Describe(), "Error", t.State.Error))
				}
			}
		}
	}
	return out
}

// View is the tray's view now, read from the store.
func (a *Agent) View() View {
	a.reload()
	return a.render()
}

// Do runs a command from the menu or a notification.
func (a *Agent) Do(c Command) {
	switch c.Kind {
	case CmdCopy:
		go a.copyToken(c.Credential)
	case CmdAct:
		// The button does the action: the window opens at its dialog (the
		// login, with the browser; the verification, with its countdown;
		// the extension's confirmation).
		a.openWindow(c.Credential, c.Action)
	case CmdDetails:
		a.openWindow(c.Credential, auth.ActionNone)
	case CmdOpen, CmdAdd, CmdSettings:
		a.openWindow("", auth.ActionNone)
	case CmdAutostart:
		if as := a.opts.Autostart; as != nil {
			if err := as.Set(!as.Enabled()); err != nil {
				l := a.Lang()
				a.notify(Notification{Code: "notify.autostart_failed", Title: l.Text("notify.autostart_failed"), Body: l.Err(err)})
			}
		}
		a.events <- event{kind: evRedraw}
	case CmdQuit:
		if a.quit != nil {
			a.quit()
		}
	default:
		select {
		case a.events <- commandEvent(c):
		default:
		}
	}
}

// RefreshNow asks the loop to check every credential at once.
func (a *Agent) RefreshNow() { a.Do(Command{Kind: CmdRefreshAll}) }

// Run shows the tray and keeps credentials current until ctx ends or the
// user quits. It must run on the main goroutine.
func (a *Agent) Run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	a.quit = cancel
	first := a.View()
	a.mu.Lock()
	a.view = first
	a.mu.Unlock()
	stopped := make(chan struct{})
	go func() { a.loop(ctx); close(stopped) }()
	// On the way out, let a check in flight store what the broker
	// answered: a renewal that replaced a token must not be lost.
	defer func() {
		cancel()
		select {
		case <-stopped:
		case <-time.After(StopWait):
		}
		a.clearClipboard()
		a.endLife()
		a.winWG.Wait()
	}()
	go func() {
		<-ctx.Done()
		Stop()
	}()
	Run(first, a.views, a.Do)
}

func (a *Agent) send(v View) {
	select {
	case <-a.views: // drop a view nobody drew yet
	default:
	}
	select {
	case a.views <- v:
	default:
	}
}

// StopWait bounds how long the agent waits, when it stops, for a check in
// flight (token-replacing calls finish within 30 s of being cancelled).
const StopWait = 35 * time.Second

// FirstRetry is how soon a credential whose broker did not answer is
// checked again.
const FirstRetry = 30 * time.Second

func (a *Agent) setBusy(names []string, on bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if names == nil {
		a.busy["*"] = on
	}
	for _, n := range names {
		a.busy[n] = on
	}
	if !on && names == nil {
		delete(a.busy, "*")
	}
	for _, n := range names {
		if !on {
			delete(a.busy, n)
		}
	}
}

func (a *Agent) snapshotEntries() []Entry {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.entries
}

func (a *Agent) viewUntil() time.Time {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.view.Until
}

// check asks the brokers about the named credentials (nil: every one)
// and reports whether a broker did not answer (so a retry is due).
func (a *Agent) check(ctx context.Context, names []string) (unanswered bool) {
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var results []service.Result
	if names == nil {
		var err error
		if results, err = a.eng.RefreshAll(cctx, false); err != nil {
			return true
		}
	} else {
		results = a.eng.RefreshNames(cctx, names, false)
	}
	for _, r := range results {
		// A credential busy with a login is not a broker that did not answer.
		if r.Health.State == auth.Unknown && !errors.Is(r.Err, service.ErrBusy) {
			return true
		}
	}
	return false
}

// reload reads every credential from the store and announces what
// changed for the person.
func (a *Agent) reload() {
	entries := a.Snapshot()
	now := a.c.Now()
	if a.observe != nil {
		a.observe(entries)
	}
	a.mu.Lock()
	a.entries = entries
	a.alerts.lang, a.replacements.lang = a.prefs.lang, a.prefs.lang
	due := a.alerts.Due(entries, a.opts.Sandbox, now)
	due = append(due, a.replacements.Due(entries, a.opts.Sandbox)...)
	keeper := a.keeper
	a.mu.Unlock()
	if keeper != nil {
		keeper.Changed() // a new token goes to the share targets
	}
	a.announce(due...)
}

// announce hands each of ns to the notifier; with desktop notifications
// off, to the sinks beside the desktop alone (the notify command).
func (a *Agent) announce(ns ...Notification) {
	a.mu.Lock()
	notify := a.prefs.notify
	a.mu.Unlock()
	if notify {
		for _, n := range ns {
			a.notify(n)
		}
	} else if s, ok := a.opts.Notifier.(sinksOnly); ok {
		for _, n := range ns {
			s.SinksOnly(n)
		}
	}
}

// render draws the view from what was read last, at the clock's now.
func (a *Agent) render() View {
	a.mu.Lock()
	// A reload replaces the entries, never changes them: with nothing
	// busy (every countdown second) they are drawn as read.
	entries := a.entries
	if len(a.busy) > 0 {
		entries = make([]Entry, len(a.entries))
		copy(entries, a.entries)
		for i := range entries {
			entries[i].Busy = a.busy["*"] || a.busy[entries[i].Name]
		}
	}
	lang := a.prefs.lang
	a.mu.Unlock()
	o := ViewOptions{Sandbox: a.opts.Sandbox, Lang: lang}
	if as := a.opts.Autostart; as != nil {
		o.Autostart = as.Enabled()
	}
	return Render(entries, o, a.c.Now())
}

// draw sends the current view to the tray.
func (a *Agent) draw() {
	v := a.render()
	a.mu.Lock()
	a.view = v
	a.mu.Unlock()
	a.out(v)
}

// notify shows n without holding up the caller: a notification service
// that hangs must not stall the tray. Notifications go out one at a time,
// in order, so a withdrawal never overtakes what it withdraws.
func (a *Agent) notify(n Notification) {
	nt := a.opts.Notifier
	if nt == nil {
		return
	}
	a.notesOnce.Do(func() {
		a.notes = make(chan Notification, 64)
		go func() {
			for n := range a.notes {
				a.deliver(nt, n)
			}
		}()
	})
	select {
	case a.notes <- n:
	default: // the service is stuck; the tray still shows the change
	}
}

func (a *Agent) deliver(nt Notifier, n Notification) {
	if n.Withdraw {
		if w, ok := nt.(Withdrawer); ok {
			_ = w.Withdraw(n.Key)
		}
		return
	}
	if an, ok := nt.(ActionNotifier); ok && (len(n.Actions) > 0 || n.Key != "") {
		_ = an.NotifyActions(n, a.Do)
		return
	}
	_ = nt.Notify(n.Title, n.Body)
}

// OpenWindow shows the window, one at a time: while the window the agent
// started is open, another click does not start a second; one for a
// credential has the open window show it.
func (a *Agent) OpenWindow(focus string) { a.openWindow(focus, auth.ActionNone) }

func (a *Agent) openWindow(focus string, act auth.ActionKind) {
	if a.opts.Window == nil {
		if a.opts.OpenWindow != nil {
			a.opts.OpenWindow(focus)
		}
		return
	}
	a.windowMu.Lock()
	if a.window {
		if focus == "" {
			a.windowMu.Unlock()
			return
		}
		// The window is a single instance: started again, it hands the
		// credential to focus to the one open, raises it and ends at once.
		a.winWG.Add(1)
		a.windowMu.Unlock()
		go func() {
			defer a.winWG.Done()
			_ = a.opts.Window(a.life, focus, act)
		}()
		return
	}
	a.window = true
	a.winWG.Add(1)
	a.windowMu.Unlock()
	ctx := a.life
	go func() {
		defer a.winWG.Done()
		// A window closed because the agent quits is no failure to report.
		if err := a.opts.Window(ctx, focus, act); err != nil && ctx.Err() == nil {
			l := a.Lang()
			a.notify(Notification{Code: "notify.window_failed", Title: l.Text("notify.window_failed"), Body: l.Err(err)})
		}
		a.windowMu.Lock()
		a.window = false
		a.windowMu.Unlock()
	}()
}

// copyToken puts the credential's current token on the clipboard,
// renewed first when it is due; a token the person must act on first is
// never copied: a notification says why.
func (a *Agent) copyToken(name string) {
	l := a.Lang()
	cb := a.opts.Clipboard
	if cb == nil {
		a.notify(Notification{Code: "notify.not_copied", Title: l.Text("notify.not_copied"), Body: l.Text("notify.no_clipboard")})
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tok, err := a.eng.Token(ctx, name)
	if err != nil {
		n := Notification{Code: "notify.copy_failed", Title: l.Text("notify.copy_failed", "Name", name), Body: display(l, l.Err(err), ""), Why: msg.Of(err), Key: name}
		if act, ok := auth.ActionOf(err); ok {
			n.Actions = []NotifyAction{button(l, act.Kind, name)}
		} else if ue := (*auth.UserError)(nil); errors.As(err, &ue) {
			n.Actions = []NotifyAction{openButton(l, name)}
		}
		a.notify(n)
		return
	}
	if err := cb.WriteSecret(tok); err != nil {
		a.notify(Notification{Code: "notify.copy_failed", Title: l.Text("notify.copy_failed", "Name", name), Body: display(l, l.Err(err), ""), Why: msg.Of(err), Key: name})
		return
	}
	a.mu.Lock()
	clear := a.prefs.clipClear
	if a.clearT != nil {
		a.clearT.Stop()
	}
	a.copied = tok
	a.clearT = a.c.AfterFunc(clear, func() {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.copied == tok {
			cb.ClearIf(tok)
			a.copied = ""
			// Cleared: the note that said when is over.
			a.notify(Notification{Key: "clipboard", Withdraw: true})
		}
	})
	a.mu.Unlock()
	// One such note at a time: the clipboard holds one token.
	a.notify(Notification{Code: "notify.copied", Title: l.Text("notify.copied_title", "Name", name), Body: l.Text("notify.copied", "Clear", clear), Key: "clipboard"})
}

// clearClipboard empties the clipboard if it still holds a copied token.
func (a *Agent) clearClipboard() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.clearT != nil {
		a.clearT.Stop()
	}
	if a.copied != "" && a.opts.Clipboard != nil {
		a.opts.Clipboard.ClearIf(a.copied)
	}
	a.copied = ""
}
