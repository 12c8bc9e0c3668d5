package fault

import (
	"bytes"
	"errors"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxAdminBody caps an admin request body; a rule is a few dozen bytes.
const maxAdminBody = 64 << 10

// maxPathLen caps a rule's path, so a typo cannot fill the page.
const maxPathLen = 512

// SetPaths tells the injector which endpoint paths its server has, so the
// HTML page can offer them in a list. Paths are kept sorted.
func (in *Injector) SetPaths(paths []string) {
	p := append([]string(nil), paths...)
	sort.Strings(p)
	in.mu.Lock()
	defer in.mu.Unlock()
	in.known = p
}

// SetBackLink adds a link from the HTML page back to the server's own
// sandbox page (the Futu admin page, the Webull phone).
func (in *Injector) SetBackLink(href, label string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.backHref, in.backLabel = href, label
}

// SameOrigin reports whether a request may change sandbox state: a page
// of another origin (any web page open in the user's browser can post to
// loopback) may not. Requests without browser headers (curl, tests) pass.
func SameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && !strings.EqualFold(o, "http://"+r.Host) {
		return false
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
		return true
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

// wantsHTML is true for a browser loading the page.
func wantsHTML(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html")
}

// isForm is true for a POST of an HTML form. curl -d also labels a JSON
// body as a form, so a body that opens like a JSON object stays JSON.
func isForm(r *http.Request, body []byte) bool {
	if r.Method != http.MethodPost {
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "application/x-www-form-urlencoded" {
		return false
	}
	return !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))
}

// serveForm applies one submitted form: set a rule, remove one, or clear all.
func (in *Injector) serveForm(w http.ResponseWriter, req *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		in.renderPage(w, http.StatusBadRequest, "The form could not be read: reload the page and try again.", nil)
		return
	}
	switch form.Get("op") {
	case "clear":
		in.Clear()
	case "remove":
		in.Set(form.Get("path"), Rule{})
	case "set", "":
		path, rule, err := ruleFromForm(form)
		if err != nil {
			in.renderPage(w, http.StatusBadRequest, err.Error(), form)
			return
		}
		in.Set(path, rule)
	default:
		in.renderPage(w, http.StatusBadRequest, "Unknown action: reload the page and try again.", nil)
		return
	}
	// Redirect after POST, so reloading the page does not submit again.
	back := req.URL.Path
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, req, back, http.StatusSeeOther)
}

// ruleFromForm reads the "set a fault" form; errors are shown on the page.
func ruleFromForm(form url.Values) (string, Rule, error) {
	path := strings.TrimSpace(form.Get("path_other"))
	if path == "" {
		path = form.Get("path")
	}
	switch {
	case path == "":
		return "", Rule{}, errors.New("Choose an endpoint path or type one that starts with /.")
	case !strings.HasPrefix(path, "/") || len(path) > maxPathLen || strings.ContainsAny(path, "?# \t\r\n"):
		return "", Rule{}, errors.New("The path must start with / and have no spaces, query or fragment, such as /oauth2/token.")
	}
	var r Rule
	if s := strings.TrimSpace(form.Get("latency")); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return "", Rule{}, errors.New(`Latency must be a duration such as "2s" or "500ms".`)
		}
		r.Latency = d
	}
	if s := strings.TrimSpace(form.Get("status")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 400 || n > 599 {
			return "", Rule{}, errors.New("The status must be an HTTP error status such as 500 or 503.")
		}
		r.Status = n
	}
	r.Malformed = form.Get("malformed") != ""
	r.Reset = form.Get("reset") != ""
	if s := strings.TrimSpace(form.Get("times")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return "", Rule{}, errors.New("Times must be a whole number of requests, or 0 for until cleared.")
		}
		r.Times = n
	}
	if r.empty() {
		return "", Rule{}, errors.New("Choose at least one fault: latency, a status, malformed JSON or a connection reset.")
	}
	return path, r, nil
}

