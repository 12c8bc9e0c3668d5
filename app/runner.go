package app

import "fyne.io/fyne/v2"

// Runner runs slow work off the UI thread (Go) and widget updates on it
// (Do). The window uses goroutines and fyne.Do; a test can run both
// synchronously, or count and order them.
type Runner interface {
	Go(f func())
	Do(f func())
}

type fyneRunner struct{}

func (fyneRunner) Go(f func()) { go f() }
func (fyneRunner) Do(f func()) { fyne.Do(f) }
