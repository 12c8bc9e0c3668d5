package tray

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
)

// AgentOptions configure the always-on agent.
type AgentOptions struct {
	Sandbox bool
	// CheckEvery is the longest the agent goes without checking every
	// credential with its broker (default: the CheckEvery setting, 1 h);
	// a token nearing its expiry is checked, and renewed, in time anyway.
	CheckEvery time.Duration
	// OpenWindow shows the window, at one credential when name is set.
	OpenWindow func(name string)
	// Changed, when not nil, signals that the engine saved something.
	Changed <-chan struct{}
	Clock   clockwork.Clock
	// Notifier, when set, announces a credential that starts to need the
	// user, breaks, or crosses a warning day before expiry.
	Notifier Notifier
}

// Agent keeps credentials current in the background and keeps the tray
// drawn from their health.
type Agent struct {
	eng  *engine.Engine
	opts AgentOptions

	views   chan View
	refresh chan struct{}
	mu      sync.Mutex
	last    []Entry
	alerts  *alerts
	drawMu  sync.Mutex // redraws come from the loop and from checks
}

// NewAgent prepares an agent over eng.
func NewAgent(eng *engine.Engine, opts AgentOptions) *Agent {
	if opts.Clock == nil {
		opts.Clock = eng.Clock()
	}
	warn := []int{14, 7, 1}
	every := time.Hour
	if p, err := eng.Store().Prefs(); err == nil {
		warn = p.WarnDays
		if p.CheckEvery > 0 {
			every = p.CheckEvery
		}
	}
	if opts.CheckEvery <= 0 {
		opts.CheckEvery = every
	}
	return &Agent{eng: eng, opts: opts, views: make(chan View, 1), refresh: make(chan struct{}, 1), alerts: newAlerts(warn)}
}

// Snapshot reads every credential's health from the engine.
func (a *Agent) Snapshot() []Entry {
	ss, err := a.eng.Status()
	if err != nil {
		return []Entry{{Name: "tokentray", Health: auth.Health{State: auth.Broken, Reason: err.Error()}}}
	}
	out := make([]Entry, len(ss))
	for i, s := range ss {
		out[i] = Entry{Name: s.Name, Kind: s.Kind, Health: s.Health}
	}
	return out
}

// View is the tray's view now.
func (a *Agent) View() View { return Render(a.Snapshot(), a.opts.Sandbox, a.opts.Clock.Now()) }

// RefreshNow asks the loop to check every credential at once.
func (a *Agent) RefreshNow() {
	select {
	case a.refresh <- struct{}{}:
	default:
	}
}

// Run shows the tray and keeps credentials current until ctx ends or the
// user quits. It must run on the main goroutine.
func (a *Agent) Run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
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
	}()
	go func() {
		<-ctx.Done()
		Stop()
	}()
	Run(a.View(), a.views, Actions{
		Refresh: a.RefreshNow,
		Open: func(name string) {
			if a.opts.OpenWindow != nil {
				a.opts.OpenWindow(name)
			}
		},
		Quit: cancel,
	})
}

