package app

import (
	"context"
	"errors"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/auth/futu"
	"tokentray/auth/service"
	"tokentray/auth/webull"
	"tokentray/internal/msg"
)

// The form's fields that are settings, as auth.FieldOf names them (the
// secrets are auth.FieldAppKey and the like).
const (
	FieldName     = "name"
	FieldEndpoint = "endpoint"
	FieldScope    = "scope"
	FieldRegion   = "region"
)

// AddForm adds a credential, or corrects one (Edit). A field that is
// wrong is marked under it and everything typed stays, so one mistake
// costs one correction. Secret fields are password entries and go
// straight to the backend, which keeps them in the keychain.
type AddForm struct {
	Kind      *widget.Select
	Name      *entry
	Endpoint  *entry
	Scope     *entry
	Region    *widget.Select
	TestEnv   *widget.Check
	AppKey    *entry
	AppSecret *entry
	Access    *entry
	// Problem says what went wrong when it is no one field's fault, or
	// what is being done ("Checking with Webull…").
	Problem *widget.Label
	Submit  *widget.Button
	Cancel  *widget.Button
	// Unchecked adds (or saves) without asking the broker; it is offered
	// when the broker could not be reached.
	Unchecked *widget.Button
	noCheck   bool

	ui   *UI
	edit bool
	// kinds are the kinds by the titles the Kind choice shows.
	kinds  map[string]auth.Kind
	form   *widget.Form
	errs   map[string]*widget.Label
	dlg    dialog.Dialog
	closed bool
}

// ShowAddForm opens the form to add a credential.
func (u *UI) ShowAddForm() *AddForm {
	f := u.newForm(false)
	u.modal(f.dlg, f.close)
	u.Win.Canvas().Focus(f.Name)
	return f
}

// ShowEditForm opens the form to correct the credential of r: its
// secrets (empty fields keep the stored ones) and its settings.
func (u *UI) ShowEditForm(r Row) *AddForm {
	f := u.newForm(true)
	c := r.Credential
	f.Kind.SetSelected(kindTitle(r.Kind))
	f.Kind.Disable()
	f.Name.SetText(r.Name)
	f.Name.Disable()
	f.Endpoint.SetText(c.Endpoint)
	f.Scope.SetText(c.Scope)
	if c.Region != "" {
		f.Region.SetSelected(c.Region)
	}
	f.TestEnv.SetChecked(c.TestEnv)
	for _, e := range []*entry{f.AppKey, f.AppSecret, f.Access} {
		e.SetPlaceHolder(lang.L("app.keep_stored"))
	}
	u.modal(f.dlg, f.close)
	return f
}

func (u *UI) newForm(edit bool) *AddForm {
	f := &AddForm{ui: u, edit: edit, errs: map[string]*widget.Label{}, kinds: map[string]auth.Kind{}}
	var titles []string
	for _, k := range auth.Kinds {
		titles = append(titles, kindTitle(k))
		f.kinds[kindTitle(k)] = k
	}
	f.Name = newEntry("")
	f.Endpoint = newEntry("")
	f.Scope = newEntry(lang.L("app.scope_hint"))
	f.AppKey = newEntry("")
	f.AppSecret = newPasswordEntry("")
	f.Access = newPasswordEntry("")
	for _, e := range []*entry{f.Name, f.Endpoint, f.Scope, f.AppKey, f.AppSecret, f.Access} {
		e.OnSubmitted = func(string) { f.Save() }
		e.onEscape = f.close
		e.OnChanged = func(string) {}
	}
	f.Region = widget.NewSelect(webull.Regions(), func(string) { f.layout() })
	f.Region.SetSelected(webull.DefaultRegion)
	f.TestEnv = widget.NewCheck(lang.L("app.webull_test_env"), nil)
	f.Problem = widget.NewLabel("")
	f.Problem.Wrapping = fyne.TextWrapWord
	f.Problem.Hide()

	f.form = widget.NewForm()
	f.Kind = widget.NewSelect(titles, func(string) { f.clearErrors(); f.layout() })
	f.Kind.SetSelected(kindTitle(auth.KindFutuOAuth))

	title, verb, unchecked := lang.L("app.add_title"), lang.L("app.add"), lang.L("app.add_unchecked")
	if edit {
		title, verb, unchecked = lang.L("app.edit_title"), lang.L("app.save"), lang.L("app.save_unchecked")
	}
	f.Submit = widget.NewButtonWithIcon(verb, theme.ConfirmIcon(), f.Save)
	f.Submit.Importance = widget.HighImportance
	f.Cancel = widget.NewButtonWithIcon(lang.L("app.cancel"), theme.CancelIcon(), f.close)
	f.Unchecked = widget.NewButtonWithIcon(unchecked, theme.WarningIcon(), func() {
		f.noCheck = true
		f.Save()
	})
	f.Unchecked.Hide()
	buttons := container.NewVBox(container.NewGridWithColumns(2, f.Cancel, f.Submit), f.Unchecked)
	f.dlg = dialog.NewCustomWithoutButtons(title, container.NewBorder(nil, buttons, nil, nil,
		container.NewVScroll(container.NewVBox(f.form, f.Problem))), u.Win)
	f.dlg.Resize(fyne.NewSize(600, 480))
	return f
}

