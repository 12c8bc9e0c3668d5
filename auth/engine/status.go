package engine

import (
	"errors"
	"sort"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Status is what is known of one credential now, without the network.
type Status struct {
	Name   string
	Kind   auth.Kind
	Broker string
	// Health combines the provider's assessment of what is stored with
	// the last health a broker check returned.
	Health      auth.Health
	ExpiresAt   time.Time
	SecondsLeft int64
	LastChecked time.Time
	// Hosts are where the credential's calls go, when its kind can say.
	Hosts auth.Hosts
}

// assess is the provider's offline judgement combined with the last
// known health: a broker that said "revoked" is believed until the next
// check even though the stored expiry looks fine. The result always
// carries its next action.
func (e *Engine) assess(p auth.Provider, c auth.Credential) auth.Health {
	now := e.now()
	h := p.Assess(c, now)
	last := c.Health
	switch {
	case last.State == auth.Unknown && last.CheckedAt.IsZero():
	case last.State == auth.Pending && !last.Deadline.IsZero() && !now.Before(last.Deadline):
		// A pending verification whose deadline passed says nothing more.
	default:
		h = auth.Worst(h, last)
		if last.Next.Kind == auth.ActionShare && h.Usable() {
			// The token is fine but its shared file failed: said until
			// the next check writes it.
			h.Reason, h.Why, h.Next = last.Reason, last.Why, last.Next
		}
	}
	if last.Asked && h.State == last.State {
		h.Asked = true // still the state the person asked for
	}
	return withNext(c, h)
}

// withNext fills in the next action of a health that has none: what a
// person does about this state of this kind of credential. Every health
// the engine returns or saves passes here, so its reason also loses any
// control character a broker's text brought (auth.Printable).
func withNext(c auth.Credential, h auth.Health) auth.Health {
	h.Reason = auth.Printable(h.Reason)
	if !h.Next.IsZero() {
		h.Next.Credential = c.Name
		return h
	}
	if k := auth.NextFor(c.Kind, h.State); k != auth.ActionNone {
		h.Next = auth.Next(k, c.Name)
	}
	return h
}

// signIn is how a person gets a new token for kind k: a browser login
// (Futu OAuth), a 2FA verification (Webull), a new key from the portal
// (Futu API key), as the kind describes itself.
func signIn(k auth.Kind) auth.ActionKind {
	if i, ok := auth.Describe(k); ok && i.SignIn != auth.ActionNone {
		return i.SignIn
	}
	return auth.ActionUpdate
}

// Status returns every credential's status, sorted by name. It reads
// the store and never calls a broker (see Recover).
func (e *Engine) Status() ([]Status, error) {
	cs, err := e.st.List()
	if err != nil {
		return nil, err
	}
	now := e.now()
	out := make([]Status, 0, len(cs))
	for _, c := range cs {
		s := Status{Name: c.Name, Kind: c.Kind, Broker: c.Kind.Broker(), LastChecked: c.LastChecked}
		if p, err := e.Provider(c.Kind); err == nil {
			s.Health = e.assess(p, c)
			if h, ok := p.(auth.Hoster); ok {
				s.Hosts = h.Hosts(c)
			}
		} else {
			s.Health = auth.Health{State: auth.Unknown}.Because(msg.Of(err))
		}
		s.ExpiresAt = s.Health.ExpiresAt
		if s.ExpiresAt.IsZero() {
			s.ExpiresAt = c.ExpiresAt
		}
		h := s.Health
		h.ExpiresAt = s.ExpiresAt
		s.SecondsLeft = h.SecondsLeft(now)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// needsUser turns a health only the user can fix into a *auth.UserError
// carrying its next action.
func needsUser(c auth.Credential, h auth.Health) error {
	h = withNext(c, h)
	why := h.Cause()
	if why.IsZero() {
		switch h.State {
		case auth.Pending:
			why = msg.New("engine.waiting_verification", "Name", c.Name)
		default:
			why = msg.New("engine.needs_you", "Name", c.Name, "State", h.State.Message())
		}
	}
	return auth.NeedsUserBecause(h.Next, why)
}

// Handoffs lists where the credential called name hands its token to
// other programs: the shared SDK token files (and, where set, share
// targets) that tokentray keeps current.
func (e *Engine) Handoffs(name string) ([]auth.Handoff, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return nil, err
	}
	return e.handoffs(c), nil
}

func (e *Engine) handoffs(c auth.Credential) []auth.Handoff {
	out := e.fileHandoffs(c)
	if sh, err := e.st.Shared(c.ID); err == nil {
		for _, t := range sh.Targets {
			out = append(out, auth.Handoff{Kind: auth.HandoffTarget, Where: t.String()})
		}
	}
	return out
}

// fileHandoffs are the shared files on this computer alone.
func (e *Engine) fileHandoffs(c auth.Credential) []auth.Handoff {
	var out []auth.Handoff
	if s, ok := e.providers[c.Kind].(auth.Sharer); ok {
		for _, f := range s.SharedFiles(c) {
			out = append(out, auth.Handoff{Kind: auth.HandoffFile, Where: f})
		}
	}
	return out
}

// AppKeyID is the app key (its public ID, not the secret) of the
// credential called name, read from the keychain; "" for a kind without
// one (a Futu OAuth login).
func (e *Engine) AppKeyID(name string) (string, error) {
	c, err := e.st.Get(name)
	if err != nil {
		return "", err
	}
	if c.Kind == auth.KindFutuOAuth {
		return "", nil
	}
	v, err := e.st.Bind(c.ID).Get(auth.FieldAppKey)
	if errors.Is(err, auth.ErrSecretNotFound) {
		return "", nil
	}
	return v, err
}
