package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/auth/webull"
)

// Details is the pane for the selected credential: what it is, where it
// points, its health with the reason, and the next action as a button.
type Details struct {
	Title   *widget.Label
	Kind    *widget.Label
	State   *widget.Label
	Reason  *widget.Label
	Account *widget.Label
	// Access is what a Futu login may do: quotes, trading, the accounts.
	Access    *widget.Label
	Endpoint  *widget.Label
	Region    *widget.Label
	Expiry    *widget.Label
	LastCheck *widget.Label
	// Shares lists the share targets and how their pushes go.
	Shares *widget.Label

	// Next does what the health says to do now; hidden when nothing is.
	Next *widget.Button

	// The buttons below the details: each is shown only when it can work
	// for the selected credential (auth.Offers, as the tray's menu).
	Refresh *widget.Button
	Copy    *widget.Button
	Logout  *widget.Button
	Edit    *widget.Button
	Remove  *widget.Button

	form    *widget.Form
	kind    auth.Kind
	content *fyne.Container
	box     fyne.CanvasObject
}

// rows lays the details out for a kind: the account of a Futu login, the
// region of a Webull app.
func (d *Details) rows(k auth.Kind) {
	if d.kind == k && len(d.form.Items) > 0 {
		return
	}
	d.kind = k
	d.form.Items = nil
	d.form.Append("Kind", d.Kind)
	d.form.Append("Health", d.State)
	if k == auth.KindFutuOAuth {
		d.form.Append("Account", d.Account)
		d.form.Append("Access", d.Access)
	}
	d.form.Append("Endpoint", d.Endpoint)
	if k == auth.KindWebull {
		d.form.Append("Region", d.Region)
	}
	d.form.Append("Expires", d.Expiry)
	d.form.Append("Last check", d.LastCheck)
	d.form.Append("Shared to", d.Shares)
	d.form.Refresh()
	d.content.Refresh()
}

func (u *UI) newDetails() *Details {
	d := &Details{}
	for _, l := range []**widget.Label{&d.Title, &d.Kind, &d.State, &d.Reason, &d.Account, &d.Access, &d.Endpoint, &d.Region, &d.Expiry, &d.LastCheck, &d.Shares} {
		*l = widget.NewLabel("")
		(*l).Wrapping = fyne.TextWrapWord
	}
	d.Title.SetText("Select a credential")
	d.Title.TextStyle.Bold = true
	d.Title.SizeName = theme.SizeNameSubHeadingText
	d.Next = widget.NewButton("", func() {
		if r, ok := u.current(); ok {
			u.Act(auth.Next(offers(r).Next, r.Name))
		}
	})
	d.Next.Importance = widget.HighImportance
	d.Next.Hide()
	d.Refresh = widget.NewButtonWithIcon("Check now", theme.ViewRefreshIcon(), func() {
		if r, ok := u.current(); ok {
			u.Act(auth.Next(auth.ActionRetry, r.Name))
		}
	})
	d.Copy = widget.NewButtonWithIcon("Copy token", theme.ContentCopyIcon(), func() { u.copySelected() })
	d.Logout = widget.NewButtonWithIcon("Log out…", theme.LogoutIcon(), func() { u.logoutSelected() })
	d.Edit = widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), func() {
		if r, ok := u.current(); ok {
			u.ShowEditForm(r)
		}
	})
	d.Remove = widget.NewButtonWithIcon("Remove…", theme.DeleteIcon(), func() { u.removeSelected() })
	d.Remove.Importance = widget.DangerImportance

	d.form = widget.NewForm()
	buttons := container.NewGridWithColumns(3, d.Refresh, d.Copy, d.Logout, d.Edit, d.Remove)
	d.content = container.NewVBox(d.Title, d.Reason, container.NewHBox(d.Next), d.form, layout.NewSpacer())
	d.box = container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(d.content))
	u.Details = d
	u.setDetailButtons(Row{}, false)
	return d
}

// offers is what the window offers for r now: the same as the tray.
func offers(r Row) auth.Offer {
	return auth.Offers(r.Kind, r.Health, r.Kind == auth.KindWebull && r.Credential.TwoFactorOff)
}

