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
