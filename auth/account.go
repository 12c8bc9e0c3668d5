package auth

import "strings"

// Account is who a login belongs to, as the broker named it in its token
// answer: not a secret, kept in the settings so a person with two logins
// can tell them apart.
type Account struct {
	FutuID      string `json:"futu_id,omitempty"`
	AccountNo   string `json:"account_no,omitempty"`
	Name        string `json:"name,omitempty"`
	AccountType string `json:"account_type,omitempty"`
	// QuotePermissions are the market data the login may read ("hk_lv2").
	QuotePermissions []string `json:"quote_permissions,omitempty"`
}

// IsZero reports whether nothing is known about the account.
func (a Account) IsZero() bool {
	return a.FutuID == "" && a.AccountNo == "" && a.Name == "" && a.AccountType == "" && len(a.QuotePermissions) == 0
}

// Summary is the account in one short line, for a table cell, a tooltip
// or a window row: "Alice Chan · Futu ID 10001234 · account 1001…5678
// (individual)". It is empty when nothing is known.
func (a Account) Summary() string {
	var parts []string
	if a.Name != "" {
		parts = append(parts, a.Name)
	}
	if a.FutuID != "" {
		parts = append(parts, "Futu ID "+a.FutuID)
	}
	if a.AccountNo != "" {
		acct := "account " + a.AccountNo
		if a.AccountType != "" {
			acct += " (" + a.AccountType + ")"
		}
		parts = append(parts, acct)
	} else if a.AccountType != "" {
		parts = append(parts, a.AccountType+" account")
	}
	if n := len(a.QuotePermissions); n > 0 && n <= 3 {
		parts = append(parts, "quotes: "+strings.Join(a.QuotePermissions, ", "))
	} else if n > 3 {
		parts = append(parts, "quotes: "+strings.Join(a.QuotePermissions[:3], ", ")+" and more")
	}
	return strings.Join(parts, " · ")
}

// Access is what a login may do, as Futu's CLI shows it: market data
// (quote) and trading (trade). Quote comes from the login's scope and
// quote permissions; trade from the broker's account check once made
// (Checked), else from the scope.
type Access struct {
	Quote bool `json:"quote"`
	Trade bool `json:"trade"`
	// Checked: the broker's account check said whether the login may trade.
	Checked bool `json:"checked,omitempty"`
	// Accounts are the IDs of the accounts the login may trade, as the
	// broker listed them (at most MaxTradeAccounts).
	Accounts []string `json:"accounts,omitempty"`
}

// MaxTradeAccounts bounds the accounts kept in the settings.
const MaxTradeAccounts = 16

// Summary is the access in a few words: "quotes and trading (accounts
// 281756)", "quotes only, no trading", "trading only, no quotes" or "no
// quotes, no trading".
func (a Access) Summary() string {
	var s string
	switch {
	case a.Quote && a.Trade:
		s = "quotes and trading"
	case a.Quote:
		s = "quotes only, no trading"
	case a.Trade:
		s = "trading only, no quotes"
	default:
		s = "no quotes, no trading"
	}
	if a.Trade && len(a.Accounts) == 1 {
		s += " (account " + a.Accounts[0] + ")"
	} else if a.Trade && len(a.Accounts) > 1 {
		s += " (accounts " + strings.Join(a.Accounts, ", ") + ")"
	}
	return s
}
