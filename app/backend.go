// Package app is tokentray's window: the credentials and their health,
// forms to add them, the Futu login and the Webull 2FA countdown, and
// settings. It holds no secrets of its own; everything goes through a
// Backend (the agent, or the engine when no agent runs).
package app

import (
	"context"
	"time"

	"tokentray/auth"
)

// Row is one credential as the window lists it.
type Row struct {
	Name   string
	Kind   auth.Kind
	Health auth.Health
}

// AddRequest is what the add form collects. Secrets go straight to the
// backend, which puts them in the keychain.
type AddRequest struct {
	Kind     auth.Kind
	Name     string
	Endpoint string
	Scope    string
	Region   string
	TestEnv  bool
	Secrets  map[string]string
}

// Backend is everything the window asks of the agent.
type Backend interface {
	List(ctx context.Context) ([]Row, error)
	// Refresh checks and renews one credential, or all when name is "".
	Refresh(ctx context.Context, name string) error
	Token(ctx context.Context, name string) (string, error)
	Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error)
	// Extend asks the broker for a token valid until the given time
	// (Futu API keys).
	Extend(ctx context.Context, name string, until time.Time) (auth.Health, error)
	Add(ctx context.Context, req AddRequest) error
	Remove(ctx context.Context, name string) error
	// Logout forgets a login's tokens (revoking them where the broker
	// allows) and keeps the credential, ready to log in again.
	Logout(ctx context.Context, name string) error
}
