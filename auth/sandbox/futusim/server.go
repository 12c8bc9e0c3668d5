// Package futusim is a simulated Futu OpenAPI server: OAuth 2.0 dynamic
// registration, the authorize page, the token and revocation endpoints,
// and legacy API keys with HMAC-SHA256 request signatures. Tests talk to
// it over real loopback HTTP, and the demo profile runs the app against
// it, so every Futu flow can be seen without a broker account.
package futusim

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth/sandbox/fault"
	"tokentray/auth/sandbox/flash"
)

// Defaults for Options.
const (
	DefaultAccessTTL  = 2 * time.Hour
	DefaultRefreshTTL = 30 * 24 * time.Hour
	// CodeTTL is how long an authorization code can be exchanged.
	CodeTTL = 60 * time.Second
	// TimestampWindow is how far a signed request's timestamp may be from
	// the server's clock, as the seed states.
	TimestampWindow = 60 * time.Second
	// MaxRefreshAhead is the furthest expiry a legacy token refresh accepts.
	MaxRefreshAhead = 3 // years
	// DefaultKeyTTL is the expiry of a refreshed legacy token when the
	// call names none.
	DefaultKeyTTL = 90 * 24 * time.Hour
	// authRequestTTL bounds how long an authorize page may stay open.
	authRequestTTL = 10 * time.Minute
)

// Options configure a Server. The zero value is usable.
type Options struct {
	// Clock is the server's clock; nil means the wall clock.
	Clock clockwork.Clock
	// BaseURL is the URL clients reach the server at; empty means it is
	// taken from each request's Host header. See SetBaseURL.
	BaseURL string
	// AccessTTL is the OAuth access token lifetime (default 2h).
	AccessTTL time.Duration
	// RefreshTTL is the OAuth refresh token lifetime (default 30 days).
	RefreshTTL time.Duration
	// RotateRefresh makes every refresh return a new refresh token and
	// invalidate the old one. Switchable with SetRotateRefresh.
	RotateRefresh bool
	// Layout is how the OAuth endpoints are laid out: LayoutMetadata
	// (the default: RFC 8414 metadata, /oauth2/authorize) or LayoutCLI
	// (what Futu's own command line talks to: no metadata, the page
	// /oauth2/authorize/confirm, a scope required, a JWT access token
	// whose claims name the account). Both name the account in every
	// token answer.
	Layout string
	// Account is who logs in on the authorize page; zero means DemoAccount.
	Account Account
	// Logf, when set, receives every line of the server's log (each
	// refused request with its reason).
	Logf func(format string, args ...any)
}

// The OAuth layouts a Server can serve.
const (
	LayoutMetadata = "metadata"
	LayoutCLI      = "futu-cli"
)

// Account is the Futu account a sandbox login belongs to.
type Account struct {
	FutuID           string   `json:"futu_id"`
	MemberID         string   `json:"member_id,omitempty"`
	AccountID        string   `json:"account_id,omitempty"`
	AccountNo        string   `json:"account_no"`
	AccountType      string   `json:"account_type"`
	AccountChannel   string   `json:"account_channel,omitempty"`
	Name             string   `json:"name"`
	Packages         []string `json:"activated_packages,omitempty"`
	QuotePermissions []string `json:"-"`
}

// DemoAccount is the account of every sandbox login unless Options names another.
var DemoAccount = Account{
	FutuID: "10086001", MemberID: "m-10086001", AccountID: "281756", AccountNo: "1001100220038888",
	AccountType: "individual", AccountChannel: "futu_hk", Name: "Sandbox Trader",
	Packages: []string{"hk_lv2"}, QuotePermissions: []string{"hk_lv2", "us_lv1"},
}

// SupportedScopes are the scopes the server knows, as Futu's CLI asks for them.
var SupportedScopes = []string{"quote:read", "quote:write", "trade:read", "trade:write", "accid:*"}

