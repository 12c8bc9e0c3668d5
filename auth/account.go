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
