package tray

import "tokentray/internal/system"

// The kinds describe themselves through the registry the wiring fills.
func init() { system.RegisterKinds() }
