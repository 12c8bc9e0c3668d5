package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

// The form's fields that every kind has, as auth.FieldOf names them;
// the secrets are the kinds' fields (auth.FieldAppKey and the like) and
// the settings their options (FieldScope, FieldRegion), by name.
const (
	FieldName     = "name"
	FieldEndpoint = "endpoint"
	FieldScope    = "scope"
	FieldRegion   = "region"
)

// AddForm adds a credential, or corrects one (Edit). Its fields are the
// kind's own description (auth.Describe): the secrets it needs and the
// options it takes. A field that is wrong is marked under it and
// everything typed stays, so one mistake costs one correction. Secret
// fields are password entries and go straight to the backend, which
// keeps them in the keychain.
type AddForm struct {
	Kind     *widget.Select
	Name     *entry
	Endpoint *entry
	// Problem says what went wrong when it is no one field's fault, or
	// what is being done ("Checking with Webull…").
	Problem *widget.Label
	Submit  *widget.Button
	Cancel  *widget.Button
	// Unchecked adds (or saves) without asking the broker; it is offered
	// when the broker could not be reached.
	Unchecked *widget.Button
	noCheck   bool

	// secrets are the kinds' fields, choices, switches and texts their
	// options (with a label), each by name, shared by the kinds that
	// have one of that name.
	secrets  map[string]*entry
	choices  map[string]*widget.Select
	switches map[string]*widget.Check
	texts    map[string]*entry

	ui   *UI
	edit bool
	// kinds are the kinds by the titles the Kind choice shows.
	kinds  map[string]auth.Kind
	form   *widget.Form
	errs   map[string]*widget.Label
	dlg    dialog.Dialog
	closed bool
}

// Secret is the entry of the secret field called name (auth.FieldAppKey).
func (f *AddForm) Secret(name string) *entry { return f.secrets[name] }

// Choice is the list of the option called name (FieldRegion, "brand").
func (f *AddForm) Choice(name string) *widget.Select { return f.choices[name] }

// Switch is the check box of the option called name ("test-env").
func (f *AddForm) Switch(name string) *widget.Check { return f.switches[name] }

// Text is the entry of the text option called name (FieldScope).
func (f *AddForm) Text(name string) *entry { return f.texts[name] }

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
	c.Name, c.Kind = r.Name, r.Kind
	f.Kind.SetSelected(kindTitle(r.Kind))
	f.Kind.Disable()
	f.Name.SetText(r.Name)
	f.Name.Disable()
	f.Endpoint.SetText(c.Endpoint)
	info, _ := auth.Describe(r.Kind)
	for _, o := range info.Options {
		if o.Get == nil {
			continue
		}
		v := o.Get(c)
		switch {
		case f.choices[o.Name] != nil:
			if v != "" {
				f.choices[o.Name].SetSelected(v)
			}
		case f.switches[o.Name] != nil:
			f.switches[o.Name].SetChecked(v == "true")
		case f.texts[o.Name] != nil:
			f.texts[o.Name].SetText(v)
		}
	}
	for _, e := range f.secrets {
		e.SetPlaceHolder(lang.L("app.keep_stored"))
	}
	f.layout()
	u.modal(f.dlg, f.close)
	return f
}

