package auth

// Offer is what the faces offer for one credential now: the tray's menu,
// the window's buttons and a notification's button are drawn from it, so
// each action is offered once and only where it can work.
type Offer struct {
	// Next is the next action (ActionNone when there is nothing to do).
	Next ActionKind
	// Copy: there is a token to copy (renewed first when due).
	Copy bool
	// Logout: there is a login or a token to leave.
	Logout bool
}

// Offers is what fits a credential of kind k with health h; noToken is
// set for a Webull app with 2FA off, which signs with its key alone.
func Offers(k Kind, h Health, noToken bool) Offer {
	o := Offer{Next: NextKind(k, h)}
	if h.Usable() && !noToken {
		o.Copy = true
		i, _ := Describe(k)
		o.Logout = i.Logout
	}
	return o
}

// Usable reports whether the stored token can be handed out (renewed
// first when due): OK, Expiring, or Unknown after a check that knew its
// expiry.
func (h Health) Usable() bool {
	switch h.State {
	case OK, Expiring:
		return true
	case Unknown:
		return !h.CheckedAt.IsZero() && !h.ExpiresAt.IsZero()
	}
	return false
}

// NextKind is h's typed next action, or the one its kind's description
// gives its state when none was set: the engine fills in the same one
// (NextFor), so every face offers what status and notifications name.
func NextKind(k Kind, h Health) ActionKind {
	if !h.Next.IsZero() {
		return h.Next.Kind
	}
	return NextFor(k, h.State)
}

// NextFor is the next action of a credential of kind k in state s, by
// the kind's registered description.
func NextFor(k Kind, s State) ActionKind {
	i, _ := Describe(k)
	return i.NextFor(s)
}

// MenuTitle is the action as a menu item or button says it: an action
// that opens a dialog ends with "…" ("Log in…"); "Check again" does not.
func (a Action) MenuTitle() string {
	switch a.Kind {
	case ActionNone:
		return ""
	case ActionRetry:
		return a.Title()
	}
	return a.Title() + "…"
}
