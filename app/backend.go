// Package app is tokentray's window: the credentials and their health,
// forms to add and correct them, the Futu login and the Webull 2FA
// countdown, and settings. It holds no secrets of its own; everything
// goes through a service.Service (the credential engine over the shared
// store, in this process).
package app

import (
	"context"

	"tokentray/auth/service"
)

// The service's types, as the window names them.
type (
	Row        = service.Row
	AddRequest = service.AddRequest
	Setting    = service.Setting
	Where      = service.Where
)

// refresh checks and renews the credential called name, or every one
// when name is "", and returns the first failure.
func refresh(ctx context.Context, s service.Service, name string) error {
	if name != "" {
		_, err := s.Refresh(ctx, name, false)
		return err
	}
	results, err := s.RefreshAll(ctx, false)
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

// gone is the error of a removal or a logout.
func gone(_ service.Gone, err error) error { return err }
