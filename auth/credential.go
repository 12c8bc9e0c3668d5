package auth

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"tokentray/internal/msg"
)

// Kind names one way of authenticating with one broker.
type Kind string

const (
	// KindFutuOAuth is a Futu OpenAPI OAuth 2.0 login (access + refresh token).
	KindFutuOAuth Kind = "futu-oauth"
	// KindFutuKey is a Futu OpenAPI legacy API key (app key, app secret, access token).
	KindFutuKey Kind = "futu-key"
	// KindWebull is a Webull OpenAPI app key with a 2FA-verified access token.
	KindWebull Kind = "webull"
)

// Kinds lists every kind in the order the user sees them.
var Kinds = []Kind{KindFutuOAuth, KindFutuKey, KindWebull}

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	for _, x := range Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Broker is the human name of the broker behind a kind.
func (k Kind) Broker() string {
	switch k {
	case KindFutuOAuth, KindFutuKey:
		return "Futu"
	case KindWebull:
		return "Webull"
	}
	return "unknown"
}

// BrokerMessage is Broker as a message ("brand.futu"), said in the
// person's language.
func (k Kind) BrokerMessage() msg.Message {
	switch k {
	case KindFutuOAuth, KindFutuKey:
		return msg.New("brand.futu")
	case KindWebull:
		return msg.New("brand.webull")
	}
	return msg.Plain(k.Broker())
}

// Message is Title as a message ("Futu OAuth login").
func (k Kind) Message() msg.Message {
	switch k {
	case KindFutuOAuth:
		return msg.New("auth.kind_futu_oauth")
	case KindFutuKey:
		return msg.New("auth.kind_futu_key")
	case KindWebull:
		return msg.New("auth.kind_webull")
	}
	return msg.Plain(k.Title())
}

// Title is a short human label for a kind.
func (k Kind) Title() string {
	switch k {
	case KindFutuOAuth:
		return "Futu OAuth login"
	case KindFutuKey:
		return "Futu API key"
	case KindWebull:
		return "Webull token"
	}
	return string(k)
}

// The brands Futu serves under, for the Futu kinds: Futu itself, and
// moomoo, its international brand (US, Singapore, Australia, Canada,
// Japan, Malaysia) with the same API on its own hosts.
const (
	BrandFutu   = "futu"
	BrandMoomoo = "moomoo"
)

// FutuBrands lists the brands in the order the user sees them.
var FutuBrands = []string{BrandFutu, BrandMoomoo}

// BrandName is how a brand is written: "Futu" or "moomoo".
func BrandName(brand string) string {
	if brand == BrandMoomoo {
		return "moomoo"
	}
	return "Futu"
}

// Secret field names: one keychain item per field, so every item stays small.
const (
	FieldAppKey            = "app_key"
	FieldAppSecret         = "app_secret"
	FieldAccessToken       = "access_token"
	FieldRefreshToken      = "refresh_token"
	FieldWebullToken       = "webull_token"
	FieldRegistrationToken = "registration_access_token"
)

// SecretFields lists every field a credential may keep in the keychain.
var SecretFields = []string{
	FieldAppKey, FieldAppSecret, FieldAccessToken,
	FieldRefreshToken, FieldWebullToken, FieldRegistrationToken,
}

// Where a Futu OAuth credential's endpoints come from.
const (
	// LayoutMetadata: the host's RFC 8414 metadata.
	LayoutMetadata = "metadata"
	// LayoutFutuCLI: the paths Futu's own command line uses, on one host.
	LayoutFutuCLI = "futu-cli"
	// LayoutCustom: at least one endpoint set by hand for this credential.
	LayoutCustom = "custom"
)

