package msg_test

import (
	"testing"

	"tokentray/internal/msg"
)

// Two parameters written against each other in Chinese join without a
// space where either is Chinese, and keep one where both are Latin words.
func TestAdjacentParametersOfLatinWordsKeepASpace(t *testing.T) {
	for _, c := range []struct {
		lang   msg.Lang
		broker string
		label  string
		want   string
	}{
		{msg.HongKongChinese, "brand.webull", "App Key", "Webull App Key"},
		{msg.SimplifiedChinese, "brand.webull", "App Secret", "Webull App Secret"},
		{msg.HongKongChinese, "brand.futu", "App Key", "富途 App Key"},
		{msg.SimplifiedChinese, "brand.futu", "访问令牌", "富途访问令牌"},
		{msg.English, "brand.webull", "App Key", "Webull App Key"},
	} {
		if got := c.lang.Render(msg.New("cli.field_prompt", "Broker", msg.New(c.broker), "Label", c.label)); got != c.want {
			t.Errorf("%s: %q, want %q", c.lang, got, c.want)
		}
	}
}