// Server is a simulated Futu OpenAPI server. Its methods are safe for
// concurrent use.
type Server struct {
	clock  clockwork.Clock
	faults *fault.Injector

	mu         sync.Mutex
	baseURL    string
	accessTTL  time.Duration
	refreshTTL time.Duration
	rotate     bool
	skew       time.Duration
	layout     string
	noTrade    bool // logins may not trade: the account API answers 403
	// accountsFail, when its status is set, is how the account API refuses.
	accountsFail apiFailure
	// refuseRefresh, when set, is the description every refresh grant is
	// refused with (400 invalid_grant), whatever the refresh token.
	refuseRefresh string
	// expiresIn, when set, is the expires_in of every token answer
	// instead of the access token's real lifetime.
	expiresIn *int64
	account   Account
	logSink   func(string, ...any)
	log       []string
	jwtKey    []byte

	clients  map[string]*client      // by client_id
	requests map[string]*authRequest // pending authorize pages, by request id
	codes    map[string]*authCode
	access   map[string]*oauthToken // OAuth access tokens
	refresh  map[string]*oauthToken // OAuth refresh tokens
	keys     map[string]*apiKey     // legacy keys by app key
	keyOrder []string
	counts   map[string]int
	newKeys  flash.Store[newKey] // keys made on the admin page, not yet shown

	handler http.Handler
}

type client struct {
	ID            string
	Name          string
	RedirectURIs  []string
	GrantTypes    []string
	ResponseTypes []string
	AuthMethod    string
	Scope         string
	IssuedAt      time.Time
	RegToken      string
}

type authRequest struct {
	ClientID    string
	RedirectURI string
	State       string
	Scope       string
	Challenge   string
	ExpiresAt   time.Time
}

type authCode struct {
	ClientID    string
	RedirectURI string
	Challenge   string
	Scope       string
	ExpiresAt   time.Time
	Used        bool
	Grant       string // grant id of the tokens issued for it, once used
}

// oauthToken is an access or refresh token. Tokens of one login share a
// grant id, so revoking a refresh token ends the whole login.
type oauthToken struct {
	ClientID  string
	Scope     string
	Grant     string
	ExpiresAt time.Time
}

type apiKey struct {
	AppKey    string
	Secret    string
	Token     string
	ExpiresAt time.Time
	CreatedAt time.Time
	Revoked   bool
}

// New returns a server with no clients and no keys.
func New(opts Options) *Server {
	clock := opts.Clock
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	s := &Server{
		clock:      clock,
		faults:     fault.New(clock),
		baseURL:    strings.TrimSuffix(opts.BaseURL, "/"),
		accessTTL:  opts.AccessTTL,
		refreshTTL: opts.RefreshTTL,
		rotate:     opts.RotateRefresh,
		layout:     opts.Layout,
		account:    opts.Account,
		logSink:    opts.Logf,
		clients:    map[string]*client{},
		requests:   map[string]*authRequest{},
		codes:      map[string]*authCode{},
		access:     map[string]*oauthToken{},
		refresh:    map[string]*oauthToken{},
		keys:       map[string]*apiKey{},
		counts:     map[string]int{},
	}
	if s.accessTTL <= 0 {
		s.accessTTL = DefaultAccessTTL
	}
	if s.refreshTTL <= 0 {
		s.refreshTTL = DefaultRefreshTTL
	}
	if s.layout == "" {
		s.layout = LayoutMetadata
	}
	if s.account.FutuID == "" && s.account.Name == "" {
		s.account = DemoAccount
	}
	s.handler = s.routes()
	return s
}

// Handler serves the API (behind the fault injector) and the /sandbox/
// admin pages (never faulted, so a test can always undo a fault).
func (s *Server) Handler() http.Handler { return s.handler }

// Faults returns the injector that wraps every non-admin path.
func (s *Server) Faults() *fault.Injector { return s.faults }

// Clock returns the server's clock (without skew).
func (s *Server) Clock() clockwork.Clock { return s.clock }

// Now is the server's time: its clock plus the skew.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nowLocked()
}

func (s *Server) nowLocked() time.Time { return s.clock.Now().Add(s.skew) }

