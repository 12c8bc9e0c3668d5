//go:build !(linux && cgo)

package main

// checkDisplay has nothing to check where the desktop always has a
// display (macOS, Windows); Fyne itself reports the rest.
func checkDisplay(getenv func(string) string) error { return nil }
