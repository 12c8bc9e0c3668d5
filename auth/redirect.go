package auth

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"tokentray/internal/msg"
)

// maxRedirects is how many redirects within one origin a call follows,
// as Go's own client does.
const maxRedirects = 10

// SameOriginClient returns a copy of c (nil: a client with a 30 s
// timeout) that follows a redirect only to the origin (scheme, host and
// port) the call was made to. Every broker call carries a secret (a
// refresh token in the body, an access token or an app key and its
// signature in the headers), and Go's client re-sends the body of a 307
// or 308 and every custom header to wherever the redirect points. A
// redirect anywhere else ends the call with a *RedirectError, before
// anything is sent there.
func SameOriginClient(c *http.Client) *http.Client {
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	cc := *c
	inner := c.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && Origin(req.URL) != Origin(via[0].URL) {
			return &RedirectError{From: via[len(via)-1].URL, To: req.URL}
		}
		if inner != nil {
			return inner(req, via)
		}
		if len(via) >= maxRedirects {
			return msg.Errorf("auth.redirects_too_many", "Count", maxRedirects)
		}
		return nil
	}
	return &cc
}

// Origin is u's scheme, host and port, in lower case and with the
// scheme's default port written out ("https://api.example:443").
func Origin(u *url.URL) string {
	if u == nil {
		return ""
	}
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// RedirectError is a redirect a broker call refused to follow: it pointed
// away from the origin the call was made to.
type RedirectError struct {
	// From answered with the redirect; To is where it pointed.
	From, To *url.URL
}

// Error names both places in a phrase: "127.0.0.1:8080 redirected the
// call to another address, evil.example:443, where tokentray sends no
// credentials".
func (e *RedirectError) Error() string { return e.Message().String() }

// Message is the phrase as data.
func (e *RedirectError) Message() msg.Message {
	from, to := hostPort(e.From), hostPort(e.To)
	if from == to { // only the scheme differs
		from, to = Origin(e.From), Origin(e.To)
	}
	return msg.New("auth.redirected_away", "From", from, "To", to)
}

// hostPort is u's host and port, the scheme's default port written out.
func hostPort(u *url.URL) string {
	o := Origin(u)
	_, hp, _ := strings.Cut(o, "://")
	return hp
}
