package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/internal/msg"
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
	d.form.Append(lang.L("app.field_kind"), d.Kind)
	d.form.Append(lang.L("app.field_health"), d.State)
	if k == auth.KindFutuOAuth {
		d.form.Append(lang.L("app.field_account"), d.Account)
		d.form.Append(lang.L("app.field_access"), d.Access)
	}
	d.form.Append(lang.L("app.field_endpoint"), d.Endpoint)
	if i, _ := auth.Describe(k); hasOption(i, FieldRegion) {
		d.form.Append(lang.L("app.field_region"), d.Region)
	}
	d.form.Append(lang.L("app.field_expires"), d.Expiry)
	d.form.Append(lang.L("app.field_last_check"), d.LastCheck)
	d.form.Append(lang.L("app.field_shared_to"), d.Shares)
	d.form.Refresh()
	d.content.Refresh()
}

func (u *UI) newDetails() *Details {
	d := &Details{}
	for _, l := range []**widget.Label{&d.Title, &d.Kind, &d.State, &d.Reason, &d.Account, &d.Access, &d.Endpoint, &d.Region, &d.Expiry, &d.LastCheck, &d.Shares} {
		*l = widget.NewLabel("")
		(*l).Wrapping = fyne.TextWrapWord
	}
	d.Title.SetText(lang.L("app.select_credential"))
	d.Title.TextStyle.Bold = true
	d.Title.SizeName = theme.SizeNameSubHeadingText
	d.Next = widget.NewButton("", func() {
		if r, ok := u.current(); ok {
			u.Act(auth.Next(offers(r).Next, r.Name))
		}
	})
	d.Next.Importance = widget.HighImportance
	d.Next.Hide()
	d.Refresh = widget.NewButtonWithIcon(lang.L("app.check_now"), theme.ViewRefreshIcon(), func() {
		if r, ok := u.current(); ok {
			u.Act(auth.Next(auth.ActionRetry, r.Name))
		}
	})
	d.Copy = widget.NewButtonWithIcon(lang.L("app.copy_token"), theme.ContentCopyIcon(), func() { u.copySelected() })
	d.Logout = widget.NewButtonWithIcon(lang.L("app.logout_button"), theme.LogoutIcon(), func() { u.logoutSelected() })
	d.Edit = widget.NewButtonWithIcon(lang.L("app.edit_button"), theme.DocumentCreateIcon(), func() {
		if r, ok := u.current(); ok {
			u.ShowEditForm(r)
		}
	})
	d.Remove = widget.NewButtonWithIcon(lang.L("app.remove_button"), theme.DeleteIcon(), func() { u.removeSelected() })
	d.Remove.Importance = widget.DangerImportance

	d.form = widget.NewForm()
	buttons := container.NewGridWithColumns(3, d.Refresh, d.Copy, d.Logout, d.Edit, d.Remove)
	d.content = container.NewVBox(d.Title, d.Reason, container.NewHBox(d.Next), d.form, layout.NewSpacer())
	d.box = container.NewBorder(nil, buttons, nil, nil, container.NewVScroll(d.content))
	u.Details = d
	u.setDetailButtons(Row{}, false)
	return d
}

// hasOption reports whether the kind i describes takes the option name.
func hasOption(i auth.KindInfo, name string) bool {
	_, ok := i.Option(name)
	return ok
}

