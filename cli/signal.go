package cli

import (
	"os"
	"os/signal"
)

// ignoreInterrupt catches Ctrl-C while a child runs (the child gets it
// from the terminal) and returns the function that stops catching it. A
// caught signal, unlike an ignored one, is reset for the child.
func ignoreInterrupt() func() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
			case <-done:
				return
			}
		}
	}()
	return func() { signal.Stop(ch); close(done) }
}
