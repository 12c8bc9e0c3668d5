package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// loginOptions is what a login command line asks for.
type loginOptions struct {
	Name string
	// NoBrowser prints the address to open instead of opening a browser
	// (Futu OAuth).
	NoBrowser bool
}

// loginCommand is the login command; runF (nil: runLogin) gets the
// options its command line parsed.
func loginCommand(e *env, runF func(loginOptions) error) *cobra.Command {
	if runF == nil {
		runF = func(o loginOptions) error { return runLogin(e, o) }
	}
	c := newCommand("login", "log in to Futu in the browser, or verify a Webull token", "login NAME [--no-browser]",
		`Signs NAME in, waiting until it is done, failed or cancelled (Ctrl-C).

  futu-oauth  opens Futu's login page in your browser (the address is
              printed when no browser can be opened); approve, and
              tokentray keeps the tokens. On a terminal you may
              also paste the address the browser landed on (when
              it ran on another device).
              --no-browser  open no browser here: tokentray prints the
                            address to open on any device, then finishes
                            when the login comes back to this computer or
                            when you paste, on stdin, the address the
                            browser landed on (for a server over SSH)
  webull      creates a token; Webull sends an SMS code to your phone.
              Open the Webull app, go to Menu -> Messages -> OpenAPI
              Notifications, tap the latest message, Check Now, enter the
              code and Confirm, within 5 minutes. On a terminal a
              countdown shows the time left. Ctrl-C abandons the
              verification; if the login ends any other way (its
              terminal closes, SIGTERM) the verification goes on:
              confirm on the phone and the agent finishes it.

Exit code 3 when the login was refused or ran out of time.`)
	var noBrowser bool
	boolFlag(c.Flags(), &noBrowser, "no-browser", "print the address to open instead of opening a browser")
	c.Args = exactly(1, msg.New("cli.what_one_name"))
	c.ValidArgsFunction = e.completeNames(1)
	c.RunE = func(_ *cobra.Command, args []string) error {
		return runF(loginOptions{Name: args[0], NoBrowser: noBrowser})
	}
	return c
}

func runLogin(e *env, o loginOptions) error {
	name, noBrowser := o.Name, o.NoBrowser
	svc, err := e.svc()
	if err != nil {
		return err
	}
	cred, err := svc.Get(e.ctx, name)
	if err != nil {
		return err
	}
	if noBrowser && cred.Kind != auth.KindFutuOAuth {
		return usage(msg.New("cli.login_no_browser_not_oauth", "Name", name, "Kind", e.kindTitle(cred.Kind)))
	}
	ctx, stop := interruptible(e.ctx)
	defer stop()
	// Without a terminal nobody would see an address shown in place of
	// a browser that cannot be opened: say how to log in without one.
	opts := auth.LoginOptions{NoBrowser: noBrowser, NeedBrowser: !noBrowser && !e.IsTerminal(e.Stdout), Lang: e.lang}
	// On a terminal a Futu login also takes the address the browser
	// landed on, pasted (the browser may be on another device): pasted
	// text must not fall through to the shell, which would run it and
	// keep the login's code in its history.
	if noBrowser || (cred.Kind == auth.KindFutuOAuth && e.IsTerminal(e.Stdin)) {
		opts.Pasted = pastedLines(ctx, e.Stdin)
	}
	p := &progress{w: e.Stdout, say: e.say, lang: e.lang, tr: e.tr, line: e.healthLine, clock: e.Clock, tty: e.IsTerminal(e.Stdout),
		waiting: msg.New("cli.waiting_verification")}
	if cred.Kind == auth.KindFutuOAuth {
		p.waiting = msg.New("cli.waiting_login")
	}
	h, err := svc.Login(ctx, name, opts, p.event)
	// The result is printed below: the last state shown is not
	// repeated when it is the same.
	p.finish(e.healthLine(h))
	if auth.Stopped(ctx) && h.State == auth.Pending {
		// Told to stop (the terminal closed), not cancelled: the
		// verification goes on, and whoever asks next finishes it.
		if h.Deadline.IsZero() {
			return msg.Errorf("cli.login_stopped", "Name", name, "Command", e.cmdLine("refresh", name))
		}
		return msg.Errorf("cli.login_stopped_until", "Name", name, "Time", h.Deadline.UTC().Format("15:04:05"), "Command", e.cmdLine("refresh", name))
	}
	if ctx.Err() != nil {
		return msg.Errorf("cli.login_cancelled", "Name", name, "Command", e.cmdLine("login", name))
	}
	if errors.Is(err, auth.ErrNoBrowser) {
		return needsUser(msg.New("cli.login_no_browser", "Name", name, "Command", e.cmdLine("login", name)+" --no-browser"))
	}
	if err != nil {
		return err
	}
	e.say(e.Stdout, name+": "+e.health(h))
	return nil
}

