//go:build darwin && !cgo

package tray

import "log"

// Run is the tray of a macOS build without cgo, which the tray library
// cannot draw: it says so once and blocks until Stop, while the agent
// keeps renewing credentials.
func Run(first View, updates <-chan View, onCmd func(Command)) {
	log.Print("this build of tokentray has no tray icon on macOS (it was built without cgo); credentials are still renewed")
	for {
		select {
		case <-stop:
			return
		case _, ok := <-updates:
			if !ok {
				<-stop
				return
			}
		}
	}
}

var stop = make(chan struct{})

// Stop makes Run return.
func Stop() {
	select {
	case <-stop:
	default:
		close(stop)
	}
}
