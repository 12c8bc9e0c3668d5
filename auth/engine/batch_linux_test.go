package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/fsnotify/fsnotify"
)

func TestRefreshAllWritesTheSettingsOnce(t *testing.T) {
	f := newBatch(t, 0)
	for i := range 20 {
		f.add(t, fmt.Sprintf("key%02d", i), "https://broker.test", fmt.Sprintf("test-app-key-%02d", i))
	}
	dir := f.st.Dir()
	w, err := fsnotify.NewWatcher()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if err := w.Add(dir); err != nil {
		t.Fatal(err)
	}
	done := f.run(t)
	f.finish(t, done, 20)
	// A marker written after the batch: every event before it is the batch's.
	marker := filepath.Join(dir, "marker")
	if err := os.WriteFile(marker, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	writes := 0
	for ev := range w.Events {
		if ev.Name == marker {
			break
		}
		// An atomic write renames a temp file onto settings.json.
		if ev.Name == f.st.Path() && ev.Has(fsnotify.Create) {
			writes++
		}
	}
	if writes != 1 {
		t.Fatalf("refreshing 20 credentials wrote the settings %d times, want once", writes)
	}
}