// Credential is everything tokentray knows about one credential except
// its secrets. It is what the settings file stores; it must never hold a
// secret value.
type Credential struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind Kind   `json:"kind"`

	// Endpoint is the API base URL ("https://openapi.futunn.com",
	// "https://api.webull.com"); empty means the broker's default.
	Endpoint string `json:"endpoint,omitempty"`

	// Brand is the Futu kinds' brand, BrandFutu (also when empty) or
	// BrandMoomoo: every default host follows it.
	Brand string `json:"brand,omitempty"`

	// Futu OAuth.
	ClientID string `json:"client_id,omitempty"`
	// RedirectURL is the redirect URI tokentray registered ClientID with
	// (empty for a client ID given by the user): a login on another
	// redirect URI registers again.
	RedirectURL  string `json:"redirect_url,omitempty"`
	Scope        string `json:"scope,omitempty"`
	AuthorizeURL string `json:"authorize_url,omitempty"`
	TokenURL     string `json:"token_url,omitempty"`
	RevokeURL    string `json:"revoke_url,omitempty"`
	RegisterURL  string `json:"register_url,omitempty"`
	ShareWithSDK bool   `json:"share_with_sdk,omitempty"`
	// ShareAccessOnly writes the Futu SDK's token file without the
	// refresh token, so no other program can refresh (and rotate away)
	// the login tokentray keeps.
	ShareAccessOnly bool   `json:"share_access_only,omitempty"`
	SDKTokenDir     string `json:"sdk_token_dir,omitempty"`
	// SDKTokenFile is the SDK token file last written for this credential,
	// so it can be removed when sharing moves or stops.
	SDKTokenFile     string `json:"sdk_token_file,omitempty"`
	RefreshTokenPath string `json:"refresh_path,omitempty"`
	// Layout is where the OAuth endpoints came from: LayoutMetadata,
	// LayoutFutuCLI or LayoutCustom; empty until first used.
	Layout string `json:"layout,omitempty"`
	// Account is who logged in, as the broker named it.
	Account Account `json:"account,omitzero"`
	// Access is what the login may do (quote, trade); nil until known.
	Access *Access `json:"access,omitempty"`

	// Webull.
	Region        string `json:"region,omitempty"`
	TestEnv       bool   `json:"test_env,omitempty"`
	SignAlgorithm string `json:"sign_algorithm,omitempty"`
	TokenStatus   string `json:"token_status,omitempty"`
	// TwoFactorOff: the broker said the app needs no token (2FA is off),
	// so requests are signed with the app key alone.
	TwoFactorOff bool `json:"two_factor_off,omitempty"`
	// RenewUnavailable: the broker refused to renew the token, so it
	// lasts only while it is used and until its expiry.
	RenewUnavailable bool `json:"renew_unavailable,omitempty"`

	// KeyFingerprint tells whether another credential holds the same app
	// key (Futu API key, Webull) without keeping the key: see
	// KeyFingerprint.
	KeyFingerprint string `json:"key_fingerprint,omitempty"`

	// Lifecycle, all in UTC.
	AddedAt     time.Time `json:"added_at"`
	ExpiresAt   time.Time `json:"expires_at,omitzero"`
	RefreshedAt time.Time `json:"refreshed_at,omitzero"`
	LastChecked time.Time `json:"last_checked,omitzero"`
	LastUsed    time.Time `json:"last_used,omitzero"`

	// ExtendLost is when an extension's answer was lost (Futu API keys):
	// Futu may have retired the stored token for one tokentray never
	// received. Cleared once Futu accepts the stored token again.
	ExtendLost time.Time `json:"extend_lost,omitzero"`

	// Replaced is the last time the token was swapped for a new one that
	// retired the old (an extension), and where the new one went.
	Replaced Replacement `json:"replaced,omitzero"`

	// Health is the last health the engine computed, kept so that a
	// restart shows what was known instead of nothing.
	Health Health `json:"health"`
}

// nameOK keeps names usable on a command line and in a file name: 1 to
// 64 ASCII letters, digits, dots, dashes and underscores, starting with
// a letter or digit.
func nameOK(name string) bool {
	if len(name) == 0 || len(name) > 64 {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
		if !alnum && (i == 0 || c != '.' && c != '_' && c != '-') {
			return false
		}
	}
	return true
}

// ValidateName returns a sentence-long error when name cannot be used.
func ValidateName(name string) error {
	if !nameOK(name) {
		shown := msg.Plain(fmt.Sprintf("%q", name))
		if r := []rune(name); len(r) > 64 {
			// A message never repeats a huge argument whole.
			shown = msg.New("auth.name_cut", "Start", fmt.Sprintf("%q", string(r[:64])), "Count", len(r))
		}
		return msg.Errorf("auth.name_unusable", "Name", shown)
	}
	return nil
}

// NewID returns a random, stable identifier for a new credential. It is
// the key of the credential's keychain items, so renaming keeps secrets.
func NewID() string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// FutuBrand is the brand of a Futu credential, BrandFutu when not set;
// "" for other kinds.
func (c Credential) FutuBrand() string {
	switch {
	case c.Kind != KindFutuOAuth && c.Kind != KindFutuKey:
		return ""
	case c.Brand == BrandMoomoo:
		return BrandMoomoo
	}
	return BrandFutu
}

// Who is the credential's brand (when moomoo), who it belongs to and what
// it may do in one short line, for the tray's tooltip and menu: the
// account's name and Futu ID, then the access (which names the accounts
// it may trade), or before the broker's account check the account
// number. The account's type and quote levels are left to the window's
// details and status NAME. Empty when nothing is known.
func (c Credential) Who() string { return c.WhoMsg().String() }

// WhoMsg is Who as a message, said in the person's language.
func (c Credential) WhoMsg() msg.Message {
	var parts []msg.Message
	if c.Brand == BrandMoomoo && (c.Kind == KindFutuOAuth || c.Kind == KindFutuKey) {
		parts = append(parts, msg.New("brand.moomoo"))
	}
	if c.Account.Name != "" {
		parts = append(parts, msg.Plain(c.Account.Name))
	}
	if c.Account.FutuID != "" {
		parts = append(parts, msg.New("auth.futu_id", "ID", c.Account.FutuID))
	}
	if c.Access != nil {
		parts = append(parts, c.Access.SummaryMsg())
	} else if c.Account.AccountNo != "" {
		parts = append(parts, Account{AccountNo: c.Account.AccountNo, AccountType: c.Account.AccountType}.SummaryMsg())
	}
	return Dotted(parts...)
}
