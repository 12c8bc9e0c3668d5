package engine

import (
	"fmt"
	"sort"
	"time"

	"tokentray/auth"
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
}

// assess is the provider's offline judgement combined with the last
// known health: a broker that said "revoked" is believed until the next
// check even though the stored expiry looks fine.
func (e *Engine) assess(p auth.Provider, c auth.Credential) auth.Health {
	now := e.now()
	a := p.Assess(c, now)
	last := c.Health
	if last.State == auth.Unknown && last.CheckedAt.IsZero() {
		return a
	}
	// A pending verification whose deadline passed says nothing more.
	if last.State == auth.Pending && !last.Deadline.IsZero() && !now.Before(last.Deadline) {
		return a
	}
	return auth.Worst(a, last)
}

// Status returns every credential's status, sorted by name.
func (e *Engine) Status() ([]Status, error) {
	e.recoverInterrupted()
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
		} else {
			s.Health = auth.Health{State: auth.Unknown, Reason: err.Error()}
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

// Worst is the health the tray shows: the worst of all credentials.
func Worst(ss []Status) auth.Health {
	hs := make([]auth.Health, len(ss))
	for i, s := range ss {
		hs[i] = s.Health
	}
	return auth.Worst(hs...)
}

// needsUser turns a health only the user can fix into a *auth.UserError
// carrying the health's next action.
func needsUser(name string, h auth.Health) error {
	msg := h.Reason
	if msg == "" {
		switch h.State {
		case auth.Pending:
			msg = fmt.Sprintf("%s is waiting for its verification; finish it with: tokentray login %s", name, name)
		default:
			msg = fmt.Sprintf("%s needs you to act (%s); run: tokentray login %s", name, h.State.Title(), name)
		}
	}
	return &auth.UserError{Msg: msg, Action: h.Next}
}