func (u *UI) newForm(edit bool) *AddForm {
	f := &AddForm{ui: u, edit: edit, errs: map[string]*widget.Label{}, kinds: map[string]auth.Kind{},
		secrets: map[string]*entry{}, choices: map[string]*widget.Select{}, switches: map[string]*widget.Check{}, texts: map[string]*entry{}}
	var titles []string
	for _, i := range auth.Described() {
		titles = append(titles, kindTitle(i.Kind))
		f.kinds[kindTitle(i.Kind)] = i.Kind
	}
	f.Name = newEntry("")
	f.Endpoint = newEntry("")
	entries := []*entry{f.Name, f.Endpoint}
	for _, i := range auth.Described() {
		for _, fd := range i.Fields {
			if f.secrets[fd.Name] != nil {
				continue
			}
			e := newEntry("")
			if fd.Secret {
				e = newPasswordEntry("")
			}
			f.secrets[fd.Name] = e
			entries = append(entries, e)
		}
		for _, o := range i.Options {
			if o.Label.IsZero() || f.choices[o.Name] != nil || f.switches[o.Name] != nil || f.texts[o.Name] != nil {
				continue
			}
			switch {
			case len(o.Choices) > 0:
				var vs []string
				for _, c := range o.Choices {
					vs = append(vs, c.Value)
				}
				sel := widget.NewSelect(vs, func(string) { f.layout() })
				sel.SetSelected(o.Default)
				f.choices[o.Name] = sel
			case o.Switch():
				f.switches[o.Name] = widget.NewCheck(u.lang.Render(o.Label), nil)
			default:
				e := newEntry(u.lang.Render(o.Hint))
				f.texts[o.Name] = e
				entries = append(entries, e)
			}
		}
	}
	for _, e := range entries {
		e.OnSubmitted = func(string) { f.Save() }
		e.onEscape = f.close
		e.OnChanged = func(string) {}
	}
	f.Problem = widget.NewLabel("")
	f.Problem.Wrapping = fyne.TextWrapWord
	f.Problem.Hide()

	f.form = widget.NewForm()
	f.Kind = widget.NewSelect(titles, func(string) { f.clearErrors(); f.layout() })
	if len(titles) > 0 {
		f.Kind.SetSelected(titles[0])
	}

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

func (f *AddForm) info() auth.KindInfo {
	i, _ := auth.Describe(f.kind())
	return i
}

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

// settings is what the form's options say now, as a credential: what an
// example name and an option offered only with others are judged by.
func (f *AddForm) settings() auth.Credential {
	c := auth.Credential{Kind: f.kind()}
	for _, o := range f.info().Options {
		if o.Set == nil || o.Label.IsZero() {
			continue
		}
		if v, ok := f.value(o); ok {
			_ = o.Set(&c, v) // judged in Request; here only what is shown
		}
	}
	return c
}

// value is what the form holds for option o; ok is false when it has no
// field for it.
func (f *AddForm) value(o auth.Option) (string, bool) {
	switch {
	case f.choices[o.Name] != nil:
		return f.choices[o.Name].Selected, true
	case f.switches[o.Name] != nil:
		return fmt.Sprint(f.switches[o.Name].Checked), true
	case f.texts[o.Name] != nil:
		return strings.TrimSpace(f.texts[o.Name].Text), true
	}
	return "", false
}

func (f *AddForm) layout() {
	if f.form == nil || f.Kind == nil {
		return
	}
	i := f.info()
	c := f.settings()
	f.form.Items = nil
	f.form.Append(lang.L("app.field_kind"), f.Kind)
	f.field(lang.L("app.field_name"), FieldName, f.Name)
	if i.Example != nil {
		f.Name.SetPlaceHolder(lang.L("app.name_example", kv("Name", i.Example(c))))
	}
	for _, o := range i.Options {
		switch {
		case f.choices[o.Name] != nil:
			f.choices[o.Name].Enable()
			if f.edit && !o.Update {
				f.choices[o.Name].Disable()
			}
			f.field(f.ui.lang.Render(o.Label), o.Name, f.choices[o.Name])
		case f.switches[o.Name] != nil:
			sw := f.switches[o.Name]
			if (o.Offered != nil && !o.Offered(c)) || (f.edit && !o.Update) {
				if o.Offered != nil && !o.Offered(c) {
					sw.SetChecked(false)
				}
				sw.Disable()
			} else {
				sw.Enable()
			}
			f.form.Append("", sw)
		case f.texts[o.Name] != nil:
			f.field(f.ui.lang.Render(o.Label), o.Name, f.texts[o.Name])
		}
	}
	for _, fd := range i.Fields {
		e := f.secrets[fd.Name]
		if !f.edit {
			e.SetPlaceHolder(f.ui.lang.Render(fd.Hint))
		}
		f.field(fd.Label, fd.Name, e)
	}
	switch {
	case f.ui.opts.Sandbox:
		f.Endpoint.SetPlaceHolder(lang.L("app.endpoint_hint_sandbox"))
	default:
		f.Endpoint.SetPlaceHolder(lang.L("app.endpoint_hint", kv("Broker", f.ui.brokerName(i.Kind))))
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
		key = f.guessField(err.Error())
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
	i := f.info()
	if key == FieldName || key == FieldEndpoint {
		return true
	}
	if _, ok := i.Field(key); ok {
		return true
	}
	o, ok := i.Option(key)
	return ok && !o.Label.IsZero()
}

// guessField finds the field an error's sentence names, for an error
// that does not say it with auth.WrongField: the label of one of the
// kind's fields or options (a refused signature is the secret's).
func (f *AddForm) guessField(msg string) string {
	m := strings.ToLower(msg)
	i := f.info()
	words := []struct{ words, field string }{}
	for _, fd := range i.Fields {
		words = append(words, struct{ words, field string }{strings.ToLower(fd.Label), fd.Name})
		if fd.Name == auth.FieldAppSecret {
			words = append(words, struct{ words, field string }{"signature", fd.Name})
		}
	}
	for _, o := range i.Options {
		if !o.Label.IsZero() {
			words = append(words, struct{ words, field string }{o.Name, o.Name})
		}
	}
	words = append(words, struct{ words, field string }{"endpoint", FieldEndpoint}, struct{ words, field string }{"name", FieldName})
	for _, c := range words {
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
	i := f.info()
	req := AddRequest{Credential: auth.Credential{Kind: k, Name: strings.TrimSpace(f.Name.Text), Endpoint: strings.TrimSpace(f.Endpoint.Text)},
		Secrets: map[string]string{}}
	var errs []error
	if err := auth.ValidateName(req.Name); err != nil {
		errs = append(errs, auth.WrongField(FieldName, err))
	}
	if req.Endpoint != "" {
		if _, err := auth.CheckEndpointNamed(msg.New("auth.setting_endpoint"), req.Endpoint); err != nil {
			errs = append(errs, auth.WrongField(FieldEndpoint, err))
		}
	}
	for _, fd := range i.Fields {
		v := strings.TrimSpace(f.secrets[fd.Name].Text)
		switch {
		case v != "":
			req.Secrets[fd.Name] = v
		case !f.edit: // empty in an edit keeps the stored one
			errs = append(errs, auth.WrongField(fd.Name, msg.Errorf("app.secret_empty", "Field", fd.Label)))
		}
	}
	for _, o := range i.Options {
		v, ok := f.value(o)
		if !ok || (f.edit && !o.Update) {
			continue
		}
		if o.Offered != nil && !o.Offered(f.settings()) {
			if !o.Switch() {
				continue
			}
			v = "false" // and off, should it have been on
		}
		if o.Switch() && v == "false" && !f.edit {
			continue
		}
		if o.Set != nil {
			if err := o.Set(&req.Credential, v); err != nil {
				errs = append(errs, auth.WrongField(o.Name, err))
			}
		}
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
