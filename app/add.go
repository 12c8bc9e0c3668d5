package app

import (
	"context"
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
)

// Regions are Webull's, as the broker names them.
var Regions = []string{"us", "hk", "jp", "sg", "th", "au", "my", "uk", "eu"}

// AddForm collects a new credential. Secret fields are password entries
// and go straight to the backend, which keeps them in the keychain.
type AddForm struct {
	Kind      *widget.Select
	Name      *widget.Entry
	Endpoint  *widget.Entry
	Scope     *widget.Entry
	Region    *widget.Select
	TestEnv   *widget.Check
	AppKey    *widget.Entry
	AppSecret *widget.Entry
	Access    *widget.Entry
	Form      *widget.Form
	dlg       dialog.Dialog
}

var kindByTitle = map[string]auth.Kind{}

func init() {
	for _, k := range auth.Kinds {
		kindByTitle[k.Title()] = k
	}
}

func (u *UI) showAddForm() { u.NewAddForm().dlg.Show() }

// NewAddForm builds the add dialog without showing it.
func (u *UI) NewAddForm() *AddForm {
	f := &AddForm{}
	var titles []string
	for _, k := range auth.Kinds {
		titles = append(titles, k.Title())
	}
	f.Name = widget.NewEntry()
	f.Name.SetPlaceHolder("e.g. futu-main")
	f.Endpoint = widget.NewEntry()
	f.Endpoint.SetPlaceHolder("leave empty for the broker's default")
	if u.opts.Sandbox {
		f.Endpoint.SetPlaceHolder("leave empty for the running sandbox brokers")
	}
	f.Scope = widget.NewEntry()
	f.Scope.SetPlaceHolder("optional, e.g. quote:read trade:read")
	f.Region = widget.NewSelect(Regions, nil)
	f.Region.SetSelected("us")
	f.TestEnv = widget.NewCheck("Webull test environment (no 2FA)", nil)
	f.AppKey = widget.NewEntry()
	f.AppSecret = widget.NewPasswordEntry()
	f.Access = widget.NewPasswordEntry()

	f.Form = widget.NewForm()
	f.Kind = widget.NewSelect(titles, func(string) { f.layout() })
	f.Kind.SetSelected(auth.KindFutuOAuth.Title())

	f.dlg = dialog.NewCustomConfirm("Add a credential", "Add", "Cancel", f.Form, func(ok bool) {
		if !ok {
			return
		}
		req, err := f.Request()
		if err != nil {
			dialog.ShowError(err, u.Win)
			return
		}
		u.run("Adding "+req.Name+"…", func(ctx context.Context) (string, error) {
			return "Added " + req.Name + ".", u.backend.Add(ctx, req)
		})
	}, u.Win)
	f.dlg.Resize(fyne.NewSize(560, 420))
	return f
}

func (f *AddForm) layout() {
	k := kindByTitle[f.Kind.Selected]
	f.Form.Items = nil
	f.Form.Append("Kind", f.Kind)
	f.Form.Append("Name", f.Name)
	switch k {
	case auth.KindFutuOAuth:
		f.Form.Append("Scope", f.Scope)
	case auth.KindFutuKey:
		f.Form.Append("App Key", f.AppKey)
		f.Form.Append("App Secret", f.AppSecret)
		f.Form.Append("Access Token", f.Access)
	case auth.KindWebull:
		f.Form.Append("Region", f.Region)
		f.Form.Append("", f.TestEnv)
		f.Form.Append("App Key", f.AppKey)
		f.Form.Append("App Secret", f.AppSecret)
	}
	f.Form.Append("Endpoint", f.Endpoint)
	f.Form.Refresh()
}

// Request validates the form and returns what to add.
func (f *AddForm) Request() (AddRequest, error) {
	k := kindByTitle[f.Kind.Selected]
	req := AddRequest{Kind: k, Name: strings.TrimSpace(f.Name.Text), Endpoint: strings.TrimSpace(f.Endpoint.Text), Secrets: map[string]string{}}
	if err := auth.ValidateName(req.Name); err != nil {
		return req, err
	}
	need := func(label string, e *widget.Entry, field string) error {
		v := strings.TrimSpace(e.Text)
		if v == "" {
			return errors.New("the " + label + " is empty: paste it from the broker's developer portal")
		}
		req.Secrets[field] = v
		return nil
	}
	switch k {
	case auth.KindFutuOAuth:
		req.Scope = strings.TrimSpace(f.Scope.Text)
	case auth.KindFutuKey:
		for _, e := range []error{need("App Key", f.AppKey, auth.FieldAppKey), need("App Secret", f.AppSecret, auth.FieldAppSecret), need("Access Token", f.Access, auth.FieldAccessToken)} {
			if e != nil {
				return req, e
			}
		}
	case auth.KindWebull:
		req.Region, req.TestEnv = f.Region.Selected, f.TestEnv.Checked
		for _, e := range []error{need("App Key", f.AppKey, auth.FieldAppKey), need("App Secret", f.AppSecret, auth.FieldAppSecret)} {
			if e != nil {
				return req, e
			}
		}
	}
	return req, nil
}
