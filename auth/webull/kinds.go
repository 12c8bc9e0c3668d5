package webull

import (
	"path/filepath"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Kinds describes Webull's kind of credential: an OpenAPI app, its
// region, its 2FA-verified token and the token file its SDK reads.
func Kinds() []auth.KindInfo {
	regions := make([]auth.Choice, 0, len(regionList))
	for _, r := range regionList {
		regions = append(regions, auth.Choice{Value: r.Code, Help: r.Description()})
	}
	return []auth.KindInfo{{
		Kind:    auth.KindWebull,
		Summary: `a Webull OpenAPI app: WEBULL_APP_KEY_ID and WEBULL_APP_KEY_SECRET (as the Webull SDK names them; also WEBULL_APP_KEY and WEBULL_APP_SECRET); run "tokentray login NAME" next to create a token and verify it in the Webull app`,
		Example: func(c auth.Credential) string { return "webull-" + normRegion(c.Region) },
		Fields: []auth.Field{
			{Name: auth.FieldAppKey, Label: "App Key", Prompt: "Webull App Key", Env: []string{"WEBULL_APP_KEY_ID", "WEBULL_APP_KEY"},
				Hint: msg.New("kinds.webull_app_key_hint")},
			{Name: auth.FieldAppSecret, Label: "App Secret", Prompt: "Webull App Secret", Env: []string{"WEBULL_APP_KEY_SECRET", "WEBULL_APP_SECRET"}, Secret: true,
				Hint: msg.New("kinds.app_secret_hint")},
		},
		Options: []auth.Option{
			{Name: "region", Arg: "R", Usage: "the Webull region", Help: "the app's region, one of the Webull regions below",
				Label: msg.New("kinds.field_region"), Choices: regions, Default: DefaultRegion, Required: true, Update: true,
				Set: func(c *auth.Credential, v string) error {
					r, err := auth.PickNamed(regions, msg.New("webull.what_region"), v)
					c.Region = r
					return err
				},
				Get: func(c auth.Credential) string { return normRegion(c.Region) }},
			{Name: "test-env", Usage: "the app is in Webull's test environment", Help: "the app is in Webull's test environment",
				Label: msg.New("kinds.webull_test_env"), Update: true,
				Offered: func(c auth.Credential) bool {
					h, _ := RegionHosts(c.Region)
					return h.Test != ""
				},
				Set: func(c *auth.Credential, v string) error { c.TestEnv = v == "true"; return nil },
				Get: func(c auth.Credential) string {
					if c.TestEnv {
						return "true"
					}
					return "false"
				}},
			{Name: "share-dir", Arg: "DIR", Usage: "keep the Webull SDK's token.txt in this folder current", Dir: true, Update: true,
				Help: "keep the Webull SDK's token.txt in DIR current",
				Set: func(c *auth.Credential, v string) error {
					// Absolute, so the agent finds it whatever its working folder.
					dir, err := filepath.Abs(v)
					if err != nil {
						return auth.NeedsUserBecause(auth.Action{}, msg.New("webull.share_dir_unusable", "Dir", auth.ShownInputMsg(v), "Err", err))
					}
					c.ShareWithSDK, c.SDKTokenDir = true, dir
					return nil
				}},
		},
		SignIn: auth.ActionVerify,
		// A refused app key or secret is replaced; a token is verified again.
		Next:   map[auth.State]auth.ActionKind{auth.Broken: auth.ActionUpdate},
		Logout: true,
		Share: auth.Share{
			File: "the Webull SDK's token file", Dir: true, DirEnv: TokenDirEnv, FileName: TokenFileName, DirRule: TokenDirRule,
			CheckDir: CheckShareDir,
			UseOfDir: func(dir string) msg.Message { return UseOfTokenDir(dir).Message() },
		},
	}}
}
