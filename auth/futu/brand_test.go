package futu

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/futusim/futusimtest"
	"tokentray/internal/testutil"
)

// hostMap sends requests for the brands' real hosts to the sandbox and
// records every host and path asked; any other host is refused.
type hostMap struct {
	to   *url.URL
	mu   sync.Mutex
	seen []string
}

func (m *hostMap) RoundTrip(req *http.Request) (*http.Response, error) {
	m.mu.Lock()
	m.seen = append(m.seen, req.URL.Scheme+"://"+req.URL.Host+req.URL.Path)
	m.mu.Unlock()
	if auth.IsLoopback(req.URL.Hostname()) {
		return http.DefaultTransport.RoundTrip(req)
	}
	switch req.URL.Host {
	case "webapi.moomoo.com", "mcp.moomoo.com", "openapi.moomoo.com", "webapi.futunn.com", "mcp.futunn.com", "openapi.futunn.com":
	default:
		return nil, fmt.Errorf("no such host in this test: %s", req.URL.Host)
	}
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = m.to.Scheme, m.to.Host, ""
	return http.DefaultTransport.RoundTrip(r)
}

func (m *hostMap) asked() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.seen)
}

// A moomoo login with no endpoint of its own runs on moomoo's hosts,
// every call of it: registration, the browser page, the token and the
// account check; none goes to Futu's.
func TestMoomooBrandRunsEveryCallOnMoomoosHosts(t *testing.T) {
	clock := clockwork.NewFakeClockAt(t0)
	s, base := sim(t, clock, futusim.Options{Layout: futusim.LayoutCLI})
	to, _ := url.Parse(base)
	m := &hostMap{to: to}
	client := &http.Client{Transport: m, Timeout: 10 * time.Second}
	p := NewOAuthProvider(Options{Clock: clock, HTTP: client, Browser: futusimtest.Browser{Approve: true, Client: client},
		RedirectURL: redirectFor(testutil.FreePort(t)), Getenv: noEnv})
	c := auth.Credential{ID: auth.NewID(), Name: "mm", Kind: auth.KindFutuOAuth, Brand: auth.BrandMoomoo, AddedAt: t0}
	sec := auth.Bind(testutil.NewMemorySecrets(), c.ID)
	if _, err := p.Check(testutil.Context(t, 10*time.Second), &c, sec); err == nil || c.ClientID == "" {
		t.Fatalf("register: %v (client %q)", err, c.ClientID)
	}
	if h, err := p.Login(testutil.Context(t, 10*time.Second), &c, sec, auth.LoginOptions{}, nil); err != nil || h.State != auth.OK {
		t.Fatalf("login: %v, %v", h, err)
	}
	s.RevokeAccessTokens(c.ClientID)
	if h, err := p.Refresh(testutil.Context(t, 10*time.Second), &c, sec, auth.RefreshOptions{}); err != nil || h.State != auth.OK {
		t.Fatalf("refresh: %v, %v", h, err)
	}
	asked := m.asked()
	for _, want := range []string{
		"https://openapi.moomoo.com/.well-known/oauth-authorization-server",
		"https://mcp.moomoo.com/.well-known/oauth-authorization-server",
		"https://webapi.moomoo.com" + PathRegister,
		"https://webapi.moomoo.com" + PathAuthorize,
		"https://webapi.moomoo.com" + PathToken,
		"https://webapi.moomoo.com" + PathAccounts,
	} {
		if !slices.Contains(asked, want) {
			t.Errorf("never asked %s; asked %v", want, asked)
		}
	}
	for _, a := range asked {
		if u, _ := url.Parse(a); u.Host != "" && !auth.IsLoopback(u.Hostname()) && !slices.Contains([]string{"webapi.moomoo.com", "mcp.moomoo.com", "openapi.moomoo.com"}, u.Host) {
			t.Errorf("a moomoo login asked %s", a)
		}
	}
}

func TestMoomooKeyGivesTheSDKMoomoosHost(t *testing.T) {
	p := NewKeyProvider(Options{Getenv: noEnv})
	mem := testutil.NewMemorySecrets()
	c := auth.Credential{ID: "k", Name: "k", Kind: auth.KindFutuKey, Brand: auth.BrandMoomoo}
	for _, f := range []string{auth.FieldAppKey, auth.FieldAppSecret, auth.FieldAccessToken} {
		_ = mem.Set("k", f, "test-"+f)
	}
	vars, _, err := p.Env(c, auth.Bind(mem, "k"))
	if err != nil || vars["FUTU_HTTP_URL"] != MoomooBaseURL {
		t.Errorf("env of a moomoo key: %v, %v; want FUTU_HTTP_URL=%s", vars, err, MoomooBaseURL)
	}
	c.Brand = ""
	if vars, _, _ := p.Env(c, auth.Bind(mem, "k")); vars["FUTU_HTTP_URL"] != "" {
		t.Errorf("a Futu key on Futu's host sets FUTU_HTTP_URL=%q", vars["FUTU_HTTP_URL"])
	}
}

// Each machine's client is named for the person and the machine, so the
// authorized-apps page at Futu tells two machines apart.
func TestTheRegisteredClientIsNamedForTheUserAndTheMachine(t *testing.T) {
	f := newOAuthFixture(t, futusimtest.Browser{Approve: true}, futusim.Options{})
	if err := f.p.Register(testutil.Context(t, 10*time.Second), &f.c, f.s); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	name := f.sim.ClientName(f.c.ClientID)
	if !regexp.MustCompile(`^tokentray \([^()@]+@[^()@]+\)$`).MatchString(name) || !strings.HasSuffix(name, "@"+host+")") {
		t.Errorf("registered as %q, want \"tokentray (USER@%s)\"", name, host)
	}
}

func TestHostsFollowTheBrand(t *testing.T) {
	p := NewOAuthProvider(Options{Getenv: noEnv})
	for brand, want := range map[string]auth.Hosts{
		"":               {API: DefaultBaseURL, OAuth: DefaultOAuthURL},
		auth.BrandMoomoo: {API: MoomooBaseURL, OAuth: MoomooOAuthURL},
	} {
		if got := p.Hosts(auth.Credential{Kind: auth.KindFutuOAuth, Brand: brand}); got != want {
			t.Errorf("brand %q: %+v, want %+v", brand, got, want)
		}
	}
	own := auth.Credential{Kind: auth.KindFutuOAuth, Endpoint: "https://openapi.example", TokenURL: "https://login.example/oauth2/token"}
	if got := p.Hosts(own); got.API != "https://openapi.example" || got.OAuth != "https://login.example" {
		t.Errorf("own endpoints: %+v", got)
	}
	if got := NewKeyProvider(Options{Getenv: noEnv}).Hosts(auth.Credential{Kind: auth.KindFutuKey, Brand: auth.BrandMoomoo}); got.API != MoomooBaseURL || got.OAuth != "" {
		t.Errorf("moomoo key: %+v", got)
	}
}
