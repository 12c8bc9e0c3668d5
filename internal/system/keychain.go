package system

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"tokentray/auth"
	"tokentray/auth/keychain"
	"tokentray/auth/store"
)

// Keychain is where a profile's secrets are kept: the OS keychain
// (*keychain.Keyring) or the file keychain (*keychain.File).
type Keychain interface {
	auth.SecretStore
	// Check says, as one sentence, why the keychain cannot be used now.
	Check() error
	// Service is the service name the items are kept under.
	Service() string
}

// What chose the keychain (KeychainChoice.By).
const (
	ChosenByEnv     = "TOKENTRAY_KEYCHAIN"
	ChosenBySetting = "the keychain setting"
	ChosenByDefault = "the default"
)

// KeychainChoice is which keychain a profile uses, and what chose it.
type KeychainChoice struct {
	// Kind is store.KeychainOS or store.KeychainFile.
	Kind string
	// By is ChosenByEnv, ChosenBySetting or ChosenByDefault.
	By string
}

// ChooseKeychain reads the choice: TOKENTRAY_KEYCHAIN when set, else the
// profile's keychain setting, else the OS keychain. Nothing switches on
// its own: a missing Secret Service is reported, never replaced.
func ChooseKeychain(p Profile, getenv func(string) string) (KeychainChoice, error) {
	if v := strings.TrimSpace(getenv("TOKENTRAY_KEYCHAIN")); v != "" {
		switch strings.ToLower(v) {
		case store.KeychainOS, store.KeychainFile:
			return KeychainChoice{Kind: strings.ToLower(v), By: ChosenByEnv}, nil
		}
		return KeychainChoice{}, fmt.Errorf("TOKENTRAY_KEYCHAIN is %q; set it to os (the system keychain) or file (the encrypted file keychain), or unset it", v)
	}
	prefs, err := store.ReadPrefs(p.Dir)
	var corrupt *store.CorruptError
	switch {
	case err != nil && !errors.As(err, &corrupt):
		return KeychainChoice{}, err
	case err == nil && prefs.Keychain == store.KeychainFile:
		return KeychainChoice{Kind: store.KeychainFile, By: ChosenBySetting}, nil
	}
	// A damaged settings file is moved aside by the store, which says so.
	return KeychainChoice{Kind: store.KeychainOS, By: ChosenByDefault}, nil
}

// openKeychain builds the keychain choice says for profile p.
func openKeychain(p Profile, choice KeychainChoice, getenv func(string) string) (Keychain, error) {
	if choice.Kind == store.KeychainFile {
		key, err := keychain.KeyFor(getenv)
		if err != nil {
			return nil, err
		}
		return keychain.NewFile(filepath.Join(p.Dir, keychain.FileName), p.Service, key), nil
	}
	return keychain.New(p.Service, keychain.DefaultTimeout), nil
}

// KeychainStatus checks the profile's keychain and says which it is.
// Not known when the secrets are kept elsewhere (tests).
func (p *Parts) KeychainStatus() (keychain.Report, bool) {
	if p.keychain == nil {
		return keychain.Report{}, false
	}
	s := keychain.Report{Kind: p.choice.Kind, ChosenBy: p.choice.By, Service: p.keychain.Service(), Items: -1}
	switch k := p.keychain.(type) {
	case *keychain.File:
		s.File, s.Key = k.Path(), k.Key()
		s.Items, s.Err = k.Count()
		if s.Err != nil {
			s.Items = -1
		}
	default:
		s.Err = k.Check()
		if a, ok := k.(interface{ SessionAlgorithm() string }); ok {
			s.Session = a.SessionAlgorithm()
		}
	}
	return s, true
}

// FileKeychain is the profile's file keychain; nil when its secrets are
// kept elsewhere.
func (p *Parts) FileKeychain() *keychain.File {
	f, _ := p.keychain.(*keychain.File)
	return f
}
