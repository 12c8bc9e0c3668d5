package webull

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"tokentray/auth"
)

// Revoke is called when a credential is logged out or removed. Webull
// has no call to revoke a token, so what tokentray can do is stop handing
// it out: the token file shared with the SDKs is deleted when it still
// holds this credential's token, so bots stop using it.
func (p *Provider) Revoke(ctx context.Context, c auth.Credential, s auth.Secrets) error {
	if !c.ShareWithSDK {
		return nil
	}
	tok, err := s.Get(auth.FieldWebullToken)
	if err != nil {
		if errors.Is(err, auth.ErrSecretNotFound) {
			return nil
		}
		return err
	}
	dir := p.SDKTokenDir(c)
	ti, err := ReadTokenFile(dir)
	if err != nil || ti.Token != tok {
		return nil // not ours (any more): leave it to whoever wrote it
	}
	if err := os.Remove(filepath.Join(dir, TokenFileName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

var _ auth.Remover = (*Provider)(nil)
