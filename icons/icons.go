// Package icons holds tokentray's embedded icons: the app icon and one
// tray icon per health state. The PNGs are drawn by ./gen.
package icons

//go:generate go run ./gen .

import (
	_ "embed"

	"tokentray/auth"
)

var (
	//go:embed app.png
	App []byte
	//go:embed state-ok.png
	stateOK []byte
	//go:embed state-expiring.png
	stateExpiring []byte
	//go:embed state-action.png
	stateAction []byte
	//go:embed state-pending.png
	statePending []byte
	//go:embed state-broken.png
	stateBroken []byte
	//go:embed state-unknown.png
	stateUnknown []byte
)

// ForState returns the PNG tray icon for a health state.
func ForState(s auth.State) []byte {
	switch s {
	case auth.OK:
		return stateOK
	case auth.Expiring:
		return stateExpiring
	case auth.ActionNeeded:
		return stateAction
	case auth.Pending:
		return statePending
	case auth.Broken:
		return stateBroken
	}
	return stateUnknown
}
