package futu

import (
	"strings"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Kinds describes Futu's two kinds of credential: what adding each one
// takes, its options and what follows each of its states.
func Kinds() []auth.KindInfo {
	return []auth.KindInfo{oauthKind(), keyKind()}
}

// brands are the brands Futu serves under, as the brand option offers them.
var brands = []auth.Choice{
	{Value: auth.BrandFutu, Help: "Futu (the default)"},
	{Value: auth.BrandMoomoo, Help: "moomoo, Futu's brand in the US, Singapore, Australia, Canada, Japan and Malaysia"},
}

func brandOption() auth.Option {
	return auth.Option{
		Name: "brand", Arg: "B", Usage: "Futu's brand: futu (default) or moomoo",
		Help:    "futu (the default) or moomoo, Futu's brand in the US, Singapore, Australia, Canada, Japan and Malaysia: every default host follows it (moomoo: webapi.moomoo.com for the login, openapi.moomoo.com for the API)",
		Label:   msg.New("kinds.field_brand"),
		Choices: brands, Default: auth.BrandFutu,
		Set: func(c *auth.Credential, v string) error {
			b, err := auth.PickNamed(brands, msg.New("futu.what_brand"), v)
			c.Brand = b
			return err
		},
		Get: func(c auth.Credential) string { return c.FutuBrand() },
	}
}

// urlOption is one of a Futu OAuth login's per-endpoint overrides; an
// empty value goes back to the host's metadata or Futu's CLI layout.
func urlOption(name, usage string, field func(*auth.Credential) *string) auth.Option {
	return auth.Option{
		Name: name, Arg: "URL", Usage: usage, Update: true,
		Help: usage + " (default, and with an empty value: the host's metadata, else the layout of Futu's own command line)",
		Set: func(c *auth.Credential, v string) error {
			v = strings.TrimSpace(v)
			if v != "" {
				if _, err := auth.CheckEndpoint("--"+name, v); err != nil {
					return err
				}
			}
			*field(c) = v
			return nil
		},
	}
}

func oauthKind() auth.KindInfo {
	return auth.KindInfo{
		Kind:    auth.KindFutuOAuth,
		Summary: `a Futu OAuth 2.0 login; no secret is needed now: run "tokentray login NAME" next to sign in in the browser.`,
		Example: func(auth.Credential) string { return "futu-main" },
		Options: []auth.Option{
			brandOption(),
			{Name: "scope", Arg: "S", Usage: "the OAuth scope to ask for", Update: true,
				Label: msg.New("kinds.field_scope"), Hint: msg.New("kinds.scope_hint"),
				Help: `the OAuth scope to ask for (default: what Futu's own command line asks, "` + DefaultScope + `")`,
				Set:  func(c *auth.Credential, v string) error { c.Scope = strings.TrimSpace(v); return nil },
				Get:  func(c auth.Credential) string { return c.Scope }},
			{Name: "share-sdk", Usage: "keep the Futu SDK's token file current",
				Help: "keep the Futu SDK's token file (~/.futu/openapi/tokens/<client_id>) current, so scripts using the SDK need no environment (the file's format is inferred from public Futu SDKs, not documented by Futu)",
				Set:  func(c *auth.Credential, v string) error { c.ShareWithSDK = v == "true"; return nil }},
			{Name: "import-sdk", Arg: "CLIENT_ID", Usage: "adopt the Futu SDK's saved login of this client ID",
				Help: "adopt the login the Futu SDK saved in ~/.futu/openapi/tokens/CLIENT_ID instead of logging in again (the format is inferred from public Futu SDKs); add --share-sdk too, so the SDK keeps working after tokentray renews it"},
			urlOption("register-url", "Futu's OAuth client registration endpoint", func(c *auth.Credential) *string { return &c.RegisterURL }),
			urlOption("authorize-url", "Futu's OAuth authorization page", func(c *auth.Credential) *string { return &c.AuthorizeURL }),
			urlOption("token-url", "Futu's OAuth token endpoint", func(c *auth.Credential) *string { return &c.TokenURL }),
		},
		SignIn: auth.ActionLogin,
		Logout: true,
		Share: auth.Share{
			File:             "the Futu SDK's token file",
			AccessOnly:       true,
			WrittenOnRenewal: true,
		},
		EnvFromEndpoint: "FUTU_HTTP_URL",
	}
}

func keyKind() auth.KindInfo {
	return auth.KindInfo{
		Kind:    auth.KindFutuKey,
		Summary: "a Futu legacy API key: FUTU_APP_KEY, FUTU_APP_SECRET and FUTU_ACCESS_TOKEN from the developer portal; checked with Futu at once",
		Example: func(auth.Credential) string { return "futu-key1" },
		Fields: []auth.Field{
			{Name: auth.FieldAppKey, Label: "App Key", Prompt: "Futu App Key", Env: []string{"FUTU_APP_KEY"},
				Hint: msg.New("kinds.futu_app_key_hint")},
			{Name: auth.FieldAppSecret, Label: "App Secret", Prompt: "Futu App Secret", Env: []string{"FUTU_APP_SECRET"}, Secret: true,
				Hint: msg.New("kinds.app_secret_hint")},
			{Name: auth.FieldAccessToken, Label: "Access Token", Prompt: "Futu Access Token", Env: []string{"FUTU_ACCESS_TOKEN"}, Secret: true,
				Hint: msg.New("kinds.futu_access_token_hint")},
		},
		Options: []auth.Option{brandOption()},
		// A new key comes from Futu's developer portal; a live one is
		// extended before it expires.
		SignIn:          auth.ActionUpdate,
		Next:            map[auth.State]auth.ActionKind{auth.Expiring: auth.ActionExtend},
		EnvFromEndpoint: "FUTU_HTTP_URL",
	}
}
