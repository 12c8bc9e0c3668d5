package futusim

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// defaultKeyDays is how long a key made on the admin page lives unless
// the form says otherwise.
const defaultKeyDays = 90

// flashTTL bounds how long a new key's secrets wait to be shown once.
const flashTTL = 10 * time.Minute

// newKey is a key just made on the admin page, shown in full exactly once.
type newKey struct {
	AppKey, Secret, Token, Expires, Command string
	made                                    time.Time
}

// flashes holds new keys until the page after the redirect shows them.
// The zero value is ready to use.
type flashes struct {
	mu sync.Mutex
	m  map[string]newKey
}

func (f *flashes) put(k newKey, now time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]newKey{}
	}
	for id, v := range f.m {
		if now.Sub(v.made) > flashTTL {
			delete(f.m, id)
		}
	}
	id := randHex(16)
	k.made = now
	f.m[id] = k
	return id
}

// take returns and forgets the key flashed under id.
func (f *flashes) take(id string, now time.Time) (newKey, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.m[id]
	delete(f.m, id)
	if !ok || now.Sub(k.made) > flashTTL {
		return newKey{}, false
	}
	return k, true
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
	id := s.newKeys.put(newKey{
		AppKey: appKey, Secret: secret, Token: token, Expires: exp.UTC().Format(time.RFC3339),
		Command: "FUTU_APP_KEY=" + appKey + " FUTU_APP_SECRET=" + secret + " FUTU_ACCESS_TOKEN=" + token +
			" tokentray --sandbox add futu-key futu-sandbox",
	}, s.clock.Now())
	http.Redirect(w, r, "/sandbox/?created="+url.QueryEscape(id), http.StatusSeeOther)
}