// pastedLines sends each line read from r, until r ends or ctx does.
func pastedLines(ctx context.Context, r io.Reader) <-chan string {
	ch := make(chan string)
	go func() {
		defer close(ch)
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := strings.TrimSpace(sc.Text())
			if line == "" {
				continue
			}
			select {
			case ch <- line:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// progress shows login events: the steps once (later only the steps that
// changed), a page to open once, and on a terminal a countdown updated in
// place once a second. A state line other than waiting is held back until
// the next event, so that the login's result is not shown twice.
type progress struct {
	w       io.Writer
	say     func(io.Writer, string)  // a line of prose, wrapped on a terminal
	lang    msg.Lang                 // the person's language
	tr      func(msg.Message) string // a message in it
	line    func(auth.Health) string // a state and its reason as one line
	clock   clockwork.Clock
	tty     bool
	waiting msg.Message // the countdown's words, before the time left

	mu       sync.Mutex
	steps    []string
	shown    map[string]bool // every step printed so far
	url      string
	reason   string // the reason the countdown stands for, not printed
	news     string // the reason of the last waiting event
	last     string // the last state line shown or held
	held     string // a state line not printed yet
	deadline time.Time
	lineLen  int // length of the countdown line on screen
	ticker   clockwork.Ticker
	done     chan struct{}
	wg       sync.WaitGroup
}

func (p *progress) event(ev auth.LoginEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flush()
	newURL := ev.URL != "" && ev.URL != p.url
	if p.shown == nil {
		p.shown = map[string]bool{}
	}
	steps := ev.StepsIn(p.lang)
	if len(steps) > 0 && strings.Join(steps, "\n") != strings.Join(p.steps, "\n") {
		p.clearLine()
		first := len(p.steps) == 0
		for i, st := range steps {
			if p.shown[st] {
				continue // shown already
			}
			p.shown[st] = true
			if first {
				p.println(fmt.Sprintf("%d. %s", i+1, st))
			} else {
				p.println(st)
			}
			if newURL && i >= ev.URLStep {
				// Right under the step that asks to open it.
				fmt.Fprintf(p.w, "   %s\n", ev.URL)
				p.url, newURL = ev.URL, false
			}
		}
		p.steps = steps
	}
	if newURL {
		p.clearLine()
		p.url = ev.URL
		fmt.Fprintf(p.w, "%s\n  %s\n", p.tr(msg.New("cli.open_page")), ev.URL)
	}
	h := ev.Health
	if h.State == auth.Pending && !h.Deadline.IsZero() {
		p.deadline = h.Deadline
		if p.tty {
			// The countdown stands for the first waiting reason; another
			// one (a refused paste, say) is news and gets its own line.
			// A reason that repeats (the same answer at every poll) is
			// news once.
			if p.reason == "" {
				p.reason = h.Reason
			} else if h.Reason != "" && h.Reason != p.reason && h.Reason != p.news {
				p.clearLine()
				p.println(p.line(h))
			}
			p.news = h.Reason
			// Drawn before the ticker exists, so the first line shows the
			// time left now, not after a tick already due.
			p.render()
			p.startTicker()
			return
		}
	} else {
		p.deadline = time.Time{}
		p.clearLine()
	}
	line := p.line(h)
	if h.State == auth.Pending && !h.Deadline.IsZero() {
		line = p.tr(msg.New("cli.seconds_left", "Line", line, "Seconds", h.SecondsLeft(p.clock.Now())))
	}
	if line != p.last && h.Reason != "" {
		p.last = line
		if h.State == auth.Pending {
			p.println(line)
		} else {
			p.held = line
		}
	}
}

// println prints a line of prose, wrapped at words on a terminal.
func (p *progress) println(text string) {
	if p.say == nil {
		fmt.Fprintln(p.w, text)
		return
	}
	p.say(p.w, text)
}

// flush prints the held state line (p.mu held).
func (p *progress) flush() {
	if p.held != "" {
		p.clearLine()
		p.println(p.held)
		p.held = ""
	}
}

func (p *progress) startTicker() {
	if p.ticker != nil {
		return
	}
	p.ticker = p.clock.NewTicker(time.Second)
	p.done = make(chan struct{})
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			select {
			case <-p.done:
				return
			case <-p.ticker.Chan():
				p.mu.Lock()
				p.render()
				p.mu.Unlock()
			}
		}
	}()
}

// render redraws the countdown line in place (p.mu held).
func (p *progress) render() {
	if p.deadline.IsZero() {
		return
	}
	left := p.deadline.Sub(p.clock.Now())
	if left < 0 {
		left = 0
	}
	s := left.Round(time.Second)
	line := p.tr(msg.New("cli.countdown", "Waiting", p.waiting, "Left", fmt.Sprintf("%d:%02d", int(s/time.Minute), int(s%time.Minute/time.Second))))
	pad := ""
	if n := p.lineLen - displayWidth(line); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprint(p.w, "\r"+line+pad)
	p.lineLen = displayWidth(line)
}

// clearLine ends the countdown line so the next output starts clean.
func (p *progress) clearLine() {
	if p.lineLen > 0 {
		fmt.Fprintln(p.w)
		p.lineLen = 0
	}
}

// finish stops the countdown and prints the held state line unless it
// is result, the login's outcome printed next.
func (p *progress) finish(result string) {
	p.mu.Lock()
	if p.ticker != nil {
		p.ticker.Stop()
		close(p.done)
	}
	p.mu.Unlock()
	p.wg.Wait()
	p.mu.Lock()
	if p.held == result {
		p.held = ""
	}
	p.flush()
	p.clearLine()
	p.mu.Unlock()
}
