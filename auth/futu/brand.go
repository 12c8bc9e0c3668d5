package futu

import (
	"net/url"
	"strings"

	"tokentray/auth"
)

// hosts are the default hosts of one brand: the API host (the seed's
// openapi host), the host of the OAuth flow as Futu's CLI runs it, the
// RFC 8414 metadata its MCP server publishes, and the domain whose hosts
// that metadata may name.
type hosts struct {
	api, oauth, metadata, domain string
}

// moomoo's hosts. The OAuth host and the metadata are seen in public
// clients of moomoo's OAuth; the API host is inferred from Futu's
// (openapi.futunn.com), as the host of moomoo's OpenAPI documentation.
const (
	MoomooBaseURL     = "https://openapi.moomoo.com"
	MoomooOAuthURL    = "https://webapi.moomoo.com"
	MoomooMetadataURL = "https://mcp.moomoo.com/.well-known/oauth-authorization-server"
)

// hostsOf is the brand's default hosts; Futu's OAuth and metadata hosts
// can be moved by Options (the sandbox, tests).
func (o Options) hostsOf(c auth.Credential) hosts {
	if c.FutuBrand() == auth.BrandMoomoo {
		return hosts{api: MoomooBaseURL, oauth: MoomooOAuthURL, metadata: MoomooMetadataURL, domain: "moomoo.com"}
	}
	return hosts{api: DefaultBaseURL, oauth: o.OAuthURL, metadata: o.MetadataURL, domain: "futunn.com"}
}

// ValidBrand reports whether b is a brand Futu serves under ("" is Futu).
func ValidBrand(b string) bool {
	b = strings.ToLower(strings.TrimSpace(b))
	return b == "" || b == auth.BrandFutu || b == auth.BrandMoomoo
}

// Hosts says where the login's calls go: the API host, and the OAuth
// host (its own token URL's, else the account API's host).
func (p *OAuthProvider) Hosts(c auth.Credential) auth.Hosts {
	var h auth.Hosts
	h.API, _ = baseURL(p.o, c)
	h.OAuth, _ = p.apiHost(c)
	if u, err := url.Parse(c.TokenURL); err == nil && c.TokenURL != "" && u.Host != "" {
		h.OAuth = u.Scheme + "://" + u.Host
	}
	return h
}

// Hosts says where the key's calls go.
func (p *KeyProvider) Hosts(c auth.Credential) auth.Hosts {
	api, _ := baseURL(p.o, c)
	return auth.Hosts{API: api}
}
