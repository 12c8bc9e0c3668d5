package futu

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jonboulle/clockwork"
	"tokentray/auth"
	"tokentray/internal/browser"
)

// DefaultBaseURL is Futu's OpenAPI host when neither the credential nor
// FUTU_HTTP_URL names another.
const DefaultBaseURL = "https://openapi.futunn.com"

// DefaultRedirectURL is the redirect URI Futu's documentation registers;
// the callback server must listen exactly there.
const DefaultRedirectURL = "http://localhost:60355/callback"

// ClientName is the client_name sent when registering an OAuth client.
const ClientName = "tokentray"

// LoginTimeout is how long a browser login may take.
const LoginTimeout = 5 * time.Minute

// Browser opens a page for the user. The real one is SystemBrowser; tests
// pass a browser that follows the page over HTTP.
type Browser interface {
	Open(url string) error
}

// Options wires the outside world into a provider. Zero values mean the
// real thing.
type Options struct {
	Clock clockwork.Clock
	// HTTP is used for every call to Futu; nil means a client with a 30 s timeout.
	HTTP *http.Client
	// Browser opens the login page; nil means internal/browser's opener,
	// which keeps the address off every command line.
	Browser Browser
	// RedirectURL is the registered OAuth redirect URI; empty means DefaultRedirectURL.
	RedirectURL string
	// SDKTokenDir is where the Futu SDK keeps OAuth tokens; empty means
	// ~/.futu/openapi/tokens. A credential's SDKTokenDir overrides it.
	SDKTokenDir string
	// Getenv reads FUTU_HTTP_URL; nil means os.Getenv.
	Getenv func(string) string
	// OAuthURL is the host of the CLI layout for a credential on Futu's
	// default host; empty means DefaultOAuthURL.
	OAuthURL string
	// MetadataURL is Futu's published metadata, read for a credential on
	// Futu's default host; empty means DefaultMetadataURL.
	MetadataURL string
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Browser == nil {
		o.Browser = browser.New()
	}
	if o.RedirectURL == "" {
		o.RedirectURL = DefaultRedirectURL
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.OAuthURL == "" {
		o.OAuthURL = DefaultOAuthURL
	}
	if o.MetadataURL == "" {
		o.MetadataURL = DefaultMetadataURL
	}
	return o
}

// DefaultSDKTokenDir is where the Futu SDK persists OAuth tokens:
// ~/.futu/openapi/tokens (%USERPROFILE%\.futu\openapi\tokens on Windows).
func DefaultSDKTokenDir() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(home, ".futu", "openapi", "tokens"), nil
}

// baseURL is the credential's endpoint, else FUTU_HTTP_URL, else Futu's
// host. Keys and tokens go there, so plain http is only for loopback.
func baseURL(o Options, endpoint string) (string, error) {
	what, u := "the Futu endpoint", strings.TrimSpace(endpoint)
	if u == "" {
		what, u = "FUTU_HTTP_URL", strings.TrimSpace(o.Getenv("FUTU_HTTP_URL"))
	}
	if u == "" {
		return DefaultBaseURL, nil
	}
	return checkURL(what, u)
}

// MaxEndpointBytes bounds an endpoint URL; a real one is far shorter.
const MaxEndpointBytes = 2048

// CheckEndpoint reports, in a sentence, why raw cannot be a Futu endpoint
// (the same rule every call applies): for a face to check a setting
// before it is saved.
func CheckEndpoint(raw string) error {
	_, err := checkURL("the Futu endpoint", raw)
	return err
}

// shownURL is raw as a message may quote it: never whole when long.
func shownURL(raw string) string {
	if len(raw) > 80 {
		cut := raw[:60]
		for !utf8.ValidString(cut) {
			cut = cut[:len(cut)-1]
		}
		return strconv.Quote(cut) + fmt.Sprintf(" (cut; %d bytes in all)", len(raw))
	}
	return strconv.Quote(raw)
}

// checkURL accepts an https URL, or http on this computer only, and
// returns it without a trailing slash, query or fragment. A URL with a
// user name or password is refused: it would be saved and sent as is.
func checkURL(what, raw string) (string, error) {
	if len(raw) > MaxEndpointBytes {
		return "", auth.NeedsUser(fmt.Sprintf("%s %s is longer than %d bytes: give it as https://host or https://host:port", what, shownURL(raw), MaxEndpointBytes))
	}
	u, err := url.Parse(raw)
	if err == nil && u.User != nil {
		// The URL itself would show the password.
		return "", auth.NeedsUser(fmt.Sprintf("%s has a user name or password in it, which would be saved and sent in the clear: give it as https://host or https://host:port, without user@", what))
	}
	shown := shownURL(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", auth.NeedsUser(fmt.Sprintf("%s %s is not usable: give it as https://host or https://host:port", what, shown))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", auth.NeedsUser(fmt.Sprintf("%s %s has port %s, outside 1 to 65535: give a port in that range", what, shown, shownURL(p)))
		}
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		// Tokens would travel in the clear; only a local sandbox may use http.
		return "", auth.NeedsUser(fmt.Sprintf("%s %s uses plain http: use https (http is only for localhost)", what, shown))
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
