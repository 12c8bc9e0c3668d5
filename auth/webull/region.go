package webull

import (
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// DefaultRegion is used when a credential names no region.
const DefaultRegion = "us"

// Hosts are one region's production and test API hosts; Test is empty when
// Webull publishes no test environment for the region, and Sandbox is the
// documented sandbox host where one exists.
type Hosts struct {
	Production string
	Test       string
	Sandbox    string
}

// Region is one region code with the hosts the official SDKs use for it.
type Region struct {
	Code string
	// Name is the market it serves ("Hong Kong").
	Name string
	Hosts
}

// Description is one line for a help text: the market and its hosts.
func (r Region) Description() string {
	s := r.Name + ": " + r.Production
	if r.Test != "" {
		s += "; test environment " + r.Test
	}
	if r.Sandbox != "" {
		s += "; sandbox " + r.Sandbox
	}
	return s
}

const (
	usTest = "us-openapi-alb.uat.webullbroker.com"
)

// regionList is every region of the official SDKs' endpoint table (br and
// mx are served from the US host, za from the Australian one; eu since
// 2026-06). The test hosts of sg, th, my and uk are those Webull's MCP
// server lists; br and mx share the US host, so they share its test
// environment too (inferred: no source lists a test host of their own).
var regionList = []Region{
	{Code: "us", Name: "United States", Hosts: Hosts{Production: "api.webull.com", Test: usTest}},
	{Code: "hk", Name: "Hong Kong", Hosts: Hosts{Production: "api.webull.hk", Test: "hk-openapi.uat.webullbroker.com", Sandbox: "api.sandbox.webull.hk"}},
	{Code: "jp", Name: "Japan", Hosts: Hosts{Production: "api.webull.co.jp", Test: "jp-openapi-alb.uat.webullbroker.com"}},
	{Code: "sg", Name: "Singapore", Hosts: Hosts{Production: "api.webull.com.sg", Test: "sg-api.uat.webullbroker.com"}},
	{Code: "th", Name: "Thailand", Hosts: Hosts{Production: "api.webull.co.th", Test: "th-api.uat.webullbroker.com"}},
	{Code: "au", Name: "Australia", Hosts: Hosts{Production: "api.webull.com.au"}},
	{Code: "my", Name: "Malaysia", Hosts: Hosts{Production: "api.webull.com.my", Test: "my-api.uat.webullbroker.com"}},
	{Code: "uk", Name: "United Kingdom", Hosts: Hosts{Production: "api.webull-uk.com", Test: "uk-api.uat.webullbroker.com"}},
	{Code: "br", Name: "Brazil", Hosts: Hosts{Production: "api.webull.com", Test: usTest}},
	{Code: "mx", Name: "Mexico", Hosts: Hosts{Production: "api.webull.com", Test: usTest}},
	{Code: "za", Name: "South Africa", Hosts: Hosts{Production: "api.webull.com.au"}},
	{Code: "eu", Name: "Europe", Hosts: Hosts{Production: "api.webull.eu"}},
}

var regionHosts = func() map[string]Hosts {
	m := map[string]Hosts{}
	for _, r := range regionList {
		m[r.Code] = r.Hosts
	}
	return m
}()

// AllRegions lists every region with its hosts, in the SDKs' order.
func AllRegions() []Region { return append([]Region(nil), regionList...) }

// Regions lists the supported region codes in a stable order.
func Regions() []string {
	out := make([]string, 0, len(regionHosts))
	for r := range regionHosts {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// RegionHosts returns the published hosts of a region.
func RegionHosts(region string) (Hosts, bool) {
	h, ok := regionHosts[normRegion(region)]
	return h, ok
}

func normRegion(r string) string {
	r = strings.ToLower(strings.TrimSpace(r))
	if r == "" {
		return DefaultRegion
	}
	return r
}

// legacyHosts are signed with HMAC-SHA1 and an MD5 body hash; every other
// host gets HMAC-SHA256 and SHA-256, as the official SDKs do.
var legacyHosts = map[string]bool{
	"api.webull.com":                             true,
	"api.webull.hk":                              true,
	"events-api.webull.com":                      true,
	"events-api.webull.hk":                       true,
	"us-openapi-alb.uat.webullbroker.com":        true,
	"us-openapi-events.uat.webullbroker.com":     true,
	"hk-openapi.uat.webullbroker.com":            true,
	"hk-openapi-events-api.uat.webullbroker.com": true,
	"api.sandbox.webull.hk":                      true,
	"events-api.sandbox.webull.hk":               true,
	"pre-openapi-us-alb.webullbroker.com":        true,
	"pre-openapi-us-events.webullbroker.com":     true,
	"pre-openapi-alb.webullbroker.com":           true,
	"pre-openapi-events.webullbroker.com":        true,
}

// IsLegacyHost reports whether host (with or without a port) is one that
// Webull still signs with HMAC-SHA1.
func IsLegacyHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return legacyHosts[strings.ToLower(host)]
}

// BaseURL is where a credential's API calls go: its Endpoint override when
// set, else the region's production or test host over HTTPS.
func BaseURL(c auth.Credential) (*url.URL, error) {
	if c.Endpoint != "" {
		return parseEndpoint(c.Endpoint)
	}
	region := normRegion(c.Region)
	h, ok := regionHosts[region]
	if !ok {
		return nil, auth.NeedsUserBecause(auth.Action{}, msg.New("webull.region_unknown", "Region", strconv.Quote(c.Region), "Regions", strings.Join(Regions(), ", ")))
	}
	host := h.Production
	if c.TestEnv {
		if h.Test == "" {
			return nil, auth.NeedsUserBecause(auth.Action{}, msg.New("webull.region_no_test", "Region", region))
		}
		host = h.Test
	}
	return &url.URL{Scheme: "https", Host: host}, nil
}

func parseEndpoint(s string) (*url.URL, error) {
	clean, err := auth.CheckEndpoint("the Webull endpoint", s)
	if err != nil {
		return nil, err
	}
	return url.Parse(clean)
}

// AlgorithmFor picks the signature algorithm for a credential: its
// SignAlgorithm override when set, else by the host it talks to.
func AlgorithmFor(c auth.Credential, host string) (Algorithm, error) {
	if c.SignAlgorithm != "" {
		return ParseAlgorithm(c.SignAlgorithm)
	}
	if IsLegacyHost(host) {
		return HMACSHA1, nil
	}
	return HMACSHA256, nil
}

// Hosts says where the credential's calls go: its endpoint, else its
// region's production or test host.
func (p *Provider) Hosts(c auth.Credential) auth.Hosts {
	u, err := BaseURL(c)
	if err != nil {
		return auth.Hosts{}
	}
	return auth.Hosts{API: u.String()}
}
