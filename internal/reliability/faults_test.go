package reliability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/futu"
	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/auth/sandbox/webullsim"
	"tokentray/auth/store"
	"tokentray/auth/webull"
	"tokentray/internal/testutil"
)

// The fault matrix: every broker call tokentray makes, under every kind
// of fault, through the engine's public API against the sandbox brokers.
// After each: what the health and its sentence say, and that no stored
// secret was deleted or changed by a fault. TOKENTRAY_MATRIX_OUT=FILE
// writes the table (docs/RELIABILITY.md carries it).

// clientTimeout is the brokers' HTTP timeout here; "timeout" answers later.
const clientTimeout = 400 * time.Millisecond

// truncator cuts a 200 answer of one path in half: JSON that ends early.
// It also counts the requests that came addressed to another host name
// (a redirect to localhost on the broker's own port).
type truncator struct {
	mu        sync.Mutex
	path      string
	next      http.Handler
	otherHost atomic.Int32
}

func (tr *truncator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.Host, "127.0.0.1:") {
		tr.otherHost.Add(1)
	}
	tr.mu.Lock()
	cut := tr.path != "" && r.URL.Path == tr.path
	tr.mu.Unlock()
	if !cut {
		tr.next.ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	tr.next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body[:len(body)/2])
}

type world struct {
	t        *testing.T
	futu     *futusim.Server
	webull   *webullsim.Server
	futuURL  string
	wbURL    string
	futuCut  *truncator
	wbCut    *truncator
	secrets  *testutil.MemorySecrets
	st       *store.Store
	eng      *engine.Engine
	redirect string
	// elsewhere is another origin (another port of this machine) that
	// counts what reaches it: a redirect there must not be followed.
	elsewhere     string
	elsewhereHits atomic.Int32
	// appKey is the Futu API key of the credential "key", once added.
	appKey string
}

// keyTokenDead reports whether Futu no longer accepts the access token
// stored for the credential "key" (an extension retired it).
func (w *world) keyTokenDead() bool {
	c, err := w.st.Get("key")
	if err != nil || w.appKey == "" {
		return false
	}
	stored, _ := w.secrets.Get(c.ID, auth.FieldAccessToken)
	for _, k := range w.futu.State().Keys {
		if k.AppKey == w.appKey {
			return k.Token != stored
		}
	}
	return false
}

// lostTokenSaid is the start of the sentence of a token lost while
// extending.
const lostTokenSaid = "tokentray lost the new token while extending"

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, secrets: testutil.NewMemorySecrets()}
	w.futuCut, w.wbCut = &truncator{}, &truncator{}
	fs := httptest.NewServer(w.futuCut)
	ws := httptest.NewServer(w.wbCut)
	t.Cleanup(fs.Close)
	t.Cleanup(ws.Close)
	es := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { w.elsewhereHits.Add(1) }))
	t.Cleanup(es.Close)
	w.futuURL, w.wbURL, w.elsewhere = fs.URL, ws.URL, es.URL
	w.futu = futusim.New(futusim.Options{BaseURL: fs.URL, RotateRefresh: true})
	w.webull = webullsim.New(webullsim.Options{BaseURL: ws.URL})
	w.futuCut.next, w.wbCut.next = w.futu.Handler(), w.webull.Handler()
	var err error
	if w.st, err = store.Open(t.TempDir(), w.secrets); err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Timeout: clientTimeout}
	w.redirect = fmt.Sprintf("http://localhost:%d/callback", testutil.FreePort(t))
	fo := futu.Options{HTTP: client, Browser: futusimtest.Browser{Approve: true}, RedirectURL: w.redirect, SDKTokenDir: t.TempDir()}
	w.eng = engine.New(w.st, map[auth.Kind]auth.Provider{
		auth.KindFutuOAuth: futu.NewOAuthProvider(fo),
		auth.KindFutuKey:   futu.NewKeyProvider(fo),
		auth.KindWebull:    webull.NewProvider(webull.Options{HTTPClient: client, SDKTokenBase: t.TempDir()}),
	}, nil)
	return w
}

func (w *world) ctx(d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	w.t.Cleanup(cancel)
	return ctx
}

