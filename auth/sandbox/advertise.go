package sandbox

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

// brokersFile, in the sandbox profile's folder, tells other tokentray
// processes where the running sandbox brokers listen, so credentials
// added there without an endpoint go to the sandbox, never to a real
// broker.
const brokersFile = "sandbox-brokers.json"

type advert struct {
	Futu   string `json:"futu"`
	Webull string `json:"webull"`
}

// Advertise records this sandbox's addresses in dir until the returned
// function is called (it removes the record if it is still this one's).
func (sb *Sandbox) Advertise(dir string) (func(), error) {
	b, err := json.Marshal(advert{Futu: sb.FutuURL, Webull: sb.WebullURL})
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, brokersFile)
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

// ErrNotRunning is returned by Running when no sandbox serves dir.
var ErrNotRunning = errors.New("the sandbox brokers are not running for this profile")

// Running returns the addresses of the sandbox brokers serving the
// profile in dir, when they are running and answer.
func Running(dir string) (futuURL, webullURL string, err error) {
	b, err := auth.ReadRegular(filepath.Join(dir, brokersFile), 64<<10)
	if err != nil {
		return "", "", ErrNotRunning
	}
	var a advert
	if json.Unmarshal(b, &a) != nil || !answers(a.Futu) || !answers(a.Webull) {
		return "", "", ErrNotRunning
	}
	return a.Futu, a.Webull, nil
}

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
