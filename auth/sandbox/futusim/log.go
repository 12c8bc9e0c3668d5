package futusim

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
)

// refusalRecorder passes an answer through and keeps what a refusal
// says: the status and the start of its body, or the error a redirect
// sends back to the app.
type refusalRecorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *refusalRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *refusalRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.status >= 400 && r.body.Len() < 2048 {
		r.body.Write(b[:min(len(b), 2048-r.body.Len())])
	}
	return r.ResponseWriter.Write(b)
}

func (r *refusalRecorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// refusal is the reason the answer refused the request, or "" when it did not.
func (r *refusalRecorder) refusal() string {
	if r.status >= 300 && r.status < 400 {
		u, err := url.Parse(r.Header().Get("Location"))
		if err != nil || u.Query().Get("error") == "" {
			return ""
		}
		return "sent the browser back with " + u.Query().Get("error") + ": " + u.Query().Get("error_description")
	}
	if r.status < 400 {
		return ""
	}
	var j struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
		Code        int    `json:"code"`
		Message     string `json:"message"`
	}
	why := "HTTP " + strconv.Itoa(r.status)
	switch {
	case json.Unmarshal(r.body.Bytes(), &j) != nil:
		if t := pageText(r.body.String()); t != "" {
			why += ": " + t
		}
	case j.Error != "":
		why += " " + j.Error + ": " + j.Description
	case j.Code != 0 || j.Message != "":
		why += " code " + strconv.Itoa(j.Code) + ": " + j.Message
	}
	return why
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