// SetBaseURL sets the URL written into metadata and registration
// answers (the server's own listen address).
func (s *Server) SetBaseURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.baseURL = strings.TrimSuffix(u, "/")
}

// SetSkew offsets the server's clock from the injected one, so tests can
// show what a client with a wrong clock sees.
func (s *Server) SetSkew(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.skew = d
}

// Skew returns the current clock offset.
func (s *Server) Skew() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.skew
}

// SetLayout switches between LayoutMetadata and LayoutCLI.
func (s *Server) SetLayout(layout string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.layout = layout
}

// Layout is the OAuth layout being served.
func (s *Server) Layout() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.layout
}

func (s *Server) cliLayout() bool { return s.Layout() == LayoutCLI }

// maxLog bounds the log kept in memory.
const maxLog = 500

// logf adds a line to the server's log.
func (s *Server) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	s.mu.Lock()
	s.log = append(s.log, line)
	if len(s.log) > maxLog {
		s.log = s.log[len(s.log)-maxLog:]
	}
	f := s.logSink
	s.mu.Unlock()
	if f != nil {
		f("%s", line)
	}
}

// Log returns the server's log, oldest line first: each refused request
// with the reason it was refused.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// SetRotateRefresh switches refresh token rotation on or off.
func (s *Server) SetRotateRefresh(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rotate = on
}

// RotateRefresh reports whether refresh tokens rotate.
func (s *Server) RotateRefresh() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rotate
}

// SetTTLs changes the OAuth token lifetimes for tokens issued from now
// on; a zero value keeps the current one.
func (s *Server) SetTTLs(access, refresh time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if access > 0 {
		s.accessTTL = access
	}
	if refresh > 0 {
		s.refreshTTL = refresh
	}
}

// Count returns how many requests reached path (faulted ones included).
func (s *Server) Count(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.counts[path]
}

// AddAPIKey creates a legacy API key, as the developer portal does, with
// an access token that expires at expiresAt.
func (s *Server) AddAPIKey(expiresAt time.Time) (appKey, appSecret, accessToken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := &apiKey{
		AppKey:    randHex(16),
		Secret:    randHex(32),
		Token:     randToken(),
		ExpiresAt: expiresAt.UTC(),
		CreatedAt: s.nowLocked().UTC(),
	}
	s.keys[k.AppKey] = k
	s.keyOrder = append(s.keyOrder, k.AppKey)
	return k.AppKey, k.Secret, k.Token
}

// RevokeAPIKey revokes a legacy key: every later call with it gets 401.
// It reports whether the key was known.
func (s *Server) RevokeAPIKey(appKey string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[appKey]
	if ok {
		k.Revoked = true
	}
	return ok
}

// APIKeyExpiry returns the expiry of a legacy key's current access token.
func (s *Server) APIKeyExpiry(appKey string) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.keys[appKey]
	if !ok {
		return time.Time{}, false
	}
	return k.ExpiresAt, true
}

// RevokeRefreshTokens signs a client out, as a user does in the portal:
// its refresh and access tokens stop working at once.
func (s *Server) RevokeRefreshTokens(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, tok := range s.refresh {
		if tok.ClientID == clientID {
			delete(s.refresh, t)
		}
	}
	for t, tok := range s.access {
		if tok.ClientID == clientID {
			delete(s.access, t)
		}
	}
}

// ClientIDs lists the registered OAuth clients, oldest first.
func (s *Server) ClientIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sortedClientsLocked()
}

func (s *Server) sortedClientsLocked() []string {
	ids := make([]string, 0, len(s.clients))
	for id := range s.clients {
		ids = append(ids, id)
	}
	// Oldest first, then by id, so the admin page is stable.
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0; j-- {
			a, b := s.clients[ids[j-1]], s.clients[ids[j]]
			if a.IssuedAt.After(b.IssuedAt) || (a.IssuedAt.Equal(b.IssuedAt) && a.ID > b.ID) {
				ids[j-1], ids[j] = ids[j], ids[j-1]
			}
		}
	}
	return ids
}