// Act carries out a typed next action: Log in and Verify 2FA open the
// login dialog, Extend its dialog, Update the secret the edit form,
// Check again checks the credential with its broker, and Share again
// checks it, which writes its shared file again.
func (u *UI) Act(a auth.Action) {
	r, ok := u.row(a.Credential)
	if !ok {
		return
	}
	switch a.Kind {
	case auth.ActionLogin, auth.ActionVerify:
		u.StartLogin(r)
	case auth.ActionExtend:
		u.ShowExtend(r)
	case auth.ActionUpdate:
		u.ShowEditForm(r)
	case auth.ActionRetry:
		u.work("Checking "+r.Name+"…", func(ctx context.Context) (string, error) {
			return r.Name + " was checked.", refresh(ctx, u.backend, r.Name)
		})
	case auth.ActionShare:
		// A check writes the shared file again.
		u.work("Writing "+r.Name+"'s shared file again…", func(ctx context.Context) (string, error) {
			return r.Name + " was checked and its shared file written again.", refresh(ctx, u.backend, r.Name)
		})
	}
}

// setDetailButtons shows the buttons that work for the selected
// credential, and none when nothing is selected.
func (u *UI) setDetailButtons(r Row, ok bool) {
	d := u.Details
	o := offers(r)
	show := func(b *widget.Button, on bool) {
		if on {
			b.Enable()
			b.Show()
		} else {
			b.Disable()
			b.Hide()
		}
	}
	// Check again as the next action is the same as Check now.
	show(d.Refresh, ok && o.Next != auth.ActionRetry)
	show(d.Copy, ok && o.Copy)
	show(d.Logout, ok && o.Logout)
	show(d.Edit, ok)
	show(d.Remove, ok)
	if ok && o.Next != auth.ActionNone {
		a := auth.Next(o.Next, r.Name)
		d.Next.SetText(a.MenuTitle())
		d.Next.SetIcon(actionIcon(a.Kind))
		d.Next.Show()
	} else {
		d.Next.Hide()
	}
}

func (u *UI) showDetails() {
	r, ok := u.current()
	d := u.Details
	// Shown or hidden parts change the pane's layout: lay it out again.
	defer d.content.Refresh()
	u.setDetailButtons(r, ok)
	if !ok {
		d.Title.SetText("Select a credential")
		d.Reason.SetText("")
		d.Reason.Hide()
		d.form.Hide()
		return
	}
	d.rows(r.Kind)
	d.form.Show()
	now := u.opts.Clock.Now()
	c := r.Credential
	d.Title.SetText(r.Name)
	d.Kind.SetText(r.Kind.Title())
	d.State.SetText(r.Health.State.Title())
	d.Reason.SetText(auth.DisplayAbout(r.Health.Reason, r.Name))
	if r.Health.Reason == "" {
		d.Reason.Hide()
	} else {
		d.Reason.Show()
	}
	d.Account.SetText(orDash(account(c)))
	if c.Access != nil {
		d.Access.SetText(c.Access.Summary())
	} else {
		d.Access.SetText("—")
	}
	d.Endpoint.SetText(endpoint(c, r.Hosts, u.opts.Sandbox))
	region := c.Region
	if region == "" {
		region = webull.DefaultRegion + " (the default)"
	}
	if c.TestEnv {
		region += ", test environment"
	}
	d.Region.SetText(region)
	switch {
	case r.Health.State == auth.Pending && !r.Health.Deadline.IsZero():
		within := "Verify within "
		if r.Kind == auth.KindFutuOAuth {
			within = "Log in within " // a browser login, not a 2FA code
		}
		d.Expiry.SetText(within + auth.Countdown(r.Health.Deadline.Sub(now)))
	case !r.Health.ExpiresAt.IsZero():
		d.Expiry.SetText(r.Health.ExpiresAt.Local().Format("2 Jan 2006 15:04") + " (" + auth.Approx(r.Health.ExpiresAt.Sub(now)) + ")")
	case r.Kind == auth.KindWebull && c.TwoFactorOff:
		d.Expiry.SetText("no token: 2FA is off for this app")
	default:
		d.Expiry.SetText("not known yet")
	}
	checked := c.LastChecked
	if checked.IsZero() {
		checked = r.Health.CheckedAt
	}
	if checked.IsZero() {
		d.LastCheck.SetText("never checked with the broker")
	} else {
		d.LastCheck.SetText(checked.Local().Format("2 Jan 2006 15:04") + " (" + ago(now.Sub(checked)) + ")")
	}
	if len(r.Shares) == 0 {
		d.Shares.SetText("no other machine or command")
	} else {
		d.Shares.SetText(strings.Join(r.Shares, "\n"))
	}
}