func (w *world) add(c auth.Credential, secrets map[string]string) auth.Credential {
	w.t.Helper()
	c, err := w.eng.Add(context.Background(), c, secrets)
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

func (w *world) oauth(login bool) auth.Credential {
	w.t.Helper()
	c := w.add(auth.Credential{Name: "oauth", Kind: auth.KindFutuOAuth, Endpoint: w.futuURL}, nil)
	if login {
		if h, err := w.eng.Login(w.ctx(20*time.Second), "oauth", auth.LoginOptions{}, nil); err != nil || h.State != auth.OK {
			w.t.Fatalf("login: %v, %v", h, err)
		}
	}
	return c
}

func (w *world) key() (auth.Credential, string) {
	k, s, tok := w.futu.AddAPIKey(time.Now().Add(90 * 24 * time.Hour))
	w.appKey = k
	c := w.add(auth.Credential{Name: "key", Kind: auth.KindFutuKey, Endpoint: w.futuURL, ExpiresAt: time.Now().Add(90 * 24 * time.Hour)},
		map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s, auth.FieldAccessToken: tok})
	return c, k
}

// webullNormal is a Webull credential whose token was verified.
func (w *world) webullNormal(withToken bool) (auth.Credential, string) {
	w.t.Helper()
	k, s := w.webull.AddApp(false)
	secrets := map[string]string{auth.FieldAppKey: k, auth.FieldAppSecret: s}
	c := auth.Credential{Name: "webull", Kind: auth.KindWebull, Endpoint: w.wbURL, Region: "us"}
	var tok string
	if withToken {
		ti, err := w.webull.IssueToken(k)
		if err != nil {
			w.t.Fatal(err)
		}
		code, _ := w.webull.SMSCode(ti.Token)
		if err := w.webull.Verify(ti.Token, code); err != nil {
			w.t.Fatal(err)
		}
		ti, _ = w.webull.Token(ti.Token)
		tok = ti.Token
		secrets[auth.FieldWebullToken] = tok
		c.TokenStatus, c.ExpiresAt = string(ti.Status), ti.Expires.UTC()
	}
	return w.add(c, secrets), tok
}

// snapshot is every stored secret by "<id>/<field>".
func (w *world) snapshot() map[string]string {
	out := map[string]string{}
	cs, _ := w.st.List()
	for _, c := range cs {
		for _, f := range auth.SecretFields {
			if v, err := w.secrets.Get(c.ID, f); err == nil {
				out[c.Name+"/"+f] = v
			}
		}
	}
	return out
}

type faultKind string

const (
	fTimeout   faultKind = "latency past the timeout"
	f500       faultKind = "HTTP 500"
	f503       faultKind = "HTTP 503"
	f429       faultKind = "HTTP 429"
	fMalformed faultKind = "malformed JSON"
	fTruncated faultKind = "truncated JSON"
	fReset     faultKind = "connection reset"
	// A 401 or 403 whose body is not the broker's own error (a proxy's page).
	f401Foreign faultKind = "HTTP 401, not the broker's body"
	f403Foreign faultKind = "HTTP 403, not the broker's body"
	fSkew       faultKind = "clock skew 90 s"
	fRevoked    faultKind = "revoked"
	fRotated    faultKind = "rotated-away refresh token"
	// A 307 to the same origin, to another port of the same host, and to
	// another host name on the same port.
	fRedirSame faultKind = "redirect, same origin"
	fRedirPort faultKind = "redirect to another port"
	fRedirHost faultKind = "redirect to another host"
	// Every refresh refused with 400 invalid_grant "sig is invalid", as
	// moomoo once answered for two days; after the call, a bot and a cron
	// job keep asking (outageAsks token and unforced refresh calls).
	fOutage faultKind = "invalid_grant for days"
)

// outageAsks is how many times, after the call, the invalid_grant outage
// cell asks for the token and refreshes without forcing: each would have
// called the token endpoint before a refusal held until the next check.
const outageAsks = 50

// outageApplies: the outage is of the token endpoint's refresh grant,
// which a renewal (or a check that renews) of a Futu login uses.
func outageApplies(c call) bool {
	return c.name == "Futu refresh" || c.name == "Futu OAuth check"
}

var redirects = []faultKind{fRedirSame, fRedirPort, fRedirHost}