func (a *Agent) loop(ctx context.Context) {
	c := a.opts.Clock
	// The next regular check: set after each check from what expires
	// when (see untilNextCheck).
	var due <-chan time.Time
	var dueAt time.Time
	checking := false
	schedule := func() {
		d := a.untilNextCheck()
		due, dueAt = c.After(d), c.Now().Add(d)
	}
	// A credential added or logged in elsewhere may need a check before
	// the one scheduled.
	sooner := func() {
		if !checking && due != nil && c.Now().Add(a.untilNextCheck()).Before(dueAt) {
			schedule()
		}
	}
	// The tray redraws every few seconds, and every second while a 2FA
	// countdown runs, so seconds left stay true.
	draw := c.NewTicker(time.Second)
	defer draw.Stop()
	sinceDraw := 0

	// A broker that did not answer is asked again sooner than the next
	// regular check: 30 s, then twice as long each time, up to CheckEvery.
	var retry <-chan time.Time
	backoff := time.Duration(0)
	// Checks run beside the loop, one at a time, so the tray keeps
	// drawing (a countdown, say) while a broker is slow.
	checked := make(chan bool, 1)
	checkAll := func() {
		if checking {
			return
		}
		checking = true
		go func() { checked <- a.checkAll(ctx) }()
	}

	checkAll()
	for {
		select {
		case <-ctx.Done():
			if checking {
				<-checked // let a check in flight finish saving
			}
			return
		case unanswered := <-checked:
			checking = false
			schedule()
			if unanswered {
				backoff = min(max(2*backoff, FirstRetry), a.opts.CheckEvery)
				retry = c.After(backoff)
			} else {
				backoff, retry = 0, nil
			}
		case <-a.refresh:
			checkAll()
		case <-due:
			checkAll()
		case <-retry:
			checkAll()
		case <-a.opts.Changed:
			a.redraw()
			sooner()
		case <-draw.Chan():
			sinceDraw++
			if sinceDraw >= 5 || a.pending() {
				sinceDraw = 0
				a.redraw()
				sooner()
			}
		}
	}
}

// StopWait bounds how long the agent waits, when it stops, for a check in
// flight (token-replacing calls finish within 30 s of being cancelled).
const StopWait = 35 * time.Second

// minCheckGap keeps a token whose whole life is shorter than the lead
// time from being checked in a tight loop.
const minCheckGap = 10 * time.Second

// untilNextCheck is the time to the next regular check: CheckEvery, or
// sooner when a token comes within the lead time of its expiry before
// then (for a token that lives less than the lead, half its life).
func (a *Agent) untilNextCheck() time.Duration {
	now := a.opts.Clock.Now()
	lead := a.eng.Lead()
	next := a.opts.CheckEvery
	a.mu.Lock()
	entries := a.last
	a.mu.Unlock()
	for _, e := range entries {
		exp := e.Health.ExpiresAt
		if exp.IsZero() || !exp.After(now) {
			continue
		}
		d := exp.Add(-lead).Sub(now)
		if d <= 0 {
			d = exp.Sub(now) / 2
		}
		next = min(next, max(d, minCheckGap))
	}
	return next
}

// FirstRetry is how soon a credential whose broker did not answer is
// checked again.
const FirstRetry = 30 * time.Second

// checkAll checks every credential with its broker and reports whether
// any broker did not answer (so a retry is due).
func (a *Agent) checkAll(ctx context.Context) (unanswered bool) {
	a.redraw()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	results, err := a.eng.RefreshAll(cctx, false)
	a.redraw()
	if err != nil {
		return true
	}
	for _, r := range results {
		// A credential busy with a login is not a broker that did not answer.
		if r.Health.State == auth.Unknown && !errors.Is(r.Err, engine.ErrBusy) {
			return true
		}
	}
	return false
}

func (a *Agent) pending() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, e := range a.last {
		if e.Health.State == auth.Pending {
			return true
		}
	}
	return false
}

func (a *Agent) redraw() {
	// One redraw at a time, from reading the store to sending the view,
	// so an older snapshot never overwrites a newer one.
	a.drawMu.Lock()
	defer a.drawMu.Unlock()
	entries := a.Snapshot()
	now := a.opts.Clock.Now()
	a.mu.Lock()
	a.last = entries
	due := a.alerts.Due(entries, a.opts.Sandbox, now)
	a.mu.Unlock()
	if n := a.opts.Notifier; n != nil && len(due) > 0 {
		// A notification service that hangs must not stall the tray.
		go func() {
			for _, d := range due {
				_ = n.Notify(d[0], d[1])
			}
		}()
	}
	v := Render(entries, a.opts.Sandbox, now)
	select {
	case <-a.views: // drop a view nobody drew yet
	default:
	}
	a.views <- v // cannot block: the buffer was just emptied under drawMu
}