// routes builds the handler: counting and the Date header outside, the
// fault injector around the API, admin pages beside it.
func (s *Server) routes() http.Handler {
	api := http.NewServeMux()
	var paths []string
	for _, e := range []struct {
		method, path string
		h            http.HandlerFunc
	}{
		{"POST", "/oauth2/register", s.handleRegister},
		{"GET", "/oauth2/register/{id}", s.handleRegistrationRead},
		{"DELETE", "/oauth2/register/{id}", s.handleRegistrationDelete},
		{"GET", "/.well-known/oauth-authorization-server", s.handleMetadata},
		{"GET", "/oauth2/authorize", s.handleAuthorize},
		{"GET", "/oauth2/authorize/confirm", s.handleAuthorize},
		{"POST", "/oauth2/authorize/decision", s.handleDecision},
		{"POST", "/oauth2/token", s.handleToken},
		{"POST", "/oauth2/revoke", s.handleRevoke},
		{"GET", "/v1/auth/verify", s.handleVerify},
		{"GET", PathAccounts, s.handleAccounts},
		{"GET", "/v1/token/refresh", s.handleKeyRefresh},
		{"POST", "/v1/quote/snapshot", s.handleSnapshot},
	} {
		api.HandleFunc(e.method+" "+e.path, e.h)
		// Rules match exact paths, so only fixed paths are offered on the faults page.
		if !strings.Contains(e.path, "{") && !slices.Contains(paths, e.path) {
			paths = append(paths, e.path)
		}
	}
	s.faults.SetPaths(paths)
	s.faults.SetBackLink("/sandbox/", "Futu sandbox")
	faulted := s.faults.Wrap(api)

	admin := http.NewServeMux()
	admin.HandleFunc("GET /sandbox/{$}", s.handleAdminPage)
	admin.HandleFunc("POST /sandbox/rotate", s.handleAdminRotate)
	admin.HandleFunc("POST /sandbox/skew", s.handleAdminSkew)
	admin.HandleFunc("POST /sandbox/revoke-key", s.handleAdminRevokeKey)
	admin.HandleFunc("POST /sandbox/keys/create", s.handleAdminCreateKey)
	admin.HandleFunc("POST /sandbox/revoke-client", s.handleAdminRevokeClient)
	admin.HandleFunc("/sandbox/faults", func(w http.ResponseWriter, r *http.Request) {
		if sameOrigin(w, r) {
			s.faults.ServeHTTP(w, r)
		}
	})
	admin.Handle("GET /sandbox", http.RedirectHandler("/sandbox/", http.StatusFound))

	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.counts[r.URL.Path]++
		now := s.nowLocked()
		s.mu.Unlock()
		// Clients detect clock skew from Date, so it comes from the skewed clock.
		w.Header().Set("Date", now.UTC().Format(http.TimeFormat))
		if r.URL.Path == "/sandbox" || strings.HasPrefix(r.URL.Path, "/sandbox/") {
			admin.ServeHTTP(w, r)
			return
		}
		rec := &refusalRecorder{ResponseWriter: w}
		faulted.ServeHTTP(rec, r)
		if why := rec.refusal(); why != "" {
			s.logf("refused %s %s: %s", r.Method, r.URL.Path, why)
		}
	})
}

// base is the server's public URL for links in answers.
func (s *Server) base(r *http.Request) string {
	s.mu.Lock()
	b := s.baseURL
	s.mu.Unlock()
	if b != "" {
		return b
	}
	return "http://" + r.Host
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return b
}

func randHex(n int) string { return hex.EncodeToString(randBytes(n)) }

// randToken is an opaque URL-safe token.
func randToken() string { return base64.RawURLEncoding.EncodeToString(randBytes(32)) }

func newUUID() string {
	b := randBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// mask shows enough of a secret to tell two apart, never the value.
func mask(v string) string {
	if len(v) <= 8 {
		return strings.Repeat("•", len(v))
	}
	return v[:4] + "…" + fmt.Sprintf(" (%d chars)", len(v))
}