func actionIcon(k auth.ActionKind) fyne.Resource {
	switch k {
	case auth.ActionLogin, auth.ActionVerify:
		return theme.LoginIcon()
	case auth.ActionExtend:
		return theme.HistoryIcon()
	case auth.ActionUpdate:
		return theme.DocumentCreateIcon()
	}
	return theme.ViewRefreshIcon()
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func ago(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return auth.Approx(d) + " ago"
}

// endpoint says where a credential's API calls go, and how its token is
// shared with the broker's SDK.
func endpoint(c auth.Credential, h auth.Hosts, sandboxed bool) string {
	s := h.API
	if s == "" {
		s = c.Endpoint
	}
	switch {
	case s == "" && sandboxed:
		s = "the running sandbox brokers"
	case s == "":
		s = "the broker's default"
	case c.Endpoint == "":
		s += " (the broker's default)"
	}
	if h.OAuth != "" && h.OAuth != h.API {
		s += "\nlogs in at " + h.OAuth
	}
	switch c.Layout {
	case auth.LayoutMetadata:
		s += "\nendpoints from the host's OAuth metadata"
	case auth.LayoutFutuCLI:
		s += "\nendpoints at the paths Futu's own command line uses"
	case auth.LayoutCustom:
		s += "\nendpoints set by hand"
	}
	if c.ShareWithSDK {
		s += "\nshared with the Futu SDK"
		if c.SDKTokenDir != "" {
			s += " in " + c.SDKTokenDir
		}
	}
	return s
}

// account is who a login belongs to, as the broker named it.
// account is who a login belongs to, with the brand when it is moomoo;
// what it may do is the Access row.
func account(c auth.Credential) string {
	var parts []string
	if c.FutuBrand() == auth.BrandMoomoo {
		parts = append(parts, "moomoo")
	}
	if s := c.Account.Summary(); s != "" {
		parts = append(parts, s)
	}
	return strings.Join(parts, " · ")
}

func (u *UI) logoutSelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	d := dialog.NewConfirm("Log out of "+r.Name+"?", logoutText(r.Credential), func(yes bool) {
		if !yes {
			return
		}
		u.work("Logging out of "+r.Name+"…", func(ctx context.Context) (string, error) {
			return "Logged out of " + r.Name + ": log in again when you need it.", gone(u.backend.Logout(ctx, r.Name))
		})
	}, u.Win)
	u.modal(d, d.Hide)
}

// logoutText says what a logout does to c: only what it does (a token
// file is named only when c shares one).
func logoutText(c auth.Credential) string {
	if c.Kind == auth.KindWebull {
		deleted := "Its token is deleted from the keychain."
		if c.ShareWithSDK {
			deleted = "Its token is deleted from the keychain and from the file shared with the Webull SDKs."
		}
		return deleted + " Webull cannot revoke it: it stays valid at Webull until it expires or goes unused for 15 days."
	}
	return "Its tokens are revoked with " + auth.BrandName(c.FutuBrand()) + " and deleted from the keychain. Scripts that ask tokentray for it stop working until you log in again."
}

// RemoveDialog asks before a credential is removed.
type RemoveDialog struct {
	dlg dialog.Dialog
	yes func()
}

// Confirm removes, as the dialog's Remove button does.
func (d *RemoveDialog) Confirm() { d.dlg.Hide(); d.yes() }

func (u *UI) removeSelected() *RemoveDialog {
	r, ok := u.current()
	if !ok {
		return nil
	}
	rd := &RemoveDialog{yes: func() {
		u.mu.Lock()
		u.selected = -1
		u.mu.Unlock()
		u.List.UnselectAll()
		u.work("Removing "+r.Name+"…", func(ctx context.Context) (string, error) {
			return r.Name + " was removed, with its secrets.", gone(u.backend.Remove(ctx, r.Name))
		})
	}}
	c := dialog.NewConfirm("Remove "+r.Name+"?",
		"Its secrets are deleted from the keychain. Scripts that use it stop working.",
		func(yes bool) {
			if yes {
				rd.yes()
			}
		}, u.Win)
	c.SetConfirmText("Remove")
	c.SetConfirmImportance(widget.DangerImportance)
	rd.dlg = c
	u.modal(c, c.Hide)
	return rd
}
