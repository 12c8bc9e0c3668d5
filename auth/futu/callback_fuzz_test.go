package futu

import (
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/oauth2"

	"tokentray/auth"
)

const fuzzState = "st4te-0123456789abcdef0123456789abcdef"

// FuzzCallbackQuery feeds arbitrary callback queries: the outcome is a
// code or one sentence, and the sentence never shows the state.
func FuzzCallbackQuery(f *testing.F) {
	f.Add("code=abc&state=" + fuzzState)
	f.Add("error=access_denied&error_description=no+thanks")
	f.Add("error=server_error&error_description=" + fuzzState)
	f.Add("error=" + strings.Repeat("x", 500))
	f.Add("state=" + fuzzState)
	f.Add("error=access_denied&error_description=%1B%5D0%3Bpwned%07%1B%5B2J%C2%9B31m")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		cb := answer(q, fuzzState)
		if (cb.code == "") == (cb.err == nil) {
			t.Fatalf("neither exactly a code nor an error: %+v", cb)
		}
		if cb.err != nil {
			msg := cb.err.Error()
			if strings.Contains(msg, fuzzState) {
				t.Fatalf("the sentence shows the state: %q", msg)
			}
			if strings.ContainsFunc(msg, func(r rune) bool { return unicode.IsControl(r) }) {
				t.Fatalf("the sentence carries a control character: %q", msg)
			}
			if len(msg) > 800 {
				t.Fatalf("sentence of %d bytes", len(msg))
			}
		}
	})
}

// A quote permission list given as one string keeps only printable
// labels: a line break from the broker never reaches the settings.
func TestQuotePermissionsFromOneStringArePrintable(t *testing.T) {
	tok := (&oauth2.Token{AccessToken: "opaque"}).WithExtra(map[string]any{"quote_permissions": "HK, US\nLV2"})
	got := readTokenFacts(tok).account.QuotePermissions
	if len(got) != 1 || got[0] != "HK" {
		t.Fatalf("quote permissions %q, want only [HK]", got)
	}
}

// Futu's error code and its description read as "code: description".
func TestBrokerWhyJoinsCodeAndDescription(t *testing.T) {
	for _, c := range []struct{ code, desc, want string }{
		{"invalid_grant", "the authorization code has expired", "invalid_grant: the authorization code has expired"},
		{"invalid_grant", "", "invalid_grant"},
		{"", "maintenance", "maintenance"},
	} {
		if got := brokerWhy(&oauth2.RetrieveError{ErrorCode: c.code, ErrorDescription: c.desc}); got != c.want {
			t.Errorf("brokerWhy(%q, %q) = %q, want %q", c.code, c.desc, got, c.want)
		}
	}
}

// A login logged out of does not read as one never made.
func TestNotLoggedInSaysWhetherThereWasALogin(t *testing.T) {
	c := auth.Credential{Name: "futu-main"}
	if got := notLoggedInReason(c); !got.Is("futu.not_logged_in_yet") || got.Arg("Brand") != "Futu" {
		t.Errorf("never logged in: %s %v", got.ID, got.Args)
	}
	c.RefreshedAt = time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	if got := notLoggedInReason(c); !got.Is("futu.logged_out") || got.Arg("Brand") != "Futu" {
		t.Errorf("logged out: %s %v", got.ID, got.Args)
	}
	// A moomoo login is not a login to Futu.
	mm := auth.Credential{Name: "mm", Kind: auth.KindFutuOAuth, Brand: auth.BrandMoomoo}
	if got := notLoggedInReason(mm); !got.Is("futu.not_logged_in_yet") || got.Arg("Brand") != "moomoo" {
		t.Errorf("a moomoo login never made: %s %v", got.ID, got.Args)
	}
	mm.RefreshedAt = c.RefreshedAt
	if got := notLoggedInReason(mm); !got.Is("futu.logged_out") || got.Arg("Brand") != "moomoo" {
		t.Errorf("a moomoo login logged out of: %s %v", got.ID, got.Args)
	}
}

// The callback's error and error_description reach the person's
// terminal without the escape sequences a page could put in them.
func TestCallbackErrorLosesEscapes(t *testing.T) {
	q, _ := url.ParseQuery("error=server_error%1B%5B2J&error_description=%1B%5D0%3Bpwned%07Try+later")
	cb := answer(q, fuzzState)
	if cb.err == nil || strings.ContainsAny(cb.err.Error(), "\x1b\x07") || !strings.Contains(cb.err.Error(), "Try later") {
		t.Fatalf("got %v", cb.err)
	}
}
