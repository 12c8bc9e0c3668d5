package webull

import (
	"fmt"
	"net"
	"net/url"
	"sort"
	"strings"

	"tokentray/auth"
)

// DefaultRegion is used when a credential names no region.
const DefaultRegion = "us"

// Hosts are one region's production and test API hosts; Test is empty when
// Webull publishes no test environment for the region.
type Hosts struct {
	Production string
	Test       string
}

var regionHosts = map[string]Hosts{
	"us": {"api.webull.com", "us-openapi-alb.uat.webullbroker.com"},
	"hk": {"api.webull.hk", "hk-openapi.uat.webullbroker.com"},
	"jp": {"api.webull.co.jp", "jp-openapi-alb.uat.webullbroker.com"},
	"sg": {"api.webull.com.sg", ""},
	"th": {"api.webull.co.th", ""},
	"au": {"api.webull.com.au", ""},
	"my": {"api.webull.com.my", ""},
	"uk": {"api.webull-uk.com", ""},
	"eu": {"api.webull.eu", ""},
}

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
	"api.webull.com":                      true,
	"api.webull.hk":                       true,
	"events-api.webull.com":               true,
	"events-api.webull.hk":                true,
	"us-openapi-alb.uat.webullbroker.com": true,
	"hk-openapi.uat.webullbroker.com":     true,
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
		return nil, auth.NeedsUser(fmt.Sprintf("%q is not a Webull region: choose one of %s", c.Region, strings.Join(Regions(), ", ")))
	}
	host := h.Production
	if c.TestEnv {
		if h.Test == "" {
			return nil, auth.NeedsUser(fmt.Sprintf("Webull publishes no test environment for region %s: set the test endpoint by hand", region))
		}
		host = h.Test
	}
	return &url.URL{Scheme: "https", Host: host}, nil
}

func parseEndpoint(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, auth.NeedsUser(fmt.Sprintf("the Webull endpoint %q is not usable: give it as https://host or https://host:port", s))
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		// Tokens travel in the clear over http; only a local sandbox may use it.
		return nil, auth.NeedsUser(fmt.Sprintf("the Webull endpoint %q uses plain http: use https (http is only for localhost)", s))
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawQuery, u.Fragment, u.RawPath = "", "", ""
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