var transient = []faultKind{fTimeout, f500, f503, f429, fMalformed, fTruncated, fReset, f401Foreign, f403Foreign}

// call is one broker call: how to set up the credential, which paths it
// uses, and the engine operation that makes it.
type call struct {
	name   string
	broker string // "futu" or "webull"
	paths  []string
	setup  func(w *world) (name string, revoke func(), rotate func())
	op     func(w *world, name string) (auth.Health, error)
	login  bool // the operation is a login: the credential was not usable before
	// browser: the browser makes this call, not tokentray, so tokentray's
	// redirect policy does not apply to it.
	browser bool
	// logout: the operation forgets the login whatever the broker says
	// (its secrets go, and Action needed is the truth), so only the
	// call's own promises are held: nothing sent elsewhere, one sentence.
	logout bool
}

func refreshOp(force bool) func(w *world, name string) (auth.Health, error) {
	return func(w *world, name string) (auth.Health, error) {
		return w.eng.Refresh(w.ctx(20*time.Second), name, force)
	}
}

func loginOp(w *world, name string) (auth.Health, error) {
	return w.eng.Login(w.ctx(1500*time.Millisecond), name, auth.LoginOptions{}, nil)
}

var calls = []call{
	{name: "Futu register", broker: "futu", paths: []string{futu.PathRegister}, login: true,
		setup: func(w *world) (string, func(), func()) { w.oauth(false); return "oauth", nil, nil }, op: loginOp},
	{name: "Futu authorize", broker: "futu", paths: []string{futu.PathAuthorize, "/oauth2/authorize"}, login: true, browser: true,
		setup: func(w *world) (string, func(), func()) { w.oauth(false); return "oauth", nil, nil }, op: loginOp},
	{name: "Futu token", broker: "futu", paths: []string{futu.PathToken}, login: true,
		setup: func(w *world) (string, func(), func()) { w.oauth(false); return "oauth", nil, nil }, op: loginOp},
	{name: "Futu refresh", broker: "futu", paths: []string{futu.PathToken},
		setup: func(w *world) (string, func(), func()) {
			c := w.oauth(true)
			revoke := func() {
				c, _ = w.st.Get("oauth")
				w.futu.RevokeRefreshTokens(c.ClientID)
			}
			rotate := func() {
				// Another process renewed it and its new refresh token was lost.
				c, _ = w.st.Get("oauth")
				old, _ := w.secrets.Get(c.ID, auth.FieldRefreshToken)
				if _, err := w.eng.Refresh(w.ctx(20*time.Second), "oauth", true); err != nil {
					w.t.Fatal(err)
				}
				_ = w.secrets.Set(c.ID, auth.FieldRefreshToken, old)
			}
			return "oauth", revoke, rotate
		}, op: refreshOp(true)},
	{name: "Futu OAuth check", broker: "futu", paths: []string{futu.PathAccounts},
		setup: func(w *world) (string, func(), func()) {
			c := w.oauth(true)
			return "oauth", func() {
				c, _ = w.st.Get("oauth")
				w.futu.RevokeRefreshTokens(c.ClientID)
			}, nil
		}, op: refreshOp(false)},
	{name: "Futu revoke", broker: "futu", paths: []string{"/oauth2/revoke"}, logout: true,
		setup: func(w *world) (string, func(), func()) { w.oauth(true); return "oauth", nil, nil },
		op: func(w *world, name string) (auth.Health, error) {
			revokeErr, err := w.eng.Logout(w.ctx(20*time.Second), name)
			if err == nil {
				err = revokeErr
			}
			st, _ := w.eng.Status()
			return st[0].Health, err
		}},
	{name: "Futu legacy check", broker: "futu", paths: []string{futu.VerifyPath},
		setup: func(w *world) (string, func(), func()) {
			_, k := w.key()
			return "key", func() { w.futu.RevokeAPIKey(k) }, nil
		}, op: refreshOp(false)},
	{name: "Futu extend", broker: "futu", paths: []string{futu.DefaultRefreshPath},
		setup: func(w *world) (string, func(), func()) {
			_, k := w.key()
			return "key", func() { w.futu.RevokeAPIKey(k) }, nil
		}, op: func(w *world, name string) (auth.Health, error) {
			return w.eng.Extend(w.ctx(20*time.Second), name, time.Now().Add(365*24*time.Hour))
		}},
	{name: "Webull config", broker: "webull", paths: []string{webull.ConfigPath},
		setup: func(w *world) (string, func(), func()) {
			_, tok := w.webullNormal(true)
			return "webull", func() { w.webull.Invalidate(tok) }, nil
		}, op: refreshOp(false)},
	{name: "Webull create", broker: "webull", paths: []string{"/openapi/auth/token/create", "/auth/tokens/create"}, login: true,
		setup: func(w *world) (string, func(), func()) { w.webullNormal(false); return "webull", nil, nil }, op: loginOp},
	{name: "Webull check", broker: "webull", paths: []string{"/openapi/auth/token/check", "/auth/tokens/check"},
		setup: func(w *world) (string, func(), func()) {
			_, tok := w.webullNormal(true)
			return "webull", func() { w.webull.Invalidate(tok) }, nil
		}, op: refreshOp(false)},
	{name: "Webull refresh", broker: "webull", paths: []string{"/openapi/auth/token/refresh", "/auth/tokens/refresh"},
		setup: func(w *world) (string, func(), func()) {
			_, tok := w.webullNormal(true)
			rotate := func() {
				w.webull.SetRenewNewToken(true)
				c, _ := w.st.Get("webull")
				if _, err := w.eng.Refresh(w.ctx(20*time.Second), "webull", true); err != nil {
					w.t.Fatal(err)
				}
				_ = w.secrets.Set(c.ID, auth.FieldWebullToken, tok)
			}
			return "webull", func() { w.webull.Invalidate(tok) }, rotate
		}, op: refreshOp(true)},
}

