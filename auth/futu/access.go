package futu

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// PathAccounts is what Futu's CLI asks, with the OAuth access token on
// the OAuth host, to learn whether a login works and may trade: 200
// lists the accounts it may trade, 401 or code 1001 refuses the token,
// 403 (codes 1100–1199) is a working login without trade permission.
const PathAccounts = "/api/v1.0/accounts/authorized_trd_accs"

// verdict is what the account check said of an access token.
type verdict int

const (
	verdictUnsure  verdict = iota // no verdict: the reason says why
	verdictWorks                  // the login works and may trade
	verdictNoTrade                // the login works without trade permission
	verdictDead                   // Futu refuses the access token
)

type accountCheck struct {
	verdict  verdict
	accounts []string
	// health and err are set when the verdict is unsure.
	health auth.Health
	err    error
}

// apiHost is where a login's account API is: the OAuth host of Futu's
// CLI for a credential on Futu's default host, else its own host.
func (p *OAuthProvider) apiHost(c auth.Credential) (string, error) {
	base, err := baseURL(p.o, c)
	if err != nil {
		return "", err
	}
	if h := p.o.hostsOf(c); base == h.api {
		return h.oauth, nil
	}
	return base, nil
}

// askAccounts asks Futu's account API what it makes of the access token.
func (p *OAuthProvider) askAccounts(ctx context.Context, c *auth.Credential, access string, now time.Time) accountCheck {
	unsure := func(h auth.Health, err error) accountCheck {
		return accountCheck{verdict: verdictUnsure, health: h, err: err}
	}
	host, err := p.apiHost(*c)
	if err != nil {
		return unsure(configHealth(*c, now, err), err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, host+PathAccounts, nil)
	if err != nil {
		return unsure(networkHealth(now, *c, err), msg.Wrap(err, "futu.check_failed", "Name", c.Name, "Why", err.Error()))
	}
	req.Header.Set("Authorization", "Bearer "+access)
	req.Header.Set("Accept", "application/json")
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		return unsure(networkHealth(now, *c, err), msg.Errorf("futu.check_failed", "Name", c.Name, "Why", auth.NetworkCause(err)))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	c.LastChecked = now
	if resp.StatusCode == http.StatusOK {
		return readAccounts(*c, now, body, access)
	}
	return refusedCheck(*c, now, readAPIError(resp.StatusCode, resp.Header, body), access)
}

// readAccounts reads a 200 answer: {"s": "ok", "d": {"accounts": […]}}.
// An "s" other than "ok" carries Futu's errcode, read like any refusal.
func readAccounts(c auth.Credential, now time.Time, body []byte, access string) accountCheck {
	var a struct {
		S       *string `json:"s"`
		ErrCode int     `json:"errcode"`
		ErrMsg  string  `json:"errmsg"`
		Code    int     `json:"code"`
		Message string  `json:"message"`
		D       *struct {
			Accounts []struct {
				ID json.Number `json:"account_id"`
			} `json:"accounts"`
		} `json:"d"`
		Data *struct {
			Accounts []struct {
				ID json.Number `json:"account_id"`
			} `json:"accounts"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		h := auth.Health{State: auth.Unknown, ExpiresAt: c.ExpiresAt, CheckedAt: now}.
			Because(unreadMsg(callAccountCheck(), http.StatusOK)).Note(auth.RetryNoteMsg())
		return accountCheck{health: h, err: msg.Errorf("futu.check_failed", "Name", c.Name, "Why", msg.New("futu.account_check_not_json"))}
	}
	if a.Code != 0 && a.S == nil {
		a.S, a.ErrCode, a.ErrMsg = new(string), a.Code, a.Message // Futu's {"code", "message"} error
	}
	if a.S != nil && *a.S != "ok" {
		e := apiError{status: http.StatusOK, code: a.ErrCode, message: a.ErrMsg, futu: true}
		if e.kind() == refusedNot {
			h := auth.Health{State: auth.Unknown, ExpiresAt: c.ExpiresAt, CheckedAt: now}.
				Because(msg.New("futu.account_check_answered", "Answer", e.said(access))).Note(auth.RetryNoteMsg())
			return accountCheck{health: h, err: msg.Errorf("futu.check_failed", "Name", c.Name, "Why", e.said(access))}
		}
		return refusedCheck(c, now, e, access)
	}
	list := a.D
	if list == nil {
		list = a.Data
	}
	var ids []string
	if list != nil {
		for _, acc := range list.Accounts {
			if id := text(acc.ID.String()); id != "" && len(ids) < auth.MaxTradeAccounts {
				ids = append(ids, id)
			}
		}
	}
	return accountCheck{verdict: verdictWorks, accounts: ids}
}

// refusedCheck is the verdict of a refused account check.
func refusedCheck(c auth.Credential, now time.Time, e apiError, access string) accountCheck {
	h := auth.Health{State: auth.Unknown, ExpiresAt: c.ExpiresAt, CheckedAt: now}
	switch e.kind() {
	case refusedExpired, refusedAuth:
		return accountCheck{verdict: verdictDead}
	case refusedPermission:
		return accountCheck{verdict: verdictNoTrade}
	case refusedRateLimit:
		h = h.Because(msg.New("futu.slow_down", "Answer", e.said(access))).Note(nextCheckNote())
	case refusedForeign:
		h = h.Because(msg.New("futu.refused_foreign", "Call", callAccountCheck(), "Answer", e.said(access)))
	case refusedNotFound:
		h = h.Because(msg.New("futu.account_check_missing", "Answer", e.said(access), "Name", c.Name))
	default:
		h = h.Because(msg.New("futu.account_check_answered_with", "Answer", e.said(access))).Note(auth.RetryNoteMsg())
	}
	return accountCheck{verdict: verdictUnsure, health: h, err: msg.Errorf("futu.check_failed", "Name", c.Name, "Why", e.said(access))}
}

// scopeAccess is the access a login's scope and quote permissions give,
// keeping what an account check said of trading.
func scopeAccess(c auth.Credential, scope string) *auth.Access {
	a := &auth.Access{}
	for _, s := range strings.Fields(scope) {
		a.Quote = a.Quote || strings.HasPrefix(s, "quote:")
		a.Trade = a.Trade || strings.HasPrefix(s, "trade:")
	}
	a.Quote = a.Quote || len(c.Account.QuotePermissions) > 0
	if c.Access != nil && c.Access.Checked {
		a.Trade, a.Checked, a.Accounts = c.Access.Trade, true, c.Access.Accounts
	}
	return a
}

// learn keeps what an account check said of trading.
func (ch accountCheck) learn(c *auth.Credential) {
	a := scopeAccess(*c, scopeOf(*c))
	if c.Access != nil {
		a.Quote = c.Access.Quote
	}
	a.Checked = true
	a.Trade = ch.verdict == verdictWorks
	a.Accounts = nil
	if a.Trade {
		a.Accounts = ch.accounts
	}
	c.Access = a
}

// jwtExpiry is the expiry an access token carries (its JWT exp claim),
// read without a network call; zero when it carries none.
func jwtExpiry(token string) time.Time {
	claims, ok := jwtClaims(token)
	if !ok {
		return time.Time{}
	}
	if exp, ok := claims["exp"].(float64); ok && exp > 0 && exp < 1e11 {
		return time.Unix(int64(exp), 0).UTC()
	}
	return time.Time{}
}
