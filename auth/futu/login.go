package futu

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// callback is what the browser brought back to the loopback server.
type callback struct {
	code  string
	err   error
	reply chan error // the login's outcome, for the page the browser shows
}

// Login registers a client when c has none, then runs the browser login
// with PKCE and a random state on the loopback redirect URL, and stores
// the tokens. It gives up after LoginTimeout or when ctx ends. The engine
// holds the credential's lock around it, so one login of a credential
// runs at a time.
func (p *OAuthProvider) Login(ctx context.Context, c *auth.Credential, s auth.Secrets, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	if progress == nil {
		progress = func(auth.LoginEvent) {}
	}
	// A login whose tokens cannot be stored must not start.
	if _, err := s.Get(auth.FieldRefreshToken); err != nil && !errors.Is(err, auth.ErrSecretNotFound) {
		return p.keychainHealth(*c, p.o.Clock.Now(), err), msg.Wrap(err, "futu.login_keychain", "Name", c.Name, "Err", err)
	}

	redirect, err := url.Parse(p.o.RedirectURL)
	if err != nil || redirect.Scheme != "http" || redirect.Port() == "" {
		return p.Assess(*c, p.o.Clock.Now()), msg.Errorf("futu.redirect_bad", "URL", fmt.Sprintf("%q", p.o.RedirectURL))
	}
	// Listen first: a port that cannot be had fails at once, before anything else.
	listeners, redirect, portNote, err := loginListeners(*c, redirect)
	if err != nil {
		return p.Assess(*c, p.o.Clock.Now()), err
	}
	redirectURL := redirect.String()
	state := randomState()
	verifier := oauth2.GenerateVerifier()
	results := make(chan callback, 1)
	finished := make(chan struct{})
	path := redirect.Path
	if path == "" {
		path = "/"
	}
	srv := &http.Server{
		Handler:           callbackHandler(path, state, results, finished, opts.Lang),
		ReadHeaderTimeout: 10 * time.Second,
	}
	var serving sync.WaitGroup
	for _, l := range listeners {
		serving.Add(1)
		go func() { defer serving.Done(); _ = srv.Serve(l) }()
	}
	defer func() {
		close(finished)
		// Graceful: the browser still gets its page.
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		serving.Wait()
	}()

	if c.ClientID == "" || (c.RedirectURL != "" && c.RedirectURL != redirectURL) {
		// Not registered yet, or registered for another redirect URI
		// than this login listens on.
		if err := p.register(ctx, c, s, redirectURL); err != nil {
			return p.Assess(*c, p.o.Clock.Now()), err
		}
	}
	e, err := p.Endpoints(ctx, *c)
	if err != nil {
		return p.Assess(*c, p.o.Clock.Now()), err
	}
	c.Layout = e.Layout
	cfg := p.config(*c, e)
	cfg.RedirectURL = redirectURL
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	start := p.o.Clock.Now()
	deadline := start.Add(LoginTimeout)
	timer := p.o.Clock.NewTimer(LoginTimeout)
	defer timer.Stop()
	pending := auth.Health{State: auth.Pending, Deadline: deadline, CheckedAt: start}.Because(msg.New("futu.login_waiting"))
	pasted := opts.Pasted
	var opened chan error
	event := func(url string, urlStep int, steps ...msg.Message) auth.LoginEvent {
		if !portNote.IsZero() {
			steps = append([]msg.Message{portNote}, steps...)
		}
		ev := auth.LoginEvent{Health: pending, URL: url, URLStep: urlStep}
		ev.SetSteps(steps...)
		return ev
	}
	// The step that asks to open the address comes after the note.
	urlStep := 0
	if !portNote.IsZero() {
		urlStep = 1
	}
	if opts.NoBrowser {
		progress(event(authURL, urlStep, elsewhereSteps(*c, pasted != nil, false)...))
	} else {
		progress(event("", 0,
			msg.New("futu.step_browser_opens", "Brand", brandOf(*c)),
			msg.New("futu.step_sign_in", "Brand", brandOf(*c)),
			msg.New("futu.step_come_back"),
		))
		opened = make(chan error, 1)
		go func() { opened <- p.o.Browser.Open(authURL) }()
		if d, ok := p.o.Browser.(PageDiscarder); ok {
			// The page that forwards the browser holds the login's
			// address: it goes when the login ends, however it ends.
			defer d.Discard(authURL)
		}
	}

	for {
		select {
		case err := <-opened:
			opened = nil
			if err == nil {
				continue
			}
			if opts.NeedBrowser {
				// Nobody would see the address.
				return p.Assess(*c, p.o.Clock.Now()), msg.Wrap(auth.ErrNoBrowser, "futu.login_no_browser", "Name", c.Name, "Why", auth.NetworkCause(err))
			}
			// One step that asks to open the address, so the address is
			// printed right under it.
			progress(event(authURL, urlStep, elsewhereSteps(*c, pasted != nil, true)...))
		case line, ok := <-pasted:
			if !ok {
				pasted = nil
				continue
			}
			cb, why := pastedCallback(line, redirect, state)
			if !why.IsZero() {
				progress(auth.LoginEvent{Health: pending.Because(why)})
				continue
			}
			cb.reply = make(chan error, 1)
			h, err := p.finish(ctx, c, s, cfg, e.Revoke, verifier, cb)
			return notePort(h, err, portNote), err
		case cb := <-results:
			h, err := p.finish(ctx, c, s, cfg, e.Revoke, verifier, cb)
			cb.reply <- err
			return notePort(h, err, portNote), err
		case <-timer.Chan():
			return p.Assess(*c, p.o.Clock.Now()), auth.NeedsUserBecause(auth.Next(auth.ActionLogin, c.Name),
				msg.New("futu.login_timeout", "Count", int(LoginTimeout/time.Minute)))
		case <-ctx.Done():
			return p.Assess(*c, p.o.Clock.Now()), msg.Wrap(ctx.Err(), "futu.login_cancelled", "Name", c.Name, "Err", ctx.Err().Error())
		}
	}
}

