// Package agentrun records how the running agent of a profile runs (in
// the tray, or headless on a server), so that `tokentray status` can say
// so. The record is trusted only while the agent holds its lock.
package agentrun

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"

	"tokentray/auth"
	"tokentray/internal/atomicfile"
)

const (
	// LockName is the lock one agent per profile holds while it runs.
	LockName   = "agent.lock"
	recordName = "agent.json"
)

// How an agent runs (Record.Mode).
const (
	Tray     = "tray"
	Headless = "headless"
)

// Record is what the running agent says about itself.
type Record struct {
	PID   int       `json:"pid"`
	Mode  string    `json:"mode"`
	Since time.Time `json:"since"`
}

// Lock takes the profile's agent lock: ok is false when another agent
// holds it. unlock releases it and removes the record.
func Lock(dir string) (unlock func(), ok bool, err error) {
	fl := flock.New(filepath.Join(dir, LockName))
	ok, err = fl.TryLock()
	if err != nil || !ok {
		return func() {}, ok, err
	}
	return func() {
		_ = os.Remove(filepath.Join(dir, recordName))
		_ = fl.Unlock()
	}, true, nil
}

// Write records r in dir; the agent calls it holding the lock.
func Write(dir string, r Record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, recordName), b, 0o600)
}

// Running returns the record of the agent running for the profile in
// dir; ok is false when none runs (nobody holds the lock), whatever a
// record left by a killed agent says.
func Running(dir string) (r Record, ok bool) {
	b, err := auth.ReadRegular(filepath.Join(dir, recordName), 64<<10) // a named pipe is refused, not waited on
	if err != nil || json.Unmarshal(b, &r) != nil {
		return Record{}, false
	}
	if _, err := os.Stat(filepath.Join(dir, LockName)); err != nil {
		return Record{}, false
	}
	fl := flock.New(filepath.Join(dir, LockName))
	free, err := fl.TryLock()
	if err != nil {
		return Record{}, false
	}
	if free {
		_ = fl.Unlock()
		return Record{}, false
	}
	return r, true
}
