package futusim

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"tokentray/auth/sandbox/fault"
)

var adminPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("admin").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Futu sandbox</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}form{display:inline}</style>
</head><body>
<h1>Futu sandbox</h1>
<p>Server time {{.Now}} (skew {{.Skew}}). Refresh token rotation: <strong>{{if .Rotate}}on{{else}}off{{end}}</strong>.</p>
<form method="post" action="/sandbox/rotate"><input type="hidden" name="on" value="{{if .Rotate}}0{{else}}1{{end}}">
<button>Turn rotation {{if .Rotate}}off{{else}}on{{end}}</button></form>
<form method="post" action="/sandbox/skew">Skew (seconds) <input name="seconds" size="6" value="{{.SkewSeconds}}"> <button>Set skew</button></form>

<h2>OAuth clients</h2>
{{if .Clients}}<table><tr><th>client_id</th><th>name</th><th>redirect URIs</th><th>registered</th><th>registration token</th><th>live tokens</th><th></th></tr>
{{range .Clients}}<tr><td><code>{{.ID}}</code></td><td>{{.Name}}</td><td>{{range .Redirects}}<code>{{.}}</code> {{end}}</td><td>{{.Issued}}</td><td><code>{{.RegToken}}</code></td><td>{{.Access}} access, {{.Refresh}} refresh</td>
<td><form method="post" action="/sandbox/revoke-client"><input type="hidden" name="client_id" value="{{.ID}}"><button>Sign out</button></form></td></tr>
{{end}}</table>{{else}}<p>No client registered yet.</p>{{end}}

<h2>Legacy API keys</h2>
{{with .NewKey}}<div role="status" style="background:#e3f7e8;padding:.6em 1em;margin:.6em 0">
<p><strong>New API key created.</strong> These are sandbox-only values, accepted by this simulated broker and nowhere else.
The secret and the token are shown this once: copy them now.</p>
<table><tr><th>App Key</th><td><code>{{.AppKey}}</code></td></tr>
<tr><th>App Secret</th><td><code>{{.Secret}}</code></td></tr>
<tr><th>Access Token</th><td><code>{{.Token}}</code></td></tr>
<tr><th>Expires</th><td>{{.Expires}}</td></tr></table>
<p>Add it to tokentray (rename <code>futu-sandbox</code> as you like):</p>
<pre style="white-space:pre-wrap;word-break:break-all">{{.Command}}</pre></div>{{end}}
<form method="post" action="/sandbox/keys/create"><strong>Create an API key</strong>
<label>valid for <input name="days" size="4" inputmode="numeric" value="90"> days</label> <button>Create an API key</button></form>
{{if .Keys}}<table><tr><th>app key</th><th>app secret</th><th>access token</th><th>expires</th><th>status</th><th></th></tr>
{{range .Keys}}<tr><td><code>{{.AppKey}}</code></td><td><code>{{.Secret}}</code></td><td><code>{{.Token}}</code></td><td>{{.Expires}}</td><td>{{.Status}}</td>
<td>{{if not .Revoked}}<form method="post" action="/sandbox/revoke-key"><input type="hidden" name="app_key" value="{{.AppKey}}"><button>Revoke</button></form>{{end}}</td></tr>
{{end}}</table>{{else}}<p>No API key yet.</p>{{end}}

