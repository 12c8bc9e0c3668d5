package auth

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"tokentray/internal/msg"
)

// MaxEndpointBytes bounds an endpoint URL; a real one is far shorter.
const MaxEndpointBytes = 2048

// CheckEndpoint accepts an https URL, or http on this computer only (the
// sandbox brokers), and returns it without a trailing slash, query or
// fragment. Keys and tokens are sent there, so the rule is the same for
// every broker and every face: a URL with a user name or password is
// refused (it would be saved and sent as is), so is a port outside 1 to
// 65535 and a URL over MaxEndpointBytes. what names the setting in the
// sentence ("the Futu endpoint", "--token-url").
func CheckEndpoint(what, raw string) (string, error) {
	return CheckEndpointNamed(msg.Plain(what), raw)
}

// CheckEndpointNamed is CheckEndpoint with the setting's name as a
// message, said in the person's language.
func CheckEndpointNamed(what msg.Message, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if len(raw) > MaxEndpointBytes {
		return "", NeedsUserBecause(Action{}, msg.New("auth.endpoint_too_long", "What", what, "Value", ShownInputMsg(raw), "Max", MaxEndpointBytes))
	}
	u, err := url.Parse(raw)
	if err == nil && u.User != nil {
		// The URL itself would show the password, so it is not quoted.
		return "", NeedsUserBecause(Action{}, msg.New("auth.endpoint_userinfo", "What", what))
	}
	shown := ShownInputMsg(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", NeedsUserBecause(Action{}, msg.New("auth.endpoint_unusable", "What", what, "Value", shown))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return "", NeedsUserBecause(Action{}, msg.New("auth.endpoint_port", "What", what, "Value", shown, "Port", ShownInputMsg(p)))
		}
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		// Tokens would travel in the clear; only a local sandbox may use http.
		return "", NeedsUserBecause(Action{}, msg.New("auth.endpoint_http", "What", what, "Value", shown))
	}
	u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = "", false, "", ""
	return strings.TrimRight(u.String(), "/"), nil
}

// IsLoopback reports whether host is this computer.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ShownInput is what a message may quote of something a person typed:
// never the whole of a long input.
func ShownInput(raw string) string { return ShownInputMsg(raw).String() }

// ShownInputMsg is ShownInput as a message, said in the person's
// language.
func ShownInputMsg(raw string) msg.Message {
	if len(raw) > 80 {
		cut := raw[:60]
		for !utf8.ValidString(cut) {
			cut = cut[:len(cut)-1]
		}
		return msg.New("auth.input_cut", "Start", strconv.Quote(cut), "Count", len(raw))
	}
	return msg.Plain(strconv.Quote(raw))
}

// Endpoints lists a credential's endpoint settings with the names a
// sentence gives them.
func (c Credential) Endpoints() []struct {
	What msg.Message
	URL  string
} {
	type setting = struct {
		What msg.Message
		URL  string
	}
	all := []setting{
		{msg.New("auth.setting_endpoint"), c.Endpoint}, {msg.New("auth.setting_register_url"), c.RegisterURL},
		{msg.New("auth.setting_authorize_url"), c.AuthorizeURL}, {msg.New("auth.setting_token_url"), c.TokenURL},
		{msg.New("auth.setting_revoke_url"), c.RevokeURL},
	}
	out := all[:0]
	for _, e := range all {
		if e.URL != "" {
			out = append(out, e)
		}
	}
	return out
}

// CheckEndpoints checks every endpoint setting of c with CheckEndpoint.
func (c Credential) CheckEndpoints() error {
	for _, e := range c.Endpoints() {
		if _, err := CheckEndpointNamed(e.What, e.URL); err != nil {
			return err
		}
	}
	return nil
}
