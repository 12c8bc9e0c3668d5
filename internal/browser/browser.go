// Package browser opens a web address in the user's browser without
// putting the address on any process's command line, where every local
// user can read it (/proc/PID/cmdline): the address goes into a page
// only the user can read, in the user's runtime folder, and the browser
// is given that page, which forwards to the address.
package browser

import (
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
	pkgbrowser "github.com/pkg/browser"
)

// DefaultKeep is how long a forwarding page stays: as long as a login waits.
const DefaultKeep = 10 * time.Minute

// maxURL bounds the address a page forwards to.
const maxURL = 8 << 10

// Opener opens addresses through a forwarding page. The zero value is
// not usable; New returns one wired to the real world.
type Opener struct {
	// Getenv reads $BROWSER, $XDG_RUNTIME_DIR, $XDG_CACHE_HOME and $HOME.
	Getenv func(string) string
	// Start starts a browser command without waiting for it to end.
	Start func(name string, args ...string) error
	// OpenFile asks the desktop to show a local file (xdg-open, open).
	OpenFile func(path string) error
	// Clock times the removal of pages.
	Clock clockwork.Clock
	// Keep is how long a page stays before it is removed.
	Keep time.Duration

	mu      sync.Mutex
	tempDir string // the private folder used when there is no runtime dir
	pages   map[string]*pages
}

// pages are the forwarding pages written for one address, and whether
// the address was discarded while an Open of it was still under way.
type pages struct {
	paths     []string
	opening   int
	discarded bool
}

// New returns an Opener that honours $BROWSER and otherwise asks the
// desktop (xdg-open, open, start) to show the page.
func New() *Opener {
	return &Opener{
		Getenv:   os.Getenv,
		Start:    start,
		OpenFile: openFile,
		Clock:    clockwork.NewRealClock(),
		Keep:     DefaultKeep,
	}
}

var quiet sync.Once

func openFile(path string) error {
	// xdg-open and friends chatter on stdout, which belongs to the command line.
	quiet.Do(func() { pkgbrowser.Stdout, pkgbrowser.Stderr = io.Discard, io.Discard })
	return pkgbrowser.OpenFile(path)
}

func start(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, nil, nil
	if err := cmd.Start(); err != nil {
		return err
	}
	go func() { _ = cmd.Wait() }()
	return nil
}

