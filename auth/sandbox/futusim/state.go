package futusim

import (
	"maps"
	"slices"
	"time"
)

// State is what the server knows that a client's credentials depend on:
// registered OAuth clients, the access and refresh tokens issued, and
// the legacy API keys with their tokens and expiries. Every value in it
// is a sandbox-made fake, never a real Futu secret. Pending authorize
// pages and unused codes are not kept: they live for minutes.
type State struct {
	Clients []StateClient `json:"clients,omitempty"`
	Access  []StateToken  `json:"access_tokens,omitempty"`
	Refresh []StateToken  `json:"refresh_tokens,omitempty"`
	Keys    []StateKey    `json:"api_keys,omitempty"`
}

// StateClient is one registered OAuth client.
type StateClient struct {
	ID            string    `json:"client_id"`
	Name          string    `json:"name,omitempty"`
	RedirectURIs  []string  `json:"redirect_uris"`
	GrantTypes    []string  `json:"grant_types,omitempty"`
	ResponseTypes []string  `json:"response_types,omitempty"`
	AuthMethod    string    `json:"auth_method,omitempty"`
	Scope         string    `json:"scope,omitempty"`
	IssuedAt      time.Time `json:"issued_at"`
	RegToken      string    `json:"registration_access_token"`
}

// StateToken is one OAuth access or refresh token.
type StateToken struct {
	Token     string    `json:"token"`
	ClientID  string    `json:"client_id"`
	Scope     string    `json:"scope,omitempty"`
	Grant     string    `json:"grant"`
	ExpiresAt time.Time `json:"expires_at"`
}

// StateKey is one legacy API key.
type StateKey struct {
	AppKey    string    `json:"app_key"`
	Secret    string    `json:"app_secret"`
	Token     string    `json:"access_token"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	Revoked   bool      `json:"revoked,omitempty"`
}

// State returns a copy of the server's clients, tokens and keys, in a
// stable order (equal states encode to equal bytes).
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	var st State
	for _, id := range s.sortedClientsLocked() {
		c := s.clients[id]
		st.Clients = append(st.Clients, StateClient{
			ID: c.ID, Name: c.Name, RedirectURIs: slices.Clone(c.RedirectURIs),
			GrantTypes: slices.Clone(c.GrantTypes), ResponseTypes: slices.Clone(c.ResponseTypes),
			AuthMethod: c.AuthMethod, Scope: c.Scope, IssuedAt: c.IssuedAt.UTC(), RegToken: c.RegToken,
		})
	}
	tokens := func(m map[string]*oauthToken) []StateToken {
		var out []StateToken
		for _, v := range slices.Sorted(maps.Keys(m)) {
			t := m[v]
			out = append(out, StateToken{Token: v, ClientID: t.ClientID, Scope: t.Scope, Grant: t.Grant, ExpiresAt: t.ExpiresAt.UTC()})
		}
		return out
	}
	st.Access, st.Refresh = tokens(s.access), tokens(s.refresh)
	for _, k := range s.keyOrder {
		if key, ok := s.keys[k]; ok {
			st.Keys = append(st.Keys, StateKey{AppKey: key.AppKey, Secret: key.Secret, Token: key.Token,
				ExpiresAt: key.ExpiresAt.UTC(), CreatedAt: key.CreatedAt.UTC(), Revoked: key.Revoked})
		}
	}
	return st
}

// Restore replaces the server's clients, tokens and keys with st, as
// State returned them from an earlier server.
func (s *Server) Restore(st State) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients = map[string]*client{}
	for _, c := range st.Clients {
		s.clients[c.ID] = &client{
			ID: c.ID, Name: c.Name, RedirectURIs: slices.Clone(c.RedirectURIs),
			GrantTypes: slices.Clone(c.GrantTypes), ResponseTypes: slices.Clone(c.ResponseTypes),
			AuthMethod: c.AuthMethod, Scope: c.Scope, IssuedAt: c.IssuedAt, RegToken: c.RegToken,
		}
	}
	tokens := func(in []StateToken) map[string]*oauthToken {
		m := map[string]*oauthToken{}
		for _, t := range in {
			m[t.Token] = &oauthToken{ClientID: t.ClientID, Scope: t.Scope, Grant: t.Grant, ExpiresAt: t.ExpiresAt}
		}
		return m
	}
	s.access, s.refresh = tokens(st.Access), tokens(st.Refresh)
	s.keys, s.keyOrder = map[string]*apiKey{}, nil
	for _, k := range st.Keys {
		if _, dup := s.keys[k.AppKey]; !dup {
			s.keyOrder = append(s.keyOrder, k.AppKey)
		}
		s.keys[k.AppKey] = &apiKey{AppKey: k.AppKey, Secret: k.Secret, Token: k.Token,
			ExpiresAt: k.ExpiresAt, CreatedAt: k.CreatedAt, Revoked: k.Revoked}
	}
	s.codes = map[string]*authCode{}
	s.requests = map[string]*authRequest{}
}