<h2>Faults <a href="/sandbox/faults" style="font-size:60%;font-weight:400">change</a></h2>
{{if .Faults}}<ul>{{range $p, $r := .Faults}}<li><code>{{$p}}</code>: {{if $r.Latency}}latency {{$r.Latency}} {{end}}{{if $r.Status}}status {{$r.Status}} {{end}}{{if $r.Malformed}}malformed JSON {{end}}{{if $r.Reset}}connection reset {{end}}{{if $r.Times}}(next {{$r.Times}} requests){{end}}</li>{{end}}</ul>
{{else}}<p>No fault installed.</p>{{end}}
<p><a href="/sandbox/faults">Add or clear faults</a> (latency, HTTP 500/503, malformed JSON, connection reset).
Scripts can use the same URL as JSON: <code>curl -X PUT -d '{"path":"/oauth2/token","rule":{"status":500,"times":1}}' {{.Base}}/sandbox/faults</code>.</p>
</body></html>
`))
})

type adminClient struct {
	ID, Name, Issued, RegToken string
	Redirects                  []string
	Access, Refresh            int
}

type adminKey struct {
	AppKey, Secret, Token, Expires, Status string
	Revoked                                bool
}

func (s *Server) handleAdminPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	now := s.nowLocked()
	data := struct {
		Now, Skew, Base string
		SkewSeconds     int64
		Rotate          bool
		Clients         []adminClient
		Keys            []adminKey
		Faults          map[string]fault.Rule
		NewKey          *newKey
	}{
		Now:         now.UTC().Format(time.RFC3339),
		Skew:        s.skew.String(),
		SkewSeconds: int64(s.skew / time.Second),
		Rotate:      s.rotate,
		Faults:      s.faults.Rules(),
	}
	for _, id := range s.sortedClientsLocked() {
		c := s.clients[id]
		ac := adminClient{ID: c.ID, Name: c.Name, Issued: c.IssuedAt.UTC().Format(time.RFC3339),
			RegToken: mask(c.RegToken), Redirects: c.RedirectURIs}
		for _, t := range s.access {
			if t.ClientID == id && !now.After(t.ExpiresAt) {
				ac.Access++
			}
		}
		for _, t := range s.refresh {
			if t.ClientID == id && !now.After(t.ExpiresAt) {
				ac.Refresh++
			}
		}
		data.Clients = append(data.Clients, ac)
	}
	for _, appKey := range s.keyOrder {
		k := s.keys[appKey]
		status := "active"
		switch {
		case k.Revoked:
			status = "revoked"
		case now.After(k.ExpiresAt):
			status = "expired"
		}
		data.Keys = append(data.Keys, adminKey{AppKey: k.AppKey, Secret: mask(k.Secret), Token: mask(k.Token),
			Expires: k.ExpiresAt.UTC().Format(time.RFC3339), Status: status, Revoked: k.Revoked})
	}
	s.mu.Unlock()
	if id := r.URL.Query().Get("created"); id != "" {
		if k, ok := s.newKeys.Take(id, s.clock.Now()); ok {
			data.NewKey = &k
		}
	}
	data.Base = s.base(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_ = adminPage().Execute(w, data)
}

// adminForm parses an admin POST, refusing one sent by a page from
// another origin (the sandbox listens on loopback, where any web page
// in the user's browser could otherwise post to it).
func adminForm(w http.ResponseWriter, r *http.Request) bool {
	if !sameOrigin(w, r) {
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form could not be read", http.StatusBadRequest)
		return false
	}
	return true
}

func sameOrigin(w http.ResponseWriter, r *http.Request) bool {
	if !fault.SameOrigin(r) {
		http.Error(w, "cross-origin requests to the sandbox admin are refused", http.StatusForbidden)
		return false
	}
	return true
}

func backToAdmin(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/sandbox/", http.StatusSeeOther)
}

func (s *Server) handleAdminRotate(w http.ResponseWriter, r *http.Request) {
	if !adminForm(w, r) {
		return
	}
	s.SetRotateRefresh(r.PostForm.Get("on") == "1")
	backToAdmin(w, r)
}

func (s *Server) handleAdminSkew(w http.ResponseWriter, r *http.Request) {
	if !adminForm(w, r) {
		return
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("seconds")), 10, 64)
	if err != nil || sec > 10*365*24*3600 || sec < -10*365*24*3600 {
		http.Error(w, "skew must be a whole number of seconds, such as -90", http.StatusBadRequest)
		return
	}
	s.SetSkew(time.Duration(sec) * time.Second)
	backToAdmin(w, r)
}

func (s *Server) handleAdminRevokeKey(w http.ResponseWriter, r *http.Request) {
	if !adminForm(w, r) {
		return
	}
	if !s.RevokeAPIKey(r.PostForm.Get("app_key")) {
		http.Error(w, "no such app key", http.StatusNotFound)
		return
	}
	backToAdmin(w, r)
}

func (s *Server) handleAdminRevokeClient(w http.ResponseWriter, r *http.Request) {
	if !adminForm(w, r) {
		return
	}
	s.RevokeRefreshTokens(r.PostForm.Get("client_id"))
	backToAdmin(w, r)
}
