package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth/service"
)

// ExtendChoices are the lifetimes offered for a new Futu access token:
// 90 days is the broker's default, 3 years its maximum.
var ExtendChoices = []struct {
	Label string
	Days  int
}{{"90 days", 90}, {"180 days", 180}, {"1 year", 365}, {"2 years", 730}, {"3 years", 1095}}

// ExtendDialog asks how long a Futu API key's new token should live. It
// offers only lengths that end after the current token does, shows the
// date the new token would end, and says before the person confirms that
// the old token stops working.
type ExtendDialog struct {
	Choice *widget.RadioGroup
	// Until shows the date the chosen length ends on.
	Until *widget.Label
	// Note says what replacing the token does to what uses it.
	Note *widget.Label
	dlg  dialog.Dialog
	ui   *UI
	row  Row
	now  time.Time
	// days is the length of each label offered.
	days map[string]int
}

// extendDay is how the dialog writes a date.
func extendDay(t time.Time) string { return t.Local().Format("2 Jan 2006") }

// NewExtendDialog builds the dialog without showing it.
func (u *UI) NewExtendDialog(r Row) *ExtendDialog {
	d := &ExtendDialog{ui: u, row: r, now: u.opts.Clock.Now(), days: map[string]int{}}
	cur := r.Credential.ExpiresAt
	if cur.IsZero() {
		cur = r.Health.ExpiresAt
	}
	var labels []string
	for _, c := range ExtendChoices {
		if !cur.IsZero() && cur.After(d.now) && d.until(c.Days).Before(cur) {
			continue // it would end before the token it replaces
		}
		l := fmt.Sprintf("%s (until %s)", c.Label, extendDay(d.until(c.Days)))
		d.days[l] = c.Days
		labels = append(labels, l)
	}
	d.Until = widget.NewLabel("")
	d.Choice = widget.NewRadioGroup(labels, func(string) { d.showUntil() })
	d.Choice.Required = true
	text := "Futu issues a new access token and retires the old one at once: whatever still uses the old token stops working. " +
		"Processes started by tokentray exec or with tokentray env keep the old token and must be restarted; bots that ask tokentray for the token get the new one."
	if !cur.IsZero() && cur.After(d.now) {
		text = "The current token is valid until " + extendDay(cur) + ". " + text
	}
	d.Note = widget.NewLabel(text)
	d.Note.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(widget.NewLabel("New token valid for:"), d.Choice, d.Until, d.Note)
	d.dlg = dialog.NewCustomConfirm("Extend "+r.Name, "Extend", "Cancel", body,
		func(ok bool) {
			if ok {
				d.Confirm()
			}
		}, u.Win)
	if len(labels) > 0 {
		d.Choice.SetSelected(labels[0])
	} else {
		d.Until.SetText("The current token already lasts longer than any extension Futu grants: there is nothing to extend.")
	}
	return d
}

func (d *ExtendDialog) until(days int) time.Time {
	return d.now.Add(time.Duration(days) * 24 * time.Hour)
}

// showUntil shows the date the chosen length ends on.
func (d *ExtendDialog) showUntil() {
	if days, ok := d.days[d.Choice.Selected]; ok {
		d.Until.SetText("The new token will be valid until " + extendDay(d.until(days)) + ".")
	}
}

// ShowExtend opens the dialog to extend the Futu API key of r.
func (u *UI) ShowExtend(r Row) *ExtendDialog {
	d := u.NewExtendDialog(r)
	u.modal(d.dlg, d.dlg.Hide)
	return d
}

// Confirm extends with the chosen lifetime; with nothing offered it does
// nothing.
func (d *ExtendDialog) Confirm() {
	days, ok := d.days[d.Choice.Selected]
	if !ok {
		return
	}
	until := d.until(days)
	u, name := d.ui, d.row.Name
	u.work("Extending "+name+"…", func(ctx context.Context) (string, error) {
		h, _, err := u.backend.Extend(ctx, name, until, service.ExtendOptions{})
		msg := name + ": " + sentence(h.Reason)
		if err == nil {
			msg += " " + u.handedOver(ctx, name)
		}
		return msg + " Processes started by tokentray exec or with tokentray env still hold the old token: restart them.", err
	})
}

// handedOver says which shared files and share targets got the new token
// of an extension just made, as the credential's record of it says.
func (u *UI) handedOver(ctx context.Context, name string) string {
	rows, err := u.backend.Rows(ctx)
	if err != nil {
		return ""
	}
	for _, r := range rows {
		if r.Name != name {
			continue
		}
		ho := r.Credential.Replaced.Handover
		var got []string
		for _, h := range ho.Updated {
			got = append(got, h.String())
		}
		msg := "No shared file or share target holds its token."
		if len(got) > 0 {
			msg = "Updated with the new token: " + strings.Join(got, ", ") + "."
		}
		for _, f := range ho.Failed {
			msg += " Not updated: " + f.String() + " (" + sentence(f.Reason) + ")."
		}
		return msg
	}
	return ""
}
