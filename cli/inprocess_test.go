package cli_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"tokentray/auth"
	"tokentray/cli"
	"tokentray/internal/system"
	"tokentray/internal/testutil"
)

// runner runs tokentray --sandbox with extra environment and stdin: a
// built binary as a process (tt), or the command line in this process
// over the real wiring (itt).
type runner interface {
	run(extra map[string]string, stdin string, args ...string) result
	secret(vs ...string)
	// root is the folder of the profiles (TOKENTRAY_CONFIG_DIR).
	root() string
	// keptIn is where the secrets are kept: nil for the profile's own
	// keychain.
	keptIn() auth.SecretStore
}

func (x *tt) root() string             { return x.dir }
func (x *tt) keptIn() auth.SecretStore { return nil }

// itt runs the command line in this process over the real parts the
// wiring builds (internal/system: the settings file and its locks, the
// engine, the brokers' protocols over loopback HTTP to the sandbox), with
// the secrets kept in memory instead of a keychain. It checks what tt
// checks of every run that a process is not needed for: no secret on
// stderr or in the settings, and a failure as one sentence.
type itt struct {
	tt
	secrets *testutil.MemorySecrets
}

func newITT(t *testing.T) *itt {
	return &itt{tt: tt{t: t, dir: t.TempDir()}, secrets: testutil.NewMemorySecrets()}
}

func (x *itt) keptIn() auth.SecretStore { return x.secrets }

func (x *itt) run(extra map[string]string, stdin string, args ...string) result {
	x.t.Helper()
	r := x.start(extra, stdin, args...).wait(x.t)
	x.checkOutput(args, r)
	return r
}

// start runs tokentray --sandbox args in this process in the background.
func (x *itt) start(extra map[string]string, stdin string, args ...string) *proc {
	x.t.Helper()
	return x.startReading(extra, strings.NewReader(stdin), args...)
}

// startReading is start with stdin read from r as it comes (a pipe).
func (x *itt) startReading(extra map[string]string, stdin io.Reader, args ...string) *proc {
	x.t.Helper()
	env := map[string]string{"TOKENTRAY_CONFIG_DIR": x.dir, "HOME": x.dir, "LANG": "C.UTF-8"}
	for k, v := range extra {
		env[k] = v
	}
	getenv := func(k string) string { return env[k] }
	door := system.NewDoor(system.Options{Getenv: getenv, Secrets: func(system.Profile) auth.SecretStore { return x.secrets }})
	var stdout, stderr testutil.LockedBuffer
	d := cli.Deps{
		Stdin: stdin, Stdout: &stdout, Stderr: &stderr,
		Getenv: getenv,
		Environ: func() []string {
			var out []string
			for k, v := range env {
				out = append(out, k+"="+v)
			}
			return out
		},
		Clock: door.Clock(),
		Open: func(sandboxed bool) (cli.Parts, error) {
			p, err := door.Open(sandboxed)
			if err != nil {
				return cli.Parts{}, err
			}
			return cli.Parts{Service: p.Service(), Dir: p.Profile.Dir, Prefs: p.Store, CheckKeychain: p.CheckKeychain}, nil
		},
		ProfileDir: func(sandboxed bool) (string, error) {
			p, err := door.Profile(sandboxed)
			return p.Dir, err
		},
		Language: door.Language,
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := &proc{stdout: &stdout, stderr: &stderr, done: make(chan struct{}), cancel: cancel}
	go func() {
		defer cancel()
		code := cli.Run(ctx, append([]string{"--sandbox"}, args...), d)
		p.res = result{stdout: stdout.String(), stderr: stderr.String(), code: code}
		close(p.done)
	}()
	return p
}
