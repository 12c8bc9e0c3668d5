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
		o.Logout = k == KindFutuOAuth || k == KindWebull
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

// NextKind is h's typed next action, or the one the kind and state imply
// when none was set.
func NextKind(k Kind, h Health) ActionKind {
	if !h.Next.IsZero() {
		return h.Next.Kind
	}
	switch {
	case h.State == Pending:
		if k == KindFutuOAuth {
			return ActionLogin
		}
		return ActionVerify
	case h.State == Expiring && k == KindFutuKey:
		return ActionExtend
	case h.State == ActionNeeded || h.State == Broken:
		switch k {
		case KindWebull:
			return ActionVerify
		case KindFutuOAuth:
			return ActionLogin
		case KindFutuKey:
			if h.State == Broken {
				return ActionUpdate
			}
			return ActionExtend
		}
	}
	return ActionNone
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
