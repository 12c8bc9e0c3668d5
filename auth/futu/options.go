package futu

import (
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/internal/browser"
	"tokentray/internal/msg"
)

// DefaultBaseURL is Futu's OpenAPI host when neither the credential nor
// FUTU_HTTP_URL names another.
const DefaultBaseURL = "https://openapi.futunn.com"

// DefaultRedirectURL is the redirect URI Futu's documentation registers;
// the callback server must listen exactly there.
const DefaultRedirectURL = "http://localhost:60355/callback"

// ClientName is the name tokentray registers its OAuth clients under,
// before the person and the machine: "tokentray (USER@HOST)".
const ClientName = "tokentray"

// clientName is the client_name a registration sends: "tokentray
// (USER@HOST)", so the authorized-apps page at Futu tells two machines
// apart (Futu's CLI registers "USER@HOST (Futu CLI)").
func clientName() string {
	who := ""
	if u, err := user.Current(); err == nil {
		who = u.Username
	}
	if i := strings.LastIndexAny(who, `\/`); i >= 0 {
		who = who[i+1:] // DOMAIN\user on Windows
	}
	if who == "" {
		who = os.Getenv("USER")
	}
	host, _ := os.Hostname()
	who, host = namepart(who), namepart(host)
	if who == "" && host == "" {
		return ClientName
	}
	return ClientName + " (" + who + "@" + host + ")"
}

// namepart keeps a user or host name printable and short.
func namepart(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f || r == '(' || r == ')' || r == '@' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > 64 {
		s = string(r[:64])
	}
	return s
}

// LoginTimeout is how long a browser login may take.
const LoginTimeout = 5 * time.Minute

// Browser opens a page for the user. The real one is SystemBrowser; tests
// pass a browser that follows the page over HTTP.
type Browser interface {
	Open(url string) error
}

// PageDiscarder is a Browser that leaves something behind for the
// address it opened (internal/browser's forwarding page, which holds the
// login's state and PKCE challenge); Discard removes it when the login
// ends.
type PageDiscarder interface {
	Discard(url string)
}

// Options wires the outside world into a provider. Zero values mean the
// real thing.
type Options struct {
	Clock clockwork.Clock
	// HTTP is used for every call to Futu; nil means a client with a 30 s
	// timeout. Either way it follows no redirect to another origin.
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
	// ClientName is the client_name of a registration; empty means
	// "tokentray (USER@HOST)" of this machine.
	ClientName string
}

func (o Options) withDefaults() Options {
	if o.Clock == nil {
		o.Clock = clockwork.NewRealClock()
	}
	// Whatever client is given, no call follows a redirect elsewhere.
	o.HTTP = auth.SameOriginClient(o.HTTP)
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
	if o.ClientName == "" {
		o.ClientName = clientName()
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

// baseURL is the credential's endpoint, else FUTU_HTTP_URL, else the
// API host of its brand. Keys and tokens go there, so plain http is only
// for loopback.
func baseURL(o Options, c auth.Credential) (string, error) {
	what, u := msg.New("futu.setting_endpoint"), strings.TrimSpace(c.Endpoint)
	if u == "" {
		what, u = msg.Plain("FUTU_HTTP_URL"), strings.TrimSpace(o.Getenv("FUTU_HTTP_URL"))
	}
	if u == "" {
		return o.hostsOf(c).api, nil
	}
	return checkURL(what, u)
}

// MaxEndpointBytes bounds an endpoint URL; a real one is far shorter.
const MaxEndpointBytes = auth.MaxEndpointBytes

// CheckEndpoint reports, in a sentence, why raw cannot be a Futu endpoint
// (the same rule every call applies): for a face to check a setting
// before it is saved.
func CheckEndpoint(raw string) error {
	_, err := checkURL(msg.New("futu.setting_endpoint"), raw)
	return err
}

// checkURL is the endpoint rule every broker shares (auth.CheckEndpoint).
func checkURL(what msg.Message, raw string) (string, error) {
	return auth.CheckEndpointNamed(what, raw)
}
