package webullsim

import (
	"crypto/subtle"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"tokentray/auth/sandbox/fault"
)

// phoneTemplate draws a phone screen: the SMS with the code, the Webull
// app's OpenAPI notification with the seed's steps, and a token list.
// html/template escapes every value.
var phoneTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("phone").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Webull sandbox: phone</title>
<style>
body { margin: 0; background: #e8ebf0; font-family: -apple-system, "Segoe UI", Roboto, sans-serif; }
.phone { width: 360px; min-height: 720px; margin: 24px auto; background: #111; border-radius: 44px; padding: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.3); }
.screen { background: #f7f8fa; border-radius: 32px; min-height: 700px; overflow: hidden; }
.statusbar { display: flex; justify-content: space-between; padding: 10px 22px 4px; font-size: 13px; font-weight: 600; }
.notch { width: 120px; height: 22px; background: #111; border-radius: 0 0 14px 14px; margin: -10px auto 0; }
h1 { font-size: 20px; margin: 10px 18px; }
h2 { font-size: 14px; color: #667; margin: 18px 18px 6px; text-transform: uppercase; letter-spacing: .05em; }
.sms { background: #e5e5ea; border-radius: 18px; margin: 8px 18px; padding: 10px 14px; font-size: 14px; }
.sms .from { font-size: 12px; color: #667; }
.code { font-family: ui-monospace, monospace; font-size: 22px; letter-spacing: .15em; font-weight: 700; }
.card { background: #fff; border-radius: 14px; margin: 8px 18px; padding: 12px 14px; box-shadow: 0 1px 3px rgba(0,0,0,.08); font-size: 14px; }
ol { margin: 6px 0 0 0; padding-left: 20px; font-size: 13px; color: #334; }
summary { cursor: pointer; color: #0a6cff; font-weight: 600; margin-top: 8px; }
input[name=code] { font-size: 20px; letter-spacing: .2em; width: 8em; padding: 6px; margin: 8px 0; }
button { background: #0a6cff; color: #fff; border: 0; border-radius: 10px; padding: 8px 22px; font-size: 15px; }
.error { background: #ffe3e3; color: #a00; }
.notice { background: #e3f7e8; color: #075; }
table { width: 100%; border-collapse: collapse; font-size: 12px; }
td, th { text-align: left; padding: 4px 2px; border-bottom: 1px solid #eee; }
.st { font-weight: 700; }
.PENDING { color: #b26b00; } .NORMAL { color: #087a2a; } .EXPIRED, .INVALID { color: #b00; }
.muted { color: #889; font-size: 12px; }
.controls { width: 560px; margin: 0 auto 32px; background: #fff; border: 2px dashed #99a; border-radius: 8px; padding: 12px 18px; font-size: 14px; }
.controls h2 { margin: 4px 0 8px; }
.controls form { margin: 8px 0; }
.controls button { padding: 4px 12px; font-size: 13px; border-radius: 6px; }
.controls input[name=seconds] { width: 6em; }
</style>
</head>
<body>
<div class="phone"><div class="screen">
<div class="notch"></div>
<div class="statusbar"><span>{{.Clock}}</span><span>Webull sandbox</span></div>
<h1>Messages <a href="/sandbox/phone" style="font-size: 13px; float: right; font-weight: 400;">check again</a></h1>
{{if .Error}}<div class="card error" role="alert">{{.Error}}</div>{{end}}
{{if .Notice}}<div class="card notice" role="status">{{.Notice}}</div>{{end}}
{{range .Pending}}
<div class="sms" data-token="{{.Token}}">
<div class="from">SMS from Webull · now</div>
[Webull] Your OpenAPI verification code is <span class="code">{{.Code}}</span>. It is valid for 5 minutes. Do not share it.
</div>
{{else}}
<div class="card muted">No verification codes waiting. Create a token, then <a href="/sandbox/phone">check again</a>.</div>
{{end}}

<h2>Webull app · OpenAPI Notifications</h2>
<div class="card">
How to verify:
<ol>
<li>Go to Menu → Messages → OpenAPI Notifications and tap the latest verification message.</li>
<li>Tap Check Now to begin verification.</li>
<li>Enter the SMS verification code and tap Confirm.</li>
</ol>
</div>
{{range .Pending}}
<div class="card">
<b>OpenAPI token verification</b><br>
<span class="muted">app {{.App}} · token {{.Short}} · {{.Left}} left</span>
<details{{if .Open}} open{{end}}>
<summary>Check Now</summary>
<form method="post" action="/sandbox/phone/verify">
<input type="hidden" name="token" value="{{.Token}}">
<label>SMS verification code<br>
<input name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" pattern="[0-9]{6}" required></label><br>
<button type="submit">Confirm</button>
</form>
</details>
</div>
{{end}}

<h2>Tokens</h2>
<div class="card">
{{if .Tokens}}
<table>
<tr><th>token</th><th>app</th><th>status</th><th>expires (UTC)</th><th>last used</th></tr>
{{range .Tokens}}<tr><td>{{.Short}}</td><td>{{.App}}</td><td class="st {{.Status}}">{{.Status}}</td><td>{{.Expires}}</td><td>{{.LastUsed}}</td></tr>
{{end}}
</table>
{{else}}<span class="muted">No tokens yet.</span>{{end}}
</div>
{{if .BaseURL}}<p class="muted" style="margin: 12px 18px;">API: {{.BaseURL}}</p>{{end}}
</div></div>

<section class="controls" aria-label="Sandbox controls">
<h2>Sandbox controls</h2>
<p class="muted">These are not part of the phone: they change how the simulated broker behaves.</p>
{{if .ControlError}}<div class="card error" role="alert">{{.ControlError}}</div>{{end}}
{{with .NewApp}}<div class="card notice" role="status">
<b>App registered{{if .TestEnv}} (test environment){{end}}{{if .NoTwoFactor}} (2FA off: no token needed){{end}}.</b> These are sandbox-only values, accepted by this simulated broker and nowhere else.
The secret is shown this once: copy it now.
<table><tr><th>App Key</th><td><code>{{.AppKey}}</code></td></tr>
<tr><th>App Secret</th><td><code>{{.Secret}}</code></td></tr></table>
Add it to tokentray (rename <code>webull-sandbox</code> as you like):
<pre style="white-space: pre-wrap; word-break: break-all;">{{.Command}}</pre></div>{{end}}
<form method="post" action="/sandbox/controls/apps">
<b>Register an app</b>
<label><input type="checkbox" name="test_env" value="1"> test environment (tokens are NORMAL at once, no SMS code)</label>
<label><input type="checkbox" name="no_2fa" value="1"> 2FA off (the app key signs alone; /openapi/config says no token is needed)</label>
<button type="submit">Register an app</button>
</form>
<form method="post" action="/sandbox/controls/skew">
Server clock {{.ServerTime}} UTC, skew {{.Skew}}.
<label>Skew (seconds) <input name="seconds" inputmode="numeric" value="{{.SkewSeconds}}"></label>
<button type="submit">Set skew</button>
</form>
<form method="post" action="/sandbox/controls/renew-new-token">
<input type="hidden" name="on" value="{{if .RenewNew}}0{{else}}1{{end}}">
Refresh {{if .RenewNew}}issues a <b>new token</b> and invalidates the old one{{else}}extends the <b>same token</b>{{end}}.
<button type="submit">{{if .RenewNew}}Keep the same token on refresh{{else}}Issue a new token on refresh{{end}}</button>
</form>
<div>Invalidate a token (as after 15 days without use, or a revoke):
{{if .Live}}<table>
<tr><th>token</th><th>app</th><th>status</th><th></th></tr>
{{range .Live}}<tr><td>{{.Short}}</td><td>{{.App}}</td><td class="st {{.Status}}">{{.Status}}</td>
<td><form method="post" action="/sandbox/controls/invalidate" style="margin: 0"><input type="hidden" name="token" value="{{.Token}}"><button type="submit">Invalidate</button></form></td></tr>
{{end}}</table>{{else}}<span class="muted">no PENDING or NORMAL token.</span>{{end}}
</div>
<p><a href="/sandbox/faults">Faults</a>: latency, HTTP 500/503, malformed JSON or a connection reset on an API endpoint.</p>
</section>
</body>
</html>
`))
})

type phonePending struct {
	Token, Short, App, Code, Left string
	Open                          bool
}

type phoneToken struct {
	Short, App, Status, Expires, LastUsed string
}

// liveToken is a token the controls can invalidate.
type liveToken struct {
	Token, Short, App, Status string
}

type phoneData struct {
	Clock, BaseURL, Error, Notice string
	Pending                       []phonePending
	Tokens                        []phoneToken

	ServerTime, Skew, ControlError string
	SkewSeconds                    int64
	RenewNew                       bool
	Live                           []liveToken
	NewApp                         *newApp
}

// maxSkew bounds the skew control; more is a typo, not a test.
const maxSkew = 10 * 365 * 24 * time.Hour

func (s *Server) phonePage(w http.ResponseWriter, r *http.Request) {
	notice := ""
	if v := r.URL.Query().Get("verified"); v != "" {
		notice = "Confirmed. Token " + v + " is now NORMAL."
	}
	data := phoneData{Notice: notice}
	if id := r.URL.Query().Get("created"); id != "" {
		if a, ok := s.newApps.Take(id, s.clock.Now()); ok {
			data.NewApp = &a
		}
	}
	s.render(w, http.StatusOK, data, "")
}

// phoneForm parses a POST from the phone page, refusing one sent by a
// page of another origin (any web page can post to loopback).
func (s *Server) phoneForm(w http.ResponseWriter, r *http.Request) bool {
	if !fault.SameOrigin(r) {
		http.Error(w, "cross-origin requests to the sandbox phone are refused", http.StatusForbidden)
		return false
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		s.renderPhone(w, http.StatusBadRequest, "Could not read the form: try again.", "", "")
		return false
	}
	return true
}

func (s *Server) phoneVerify(w http.ResponseWriter, r *http.Request) {
	if !s.phoneForm(w, r) {
		return
	}
	value, code := r.PostForm.Get("token"), r.PostForm.Get("code")
	if err := s.Verify(value, code); err != nil {
		s.renderPhone(w, http.StatusBadRequest, fmt.Sprintf("Token %s: %v", short(value), err), "", value)
		return
	}
	// Redirect after POST so a reload does not submit the code again.
	http.Redirect(w, r, "/sandbox/phone?verified="+url.QueryEscape(short(value)), http.StatusSeeOther)
}

// backToPhone answers a control POST; redirecting means a reload does not post again.
func backToPhone(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/sandbox/phone", http.StatusSeeOther)
}

func (s *Server) controlSkew(w http.ResponseWriter, r *http.Request) {
	if !s.phoneForm(w, r) {
		return
	}
	sec, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("seconds")), 10, 64)
	if err != nil || time.Duration(sec) > maxSkew/time.Second || time.Duration(sec) < -maxSkew/time.Second {
		s.renderControlError(w, http.StatusBadRequest, "Skew must be a whole number of seconds, such as -400.")
		return
	}
	s.SetSkew(time.Duration(sec) * time.Second)
	backToPhone(w, r)
}

func (s *Server) controlInvalidate(w http.ResponseWriter, r *http.Request) {
	if !s.phoneForm(w, r) {
		return
	}
	value := r.PostForm.Get("token")
	if _, ok := s.Token(value); !ok {
		s.renderControlError(w, http.StatusNotFound, "No such token: reload the page and pick one from the list.")
		return
	}
	s.Invalidate(value)
	backToPhone(w, r)
}

func (s *Server) controlRenewNew(w http.ResponseWriter, r *http.Request) {
	if !s.phoneForm(w, r) {
		return
	}
	s.SetRenewNewToken(r.PostForm.Get("on") == "1")
	backToPhone(w, r)
}

func (s *Server) renderControlError(w http.ResponseWriter, status int, msg string) {
	s.render(w, status, phoneData{ControlError: msg}, "")
}

func (s *Server) renderPhone(w http.ResponseWriter, status int, errMsg, notice, openToken string) {
	s.render(w, status, phoneData{Error: errMsg, Notice: notice}, openToken)
}

func (s *Server) render(w http.ResponseWriter, status int, data phoneData, openToken string) {
	s.mu.Lock()
	now := s.nowLocked()
	data.Clock, data.BaseURL = now.UTC().Format("15:04"), s.baseURL
	data.ServerTime, data.Skew, data.SkewSeconds = now.UTC().Format("2006-01-02 15:04:05"), s.skew.String(), int64(s.skew/time.Second)
	data.RenewNew = s.renewNew
	var infos []TokenInfo
	codes := map[string]string{}
	for _, t := range s.tokens {
		infos = append(infos, t.info(now))
		codes[t.value] = t.code
	}
	s.mu.Unlock()
	sortTokens(infos)
	for _, ti := range infos {
		if ti.Status == StatusPending {
			left := ti.Expires.Sub(now).Truncate(time.Second)
			data.Pending = append(data.Pending, phonePending{
				Token: ti.Token, Short: short(ti.Token), App: short(ti.AppKey), Code: codes[ti.Token],
				Left: fmt.Sprintf("%d:%02d", int(left.Minutes()), int(left.Seconds())%60),
				Open: ti.Token == openToken,
			})
		}
		if ti.Status == StatusPending || ti.Status == StatusNormal {
			data.Live = append(data.Live, liveToken{Token: ti.Token, Short: short(ti.Token), App: short(ti.AppKey), Status: string(ti.Status)})
		}
		data.Tokens = append(data.Tokens, phoneToken{
			Short: short(ti.Token), App: short(ti.AppKey), Status: string(ti.Status),
			Expires: ti.Expires.UTC().Format("2006-01-02 15:04"), LastUsed: ti.LastUsed.UTC().Format("01-02 15:04"),
		})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = phoneTemplate().Execute(w, data)
}

// short shows enough of a token or key to tell them apart, not to use them.
func short(v string) string {
	if len(v) <= 8 {
		return v
	}
	return v[:8] + "…"
}

func sortTokens(ts []TokenInfo) {
	sort.Slice(ts, func(i, j int) bool {
		if !ts[i].Created.Equal(ts[j].Created) {
			return ts[i].Created.After(ts[j].Created)
		}
		return ts[i].Token < ts[j].Token
	})
}

func equalConstantTime(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