func (w *world) inject(c call, f faultKind) {
	inj := w.futu.Faults()
	cut, base := w.futuCut, w.futuURL
	if c.broker == "webull" {
		inj, cut, base = w.webull.Faults(), w.wbCut, w.wbURL
	}
	for _, p := range c.paths {
		switch f {
		case fRedirSame:
			inj.Set(p, fault.Rule{Redirect: base, Times: 1})
		case fRedirPort:
			inj.Set(p, fault.Rule{Redirect: w.elsewhere})
		case fRedirHost:
			inj.Set(p, fault.Rule{Redirect: strings.Replace(base, "127.0.0.1", "localhost", 1)})
		case fTimeout:
			inj.Set(p, fault.Rule{Latency: 3 * clientTimeout})
		case f500:
			inj.Set(p, fault.Rule{Status: 500})
		case f503:
			inj.Set(p, fault.Rule{Status: 503})
		case f429:
			inj.Set(p, fault.Rule{Status: 429})
		case f401Foreign:
			inj.Set(p, fault.Rule{Status: 401}) // a plain-text page, not the broker's JSON
		case f403Foreign:
			inj.Set(p, fault.Rule{Status: 403})
		case fMalformed:
			inj.Set(p, fault.Rule{Malformed: true})
		case fReset:
			inj.Set(p, fault.Rule{Reset: true})
		}
	}
	switch f {
	case fOutage:
		w.futu.RefuseRefresh("sig is invalid")
		if c.name == "Futu OAuth check" {
			// The check finds the access token refused and renews it.
			cr, _ := w.st.Get("oauth")
			w.futu.RevokeAccessTokens(cr.ClientID)
		}
	case fTruncated:
		cut.mu.Lock()
		cut.path = c.paths[0]
		cut.mu.Unlock()
	case fSkew:
		if c.broker == "futu" {
			w.futu.SetSkew(90 * time.Second)
		} else {
			w.webull.SetSkew(90 * time.Second)
		}
	}
}

type outcome struct {
	order                                           int
	call, fault, health, sentence, secrets, verdict string
}

func TestFaultMatrix(t *testing.T) {
	var (
		mu   sync.Mutex
		rows []outcome
	)
	t.Run("cells", func(t *testing.T) { cells(t, &mu, &rows) })
	slices.SortFunc(rows, func(a, b outcome) int { return a.order - b.order })
	writeMatrix(t, rows)
}

