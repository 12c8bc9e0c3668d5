package auth

import "testing"

func TestAccountSummary(t *testing.T) {
	for _, tc := range []struct {
		a    Account
		want string
	}{
		{Account{}, ""},
		{Account{Name: "Alice Chan", FutuID: "10001234", AccountNo: "1001005678", AccountType: "individual"},
			"Alice Chan · Futu ID 10001234 · account 1001005678 (individual)"},
		{Account{FutuID: "7", AccountType: "margin"}, "Futu ID 7 · margin account"},
		{Account{Name: "Bo", QuotePermissions: []string{"hk_lv2", "us_lv1"}}, "Bo · quotes: hk_lv2, us_lv1"},
		{Account{Name: "Bo", QuotePermissions: []string{"a", "b", "c", "d"}}, "Bo · quotes: a, b, c and more"},
	} {
		if got := tc.a.Summary(); got != tc.want {
			t.Errorf("%+v: Summary() = %q, want %q", tc.a, got, tc.want)
		}
		if tc.a.IsZero() != (tc.want == "") {
			t.Errorf("%+v: IsZero() = %v", tc.a, tc.a.IsZero())
		}
	}
}

func TestWhoNamesTheBrandTheAccountAndTheAccess(t *testing.T) {
	c := Credential{Kind: KindFutuOAuth, Brand: BrandMoomoo, Account: Account{Name: "Bo"},
		Access: &Access{Quote: true, Trade: true, Accounts: []string{"281756"}}}
	if got, want := c.Who(), "moomoo · Bo · quotes and trading (account 281756)"; got != want {
		t.Errorf("Who() = %q, want %q", got, want)
	}
	c.Brand, c.Access = "", &Access{Quote: true}
	if got, want := c.Who(), "Bo · quotes only, no trading"; got != want {
		t.Errorf("Who() = %q, want %q", got, want)
	}
	// A tray line stays short: the access says what the login may trade
	// and read, so the account number, its type and the quote levels are
	// left to the window's details and status NAME.
	full := Account{Name: "Sandbox Trader", FutuID: "10086001", AccountNo: "1001100220038888", AccountType: "individual", QuotePermissions: []string{"hk_lv2", "us_lv1"}}
	c = Credential{Kind: KindFutuOAuth, Account: full, Access: &Access{Quote: true, Trade: true, Accounts: []string{"281756"}}}
	if got, want := c.Who(), "Sandbox Trader · Futu ID 10086001 · quotes and trading (account 281756)"; got != want {
		t.Errorf("Who() = %q, want %q", got, want)
	}
	// Before the broker's account check, the account number tells two
	// logins apart.
	c.Access = nil
	if got, want := c.Who(), "Sandbox Trader · Futu ID 10086001 · account 1001100220038888 (individual)"; got != want {
		t.Errorf("Who() = %q, want %q", got, want)
	}
	if got := (Credential{Kind: KindWebull, Brand: BrandMoomoo}).Who(); got != "" {
		t.Errorf("a Webull credential's Who() = %q, want nothing", got)
	}
}
