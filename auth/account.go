package auth

import (
	"strings"

	"tokentray/internal/msg"
)

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
func (a Account) Summary() string { return a.SummaryMsg().String() }

// SummaryMsg is Summary as a message, said in the person's language.
func (a Account) SummaryMsg() msg.Message {
	var parts []msg.Message
	if a.Name != "" {
		parts = append(parts, msg.Plain(a.Name))
	}
	if a.FutuID != "" {
		parts = append(parts, msg.New("auth.futu_id", "ID", a.FutuID))
	}
	if a.AccountNo != "" {
		if a.AccountType != "" {
			parts = append(parts, msg.New("auth.account_no_type", "No", a.AccountNo, "Type", a.AccountType))
		} else {
			parts = append(parts, msg.New("auth.account_no", "No", a.AccountNo))
		}
	} else if a.AccountType != "" {
		parts = append(parts, msg.New("auth.account_type", "Type", a.AccountType))
	}
	if n := len(a.QuotePermissions); n > 0 && n <= 3 {
		parts = append(parts, msg.New("auth.quotes", "List", strings.Join(a.QuotePermissions, ", ")))
	} else if n > 3 {
		parts = append(parts, msg.New("auth.quotes_more", "List", strings.Join(a.QuotePermissions[:3], ", ")))
	}
	return Dotted(parts...)
}

// Dotted puts phrases side by side as a summary does ("a · b · c").
func Dotted(parts ...msg.Message) msg.Message {
	var out msg.Message
	for _, p := range parts {
		if p.IsZero() {
			continue
		}
		if out.IsZero() {
			out = p
			continue
		}
		out = msg.New("auth.dotted", "First", out, "Then", p)
	}
	return out
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
func (a Access) Summary() string { return a.SummaryMsg().String() }

// SummaryMsg is Summary as a message, said in the person's language.
func (a Access) SummaryMsg() msg.Message {
	var m msg.Message
	switch {
	case a.Quote && a.Trade:
		m = msg.New("auth.access_quote_trade")
	case a.Quote:
		m = msg.New("auth.access_quote_only")
	case a.Trade:
		m = msg.New("auth.access_trade_only")
	default:
		m = msg.New("auth.access_none")
	}
	if a.Trade && len(a.Accounts) == 1 {
		m = msg.New("auth.access_account", "Access", m, "Account", a.Accounts[0])
	} else if a.Trade && len(a.Accounts) > 1 {
		m = msg.New("auth.access_accounts", "Access", m, "Accounts", strings.Join(a.Accounts, ", "))
	}
	return m
}
