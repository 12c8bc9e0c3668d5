package engine

import "tokentray/auth"

// scratch is one credential's secrets held in memory while a check or
// an adoption runs, so nothing reaches the keychain until the whole
// credential is accepted. It refuses a value the keychain would.
type scratch map[string]string

func (s scratch) Get(field string) (string, error) {
	v, ok := s[field]
	if !ok {
		return "", auth.ErrSecretNotFound
	}
	return v, nil
}

func (s scratch) Set(field, value string) error {
	if len(value) > auth.MaxSecretBytes {
		return auth.ErrSecretTooLarge{Field: field, Size: len(value)}
	}
	s[field] = value
	return nil
}

func (s scratch) Delete(field string) error {
	delete(s, field)
	return nil
}

// ImportSDK adopts the login the broker's SDK saved for clientID (the
// Futu SDK's token file) instead of a new login: it reads it into c and
// returns the secrets to add c with. It reads into memory only, so the
// credential is added whole or not at all.
func (e *Engine) ImportSDK(c auth.Credential, clientID string) (auth.Credential, map[string]string, error) {
	p, err := e.Provider(c.Kind)
	if err != nil {
		return c, nil, err
	}
	imp, ok := p.(auth.SDKImporter)
	if !ok {
		return c, nil, auth.NeedsUserTo(auth.Next(auth.ActionLogin, c.Name), "a %s cannot adopt an SDK's saved login: add it without, then log in", c.Kind.Title())
	}
	s := scratch{}
	if _, err := imp.ImportSDKToken(&c, s, clientID); err != nil {
		return c, nil, err
	}
	return c, s, nil
}
