package futu

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"tokentray/auth"
)

// tokenFacts are what a token answer says beyond the tokens: who logged
// in (from the answer's account fields and the access token's JWT
// claims) and, from the claims, when the access token expires.
type tokenFacts struct {
	account auth.Account
	expires time.Time
}

// readTokenFacts reads the account the way Futu's CLI does: the answer's
// account object, then its top-level fields, then the JWT claims, each
// filling only what is still missing. The JWT is decoded, not verified:
// it only labels the login, and nothing is trusted because of it.
func readTokenFacts(tok *oauth2.Token) tokenFacts {
	var f tokenFacts
	a := &f.account
	if m, ok := tok.Extra("account").(map[string]any); ok {
		fillAccount(a, m)
	}
	fillAccount(a, map[string]any{
		"futu_id": tok.Extra("futu_id"), "account_no": tok.Extra("account_no"),
		"name": tok.Extra("name"), "account_type": tok.Extra("account_type"),
		"quote_permissions": tok.Extra("quote_permissions"),
	})
	if claims, ok := jwtClaims(tok.AccessToken); ok {
		for _, k := range []string{"account", "user"} {
			if m, ok := claims[k].(map[string]any); ok {
				fillAccount(a, m)
			}
		}
		fillAccount(a, claims)
		if exp, ok := claims["exp"].(float64); ok && exp > 0 && exp < 1e11 {
			f.expires = time.Unix(int64(exp), 0).UTC()
		}
	}
	return f
}

// maxAccountField bounds what a broker's answer can put in the settings.
const maxAccountField = 128

func fillAccount(a *auth.Account, m map[string]any) {
	fill(&a.FutuID, m, "futu_id", "futuId", "user_id", "uid")
	fill(&a.AccountNo, m, "account_no", "accountNo")
	fill(&a.Name, m, "name", "user_name")
	fill(&a.AccountType, m, "account_type", "accountType")
	if len(a.QuotePermissions) == 0 {
		for _, k := range []string{"quote_permissions", "quote_permission", "quote_markets"} {
			if ps := stringList(m[k]); len(ps) > 0 {
				a.QuotePermissions = ps
				break
			}
		}
	}
}

func fill(dst *string, m map[string]any, keys ...string) {
	if *dst != "" {
		return
	}
	for _, k := range keys {
		if v := text(m[k]); v != "" {
			*dst = v
			return
		}
	}
}

// text is a JSON string or number as text, "" for anything else or
// anything too long to be a label.
func text(v any) string {
	var s string
	switch t := v.(type) {
	case string:
		s = strings.TrimSpace(t)
	case float64:
		s = strconv.FormatFloat(t, 'f', -1, 64)
	case json.Number:
		s = t.String()
	}
	if len(s) > maxAccountField || strings.ContainsFunc(s, func(r rune) bool { return r < ' ' }) {
		return ""
	}
	return s
}

func stringList(v any) []string {
	var out []string
	switch t := v.(type) {
	case string:
		out = strings.FieldsFunc(t, func(r rune) bool { return r == ' ' || r == ',' })
	case []any:
		for _, x := range t {
			if s := text(x); s != "" {
				out = append(out, s)
			}
		}
	}
	out = slices.DeleteFunc(out, func(s string) bool { return text(s) != s })
	if len(out) > 32 {
		out = out[:32]
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// jwtClaims decodes the claims of a JWT without verifying it.
func jwtClaims(token string) (map[string]any, bool) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(parts[1]) > 16<<10 {
		return nil, false
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return nil, false
	}
	var claims map[string]any
	if json.Unmarshal(b, &claims) != nil {
		return nil, false
	}
	return claims, true
}
