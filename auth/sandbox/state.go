package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/sandbox/futusim"
	"tokentray/auth/sandbox/webullsim"
	"tokentray/auth/store"
	"tokentray/internal/atomicfile"
)

// StateFile, in the sandbox profile's folder, is what the sandbox brokers
// know (keys, tokens, registered clients, apps) and the ports they
// listened on, so stopping and starting the sandbox keeps every sandbox
// credential working. It holds only fake secrets the sandbox made up,
// never a real broker's; still, it is written with mode 0600.
const StateFile = "sandbox-state.json"

// stateVersion is the layout of StateFile; another version is read as damaged.
const stateVersion = 1

// maxState bounds the state file: the sandbox's own stays far smaller.
const maxState = 16 << 20

// stateNote is written into the state file so a reader knows what it holds.
const stateNote = "tokentray sandbox brokers' state: fake credentials made up by the sandbox, never a real broker's"

type savedState struct {
	Version    int             `json:"version"`
	Note       string          `json:"note"`
	FutuPort   int             `json:"futu_port"`
	WebullPort int             `json:"webull_port"`
	Futu       futusim.State   `json:"futu"`
	Webull     webullsim.State `json:"webull"`
}

// loadState reads the saved state in dir: nil with no note when there is
// none, nil with a sentence when it was damaged (it is then moved aside).
func loadState(dir string, clock clockwork.Clock) (*savedState, string, error) {
	path := filepath.Join(dir, StateFile)
	b, why, err := readState(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read the sandbox's saved state %s: %w", path, err)
	}
	var st savedState
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	switch err := dec.Decode(&st); {
	case why != "":
	case err != nil:
		why = "it is not valid JSON"
	case st.Version != stateVersion:
		why = fmt.Sprintf("its version %d is not %d", st.Version, stateVersion)
	case !validPort(st.FutuPort) || !validPort(st.WebullPort):
		why = "its ports are not TCP ports"
	}
	if why == "" {
		return &st, "", nil
	}
	aside := path + ".damaged-" + clock.Now().UTC().Format("20060102T150405Z")
	if err := os.Rename(path, aside); err != nil {
		return nil, "", fmt.Errorf("the sandbox's saved state %s is damaged (%s) and could not be moved aside: %w", path, why, err)
	}
	return nil, fmt.Sprintf("The sandbox's saved state was damaged (%s), so it was moved to %s and the sandbox starts fresh.", why, aside), nil
}

// readState reads the state file at path, or says why it cannot be the
// sandbox's own: a link, a pipe or a device (which could block the start
// or never end) or a file larger than maxState is not read.
func readState(path string) (b []byte, why string, err error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, "", err
	}
	tooBig := fmt.Sprintf("it is larger than %d MiB", maxState>>20)
	switch {
	case !fi.Mode().IsRegular():
		return nil, "it is not a plain file", nil
	case fi.Size() > maxState:
		return nil, tooBig, nil
	}
	f, err := auth.OpenRegular(path)
	var odd *auth.NotRegularError
	if errors.As(err, &odd) {
		return nil, "it is not a plain file", nil // replaced since Lstat
	}
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	if now, err := f.Stat(); err != nil || !os.SameFile(fi, now) {
		return nil, "it is not a plain file", nil // replaced while being opened
	}
	b, err = io.ReadAll(io.LimitReader(f, maxState+1))
	if err != nil {
		return nil, "", err
	}
	if len(b) > maxState {
		return nil, tooBig, nil
	}
	return b, "", nil
}

func validPort(p int) bool { return p > 0 && p <= 65535 }

