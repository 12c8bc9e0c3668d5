// Package service is the one door below tokentray's faces: the command
// line, the tray and the window all reach the credentials through a
// Service, whose methods are what a person does with them (see what is
// kept and how it is, check and renew, hand out a token, log in or
// verify, extend, add, update, share, remove, log out, change a
// setting). Local serves it from a credential engine in this process,
// over the same store and locks every tokentray process uses; the faces'
// tests serve it from fakes.
//
// The types the faces share (Row, AddRequest, UpdateRequest, Setting,
// Where) live here, and the engine's result types are named here, so that
// no face imports the engine.
package service

import (
	"context"
	"time"

	"github.com/jonboulle/clockwork"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/targets"
)

// Service is everything a face asks of tokentray's credentials.
type Service interface {
	// Clock is the time the service keeps (countdowns and expiries are
	// shown against it).
	Clock() clockwork.Clock

	// Status is every credential's health, read from the settings (a
	// renewal interrupted by a crash is settled by Recover, not here).
	Status(ctx context.Context) ([]Status, error)
	// Rows is every credential as the window lists it.
	Rows(ctx context.Context) ([]Row, error)
	// Credentials is every stored credential (never a secret).
	Credentials(ctx context.Context) ([]auth.Credential, error)
	// Get is the credential called name; an unknown name is
	// store.ErrNotFound, naming it.
	Get(ctx context.Context, name string) (auth.Credential, error)
	// Shared is the credential called name with its share targets;
	// AllShared is every credential's share targets, by name.
	Shared(ctx context.Context, name string) (auth.Credential, targets.Shared, error)
	AllShared(ctx context.Context) (map[string]targets.Shared, error)
	// Handoffs lists where the credential's token is handed over beyond
	// tokentray (shared files, share targets).
	Handoffs(ctx context.Context, name string) ([]auth.Handoff, error)
	// AppKeyID is the public part of the credential's app key, as its
	// broker shows it.
	AppKeyID(ctx context.Context, name string) (string, error)

	// Recover settles renewals a crashed process left in flight.
	Recover(ctx context.Context) []Result
	// Refresh checks and renews one credential (force: renew even when
	// not due); RefreshAll every one; RefreshNames those named.
	Refresh(ctx context.Context, name string, force bool) (auth.Health, error)
	RefreshAll(ctx context.Context, force bool) ([]Result, error)
	RefreshNames(ctx context.Context, names []string, force bool) []Result
	// Token returns a current token: renewed first when it expires
	// within the lead time, never an expired one.
	Token(ctx context.Context, name string) (string, error)
	// Env is the environment variables a bot reads the credential from,
	// with a note on what they leave out.
	Env(ctx context.Context, name string) (vars map[string]string, note string, err error)

	// Login signs in (Futu OAuth) or verifies (Webull 2FA), telling
	// progress each step.
	Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error)
	// Extend asks the broker for a token valid until the given time
	// (Futu API keys) and says where the new token was handed over.
	Extend(ctx context.Context, name string, until time.Time, o ExtendOptions) (auth.Health, auth.Handover, error)
	// Logout forgets a login's tokens (revoking them where the broker
	// allows) and keeps the credential, ready to log in again.
	Logout(ctx context.Context, name string) (Gone, error)

	// Add checks a new credential with its broker (unless req.NoCheck)
	// and stores it; a refused one is not stored.
	Add(ctx context.Context, req AddRequest) (auth.Credential, error)
	// Update replaces a credential's secrets and settings, checked with
	// the broker first; a refused update changes nothing.
	Update(ctx context.Context, req UpdateRequest) (auth.Health, error)
	// Change edits a credential's settings (never its secrets) within
	// wait, and returns it as it was before.
	Change(ctx context.Context, name string, wait time.Duration, edit func(c *auth.Credential)) (auth.Credential, error)
	// ShareSDK turns sharing with the broker's SDK (the token file it
	// reads on this computer) on or off, and writes or removes the file
	// at once, waiting up to wait for a login that holds the credential.
	ShareSDK(ctx context.Context, name string, wait time.Duration, o SDKShare) (SDKShared, error)
	// Provider is the broker protocol of a kind.
	Provider(k auth.Kind) (auth.Provider, error)
	// Remove deletes a credential here and what was pushed for it to its
	// share targets, telling its broker first where it can.
	Remove(ctx context.Context, name string) (Gone, error)

	// AddTarget adds a share target; RemoveTarget takes one off, deleting
	// what was pushed there; Push pushes the current token to the targets
	// pick chooses (nil: all).
	AddTarget(ctx context.Context, name string, t targets.Target) error
	RemoveTarget(ctx context.Context, name string, t targets.Target) (TargetOff, error)
	Push(ctx context.Context, name string, pick func(targets.Target) bool) (PushResult, error)
	// NewShareKeeper keeps every share target current while it runs (the
	// agent's job), calling notify after each push.
	NewShareKeeper(notify func(PushResult)) *ShareKeeper
	// Tidy removes what a process killed while adding or removing left.
	Tidy(ctx context.Context) error

	// Settings lists every user setting; SetSetting changes one,
	// refusing a value out of its range with a sentence.
	Settings(ctx context.Context) ([]Setting, error)
	SetSetting(ctx context.Context, key, value string) error
	// Lead is how long before expiry a token is renewed; ShareEvery how
	// often share targets are pushed to at least.
	Lead() time.Duration
	ShareEvery() time.Duration
	// Where says where the data lives.
	Where() Where
	// Watch calls changed (from any goroutine) whenever the stored
	// credentials or settings may have changed, until ctx ends.
	Watch(ctx context.Context, changed func()) error
}

// The engine's results, as the faces read them.
type (
	// Status is one credential's health with its expiry and hosts.
	Status = engine.Status
	// Result is the outcome of checking one credential.
	Result = engine.Result
	// Gone is what removing or logging out did beyond this computer.
	Gone = engine.Gone
	// TargetOff is what became of the file on one share target.
	TargetOff = engine.TargetOff
	// PushResult is what one push to share targets did.
	PushResult = engine.PushResult
	// Pushed is one target's push.
	Pushed = engine.Pushed
	// ShareKeeper keeps share targets current.
	ShareKeeper = engine.ShareKeeper
	// ExtendOptions are the choices of an extension.
	ExtendOptions = engine.ExtendOptions
	// ShortenError is an extension that would shorten a token's life.
	ShortenError = engine.ShortenError
	// SDKShare turns sharing with the broker's SDK on or off; SDKShared
	// is what it did.
	SDKShare  = engine.SDKShare
	SDKShared = engine.SDKShared
)

// ErrBusy is a credential another tokentray is working on.
var ErrBusy = engine.ErrBusy

// Shortens says whether extending c until until (at now) would shorten
// its token's life, and how.
func Shortens(c auth.Credential, until, now time.Time) *ShortenError {
	return engine.Shortens(c, until, now)
}

// Only picks the one share target t.
func Only(t targets.Target) func(targets.Target) bool { return engine.Only(t) }