// Open shows rawURL in the browser. Errors never contain the address.
func (o *Opener) Open(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(rawURL) > maxURL {
		return errors.New("browser: only an http or https address can be opened")
	}
	dir, err := o.pageDir()
	if err != nil {
		return err
	}
	o.sweep(dir)
	ps := o.opening(rawURL)
	defer o.opened(rawURL, ps)
	path, err := writePage(dir, u.String())
	if err != nil {
		return err
	}
	o.mu.Lock()
	ps.paths = append(ps.paths, path)
	o.mu.Unlock()
	keep := o.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	o.Clock.AfterFunc(keep, func() { o.Discard(rawURL) })
	if err := o.launch(path); err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

// Discard removes the pages that forward to rawURL, once the address is
// of no more use (the login it belongs to ended, however it ended); an
// Open of it still under way removes its page as it returns. Pages left
// by a process that was killed are swept by the next Open after Keep.
func (o *Opener) Discard(rawURL string) {
	o.mu.Lock()
	ps := o.pages[rawURL]
	var gone []string
	if ps != nil {
		gone, ps.paths = ps.paths, nil
		if ps.opening > 0 {
			ps.discarded = true
		} else {
			delete(o.pages, rawURL)
		}
	}
	o.mu.Unlock()
	for _, p := range gone {
		_ = os.Remove(p)
	}
}

// opening counts an Open of rawURL under way.
func (o *Opener) opening(rawURL string) *pages {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.pages == nil {
		o.pages = map[string]*pages{}
	}
	ps := o.pages[rawURL]
	if ps == nil {
		ps = &pages{}
		o.pages[rawURL] = ps
	}
	ps.opening++
	return ps
}

// opened ends an Open of rawURL; if the address was discarded meanwhile,
// its pages go now.
func (o *Opener) opened(rawURL string, ps *pages) {
	o.mu.Lock()
	ps.opening--
	discard := ps.discarded && ps.opening == 0
	o.mu.Unlock()
	if discard {
		o.Discard(rawURL)
	}
}

// launch gives the page to $BROWSER (a colon-separated list of commands,
// %s standing for the page, as xdg-utils reads it), else to the desktop.
func (o *Opener) launch(path string) error {
	if list := strings.TrimSpace(o.Getenv("BROWSER")); list != "" {
		var errs []error
		for _, entry := range strings.Split(list, ":") {
			args := strings.Fields(entry)
			if len(args) == 0 {
				continue
			}
			substituted := false
			for i, a := range args {
				if strings.Contains(a, "%s") {
					args[i], substituted = strings.ReplaceAll(a, "%s", path), true
				}
			}
			if !substituted {
				args = append(args, path)
			}
			err := o.Start(args[0], args[1:]...)
			if err == nil {
				return nil
			}
			errs = append(errs, fmt.Errorf("%s: %w", args[0], err))
		}
		return fmt.Errorf("browser: no command in $BROWSER could be started (%w)", errors.Join(errs...))
	}
	if err := o.OpenFile(path); err != nil {
		return fmt.Errorf("browser: the desktop could not open a browser (%w)", err)
	}
	return nil
}

// pageDir is <runtime dir>/tokentray (mode 0700); without a runtime dir,
// tokentray/open in the user's cache folder, the same for every process
// so the next one sweeps the pages of one that ended; and only when
// neither can be used, a private temporary folder.
func (o *Opener) pageDir() (string, error) {
	if rt := o.Getenv("XDG_RUNTIME_DIR"); rt != "" && filepath.IsAbs(rt) {
		dir := filepath.Join(rt, "tokentray")
		if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("browser: cannot make a private folder in the runtime dir: %w", err)
		}
		if err := private(dir); err != nil {
			return "", err
		}
		return dir, nil
	}
	if cache := o.cacheDir(); cache != "" {
		dir := filepath.Join(cache, "tokentray", "open")
		if err := os.MkdirAll(dir, 0o700); err == nil && private(dir) == nil {
			return dir, nil
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.tempDir != "" && private(o.tempDir) == nil {
		return o.tempDir, nil
	}
	dir, err := os.MkdirTemp("", "tokentray-") // 0700
	if err != nil {
		return "", fmt.Errorf("browser: cannot make a private folder: %w", err)
	}
	o.tempDir = dir
	return dir, nil
}

// cacheDir is $XDG_CACHE_HOME, else ~/.cache, or "" when neither is known.
func (o *Opener) cacheDir() string {
	if c := o.Getenv("XDG_CACHE_HOME"); c != "" && filepath.IsAbs(c) {
		return c
	}
	if h := o.Getenv("HOME"); h != "" && filepath.IsAbs(h) {
		return filepath.Join(h, ".cache")
	}
	return ""
}

// private refuses a folder that is a link, that others can enter or
// that another user owns.
func private(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("browser: %w", err)
	}
	if !fi.IsDir() || fi.Mode().Perm()&0o077 != 0 || !ownedByMe(fi) {
		return fmt.Errorf("browser: %s is not a private folder (it must be a folder only you own and can open, mode 0700)", dir)
	}
	return nil
}

// sweep removes pages left by an earlier process.
func (o *Opener) sweep(dir string) {
	keep := o.Keep
	if keep <= 0 {
		keep = DefaultKeep
	}
	old, _ := filepath.Glob(filepath.Join(dir, "open-*.html"))
	for _, p := range old {
		if fi, err := os.Stat(p); err == nil && o.Clock.Since(fi.ModTime()) > keep {
			_ = os.Remove(p)
		}
	}
}

// writePage writes a page, readable only by the user, that forwards to target.
func writePage(dir, target string) (string, error) {
	f, err := os.CreateTemp(dir, "open-*.html") // 0600
	if err != nil {
		return "", fmt.Errorf("browser: cannot write the page: %w", err)
	}
	a := html.EscapeString(target)
	_, err = fmt.Fprintf(f, `<!doctype html>
<html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer">
<meta http-equiv="refresh" content="0;url=%[1]s"><title>tokentray: opening the page</title></head>
<body style="font-family: sans-serif; margin: 3em"><p>Opening <a href="%[1]s">the page</a>...</p></body></html>
`, a)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err != nil {
		_ = os.Remove(f.Name())
		return "", fmt.Errorf("browser: cannot write the page: %w", err)
	}
	return f.Name(), nil
}
