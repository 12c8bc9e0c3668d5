// Package futu keeps Futu OpenAPI credentials usable: OAuth 2.0 logins
// (client registration, browser login with PKCE, token refresh and
// revocation, sharing tokens with the Futu SDK) and legacy API keys
// (request signing, health checks against the broker, extending the
// access token before its 90 days run out).
package futu