var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("faults").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sandbox faults</title>
<style>
body{font-family:sans-serif;margin:2em;max-width:60em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}
fieldset{margin:1em 0;padding:.8em 1em;border:1px solid #ccc}label{display:inline-block;margin:.3em 1em .3em 0}
.error{background:#ffe3e3;color:#a00;padding:.5em 1em}.muted{color:#667;font-size:90%}form.inline{display:inline}
</style></head><body>
{{if .BackHref}}<p><a href="{{.BackHref}}">← {{.BackLabel}}</a></p>{{end}}
<h1>Sandbox faults</h1>
<p class="muted">Faults apply to the API endpoints, never to the /sandbox pages. The same URL answers JSON to scripts.</p>
{{if .Error}}<p class="error" role="alert">{{.Error}}</p>{{end}}

<h2>Installed</h2>
{{if .Rules}}<table><tr><th>path</th><th>latency</th><th>status</th><th>malformed JSON</th><th>connection reset</th><th>remaining</th><th></th></tr>
{{range .Rules}}<tr><td><code>{{.Path}}</code></td><td>{{if .Rule.Latency}}{{.Rule.Latency}}{{end}}</td><td>{{if .Rule.Status}}{{.Rule.Status}}{{end}}</td>
<td>{{if .Rule.Malformed}}yes{{end}}</td><td>{{if .Rule.Reset}}yes{{end}}</td><td>{{if .Rule.Times}}next {{.Rule.Times}}{{else}}until cleared{{end}}</td>
<td><form class="inline" method="post"><input type="hidden" name="op" value="remove"><input type="hidden" name="path" value="{{.Path}}"><button>Remove</button></form></td></tr>
{{end}}</table>
<form method="post"><input type="hidden" name="op" value="clear"><button>Clear all faults</button></form>
{{else}}<p>No fault installed.</p>{{end}}

<h2>Add a fault</h2>
<form method="post"><input type="hidden" name="op" value="set">
<fieldset><legend>Endpoint</legend>
{{if .Known}}<label>Path <select name="path">{{range .Known}}<option value="{{.}}"{{if eq . $.Form.Path}} selected{{end}}>{{.}}</option>{{end}}</select></label>{{end}}
<label>{{if .Known}}or another path{{else}}Path{{end}} <input name="path_other" size="36" placeholder="/some/endpoint" value="{{.Form.Other}}"></label>
</fieldset>
<fieldset><legend>What goes wrong</legend>
<label>Added latency <input name="latency" size="8" placeholder="2s" value="{{.Form.Latency}}"></label>
<label>Answer <select name="status"><option value="">normally</option>{{range .Statuses}}<option value="{{.Code}}"{{if eq .Code $.Form.Status}} selected{{end}}>{{.Code}} {{.Text}}</option>{{end}}</select></label>
<label><input type="checkbox" name="malformed" value="1"{{if .Form.Malformed}} checked{{end}}> malformed JSON</label>
<label><input type="checkbox" name="reset" value="1"{{if .Form.Reset}} checked{{end}}> connection reset</label>
<label>For the next <input name="times" size="4" value="{{.Form.Times}}"> requests (empty or 0: until cleared)</label>
</fieldset>
<button>Install fault</button>
</form>
</body></html>
`))
})

type pageRule struct {
	Path string
	Rule Rule
}

type pageStatus struct {
	Code string
	Text string
}

// pageForm refills the form after an error, so nothing typed is lost.
type pageForm struct {
	Path, Other, Latency, Status, Times string
	Malformed, Reset                    bool
}

func (in *Injector) renderPage(w http.ResponseWriter, status int, errMsg string, form url.Values) {
	in.mu.Lock()
	known := append([]string(nil), in.known...)
	back, label := in.backHref, in.backLabel
	in.mu.Unlock()
	rules := in.Rules()
	data := struct {
		BackHref, BackLabel, Error string
		Rules                      []pageRule
		Known                      []string
		Statuses                   []pageStatus
		Form                       pageForm
	}{BackHref: back, BackLabel: label, Error: errMsg, Known: known}
	if data.BackLabel == "" {
		data.BackLabel = "back"
	}
	for _, p := range in.Paths() {
		if r, ok := rules[p]; ok {
			data.Rules = append(data.Rules, pageRule{Path: p, Rule: r})
		}
	}
	for _, c := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable} {
		data.Statuses = append(data.Statuses, pageStatus{Code: strconv.Itoa(c), Text: http.StatusText(c)})
	}
	if form != nil {
		data.Form = pageForm{Path: form.Get("path"), Other: form.Get("path_other"), Latency: form.Get("latency"),
			Status: form.Get("status"), Times: form.Get("times"),
			Malformed: form.Get("malformed") != "", Reset: form.Get("reset") != ""}
	}
	var buf bytes.Buffer
	if err := pageTemplate().Execute(&buf, data); err != nil {
		http.Error(w, "the faults page could not be drawn: reload it", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = io.Copy(w, &buf)
}
