package app

import (
	"context"
	"time"

	"tokentray/auth"
	"tokentray/auth/engine"
	"tokentray/auth/sandbox"
)

// EngineBackend serves the window from a credential engine in this
// process, over the same store and locks the agent and the command line
// use, so the three never renew one token twice.
type EngineBackend struct {
	Eng *engine.Engine
	// Sandbox is set for the sandbox profile: credentials added without
	// an endpoint go to the running sandbox brokers, never a real one.
	Sandbox bool
}

func (b EngineBackend) List(context.Context) ([]Row, error) {
	ss, err := b.Eng.Status()
	if err != nil {
		return nil, err
	}
	rows := make([]Row, len(ss))
	for i, s := range ss {
		rows[i] = Row{Name: s.Name, Kind: s.Kind, Health: s.Health}
	}
	return rows, nil
}

func (b EngineBackend) Refresh(ctx context.Context, name string) error {
	if name != "" {
		_, err := b.Eng.Refresh(ctx, name, false)
		return err
	}
	results, err := b.Eng.RefreshAll(ctx, false)
	if err != nil {
		return err
	}
	for _, r := range results {
		if r.Err != nil {
			return r.Err
		}
	}
	return nil
}

func (b EngineBackend) Token(ctx context.Context, name string) (string, error) {
	return b.Eng.Token(ctx, name)
}

func (b EngineBackend) Login(ctx context.Context, name string, opts auth.LoginOptions, progress func(auth.LoginEvent)) (auth.Health, error) {
	return b.Eng.Login(ctx, name, opts, progress)
}

func (b EngineBackend) Extend(ctx context.Context, name string, until time.Time) (auth.Health, error) {
	return b.Eng.Extend(ctx, name, until)
}

func (b EngineBackend) Add(ctx context.Context, req AddRequest) error {
	c := auth.Credential{
		Name: req.Name, Kind: req.Kind, Endpoint: req.Endpoint, Scope: req.Scope,
		Region: req.Region, TestEnv: req.TestEnv,
	}
	if b.Sandbox && c.Endpoint == "" {
		futuURL, webullURL, err := sandbox.Running(b.Eng.Store().Dir())
		if err != nil {
			return err
		}
		c.Endpoint = futuURL
		if c.Kind == auth.KindWebull {
			c.Endpoint = webullURL
		}
	}
	_, err := b.Eng.Add(ctx, c, req.Secrets)
	return err
}

func (b EngineBackend) Remove(ctx context.Context, name string) error {
	_, err := b.Eng.Remove(ctx, name)
	return err
}

func (b EngineBackend) Logout(ctx context.Context, name string) error {
	_, err := b.Eng.Logout(ctx, name)
	return err
}
