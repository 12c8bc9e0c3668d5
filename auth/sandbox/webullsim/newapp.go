package webullsim

import (
	"net/http"
	"net/url"
)

// newApp is an app just registered on the phone page, shown in full once.
type newApp struct {
	AppKey, Secret, Command string
	TestEnv, NoTwoFactor    bool
}

func (s *Server) controlAddApp(w http.ResponseWriter, r *http.Request) {
	if !s.phoneForm(w, r) {
		return
	}
	testEnv := r.PostForm.Get("test_env") != ""
	noTwoFactor := r.PostForm.Get("no_2fa") != ""
	key, secret := s.AddApp(testEnv)
	if noTwoFactor {
		_ = s.SetTwoFactor(key, false) // the app was just added
	}
	// The variable names the Webull SDK reads, which add reads too.
	cmd := "WEBULL_APP_KEY_ID=" + key + " WEBULL_APP_KEY_SECRET=" + secret + " tokentray --sandbox add webull webull-sandbox --region us"
	if testEnv {
		cmd += " --test-env"
	}
	id := s.newApps.Put(newApp{AppKey: key, Secret: secret, Command: cmd, TestEnv: testEnv, NoTwoFactor: noTwoFactor}, s.clock.Now())
	http.Redirect(w, r, "/sandbox/phone?created="+url.QueryEscape(id), http.StatusSeeOther)
}
