package futusim

import (
	"net/http"
	"strings"
)

// Futu's error codes on the account API, as Futu's CLI reads them: 1001
// an expired access token, 1000–1099 authentication, 1100–1199
// permission, 2000–2099 not found, 3000–3099 rate limit.
const (
	CodeAuthInvalid  = 1000
	CodeAuthExpired  = 1001
	CodePermission   = 1100
	CodeNotFound     = 2000
	CodeRateLimited  = 3000
	PathAccounts     = "/api/v1.0/accounts/authorized_trd_accs"
	accountAPIStatus = "ok"
)

// TradeAccount is one account a login may trade, as the account API lists it.
type TradeAccount struct {
	AccountID    string `json:"account_id"`
	AccType      string `json:"acc_type"`
	EnableMarket []int  `json:"enable_market"`
	SecurityFirm string `json:"security_firm"`
}

// DemoTradeAccounts are the accounts a sandbox login may trade.
var DemoTradeAccounts = []TradeAccount{
	{AccountID: "281756", AccType: "MARGIN", EnableMarket: []int{1, 2}, SecurityFirm: "FUTUSECURITIES"},
}

// SetTradePermission switches whether logins may trade: without it the
// account API answers 403 PERMISSION_DENIED, as Futu does for a login
// with quote access only.
func (s *Server) SetTradePermission(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noTrade = !on
}

// FailAccounts makes the account API refuse every request with Futu's
// own error body {"code": code, "message": message} and this status (a
// rate limit, an expired token, a refusal with an unknown code); status
// 0 ends it. A refusal whose body is not Futu's is a fault rule.
func (s *Server) FailAccounts(status, code int, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accountsFail = apiFailure{status: status, code: code, message: message}
}

type apiFailure struct {
	status, code int
	message      string
}

// RevokeAccessTokens ends a client's access tokens and keeps its refresh
// tokens, as Futu does when a person signs one session out: the next
// call with the access token is refused, a refresh still works.
func (s *Server) RevokeAccessTokens(clientID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for t, tok := range s.access {
		if tok.ClientID == clientID {
			delete(s.access, t)
		}
	}
}

// handleAccounts is what Futu's CLI asks with an OAuth access token to
// learn whether a login works and may trade: 200 lists the accounts,
// 401 with code 1001 (expired) or 1000 (unknown or revoked) refuses the
// token, 403 with code 1100 says the login may not trade.
func (s *Server) handleAccounts(w http.ResponseWriter, r *http.Request) {
	token, ok := bearer(r)
	if !ok {
		writeAPIError(w, http.StatusUnauthorized, CodeAuthInvalid, "AUTH_INVALID: an access token is required (Authorization: Bearer)")
		return
	}
	s.mu.Lock()
	now := s.nowLocked()
	tok, known := s.access[token]
	noTrade, fail := s.noTrade, s.accountsFail
	s.mu.Unlock()
	switch {
	case fail.status != 0:
		writeAPIError(w, fail.status, fail.code, fail.message)
		return
	case !known:
		writeAPIError(w, http.StatusUnauthorized, CodeAuthInvalid, "AUTH_INVALID: the access token is unknown or was revoked")
		return
	case now.After(tok.ExpiresAt):
		writeAPIError(w, http.StatusUnauthorized, CodeAuthExpired, "AUTH_EXPIRED: the access token has expired")
		return
	case noTrade || !strings.Contains(" "+tok.Scope, " trade:"):
		writeAPIError(w, http.StatusForbidden, CodePermission, "PERMISSION_DENIED: this login has no trade permission")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"s": accountAPIStatus, "errcode": 0, "errmsg": "",
		"d": map[string]any{"accounts": DemoTradeAccounts},
	})
}

// ClientName is the client_name a client registered with, "" when the
// client is not known.
func (s *Server) ClientName(clientID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[clientID]; ok {
		return c.Name
	}
	return ""
}