// save writes the brokers' state to the profile when it changed since the
// last write.
func (sb *Sandbox) save() error {
	if sb.stateDir == "" {
		return nil
	}
	sb.saveMu.Lock()
	defer sb.saveMu.Unlock()
	b, err := json.MarshalIndent(savedState{
		Version: stateVersion, Note: stateNote,
		FutuPort: portOf(sb.FutuURL), WebullPort: portOf(sb.WebullURL),
		Futu: sb.Futu.State(), Webull: sb.Webull.State(),
	}, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if bytes.Equal(b, sb.saved) {
		return nil
	}
	if err := writeAtomic(sb.stateDir, StateFile, b); err != nil {
		return fmt.Errorf("save the sandbox's state in %s: %w", sb.stateDir, err)
	}
	sb.saved = b
	return nil
}

// Save writes the brokers' state to the profile now, if it changed. The
// sandbox also saves after every request it serves, after Seed and at
// Close; Save is for state changed through the servers' methods.
func (sb *Sandbox) Save() error { return sb.save() }

// saveLogged saves, and says once per distinct failure that saving failed.
func (sb *Sandbox) saveLogged() {
	err := sb.save()
	sb.saveMu.Lock()
	defer sb.saveMu.Unlock()
	if err == nil {
		sb.lastSaveErr = ""
		return
	}
	if msg := err.Error(); msg != sb.lastSaveErr {
		sb.lastSaveErr = msg
		sb.logf("The sandbox could not %v; its brokers keep running, but a restart may forget what changed.", err)
	}
}

// writeAtomic replaces dir/name with b (mode 0600) so a reader sees the
// old file or the new one, never a part.
func writeAtomic(dir, name string, b []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(dir, name), b, 0o600)
}

// Move is a broker that listens on another port than the one the saved
// state recorded.
type Move struct {
	Broker         string // "Futu" or "Webull"
	OldURL, NewURL string
	// Taken is true when the saved port was in use, false when another
	// port was asked for.
	Taken bool
}

// Adopted says what Adopt did.
type Adopted struct {
	// Seeded is true when the demo credentials were added.
	Seeded bool
	// Notes are sentences for the user: a saved port taken, a damaged
	// state moved aside.
	Notes []string
}

// Adopt readies the profile in st for this sandbox: the credentials
// using a broker that moved to another port are pointed at the new one,
// and, when seed is true, the demo credentials are added (replacing
// those of the same names). The user's own credentials stay. Seed when
// the sandbox started without a saved state (!Restored) for the demo to
// work.
func (sb *Sandbox) Adopt(st *store.Store, seed bool) (Adopted, error) {
	out := Adopted{Notes: append([]string(nil), sb.notes...)}
	if len(sb.Moves) > 0 {
		n, err := sb.repoint(st)
		if err != nil {
			return out, err
		}
		for _, m := range sb.Moves {
			if m.Taken {
				out.Notes = append(out.Notes, fmt.Sprintf("The %s sandbox's saved port %d is taken, so it listens on port %d now, and %s of the sandbox profile use it.",
					m.Broker, portOf(m.OldURL), portOf(m.NewURL), credentialsCount(n[m.Broker])))
			}
		}
	}
	if seed {
		if err := sb.Seed(st); err != nil {
			return out, err
		}
		out.Seeded = true
	}
	return out, nil
}

// DemoLost reports whether a demo credential in st has lost its secrets
// (the keychain was another one, say a private session's): the saved
// state then no longer matches the profile, and the demo needs seeding.
func DemoLost(st *store.Store) bool {
	for _, name := range []string{DemoFutuKey, DemoFutuExpiring, DemoWebull, DemoWebullNo2FA} {
		c, err := st.Get(name)
		if err != nil {
			continue // removed by the user: not the demo's to bring back
		}
		if _, err := auth.Bind(st.Secrets(), c.ID).Get(auth.FieldAppKey); errors.Is(err, auth.ErrSecretNotFound) {
			return true
		}
	}
	return false
}

func credentialsCount(n int) string {
	if n == 1 {
		return "the 1 credential"
	}
	return fmt.Sprintf("the %d credentials", n)
}

// repoint rewrites the endpoints of the credentials that used a moved
// broker, and counts them per broker.
func (sb *Sandbox) repoint(st *store.Store) (map[string]int, error) {
	cs, err := st.List()
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	var changed []auth.Credential
	for _, c := range cs {
		moved := ""
		for _, u := range []*string{&c.Endpoint, &c.RegisterURL, &c.AuthorizeURL, &c.TokenURL, &c.RevokeURL} {
			for _, m := range sb.Moves {
				if *u == m.OldURL || strings.HasPrefix(*u, m.OldURL+"/") {
					*u = m.NewURL + strings.TrimPrefix(*u, m.OldURL)
					moved = m.Broker
				}
			}
		}
		if moved != "" {
			counts[moved]++
			changed = append(changed, c)
		}
	}
	if err := st.UpdateMany(changed); err != nil {
		return counts, fmt.Errorf("point the sandbox credentials at the brokers' new ports: %w", err)
	}
	return counts, nil
}

func portOf(raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return 0
	}
	p, _ := strconv.Atoi(u.Port())
	return p
}
