// Package fault injects failures into the sandbox brokers' endpoints, so
// tests and the admin page can show how tokentray behaves when a broker
// is slow, down, or answers nonsense.
package fault

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jonboulle/clockwork"
)

// Rule is what goes wrong at one endpoint. The zero Rule does nothing.
type Rule struct {
	// Latency delays the answer (on the injector's clock, so a fake clock
	// can skip it).
	Latency time.Duration `json:"latency,omitempty"`
	// Status answers with this HTTP status and a short plain-text body
	// instead of calling the handler (500, 503, ...).
	Status int `json:"status,omitempty"`
	// Malformed answers 200 with a body that is not valid JSON.
	Malformed bool `json:"malformed,omitempty"`
	// Reset closes the connection without an answer.
	Reset bool `json:"reset,omitempty"`
	// Redirect answers 307 Temporary Redirect to this origin
	// ("http://127.0.0.1:8080") with the request's path and query: a 307
	// asks the client to send the same body and headers there.
	Redirect string `json:"redirect,omitempty"`
	// Times limits the rule to the next N requests; 0 means until cleared.
	Times int `json:"times,omitempty"`
}

func (r Rule) empty() bool {
	return r.Latency == 0 && r.Status == 0 && !r.Malformed && !r.Reset && r.Redirect == ""
}

// Injector holds the rules, keyed by URL path ("/oauth2/token").
type Injector struct {
	mu    sync.Mutex
	clock clockwork.Clock
	rules map[string]Rule

	// For the HTML page: the server's endpoint paths and a link home.
	known               []string
	backHref, backLabel string
}

// New returns an injector with no rules. A nil clock means the wall clock.
func New(clock clockwork.Clock) *Injector {
	if clock == nil {
		clock = clockwork.NewRealClock()
	}
	return &Injector{clock: clock, rules: map[string]Rule{}}
}

// Set installs r for path, replacing any rule there; an empty rule clears it.
func (in *Injector) Set(path string, r Rule) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if r.empty() {
		delete(in.rules, path)
		return
	}
	in.rules[path] = r
}

// Clear removes every rule.
func (in *Injector) Clear() {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.rules = map[string]Rule{}
}

// Rules returns a copy of the current rules.
func (in *Injector) Rules() map[string]Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make(map[string]Rule, len(in.rules))
	for k, v := range in.rules {
		out[k] = v
	}
	return out
}

// Paths returns the paths with a rule, sorted.
func (in *Injector) Paths() []string {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := make([]string, 0, len(in.rules))
	for k := range in.rules {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// take returns the rule for path and counts one use of it.
func (in *Injector) take(path string) (Rule, bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	r, ok := in.rules[path]
	if !ok {
		return Rule{}, false
	}
	if r.Times > 0 {
		r.Times--
		if r.Times == 0 {
			delete(in.rules, path)
		} else {
			in.rules[path] = r
		}
		r.Times = 1
	}
	return r, true
}

// Wrap applies the rule for the request's path, if any, before next.
func (in *Injector) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r, ok := in.take(req.URL.Path)
		if !ok {
			next.ServeHTTP(w, req)
			return
		}
		if r.Latency > 0 {
			select {
			case <-in.clock.After(r.Latency):
			case <-req.Context().Done():
				return
			}
		}
		switch {
		case r.Reset:
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					if tc, ok := conn.(interface{ SetLinger(int) error }); ok {
						_ = tc.SetLinger(0) // RST instead of FIN
					}
					_ = conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		case r.Redirect != "":
			http.Redirect(w, req, strings.TrimSuffix(r.Redirect, "/")+req.URL.RequestURI(), http.StatusTemporaryRedirect)
		case r.Status != 0:
			http.Error(w, http.StatusText(r.Status)+" (sandbox fault)", r.Status)
		case r.Malformed:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"this is": not json`))
		default:
			next.ServeHTTP(w, req)
		}
	})
}

// ServeHTTP is the admin API. As JSON: GET lists the rules; PUT/POST with
// {"path": "...", "rule": {...}} sets one; DELETE clears all. A browser
// (GET accepting text/html) gets a page whose forms POST back here.
func (in *Injector) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	// Only pages of the sandbox itself may change faults: a web page on
	// another origin must not be able to break the sandbox from a browser.
	if !SameOrigin(req) {
		http.Error(w, "fault rules can only be changed from the sandbox's own pages", http.StatusForbidden)
		return
	}
	switch req.Method {
	case http.MethodGet:
		if wantsHTML(req) {
			in.renderPage(w, http.StatusOK, "", nil)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(in.Rules())
	case http.MethodPut, http.MethodPost:
		raw, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxAdminBody))
		if err != nil {
			http.Error(w, "the request body could not be read or is too large", http.StatusBadRequest)
			return
		}
		if isForm(req, raw) {
			in.serveForm(w, req, raw)
			return
		}
		var body struct {
			Path string `json:"path"`
			Rule struct {
				Rule
				// Latency may also be given as a duration string ("2s").
				Latency json.RawMessage `json:"latency,omitempty"`
			} `json:"rule"`
		}
		if err := json.NewDecoder(bytes.NewReader(raw)).Decode(&body); err != nil || body.Path == "" {
			http.Error(w, `send {"path": "/endpoint", "rule": {...}}`, http.StatusBadRequest)
			return
		}
		rule := body.Rule.Rule
		lat, err := parseLatency(body.Rule.Latency)
		if err != nil {
			http.Error(w, `latency is a duration such as "2s" or a number of nanoseconds`, http.StatusBadRequest)
			return
		}
		rule.Latency = lat
		in.Set(body.Path, rule)
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		in.Clear()
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "use GET, PUT or DELETE", http.StatusMethodNotAllowed)
	}
}

func parseLatency(raw json.RawMessage) (time.Duration, error) {
	if len(raw) == 0 {
		return 0, nil
	}
	var ns int64
	if err := json.Unmarshal(raw, &ns); err == nil {
		return time.Duration(ns), nil
	}
	var str string
	if err := json.Unmarshal(raw, &str); err != nil {
		return 0, err
	}
	return time.ParseDuration(str)
}
