package service

import (
	"tokentray/auth"
	"tokentray/auth/store"
)

// Row is one credential as the window lists it.
type Row struct {
	Name   string
	Kind   auth.Kind
	Health auth.Health
	// Credential is what the settings keep of it (never a secret): the
	// endpoint, region, account and the times of its last check.
	Credential auth.Credential
	// Shares are its share targets, one line each with how its pushes
	// go, then the bots that keep an old token when a renewal changed it.
	Shares []string
	// Hosts are where its calls go (its endpoint, else the broker's
	// default for its brand or region).
	Hosts auth.Hosts
}

// AddRequest is a credential to add, as the add form or `tokentray add`
// collected it: what the settings will keep of it (an empty endpoint is
// the profile's own: the sandbox's brokers in the sandbox profile) and
// its secrets, which go straight to the keychain.
type AddRequest struct {
	auth.Credential
	Secrets map[string]string
	// NoCheck stores it without asking the broker (one that cannot be
	// reached now), marked Unknown until the next check.
	NoCheck bool
	// ImportSDK, when set, is the OAuth client whose login the broker's
	// SDK saved: it is adopted (its tokens become the credential's)
	// instead of a login.
	ImportSDK string
}

// UpdateRequest changes a stored credential.
type UpdateRequest struct {
	Name string
	// Secrets replace the stored ones; a field left out (or empty) keeps
	// its stored value.
	Secrets map[string]string
	// Edit changes its settings (endpoint, region, scope ...); nil keeps
	// them. Its name, kind and identity cannot change.
	Edit func(c *auth.Credential)
	// NoCheck stores the change without asking the broker.
	NoCheck bool
	// DefaultEndpoint: an endpoint Edit leaves empty becomes the
	// profile's own (the sandbox's brokers in the sandbox profile).
	DefaultEndpoint bool
}

// FormUpdate is the edit form's update: the request's endpoint and the
// settings of the form's options its kind lets update change (by its
// description, auth.KindInfo: the scope, a Webull app's region and test
// environment) replace the stored ones; an empty endpoint is the
// profile's default.
func FormUpdate(req AddRequest) UpdateRequest {
	info, _ := auth.Describe(req.Kind)
	return UpdateRequest{
		Name: req.Name, Secrets: req.Secrets, NoCheck: req.NoCheck, DefaultEndpoint: true,
		Edit: func(c *auth.Credential) {
			c.Endpoint = req.Endpoint
			for _, o := range info.Options {
				if o.Update && !o.Label.IsZero() && o.Get != nil && o.Set != nil {
					_ = o.Set(c, o.Get(req.Credential)) // the form checked it
				}
			}
		},
	}
}

// Setting is one user setting as the settings file keeps it and
// `tokentray config` lists it.
type Setting struct {
	// Key is the name `tokentray config` uses ("lead-time").
	Key string
	// Title says what it does, as a label.
	Title string
	// Value and Default are shown as `tokentray config` prints them.
	Value   string
	Default string
	// Allowed describes the accepted values ("1m to 168h").
	Allowed string
	// Switch is set for an on/off setting (Value "on" or "off").
	Switch bool
}

// Where says where tokentray keeps its data.
type Where struct {
	// Dir is the profile directory; Settings the settings file in it.
	Dir      string
	Settings string
	// Keychain names the keychain the secrets are kept in.
	Keychain string
}

// Autostart is the "Start at login" switch: an entry that starts the
// agent when the person logs in.
type Autostart interface {
	Enabled() bool
	Set(on bool) error
}

// Prefs reads and writes a profile's settings (*store.Store is one).
type Prefs interface {
	Prefs() (store.Prefs, error)
	SetPrefs(store.Prefs) error
}