func cells(t *testing.T, mu *sync.Mutex, rows *[]outcome) {
	n := 0
	for _, c := range calls {
		for _, f := range append(append(append(slices.Clone(transient), fSkew, fRevoked, fRotated), redirects...), fOutage) {
			n++
			order := n
			t.Run(c.name+"/"+string(f), func(t *testing.T) {
				t.Parallel()
				w := newWorld(t)
				name, revoke, rotate := c.setup(w)
				switch {
				case f == fRevoked && revoke == nil, f == fRotated && rotate == nil, slices.Contains(redirects, f) && c.browser, f == fOutage && !outageApplies(c):
					mu.Lock()
					*rows = append(*rows, outcome{order, c.name, string(f), "", "", "", "does not apply"})
					mu.Unlock()
					return
				case f == fRevoked:
					revoke()
				case f == fRotated:
					rotate()
				}
				before := w.snapshot()
				w.inject(c, f)
				tokenCalls := w.futu.Count(futu.PathToken)
				h, err := c.op(w, name)
				var outage []string
				if f == fOutage {
					outage = w.keepAsking(name, w.futu.Count(futu.PathToken)-tokenCalls)
				}
				after := w.snapshot()
				st, _ := w.eng.Status()
				shown := st[0].Health
				o := outcome{order: order, call: c.name, fault: string(f), health: shown.State.Title(), sentence: shown.Reason}
				if c.logout && err != nil {
					o.sentence += "; " + err.Error() // what the logout says of the revocation
				}
				if shown.Next.Kind != "" {
					o.health += " (next: " + string(shown.Next.Kind) + ")"
				}
				problems := judge(c, f, before, after, shown, h, err)
				if c.name == "Futu extend" && f != fRevoked && w.keyTokenDead() {
					// Futu extended and retired the stored token, but its answer
					// was lost: the credential must say so, and is truly dead.
					if !strings.HasPrefix(shown.Reason, lostTokenSaid) {
						problems = append(problems, "Futu no longer accepts the stored token and the sentence does not say that tokentray lost the new one")
					} else {
						problems = slices.DeleteFunc(problems, func(p string) bool { return p == "shown Broken" })
					}
				}
				problems = append(problems, w.judgeRedirect(c, f, shown, err)...)
				problems = append(problems, outage...)
				o.secrets = "kept"
				for k, v := range before {
					if after[k] != v {
						o.secrets = "changed"
					}
				}
				if len(after) > len(before) {
					o.secrets += ", new ones stored"
				}
				o.verdict = "ok"
				why, isKnown := known[c.name+"/"+string(f)]
				switch {
				case len(problems) > 0 && isKnown:
					o.verdict = "open defect: " + why
					t.Logf("%s under %s, known: %s", c.name, f, strings.Join(problems, "; "))
				case len(problems) > 0:
					o.verdict = strings.Join(problems, "; ")
					t.Errorf("%s under %s: %s (health %v, error %v)", c.name, f, o.verdict, shown, err)
				case isKnown:
					t.Logf("%s under %s now keeps its promises: take it off the known list", c.name, f)
				}
				mu.Lock()
				*rows = append(*rows, o)
				mu.Unlock()
			})
		}
	}
}

