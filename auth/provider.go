package auth

import (
	"context"
	"errors"
	"time"

	"tokentray/internal/msg"
)

// Secrets is one credential's view of the SecretStore.
type Secrets interface {
	Get(field string) (string, error)
	Set(field, value string) error
	Delete(field string) error
}

// Bind returns the Secrets of the credential with the given ID.
func Bind(store SecretStore, credID string) Secrets { return boundSecrets{store, credID} }

type boundSecrets struct {
	store SecretStore
	id    string
}

func (b boundSecrets) Get(f string) (string, error) { return b.store.Get(b.id, f) }
func (b boundSecrets) Set(f, v string) error        { return b.store.Set(b.id, f, v) }
func (b boundSecrets) Delete(f string) error        { return b.store.Delete(b.id, f) }

// DefaultLead is how long before expiry a token is renewed.
const DefaultLead = 5 * time.Minute

// RefreshOptions says how eager a refresh is.
type RefreshOptions struct {
	// Force renews even when the token is not inside the lead time.
	Force bool
	// Lead is how long before expiry a token counts as due; 0 means DefaultLead.
	Lead time.Duration
}

// Provider is one broker kind's behaviour. Providers live in the broker
// packages (auth/futu, auth/webull) and are wired together in main.
//
// Methods that change a credential mutate *Credential (expiry, status,
// check times) and write secrets through Secrets at once; the caller
// persists the Credential afterwards under the store's lock. A network
// failure returns Health Unknown with a reason and never deletes or
// downgrades a stored secret.
type Provider interface {
	Kind() Kind
	// Assess computes health from what is stored, without the network.
	Assess(c Credential, now time.Time) Health
	// Refresh checks the credential with the broker and renews its token
	// when it is due (or when forced).
	Refresh(ctx context.Context, c *Credential, s Secrets, opts RefreshOptions) (Health, error)
	// Token returns the current token another app should use.
	Token(c Credential, s Secrets) (string, error)
	// Env returns the environment variables the broker's SDK reads for
	// this credential, and a note for the user (may be empty).
	Env(c Credential, s Secrets) (vars map[string]string, note string, err error)
}

// LoginEvent reports progress of an interactive login or verification.
type LoginEvent struct {
	// Health is the state now (Pending with a Deadline while waiting).
	Health Health
	// URL is a page the user must open, set when the browser could not
	// be opened for them.
	URL string
	// Steps are the instructions to show while waiting, in order, in
	// English; Said holds them as messages when the provider set them
	// with SetSteps (StepsIn renders them).
	Steps []string
	Said  []msg.Message
	// URLStep is the index in Steps of the step that asks to open URL,
	// under which a face shows it (a note may come before that step).
	URLStep int
}

// SetSteps sets the steps as messages, and Steps as their English.
func (e *LoginEvent) SetSteps(steps ...msg.Message) {
	e.Said = steps
	e.Steps = make([]string, len(steps))
	for i, m := range steps {
		e.Steps[i] = m.String()
	}
}

// StepsIn is the steps in the language: Said rendered, else Steps.
func (e LoginEvent) StepsIn(l msg.Lang) []string {
	if len(e.Said) != len(e.Steps) {
		return e.Steps
	}
	out := make([]string, len(e.Said))
	for i, m := range e.Said {
		out[i] = l.Render(m)
	}
	return out
}

// LoginOptions say how an interactive login reaches the person.
type LoginOptions struct {
	// NoBrowser prints the address to open on any device instead of
	// opening a browser here (a machine reached over SSH).
	NoBrowser bool
	// Pasted carries addresses the person pasted: where the browser
	// landed after approving. A login accepts one that matches its
	// redirect and state, and keeps waiting after one that does not. Nil
	// when nobody can paste.
	Pasted <-chan string
	// NeedBrowser ends the login with an error wrapping ErrNoBrowser when
	// no browser can be opened, instead of showing the address and
	// waiting: for a face where nobody would see the address.
	NeedBrowser bool
	// Lang is the language of the page tokentray shows in the browser at
	// the end of a login; empty is English.
	Lang msg.Lang
}

// ErrNoBrowser is what a login returns (wrapped) when no browser could be
// opened and LoginOptions.NeedBrowser is set: the face offers the way
// without a browser here (the address to open elsewhere, then a paste).
var ErrNoBrowser = msg.Errorf("auth.no_browser")

// ErrStopped is the cause (context.Cause) of a context ended because the
// process was told to stop (SIGTERM: its terminal closed, a service
// manager stopping it), not because the person cancelled. A login that
// goes on without the process (a Webull verification confirmed on the
// phone) is not abandoned for it: it is left pending for the agent. Only
// a plain cancel (Ctrl-C, the Cancel button) abandons it.
var ErrStopped = msg.Errorf("auth.stopped")

// Stopped reports whether ctx ended because the process was told to
// stop (see ErrStopped), rather than by a cancel.
func Stopped(ctx context.Context) bool {
	return ctx.Err() != nil && errors.Is(context.Cause(ctx), ErrStopped)
}

// Login is implemented by kinds that need the user to sign in or verify:
// a browser login for Futu OAuth, an SMS verification for Webull. It
// blocks until done, failed, or ctx is cancelled, calling progress as the
// state changes (progress may be nil).
type Login interface {
	Login(ctx context.Context, c *Credential, s Secrets, opts LoginOptions, progress func(LoginEvent)) (Health, error)
}

// Extender is implemented by kinds whose token is extended to a chosen
// expiry (Futu legacy API keys).
type Extender interface {
	Extend(ctx context.Context, c *Credential, s Secrets, until time.Time) (Health, error)
}

// SDKImporter is implemented by kinds that can adopt the login their
// broker's SDK saved (the Futu SDK's token file of an OAuth client)
// instead of a new login: it reads it into c and s.
type SDKImporter interface {
	ImportSDKToken(c *Credential, s Secrets, clientID string) (Health, error)
}

// Remover is implemented by kinds that tell the broker when a credential
// is removed (revoking OAuth tokens). Failure to reach the broker must not
// stop the local removal.
type Remover interface {
	Revoke(ctx context.Context, c Credential, s Secrets) error
}

// SharedFile is the file a credential hands to share targets (another
// host's folder, a command): the same file its broker's SDK reads.
type SharedFile struct {
	// Name is the file's name: token.txt, a Futu client ID, NAME.env.
	Name string
	// Content is the file.
	Content []byte
	// ExpiresAt is when the token in it expires (zero: not known).
	ExpiresAt time.Time
	// Token is the token string it carries, so a change of it can be
	// told (bots that read the file once keep the old one); never stored.
	Token string
	// Secrets are the values in Content that no message may show.
	Secrets []string
	// ReadOnce: bots read the file when they start and not again (the
	// Webull SDKs' token.txt, an env file), so a new token string does not
	// reach a bot that is already running.
	ReadOnce bool
}

// TargetSharer is implemented by kinds that can hand a file to share
// targets. The error, when the credential has nothing to share now (a
// token waiting for its verification), carries the next action.
type TargetSharer interface {
	SharedFile(c Credential, s Secrets) (SharedFile, error)
}

// Hosts are where a credential's calls go, as URLs of scheme and host.
type Hosts struct {
	// API is the API host ("https://openapi.futunn.com", "https://api.webull.com").
	API string
	// OAuth is a Futu OAuth login's OAuth host ("https://webapi.futunn.com");
	// "" for other kinds.
	OAuth string
}

// Hoster is implemented by kinds that can say, without the network,
// which hosts a credential talks to (its own endpoint, else the broker's
// default for its brand or region).
type Hoster interface {
	Hosts(c Credential) Hosts
}
