package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// ExtendChoices are the lifetimes offered for a new Futu access token:
// 90 days is the broker's default, 3 years its maximum.
var ExtendChoices = []struct {
	Label string
	Days  int
}{{"90 days", 90}, {"180 days", 180}, {"1 year", 365}, {"2 years", 730}, {"3 years", 1095}}

// ExtendDialog asks how long a Futu API key's new token should live.
type ExtendDialog struct {
	Choice *widget.RadioGroup
	dlg    dialog.Dialog
	ui     *UI
	row    Row
}

// NewExtendDialog builds the dialog without showing it.
func (u *UI) NewExtendDialog(r Row) *ExtendDialog {
	d := &ExtendDialog{ui: u, row: r}
	var labels []string
	for _, c := range ExtendChoices {
		labels = append(labels, c.Label)
	}
	d.Choice = widget.NewRadioGroup(labels, nil)
	d.Choice.SetSelected(labels[0])
	note := widget.NewLabel("Futu issues a new access token and retires the old one. Scripts that use FUTU_ACCESS_TOKEN need the new token afterwards (they can read it from tokentray).")
	note.Wrapping = fyne.TextWrapWord
	d.dlg = dialog.NewCustomConfirm("Extend "+r.Name, "Extend", "Cancel",
		container.NewVBox(widget.NewLabel("New token valid for:"), d.Choice, note),
		func(ok bool) {
			if ok {
				d.Confirm()
			}
		}, u.Win)
	return d
}

// ShowExtend opens the dialog to extend the Futu API key of r.
func (u *UI) ShowExtend(r Row) *ExtendDialog {
	d := u.NewExtendDialog(r)
	u.modal(d.dlg, d.dlg.Hide)
	return d
}

// Confirm extends with the chosen lifetime.
func (d *ExtendDialog) Confirm() {
	days := ExtendChoices[0].Days
	for _, c := range ExtendChoices {
		if c.Label == d.Choice.Selected {
			days = c.Days
		}
	}
	until := d.ui.opts.Clock.Now().Add(time.Duration(days) * 24 * time.Hour)
	u, name := d.ui, d.row.Name
	u.work("Extending "+name+"…", func(ctx context.Context) (string, error) {
		h, err := u.backend.Extend(ctx, name, until)
		return name + ": " + sentence(h.Reason), err
	})
}
