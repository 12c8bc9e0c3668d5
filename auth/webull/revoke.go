package webull

import (
	"context"

	"tokentray/auth"
)

// Revoke is called when a credential is logged out or removed. Webull
// has no call to revoke a token, so what can be done is to stop handing
// it out: every token file written for the SDKs that still holds this
// credential's token is deleted, so bots stop using it.
func (p *Provider) Revoke(ctx context.Context, c auth.Credential, s auth.Secrets) error {
	_, err := p.UnshareTokenFiles(c, s)
	return err
}

var _ auth.Remover = (*Provider)(nil)