// elsewhereSteps are the steps of a login whose page the person opens
// themselves: on another device too when they can paste the address the
// browser lands on, else on this computer, where the browser reaches
// tokentray's callback.
// noBrowser says the first step after a browser failed to start.
func elsewhereSteps(c auth.Credential, canPaste, noBrowser bool) []msg.Message {
	signIn := msg.New("futu.step_sign_in", "Brand", brandOf(c))
	first := msg.New("futu.step_open_here")
	switch {
	case canPaste && noBrowser:
		first = msg.New("futu.step_no_browser", "Step", msg.New("futu.step_open_anywhere_lower"))
	case canPaste:
		first = msg.New("futu.step_open_anywhere")
	case noBrowser:
		first = msg.New("futu.step_no_browser", "Step", msg.New("futu.step_open_here_lower"))
	}
	if canPaste {
		return []msg.Message{first, signIn, msg.New("futu.step_paste")}
	}
	return []msg.Message{first, signIn, msg.New("futu.step_come_back")}
}

// maxPasted bounds a pasted address; a real callback is far shorter.
const maxPasted = 8 << 10

// pastedCallback checks an address the person pasted as the callback
// server checks the browser's answer: the redirect URI's scheme, host
// and path, and this login's state. why is the sentence for a refused
// paste; it never repeats the paste, which may hold a code.
func pastedCallback(line string, redirect *url.URL, state string) (cb callback, why msg.Message) {
	line = strings.TrimSpace(line)
	if line == "" {
		return callback{}, msg.New("futu.paste_empty")
	}
	u, err := url.Parse(line)
	if len(line) > maxPasted || err != nil || !u.IsAbs() {
		return callback{}, msg.New("futu.paste_not_address", "Start", redirect.Scheme+"://")
	}
	path := redirect.Path
	if path == "" {
		path = "/"
	}
	got := u.Path
	if got == "" {
		got = "/"
	}
	if !strings.EqualFold(u.Scheme, redirect.Scheme) || !strings.EqualFold(u.Host, redirect.Host) || got != path {
		return callback{}, msg.New("futu.paste_elsewhere", "Where", redirect.Scheme+"://"+redirect.Host+path)
	}
	q := u.Query()
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
		return callback{}, msg.New("futu.paste_other_login")
	}
	cb = answer(q, state)
	return cb, msg.Message{}
}

