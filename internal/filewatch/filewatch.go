// Package filewatch follows one file for changes, including a file
// replaced by a rename into place (how every tokentray process writes).
package filewatch

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/fsnotify/fsnotify"
)

// Watch calls fn for every event on the file at path until ctx ends.
// It watches the file's folder, so a file replaced by a rename into
// place (how every tokentray process writes) is seen too. what names the
// job in an error.
func Watch(ctx context.Context, path, what string, fn func(fsnotify.Event)) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := w.Add(filepath.Dir(path)); err != nil {
		w.Close()
		return fmt.Errorf("%s: %w", what, err)
	}
	path = filepath.Clean(path)
	go func() {
		defer w.Close()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				if filepath.Clean(ev.Name) == path {
					fn(ev)
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return nil
}
