package futu

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	"github.com/pkg/browser"
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

// SystemBrowser opens URLs in the user's default browser.
type SystemBrowser struct{}

var quietBrowser sync.Once

// Open asks the desktop to show url.
func (SystemBrowser) Open(url string) error {
	// xdg-open and friends chatter on stdout, which belongs to the CLI.
	quietBrowser.Do(func() { browser.Stdout, browser.Stderr = io.Discard, io.Discard })
	return browser.OpenURL(url)
}

// Options wires the outside world into a provider. Zero values mean the
// real thing.
type Options struct {
	Clock clockwork.Clock
	// HTTP is used for every call to Futu; nil means a client with a 30 s timeout.
	HTTP *http.Client
	// Browser opens the login page; nil means SystemBrowser.
	Browser Browser
	// RedirectURL is the registered OAuth redirect URI; empty means DefaultRedirectURL.
	RedirectURL string
	// SDKTokenDir is where the Futu SDK keeps OAuth tokens; empty means
	// ~/.futu/openapi/tokens. A credential's SDKTokenDir overrides it.
	SDKTokenDir string
	// Getenv reads FUTU_HTTP_URL; nil means os.Getenv.
	Getenv func(string) string
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if o.Browser == nil {
		o.Browser = SystemBrowser{}
	}
	if o.RedirectURL == "" {
		o.RedirectURL = DefaultRedirectURL
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
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

// baseURL is the credential's endpoint, else FUTU_HTTP_URL, else Futu's host.
func baseURL(o Options, endpoint string) string {
	u := endpoint
	if u == "" {
		u = o.Getenv("FUTU_HTTP_URL")
	}
	if u == "" {
		u = DefaultBaseURL
	}
	return strings.TrimRight(u, "/")
}
