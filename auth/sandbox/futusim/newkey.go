package futusim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// defaultKeyDays is how long a key made on the admin page lives unless
// the form says otherwise.
const defaultKeyDays = 90

// newKey is a key just made on the admin page, shown in full exactly once.
type newKey struct {
	AppKey, Secret, Token, Expires, Command string
}

func (s *Server) handleAdminCreateKey(w http.ResponseWriter, r *http.Request) {
	if !adminForm(w, r) {
		return
	}
	days := defaultKeyDays
	if v := strings.TrimSpace(r.PostForm.Get("days")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 3650 {
			http.Error(w, "valid for must be a whole number of days from 1 to 3650", http.StatusBadRequest)
			return
		}
		days = n
	}
	exp := s.Now().Add(time.Duration(days) * 24 * time.Hour)
	appKey, secret, token := s.AddAPIKey(exp)
	id := s.newKeys.Put(newKey{
		AppKey: appKey, Secret: secret, Token: token, Expires: exp.UTC().Format(time.RFC3339),
		Command: "FUTU_APP_KEY=" + appKey + " FUTU_APP_SECRET=" + secret + " FUTU_ACCESS_TOKEN=" + token +
			" tokentray --sandbox add futu-key futu-sandbox",
	}, s.clock.Now())
	http.Redirect(w, r, "/sandbox/?created="+url.QueryEscape(id), http.StatusSeeOther)
}