// finish exchanges the code for tokens. The exchange and the keychain
// writes run on even if ctx ends: the code is spent once Futu answers.
func (p *OAuthProvider) finish(ctx context.Context, c *auth.Credential, s auth.Secrets, cfg *oauth2.Config, revokeURL, verifier string, cb callback) (auth.Health, error) {
	now := p.o.Clock.Now()
	if cb.err != nil {
		var ue *auth.UserError
		if errors.As(cb.err, &ue) && ue.Action.IsZero() {
			ue.Action = auth.Next(auth.ActionLogin, c.Name)
		}
		return p.Assess(*c, now), cb.err
	}
	ectx, cancel := detached(ctx)
	defer cancel()
	tok, err := cfg.Exchange(p.httpCtx(ectx), cb.code, oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) && re.ErrorCode != "" {
			why := brokerWhy(re, cb.code, verifier)
			return p.Assess(*c, now), auth.NeedsUserBecause(auth.Next(auth.ActionLogin, c.Name), msg.New("futu.login_refused", "Why", brokerText(why)))
		}
		// The code is spent: only a new login can finish.
		return p.Assess(*c, now), auth.NeedsUserBecause(auth.Next(auth.ActionLogin, c.Name),
			msg.New("futu.login_unfinished", "Why", tokenTrouble(err)))
	}
	old, _ := s.Get(auth.FieldRefreshToken)
	h, err := p.keep(c, s, tok, old, now)
	var se storeError
	if errors.As(err, &se) {
		// Tokens nobody holds should not stay alive at Futu.
		err = msg.Wrap(err, "futu.issued_not_kept", "Err", err, "Then", p.revokeIssued(ctx, *c, revokeURL, tok))
	}
	if err != nil {
		return h, err
	}
	return p.checkRenewed(ctx, c, s, h, now)
}

func randomState() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

// notePort adds to a login's health that it used another port.
func notePort(h auth.Health, err error, note msg.Message) auth.Health {
	if err == nil && !note.IsZero() && h.State == auth.OK {
		aside := msg.New("futu.port_moved", "Port", note.Args["Port"], "Addr", note.Args["Addr"])
		h = h.Because(msg.New("futu.with_aside", "First", h.Cause(), "Aside", aside))
	}
	return h
}

// portBusy is the seed's redirect port held by another program.
type portBusy struct{ port string }

func (e portBusy) Error() string { return e.Message().String() }

// Message is the error as data.
func (e portBusy) Message() msg.Message { return msg.New("futu.port_busy", "Port", e.port) }

// loginListeners listens for the browser's answer on the redirect URI
// first (the seed's). When another program holds its port, the login
// moves to a loopback port of its own,
// as Futu's CLI does: the port of the credential's earlier move when it
// is free (its client is registered for it), else any free port of
// 127.0.0.1, for which a client is registered. note says which port was
// used and why; it is "" for the first choice.
func loginListeners(c auth.Credential, first *url.URL) (ls []net.Listener, redirect *url.URL, note msg.Message, err error) {
	ls, err = listenLoopback(first)
	var busy portBusy
	if err == nil || !errors.As(err, &busy) {
		return ls, first, msg.Message{}, err
	}
	try := []string{"0"}
	if prev, perr := url.Parse(c.RedirectURL); perr == nil && prev.Hostname() == "127.0.0.1" && prev.Port() != "" && prev.Path == first.Path {
		try = []string{prev.Port(), "0"}
	}
	for _, port := range try {
		l, lerr := net.Listen("tcp", net.JoinHostPort("127.0.0.1", port))
		if lerr != nil {
			continue
		}
		moved := &url.URL{Scheme: "http", Host: l.Addr().String(), Path: first.Path}
		note = msg.New("futu.port_moved_step", "Port", first.Port(), "Addr", l.Addr().String())
		return []net.Listener{l}, moved, note, nil
	}
	return nil, first, msg.Message{}, auth.NeedsUserBecause(auth.Action{}, busy.Message())
}