func writeMatrix(t *testing.T, rows []outcome) {
	if out := os.Getenv("TOKENTRAY_MATRIX_OUT"); out != "" {
		var b strings.Builder
		b.WriteString("| call | fault | health shown after | sentence | secrets | verdict |\n| --- | --- | --- | --- | --- | --- |\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", r.call, r.fault, r.health, strings.ReplaceAll(r.sentence, "|", "\\|"), r.secrets, r.verdict)
		}
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// known are cells that break a promise today, each with what is wrong.
// They are reported in the table and logged, not failed, until fixed;
// a known cell that holds its promises is logged as fixed.
var known = map[string]string{}

// judgeRedirect holds a redirect cell to its promises: a redirect within
// the origin is followed as if there were none; one to another origin is
// not followed at all (nothing reaches it), leaves every secret as it
// was, and, unless the operation found another way, is said in one
// sentence naming both places.
func (w *world) judgeRedirect(c call, f faultKind, shown auth.Health, err error) []string {
	var p []string
	if n := w.elsewhereHits.Load() + w.futuCut.otherHost.Load() + w.wbCut.otherHost.Load(); n > 0 {
		p = append(p, fmt.Sprintf("%d requests followed a redirect to another origin", n))
	}
	base := w.futuURL
	if c.broker == "webull" {
		base = w.wbURL
	}
	from := strings.TrimPrefix(base, "http://")
	to := strings.TrimPrefix(w.elsewhere, "http://")
	switch f {
	case fRedirSame:
		if !c.login && (err != nil || (shown.State != auth.OK && !c.logout)) {
			p = append(p, "a redirect within the origin was not followed")
		}
	case fRedirHost:
		to = strings.Replace(from, "127.0.0.1", "localhost", 1)
		fallthrough
	case fRedirPort:
		if err == nil && shown.State == auth.OK {
			break // the call has another way (Webull's config is optional; Futu's registration has a fallback)
		}
		said := shown.Reason
		if (c.login || c.logout) && err != nil {
			said = err.Error() // the login's refusal; the health is still "not logged in"
		}
		if !strings.Contains(said, from+" redirected the call to another address, "+to) {
			p = append(p, "the refused redirect is not one sentence naming both hosts")
		}
	}
	return p
}

// keepAsking is the rest of a days-long outage: a bot asks for the
// token and a cron job refreshes, outageAsks times each. The login is
// held to the promises of a refusal: Action needed (log in again) from
// the first refusal on, and no further call to the token endpoint until
// the next check interval, however often it is asked.
func (w *world) keepAsking(name string, first int) []string {
	var p []string
	before := w.futu.Count(futu.PathToken)
	for range outageAsks {
		_, _ = w.eng.Token(w.ctx(20*time.Second), name)
		_, _ = w.eng.Refresh(w.ctx(20*time.Second), name, false)
	}
	if n := w.futu.Count(futu.PathToken) - before; n > 0 {
		p = append(p, fmt.Sprintf("%d more calls to the token endpoint after a refusal (the first call made %d)", n, first))
	}
	return p
}

// judge holds a cell to the product's promises.
func judge(c call, f faultKind, before, after map[string]string, shown, h auth.Health, err error) []string {
	var p []string
	if shown.Reason == "" || strings.Contains(shown.Reason, "\n") || (err != nil && strings.Contains(err.Error(), "\n")) {
		p = append(p, "the health has no one-line sentence")
	}
	for _, v := range after {
		if strings.Contains(shown.Reason, v) || (err != nil && strings.Contains(err.Error(), v)) {
			p = append(p, "a secret is in the sentence")
		}
	}
	isTransient := (slices.Contains(transient, f) || f == fRedirPort || f == fRedirHost) && !c.logout
	succeeded := err == nil && (shown.State == auth.OK || c.logout)
	if isTransient || (f == fSkew && !succeeded) {
		// A fault of the network or of the clock never deletes or changes
		// a stored secret, and never reads as a dead credential.
		for k, v := range before {
			if after[k] != v {
				p = append(p, "a stored secret was changed or deleted: "+k)
			}
		}
		if shown.State == auth.Broken {
			p = append(p, "shown Broken")
		}
		if !c.login && shown.State == auth.ActionNeeded {
			p = append(p, "shown Action needed")
		}
	}
	// A login that reached the point of waiting for the person (who never
	// comes here) got its answers from the broker: the clock was no problem.
	waited := c.login && errors.Is(err, context.DeadlineExceeded)
	if f == fSkew && !succeeded && !waited && !strings.Contains(strings.ToLower(shown.Reason), "clock") {
		p = append(p, "skew is not named as a clock problem")
	}
	if f == fRevoked || f == fRotated {
		if !shown.State.NeedsUser() || shown.Next.Kind == "" {
			p = append(p, "a dead credential is not shown as needing the user, with a next action")
		}
	}
	if f == fOutage && !(shown.State == auth.OK || shown.State == auth.ActionNeeded && shown.Next.Kind == auth.ActionLogin) {
		p = append(p, "a refused renewal does not send the user to log in")
	}
	if f == fOutage {
		for k, v := range before {
			if after[k] != v {
				p = append(p, "a stored secret was changed or deleted: "+k)
			}
		}
	}
	// Webull's "log in again" is a new verification.
	if f == fRotated && shown.Next.Kind != auth.ActionLogin && !(c.broker == "webull" && shown.Next.Kind == auth.ActionVerify) {
		p = append(p, "a lost refresh token does not send the user to log in")
	}
	return p
}
