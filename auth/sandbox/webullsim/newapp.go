package webullsim

import (
	"net/http"
	"net/url"
	"sync"
	"time"
)

// flashTTL bounds how long a new app's secret waits to be shown once.
const flashTTL = 10 * time.Minute

// newApp is an app just registered on the phone page, shown in full once.
type newApp struct {
	AppKey, Secret, Command string
	TestEnv                 bool
	made                    time.Time
}

// flashes holds new apps until the page after the redirect shows them.
// The zero value is ready to use.
type flashes struct {
	mu sync.Mutex
	m  map[string]newApp
}

func (f *flashes) put(a newApp, now time.Time) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = map[string]newApp{}
	}
	for id, v := range f.m {
		if now.Sub(v.made) > flashTTL {
			delete(f.m, id)
		}
	}
	id := randomHex(16)
	a.made = now
	f.m[id] = a
	return id
}

// take returns and forgets the app flashed under id.
func (f *flashes) take(id string, now time.Time) (newApp, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.m[id]
	delete(f.m, id)
	if !ok || now.Sub(a.made) > flashTTL {
		return newApp{}, false
	}
	return a, true
}

func (s *Server) controlAddApp(w http.ResponseWriter, r *http.Request) {
	if !s.phoneForm(w, r) {
		return
	}
	testEnv := r.PostForm.Get("test_env") != ""
	key, secret := s.AddApp(testEnv)
	cmd := "WEBULL_APP_KEY=" + key + " WEBULL_APP_SECRET=" + secret + " tokentray --sandbox add webull webull-sandbox --region us"
	if testEnv {
		cmd += " --test-env"
	}
	id := s.newApps.put(newApp{AppKey: key, Secret: secret, Command: cmd, TestEnv: testEnv}, s.clock.Now())
	http.Redirect(w, r, "/sandbox/phone?created="+url.QueryEscape(id), http.StatusSeeOther)
}
