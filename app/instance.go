package app

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/fsnotify/fsnotify"
	"github.com/gofrs/flock"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
	"tokentray/internal/filewatch"
)

// One window per profile. The open window holds window.lock in the
// profile directory. A second start finds it taken, writes what it was
// asked to show (a credential name, or nothing) to window.request and
// ends; the open window watches the directory, raises itself and shows
// that credential. A file and a lock, like the rest of tokentray: there
// is nothing to connect to.
const (
	lockName    = "window.lock"
	requestName = "window.request"
)

// instance is the claim of the open window.
type instance struct {
	dir  string
	lock *flock.Flock
}

// claimWindow takes the window's lock in dir. first is false when
// another window of this profile holds it.
func claimWindow(dir string) (in *instance, first bool, err error) {
	l := flock.New(filepath.Join(dir, lockName))
	ok, err := l.TryLock()
	if err != nil {
		return nil, false, fmt.Errorf("check whether the window is already open: %w", err)
	}
	if !ok {
		return nil, false, nil
	}
	// A request left by a window that was closing is not for this one.
	_ = os.Remove(filepath.Join(dir, requestName))
	return &instance{dir: dir, lock: l}, true, nil
}

func (in *instance) release() { _ = in.lock.Unlock() }

// askWindow asks the open window of dir to come forward, show the
// credential called focus ("" for none) and start act on it (none: only
// show it).
func askWindow(dir, focus string, act auth.ActionKind) error {
	if err := atomicfile.Write(filepath.Join(dir, requestName), []byte(focus+"\n"+string(act)+"\n"), 0o600); err != nil {
		return fmt.Errorf("ask the open window to come forward: %w", err)
	}
	return nil
}

// serve calls raise with the credential and the action asked for
// whenever another start asks the window to come forward, until ctx ends.
func (in *instance) serve(ctx context.Context, raise func(focus string, act auth.ActionKind)) error {
	path := filepath.Join(in.dir, requestName)
	return filewatch.Watch(ctx, path, "listen for a second window", func(ev fsnotify.Event) {
		if !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Write) {
			return
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return // already taken by an earlier event
		}
		_ = os.Remove(path)
		focus, act, _ := strings.Cut(string(b), "\n")
		k := auth.ActionKind(strings.TrimSpace(act))
		if !k.Valid() {
			k = auth.ActionNone
		}
		raise(strings.TrimSpace(focus), k)
	})
}