// info is the description of r's kind.
func info(r Row) auth.KindInfo {
	i, _ := auth.Describe(r.Kind)
	return i
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
		u.work(lang.L("app.checking", kv("Name", r.Name)), func(ctx context.Context) (string, error) {
			return lang.L("app.checked", kv("Name", r.Name)), refresh(ctx, u.backend, r.Name)
		})
	case auth.ActionShare:
		// A check writes the shared file again.
		u.work(lang.L("app.sharing", kv("Name", r.Name)), func(ctx context.Context) (string, error) {
			return lang.L("app.shared", kv("Name", r.Name)), refresh(ctx, u.backend, r.Name)
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
		d.Next.SetText(u.actionTitle(a))
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
		d.Title.SetText(lang.L("app.select_credential"))
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
	d.Kind.SetText(kindTitle(r.Kind))
	d.State.SetText(u.stateTitle(r.Health.State))
	reason := r.Health.Explain(u.lang)
	d.Reason.SetText(auth.DisplayAbout(reason, r.Name))
	if reason == "" {
		d.Reason.Hide()
	} else {
		d.Reason.Show()
	}
	d.Account.SetText(orDash(account(c)))
	if c.Access != nil {
		d.Access.SetText(u.access(*c.Access))
	} else {
		d.Access.SetText("—")
	}
	d.Endpoint.SetText(endpoint(c, r.Hosts, u.opts.Sandbox))
	region := c.Region
	if o, ok := info(r).Option(FieldRegion); ok && region == "" {
		region = lang.L("app.region_default", kv("Region", o.Default))
	}
	if c.TestEnv {
		region = lang.L("app.region_test", kv("Region", region))
	}
	d.Region.SetText(region)
	switch {
	case r.Health.State == auth.Pending && !r.Health.Deadline.IsZero():
		left := auth.Countdown(r.Health.Deadline.Sub(now))
		if info(r).SignIn == auth.ActionLogin {
			// A browser login, not a 2FA code.
			d.Expiry.SetText(lang.L("app.login_within", kv("Left", left)))
		} else {
			d.Expiry.SetText(lang.L("app.verify_within", kv("Left", left)))
		}
	case !r.Health.ExpiresAt.IsZero() && !r.Health.ExpiresAt.After(now):
		d.Expiry.SetText(lang.L("app.when_expired", kv("When", u.when(r.Health.ExpiresAt))))
	case !r.Health.ExpiresAt.IsZero():
		d.Expiry.SetText(lang.L("app.when_in", kv("When", u.when(r.Health.ExpiresAt), "In", u.lang.Duration(r.Health.ExpiresAt.Sub(now)))))
	case r.Kind == auth.KindWebull && c.TwoFactorOff:
		d.Expiry.SetText(lang.L("app.no_token_2fa_off"))
	default:
		d.Expiry.SetText(lang.L("app.not_known_yet"))
	}
	checked := c.LastChecked
	if checked.IsZero() {
		checked = r.Health.CheckedAt
	}
	if checked.IsZero() {
		d.LastCheck.SetText(lang.L("app.never_checked"))
	} else {
		d.LastCheck.SetText(lang.L("app.when_ago", kv("When", u.when(checked), "Ago", u.ago(now.Sub(checked)))))
	}
	if len(r.Shares) == 0 {
		d.Shares.SetText(lang.L("app.no_shares"))
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

func (u *UI) ago(d time.Duration) string {
	if d < time.Minute { // a clock a little behind the broker's too
		return lang.L("app.just_now")
	}
	return lang.L("app.ago", kv("Time", u.lang.Duration(d)))
}

// when is a moment as the window writes it: "7 Dec 2026 15:04" in
// English, "2026 年 12 月 7 日 15:04" in Chinese (as the reasons and the
// notifications write a date, a space between the digits and the
// characters).
func (u *UI) when(t time.Time) string {
	t = t.Local()
	if u.lang == msg.English {
		return t.Format("2 Jan 2006 15:04")
	}
	return fmt.Sprintf("%d 年 %d 月 %d 日 %s", t.Year(), t.Month(), t.Day(), t.Format("15:04"))
}

// day is a date as the window writes it: "7 Dec 2026", "2026 年 12 月 7 日".
func (u *UI) day(t time.Time) string {
	t = t.Local()
	if u.lang == msg.English {
		return t.Format("2 Jan 2006")
	}
	return fmt.Sprintf("%d 年 %d 月 %d 日", t.Year(), t.Month(), t.Day())
}

// kindTitle names a kind of credential ("Futu API key") in the language
// the window speaks.
func kindTitle(k auth.Kind) string { return speaking().Render(k.Message()) }

// brokerName names the broker of a kind ("Futu", 富途).
func (u *UI) brokerName(k auth.Kind) string { return u.lang.Render(k.BrokerMessage()) }

// actionTitle is an action as its button says it: "Log in…" for one
// that opens a dialog, "Check again" for one that does it at once.
func (u *UI) actionTitle(a auth.Action) string {
	t := u.lang.Render(a.Message())
	if a.Kind == auth.ActionNone || a.Kind == auth.ActionRetry {
		return t
	}
	return lang.L("app.opens_dialog", kv("Action", t))
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
		s = lang.L("app.endpoint_sandbox")
	case s == "":
		s = lang.L("app.endpoint_default")
	case c.Endpoint == "":
		s = lang.L("app.endpoint_is_default", kv("Host", s))
	}
	if h.OAuth != "" && h.OAuth != h.API {
		s += "\n" + lang.L("app.endpoint_login_at", kv("Host", h.OAuth))
	}
	switch c.Layout {
	case auth.LayoutMetadata:
		s += "\n" + lang.L("app.layout_metadata")
	case auth.LayoutFutuCLI:
		s += "\n" + lang.L("app.layout_futu_cli")
	case auth.LayoutCustom:
		s += "\n" + lang.L("app.layout_custom")
	}
	if c.ShareWithSDK {
		if c.SDKTokenDir != "" {
			s += "\n" + lang.L("app.shared_with_sdk_in", kv("Dir", c.SDKTokenDir))
		} else {
			s += "\n" + lang.L("app.shared_with_sdk")
		}
	}
	return s
}

// account is who a login belongs to, as the broker named it, with the
// brand when it is moomoo; what it may do is the Access row.
func account(c auth.Credential) string {
	var parts []string
	if c.FutuBrand() == auth.BrandMoomoo {
		parts = append(parts, "moomoo")
	}
	a := c.Account
	if a.Name != "" {
		parts = append(parts, a.Name)
	}
	if a.FutuID != "" {
		parts = append(parts, lang.L("app.account_futu_id", kv("ID", a.FutuID)))
	}
	switch {
	case a.AccountNo != "" && a.AccountType != "":
		parts = append(parts, lang.L("app.account_no_type", kv("No", a.AccountNo, "Type", a.AccountType)))
	case a.AccountNo != "":
		parts = append(parts, lang.L("app.account_no", kv("No", a.AccountNo)))
	case a.AccountType != "":
		parts = append(parts, lang.L("app.account_type", kv("Type", a.AccountType)))
	}
	if q := a.QuotePermissions; len(q) > 3 {
		parts = append(parts, lang.L("app.account_quotes_more", kv("Quotes", strings.Join(q[:3], ", "))))
	} else if len(q) > 0 {
		parts = append(parts, lang.L("app.account_quotes", kv("Quotes", strings.Join(q, ", "))))
	}
	return strings.Join(parts, " · ")
}

// access is what a login may do, in a few words: the login's own
// summary, said in the window's language.
func (u *UI) access(a auth.Access) string { return u.lang.Render(a.SummaryMsg()) }

func (u *UI) logoutSelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	d := dialog.NewConfirm(lang.L("app.logout_title", kv("Name", r.Name)), u.logoutText(r.Credential), func(yes bool) {
		if !yes {
			return
		}
		u.work(lang.L("app.logging_out", kv("Name", r.Name)), func(ctx context.Context) (string, error) {
			return lang.L("app.logged_out", kv("Name", r.Name)), gone(u.backend.Logout(ctx, r.Name))
		})
	}, u.Win)
	u.modal(d, d.Hide)
}

// logoutText says what a logout does to c: only what it does (a token
// file is named only when c shares one).
func (u *UI) logoutText(c auth.Credential) string {
	if c.Kind == auth.KindWebull {
		if c.ShareWithSDK {
			return lang.L("app.logout_webull_shared")
		}
		return lang.L("app.logout_webull")
	}
	return lang.L("app.logout_futu", kv("Brand", u.lang.Render(msg.New("brand."+c.FutuBrand()))))
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
		u.work(lang.L("app.removing", kv("Name", r.Name)), func(ctx context.Context) (string, error) {
			return lang.L("app.removed", kv("Name", r.Name)), gone(u.backend.Remove(ctx, r.Name))
		})
	}}
	c := dialog.NewConfirm(lang.L("app.remove_title", kv("Name", r.Name)),
		lang.L("app.remove_text"),
		func(yes bool) {
			if yes {
				rd.yes()
			}
		}, u.Win)
	c.SetConfirmText(lang.L("app.remove"))
	c.SetConfirmImportance(widget.DangerImportance)
	rd.dlg = c
	u.modal(c, c.Hide)
	return rd
}