// listenLoopback binds the redirect port on the loopback addresses the
// redirect host can mean: both 127.0.0.1 and ::1 for "localhost".
func listenLoopback(redirect *url.URL) ([]net.Listener, error) {
	port := redirect.Port()
	var hosts []string
	switch h := redirect.Hostname(); h {
	case "localhost":
		hosts = []string{"127.0.0.1", "::1"}
	case "127.0.0.1", "::1":
		hosts = []string{h}
	default:
		return nil, msg.Errorf("futu.redirect_not_loopback", "Host", h)
	}
	var ls []net.Listener
	closeAll := func() {
		for _, l := range ls {
			l.Close()
		}
	}
	for i, h := range hosts {
		l, err := net.Listen("tcp", net.JoinHostPort(h, port))
		if err == nil {
			ls = append(ls, l)
			continue
		}
		if addrInUse(err) {
			closeAll()
			return nil, portBusy{port}
		}
		// No IPv6 loopback on this machine is fine; no IPv4 loopback is not.
		if i == 0 {
			closeAll()
			return nil, msg.Wrap(err, "futu.listen_failed_on", "Host", h, "Port", port, "Err", err)
		}
	}
	if len(ls) == 0 {
		return nil, msg.Errorf("futu.listen_failed", "Port", port)
	}
	return ls, nil
}

func addrInUse(err error) bool {
	var en syscall.Errno
	// 10048 is WSAEADDRINUSE on Windows.
	return errors.Is(err, syscall.EADDRINUSE) || (errors.As(err, &en) && en == 10048)
}

// callbackHandler answers the browser on the redirect path. The first
// answer carrying the login's state decides the login; the page waits for
// the token exchange so it can say whether the login worked. An answer
// with another state is turned away and the login keeps waiting: any web
// page can send the browser here.
func callbackHandler(path, state string, results chan<- callback, finished <-chan struct{}, lang msg.Lang) http.Handler {
	if lang == "" {
		lang = msg.English
	}
	page := func(w http.ResponseWriter, status int, title, text msg.Message) { page(w, lang, status, title, text) }
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			http.NotFound(w, r)
			return
		}
		q := r.URL.Query()
		if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(state)) != 1 {
			page(w, http.StatusBadRequest, msg.New("futu.page_wrong_title"), msg.New("futu.page_wrong_text"))
			return
		}
		cb := answer(q, state)
		cb.reply = make(chan error, 1)
		sent := false
		once.Do(func() {
			select {
			case results <- cb:
				sent = true
			case <-finished:
			}
		})
		if !sent {
			page(w, http.StatusConflict, msg.New("futu.page_done_title"), msg.New("futu.page_done_text"))
			return
		}
		var err error
		select {
		case err = <-cb.reply:
		case <-finished:
			// The login may have ended just after answering: its answer
			// wins over the close (select picks at random when both are
			// ready).
			select {
			case err = <-cb.reply:
			default:
				err = msg.Errorf("futu.login_stopped_first")
			}
		case <-r.Context().Done():
			return
		}
		if err != nil {
			page(w, http.StatusBadRequest, msg.New("futu.page_failed_title"), msg.Of(err))
			return
		}
		page(w, http.StatusOK, msg.New("futu.page_ok_title"), msg.New("futu.page_ok_text"))
	})
}

// answer is what a callback with the right state says: a code, or why
// there is none.
func answer(q url.Values, state string) callback {
	var cb callback
	switch {
	case q.Get("error") != "":
		why := scrub(q.Get("error"), state)
		if d := q.Get("error_description"); d != "" {
			why += ": " + scrub(d, state)
		}
		if len(why) > 300 {
			why = why[:300] + "…"
		}
		if q.Get("error") == "access_denied" {
			cb.err = auth.NeedsUserBecause(auth.Action{}, msg.New("futu.login_denied", "Why", why))
		} else {
			cb.err = auth.NeedsUserBecause(auth.Action{}, msg.New("futu.login_error", "Why", why))
		}
	case q.Get("code") == "":
		cb.err = auth.NeedsUserBecause(auth.Action{}, msg.New("futu.login_no_code"))
	default:
		cb.code = q.Get("code")
	}
	return cb
}

func page(w http.ResponseWriter, l msg.Lang, status int, title, text msg.Message) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<!doctype html><html lang="%[4]s"><head><meta charset="utf-8"><title>tokentray: %[1]s</title></head>
<body style="font-family: sans-serif; margin: 3em"><h1>%[1]s</h1><p>%[2]s</p><p>%[3]s</p></body></html>
`, html.EscapeString(l.Render(title)), html.EscapeString(l.Render(text)), html.EscapeString(l.Render(msg.New("futu.page_close"))), html.EscapeString(string(l)))
}
