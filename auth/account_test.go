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