func (f *AddForm) kind() auth.Kind { return f.kinds[f.Kind.Selected] }

// SetKind chooses the kind of credential to add, as choosing its title
// does.
func (f *AddForm) SetKind(k auth.Kind) { f.Kind.SetSelected(kindTitle(k)) }

// field is one form row: the input and, under it, what is wrong with it.
func (f *AddForm) field(label, key string, w fyne.CanvasObject) {
	l, ok := f.errs[key]
	if !ok {
		l = widget.NewLabel("")
		l.Importance = widget.DangerImportance
		l.Wrapping = fyne.TextWrapWord
		l.Hide()
		f.errs[key] = l
	}
	f.form.Append(label, container.NewVBox(w, l))
}

func (f *AddForm) layout() {
	if f.form == nil || f.Kind == nil {
		return
	}
	k := f.kind()
	f.form.Items = nil
	f.form.Append(lang.L("app.field_kind"), f.Kind)
	f.field(lang.L("app.field_name"), FieldName, f.Name)
	switch k {
	case auth.KindFutuOAuth:
		f.Name.SetPlaceHolder(lang.L("app.name_example", kv("Name", "futu-main")))
		f.field(lang.L("app.field_scope"), FieldScope, f.Scope)
	case auth.KindFutuKey:
		f.Name.SetPlaceHolder(lang.L("app.name_example", kv("Name", "futu-key1")))
		if !f.edit {
			f.AppKey.SetPlaceHolder(lang.L("app.futu_app_key_hint"))
			f.AppSecret.SetPlaceHolder(lang.L("app.app_secret_hint"))
			f.Access.SetPlaceHolder(lang.L("app.futu_access_token_hint"))
		}
		f.field("App Key", auth.FieldAppKey, f.AppKey)
		f.field("App Secret", auth.FieldAppSecret, f.AppSecret)
		f.field("Access Token", auth.FieldAccessToken, f.Access)
	case auth.KindWebull:
		f.Name.SetPlaceHolder(lang.L("app.name_example", kv("Name", "webull-"+f.Region.Selected)))
		if !f.edit {
			f.AppKey.SetPlaceHolder(lang.L("app.webull_app_key_hint"))
			f.AppSecret.SetPlaceHolder(lang.L("app.app_secret_hint"))
		}
		f.field(lang.L("app.field_region"), FieldRegion, f.Region)
		if h, _ := webull.RegionHosts(f.Region.Selected); h.Test == "" {
			f.TestEnv.SetChecked(false)
			f.TestEnv.Disable()
		} else {
			f.TestEnv.Enable()
		}
		f.form.Append("", f.TestEnv)
		f.field("App Key", auth.FieldAppKey, f.AppKey)
		f.field("App Secret", auth.FieldAppSecret, f.AppSecret)
	}
	switch {
	case f.ui.opts.Sandbox:
		f.Endpoint.SetPlaceHolder(lang.L("app.endpoint_hint_sandbox"))
	default:
		f.Endpoint.SetPlaceHolder(lang.L("app.endpoint_hint", kv("Broker", f.ui.brokerName(k))))
	}
	f.field(lang.L("app.field_endpoint"), FieldEndpoint, f.Endpoint)
	f.form.Refresh()
}

// Error is what the form says is wrong with a field ("" when nothing).
func (f *AddForm) Error(field string) string {
	if l, ok := f.errs[field]; ok && l.Visible() {
		return l.Text
	}
	return ""
}

// Open reports whether the form is on screen.
func (f *AddForm) Open() bool { return !f.closed }

func (f *AddForm) clearErrors() {
	for _, l := range f.errs {
		l.SetText("")
		l.Hide()
	}
	f.Problem.SetText("")
	f.Problem.Hide()
	if f.Unchecked != nil {
		f.Unchecked.Hide()
	}
}

// mark shows err under its field, or above the buttons when it is no
// one field's fault.
func (f *AddForm) mark(err error) {
	key, ok := auth.FieldOf(err)
	if !ok {
		key = guessField(err.Error())
	}
	if l, ok := f.errs[key]; ok && f.shows(key) {
		l.SetText(f.ui.say(err))
		l.Importance = widget.DangerImportance
		l.Show()
		return
	}
	f.Problem.SetText(f.ui.say(err))
	f.Problem.Importance = widget.DangerImportance
	f.Problem.Show()
	var ue *auth.UserError
	if !errors.As(err, &ue) {
		// Not the values' fault: the broker did not answer.
		f.Unchecked.Show()
	}
}

