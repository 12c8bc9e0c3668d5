// Package futusimtest is the user's browser as tests of the Futu
// sandbox's OAuth login play it: it reads the sandbox's authorize page,
// presses Approve or Deny and follows the redirect. Only tests link it;
// no shipped program does.
package futusimtest

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Browser stands in for the user's browser in tests of the Futu
// sandbox (auth/sandbox/futusim): Open loads the
// authorize page, presses Approve or Deny, and follows the redirect to
// the app's loopback callback over real HTTP. It completes the whole
// flow before returning, so the callback server must already listen.
type Browser struct {
	// Approve presses Approve; false presses Deny.
	Approve bool
	// Client makes the requests; nil means a client with a 10 s timeout.
	Client *http.Client
}

var (
	formRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<form[^>]*\baction="([^"]*)"[^>]*>(.*?)</form>`)
	})
	requestRe = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?is)<input[^>]*\bname="request"[^>]*\bvalue="([^"]*)"`)
	})
)

// Open follows url as a user would. It fails when the sandbox page is
// not an authorize page or the callback cannot be reached; what the
// callback answers is the app's business, as in a real browser.
func (b Browser) Open(rawURL string) error {
	c := b.client()
	to, err := b.Landing(rawURL)
	if err != nil {
		return err
	}
	resp, err := c.Get(to)
	if err != nil {
		return fmt.Errorf("sandbox browser: open callback: %w", err)
	}
	_, err = readAll(resp)
	return err
}

func (b Browser) client() *http.Client {
	base := b.Client
	if base == nil {
		base = &http.Client{Timeout: 10 * time.Second}
	}
	// Redirects are followed by hand, so each hop can be checked.
	c := *base
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

// Landing does what Open does but stops where the browser would land:
// it returns the app's callback address with the code (or the error)
// without visiting it, as a browser on another device shows it.
func (b Browser) Landing(rawURL string) (string, error) {
	c := b.client()
	resp, err := c.Get(rawURL)
	if err != nil {
		return "", fmt.Errorf("sandbox browser: open authorize page: %w", err)
	}
	page, err := readAll(resp)
	if err != nil {
		return "", fmt.Errorf("sandbox browser: read authorize page: %w", err)
	}
	if loc := resp.Header.Get("Location"); isRedirect(resp.StatusCode) && loc != "" {
		// The server sent an error straight back to the app.
		return resolve(resp.Request.URL, loc)
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("sandbox browser: the authorize page answered %s: %s", resp.Status, pageText(page))
	}
	m := formRe().FindStringSubmatch(page)
	if m == nil {
		return "", errors.New("sandbox browser: the authorize page has no form")
	}
	rm := requestRe().FindStringSubmatch(m[2])
	if rm == nil {
		return "", errors.New("sandbox browser: the authorize form has no request field")
	}
	action, err := resp.Request.URL.Parse(html.UnescapeString(m[1]))
	if err != nil {
		return "", fmt.Errorf("sandbox browser: bad form action: %w", err)
	}
	decision := "deny"
	if b.Approve {
		decision = "approve"
	}
	resp, err = c.PostForm(action.String(), url.Values{
		"request": {html.UnescapeString(rm[1])}, "decision": {decision},
	})
	if err != nil {
		return "", fmt.Errorf("sandbox browser: submit decision: %w", err)
	}
	page, err = readAll(resp)
	if err != nil {
		return "", fmt.Errorf("sandbox browser: read decision answer: %w", err)
	}
	loc := resp.Header.Get("Location")
	if !isRedirect(resp.StatusCode) || loc == "" {
		return "", fmt.Errorf("sandbox browser: the decision answered %s instead of a redirect: %s", resp.Status, pageText(page))
	}
	return resolve(resp.Request.URL, loc)
}

func resolve(from *url.URL, loc string) (string, error) {
	u, err := from.Parse(loc)
	if err != nil {
		return "", fmt.Errorf("sandbox browser: bad redirect: %w", err)
	}
	return u.String(), nil
}

func isRedirect(code int) bool { return code >= 300 && code < 400 }

// maxBody bounds a page read, as the sandbox bounds what it reads.
const maxBody = 1 << 20

func readAll(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	return string(b), err
}

var tagRe = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?s)<[^>]*>`) })

// pageText is a short plain-text excerpt of an HTML page for errors.
func pageText(page string) string {
	t := strings.Join(strings.Fields(html.UnescapeString(tagRe().ReplaceAllString(page, " "))), " ")
	if len(t) > 200 {
		t = t[:200] + "…"
	}
	return t
}
