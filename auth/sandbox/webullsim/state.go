package webullsim

import (
	"maps"
	"slices"
	"time"
)

// State is what the server knows that a client's credentials depend on:
// the apps with their secrets and 2FA setting, and every token with its
// status and expiry. Every value in it is a sandbox-made fake, never a
// real Webull secret. Nonces and the check rate limit are not kept:
// they matter for minutes.
type State struct {
	Apps   []StateApp   `json:"apps,omitempty"`
	Tokens []StateToken `json:"tokens,omitempty"`
}

// StateApp is one registered app.
type StateApp struct {
	AppKey       string `json:"app_key"`
	AppSecret    string `json:"app_secret"`
	TestEnv      bool   `json:"test_env,omitempty"`
	TwoFactorOff bool   `json:"two_factor_off,omitempty"`
}

// StateToken is one token. Status is its state when the state was taken;
// EXPIRED and INVALID stay so, the others follow from the times.
type StateToken struct {
	Token    string    `json:"token"`
	AppKey   string    `json:"app_key"`
	Status   Status    `json:"status"`
	Code     string    `json:"sms_code,omitempty"`
	Created  time.Time `json:"created"`
	Verified time.Time `json:"verified,omitzero"`
	Expires  time.Time `json:"expires"`
	LastUse  time.Time `json:"last_use"`
	Strict   bool      `json:"strict_expires,omitempty"`
}

// State returns a copy of the server's apps and tokens, in a stable
// order (equal states encode to equal bytes).
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.nowLocked()
	var st State
	for _, k := range slices.Sorted(maps.Keys(s.apps)) {
		a := s.apps[k]
		st.Apps = append(st.Apps, StateApp{AppKey: a.key, AppSecret: a.secret, TestEnv: a.testEnv, TwoFactorOff: a.noTokenCheck})
	}
	for _, v := range slices.Sorted(maps.Keys(s.tokens)) {
		t := s.tokens[v]
		st.Tokens = append(st.Tokens, StateToken{
			Token: t.value, AppKey: t.appKey, Status: t.status(now), Code: t.code,
			Created: t.created.UTC(), Verified: t.verified.UTC(), Expires: t.expires.UTC(), LastUse: t.lastUse.UTC(), Strict: t.strict,
		})
	}
	return st
}

// Restore replaces the server's apps and tokens with st, as State
// returned them from an earlier server.
func (s *Server) Restore(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apps = map[string]*app{}
	for _, a := range st.Apps {
		s.apps[a.AppKey] = &app{key: a.AppKey, secret: a.AppSecret, testEnv: a.TestEnv, noTokenCheck: a.TwoFactorOff}
	}
	s.tokens = map[string]*token{}
	for _, t := range st.Tokens {
		tok := &token{value: t.Token, appKey: t.AppKey, code: t.Code, created: t.Created,
			verified: t.Verified, expires: t.Expires, lastUse: t.LastUse, strict: t.Strict}
		if t.Status == StatusExpired || t.Status == StatusInvalid {
			tok.final = t.Status
		}
		s.tokens[t.Token] = tok
	}
}