// shows reports whether the field is part of the form for this kind.
func (f *AddForm) shows(key string) bool {
	k := f.kind()
	switch key {
	case FieldScope:
		return k == auth.KindFutuOAuth
	case FieldRegion:
		return k == auth.KindWebull
	case auth.FieldAccessToken:
		return k == auth.KindFutuKey
	case auth.FieldAppKey, auth.FieldAppSecret:
		return k != auth.KindFutuOAuth
	}
	return true
}

// guessField finds the field an error's sentence names, for an error
// that does not say it with auth.WrongField.
func guessField(msg string) string {
	m := strings.ToLower(msg)
	for _, c := range []struct{ words, field string }{
		{"app secret", auth.FieldAppSecret}, {"signature", auth.FieldAppSecret},
		{"app key", auth.FieldAppKey}, {"access token", auth.FieldAccessToken},
		{"region", FieldRegion}, {"scope", FieldScope}, {"endpoint", FieldEndpoint},
		{"name", FieldName},
	} {
		if strings.Contains(m, c.words) {
			return c.field
		}
	}
	return ""
}

// Request checks the form and returns what to add or save; the error
// joins one FieldError per wrong field.
func (f *AddForm) Request() (AddRequest, error) {
	k := f.kind()
	req := AddRequest{Credential: auth.Credential{Kind: k, Name: strings.TrimSpace(f.Name.Text), Endpoint: strings.TrimSpace(f.Endpoint.Text)}, Secrets: map[string]string{}}
	var errs []error
	if err := auth.ValidateName(req.Name); err != nil {
		errs = append(errs, auth.WrongField(FieldName, err))
	}
	if err := checkEndpoint(k, req.Endpoint); err != nil {
		errs = append(errs, auth.WrongField(FieldEndpoint, err))
	}
	need := func(label string, e *entry, field string) error {
		v := strings.TrimSpace(e.Text)
		if v == "" {
			if f.edit {
				return nil // keeps the stored one
			}
			return auth.WrongField(field, msg.Errorf("app.secret_empty", "Field", label))
		}
		req.Secrets[field] = v
		return nil
	}
	switch k {
	case auth.KindFutuOAuth:
		req.Scope = strings.TrimSpace(f.Scope.Text)
	case auth.KindFutuKey:
		errs = append(errs, need("App Key", f.AppKey, auth.FieldAppKey), need("App Secret", f.AppSecret, auth.FieldAppSecret), need("Access Token", f.Access, auth.FieldAccessToken))
	case auth.KindWebull:
		req.Region, req.TestEnv = f.Region.Selected, f.TestEnv.Checked
		errs = append(errs, need("App Key", f.AppKey, auth.FieldAppKey), need("App Secret", f.AppSecret, auth.FieldAppSecret))
	}
	return req, errors.Join(errs...)
}

// Save checks the form, marks what is wrong, and otherwise adds (or
// saves) through the backend, which checks it with the broker. The form
// stays open, with everything typed, until the backend has accepted it.
func (f *AddForm) Save() {
	if f.closed || f.Submit.Disabled() {
		return
	}
	f.clearErrors()
	req, err := f.Request()
	req.NoCheck, f.noCheck = f.noCheck, false
	if err != nil {
		for _, e := range unjoin(err) {
			f.mark(e)
		}
		return
	}
	f.Submit.Disable()
	u := f.ui
	f.Problem.SetText(lang.L("app.checking_with", kv("Broker", u.brokerName(req.Kind))))
	f.Problem.Importance = widget.MediumImportance
	f.Problem.Show()
	u.run.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		var err error
		if f.edit {
			_, err = u.backend.Update(ctx, service.FormUpdate(req))
		} else {
			_, err = u.backend.Add(ctx, req)
		}
		u.run.Do(func() {
			f.Submit.Enable()
			f.Problem.Hide()
			if err != nil {
				f.mark(err)
				return
			}
			f.close()
			if f.edit {
				u.Status.SetText(lang.L("app.saved", kv("Name", req.Name)))
			} else {
				u.Status.SetText(lang.L("app.added", kv("Name", req.Name)))
			}
			u.opts.Focus = req.Name
		})
		if err == nil {
			_ = u.Reload(ctx)
		}
	})
}

// checkEndpoint applies the broker's own rule for an endpoint before
// anything is sent.
func checkEndpoint(k auth.Kind, raw string) error {
	switch {
	case raw == "":
		return nil
	case k.Broker() == "Futu":
		return futu.CheckEndpoint(raw)
	case !strings.HasPrefix(raw, "https://") && !strings.HasPrefix(raw, "http://"):
		return msg.Errorf("app.endpoint_not_web")
	}
	return nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func (f *AddForm) close() {
	if f.closed {
		return
	}
	f.closed = true
	f.dlg.Hide()
}
