// Package sandboxaddr is where the sandbox brokers running for a profile
// say they listen: a small record in the sandbox profile's folder. It
// lets every process of that profile find them without linking the
// simulated brokers themselves.
package sandboxaddr

import (
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
)

// File, in the sandbox profile's folder, tells other tokentray processes
// where the running sandbox brokers listen, so credentials added there
// without an endpoint go to the sandbox, never to a real broker.
const File = "sandbox-brokers.json"

type record struct {
	Futu   string `json:"futu"`
	Webull string `json:"webull"`
}

// ErrNotRunning is returned by Running when no sandbox serves dir.
var ErrNotRunning = errors.New("the sandbox brokers are not running for this profile")

// Write records the brokers' addresses in dir until the returned
// function is called (it removes the record if it is still this one).
func Write(dir, futuURL, webullURL string) (func(), error) {
	b, err := json.Marshal(record{Futu: futuURL, Webull: webullURL})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, File)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, b, 0o600); err != nil {
		return nil, err
	}
	return func() {
		if cur, err := auth.ReadRegular(path, 64<<10); err == nil && string(cur) == string(b) {
			_ = os.Remove(path)
		}
	}, nil
}

// Running returns the addresses of the sandbox brokers serving the
// profile in dir, when they are running and answer.
func Running(dir string) (futuURL, webullURL string, err error) {
	b, err := auth.ReadRegular(filepath.Join(dir, File), 64<<10)
	if err != nil {
		return "", "", ErrNotRunning
	}
	var r record
	if json.Unmarshal(b, &r) != nil || !answers(r.Futu) || !answers(r.Webull) {
		return "", "", ErrNotRunning
	}
	return r.Futu, r.Webull, nil
}

// Phone is the sandbox phone, where the Webull sandbox at webullURL
// sends its SMS codes.
func Phone(webullURL string) string { return webullURL + "/sandbox/phone" }

func answers(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return false
	}
	c, err := net.DialTimeout("tcp", u.Host, 500*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
