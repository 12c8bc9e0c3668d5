package app

import (
	"testing"

	"tokentray/auth"
	"tokentray/internal/system"
)

// The kinds describe themselves through the registry the wiring fills.
func init() { system.RegisterKinds() }

// The add form of each kind is its description: a row for each field it
// needs and each option it shows, a password entry for each secret, and
// what the form sends is what the kind's options take; a moomoo login
// is added from the window too.
func TestTheAddFormOfEachKindIsItsDescription(t *testing.T) {
	b := &memBackend{}
	u, _ := newTestUI(t, b, nil)
	for _, i := range auth.Described() {
		f := u.ShowAddForm()
		f.Kind.SetSelected(i.Kind.Title())
		for _, fd := range i.Fields {
			if !formHas(f.form, fd.Label) {
				t.Errorf("%s: no %s field", i.Kind, fd.Label)
			}
			if f.Secret(fd.Name).Password != fd.Secret {
				t.Errorf("%s: the %s is a password entry: %v", i.Kind, fd.Label, f.Secret(fd.Name).Password)
			}
		}
		for _, o := range i.Options {
			if !o.Label.IsZero() && !o.Switch() && !formHas(f.form, u.lang.Render(o.Label)) {
				t.Errorf("%s: no %s field", i.Kind, o.Label)
			}
		}
		f.close()
	}
	f := u.ShowAddForm()
	f.Kind.SetSelected(auth.KindFutuOAuth.Title())
	f.Choice("brand").SetSelected(auth.BrandMoomoo)
	f.Name.SetText("moo")
	f.Save()
	if len(b.added) != 1 || b.added[0].FutuBrand() != auth.BrandMoomoo || formHas(f.form, "App Key") {
		t.Fatalf("added %+v", b.added)
	}
}

// The edit form changes what the kind lets update change: a Webull app
// moved to a region without a test environment leaves it, and a Futu
// login's brand (which update does not change) cannot be chosen there.
func TestTheEditFormChangesWhatTheKindLetsUpdateChange(t *testing.T) {
	b := &memBackend{rows: []Row{
		{Name: "wb", Kind: auth.KindWebull, Credential: auth.Credential{Region: "hk", TestEnv: true}},
		{Name: "moo", Kind: auth.KindFutuOAuth, Credential: auth.Credential{Brand: auth.BrandMoomoo, Scope: "quote:read"}},
	}}
	u, _ := newTestUI(t, b, nil)
	rows := map[string]Row{}
	for _, r := range u.Rows() {
		rows[r.Name] = r
	}
	f := u.ShowEditForm(rows["wb"])
	if !f.Switch("test-env").Checked || f.Switch("test-env").Disabled() || f.Choice(FieldRegion).Selected != "hk" {
		t.Fatalf("the edit form shows region %q, test environment %v", f.Choice(FieldRegion).Selected, f.Switch("test-env").Checked)
	}
	f.Choice(FieldRegion).SetSelected("au")
	if f.Switch("test-env").Checked || !f.Switch("test-env").Disabled() {
		t.Error("a region without a test environment keeps it on")
	}
	f.Save()
	if len(b.updated) != 1 || b.updated[0].Region != "au" || b.updated[0].TestEnv {
		t.Fatalf("updated %+v", b.updated)
	}

	f = u.ShowEditForm(rows["moo"])
	if f.Choice("brand").Selected != auth.BrandMoomoo || !f.Choice("brand").Disabled() || f.Text(FieldScope).Text != "quote:read" {
		t.Errorf("the login's edit form: brand %q (disabled %v), scope %q", f.Choice("brand").Selected, f.Choice("brand").Disabled(), f.Text(FieldScope).Text)
	}
	f.Text(FieldScope).SetText("quote:read trade:read")
	f.Save()
	if len(b.updated) != 2 || b.updated[1].Scope != "quote:read trade:read" || b.updated[1].FutuBrand() != auth.BrandMoomoo {
		t.Errorf("updated %+v", b.updated)
	}
}
