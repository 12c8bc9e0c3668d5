package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"tokentray/auth"
	"tokentray/auth/service"
)

// ExtendChoices are the lifetimes offered for a new Futu access token:
// 90 days is the broker's default, 3 years its maximum.
var ExtendChoices = []struct {
	// Days is the length; Years, when set, is how it is said.
	Days, Years int
}{{90, 0}, {180, 0}, {365, 1}, {730, 2}, {1095, 3}}

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
		length := lang.N("app.extend_days", c.Days, kv("Count", c.Days))
		if c.Years > 0 {
			length = lang.N("app.extend_years", c.Years, kv("Count", c.Years))
		}
		l := lang.L("app.extend_choice", kv("Length", length, "Until", u.day(d.until(c.Days))))
		d.days[l] = c.Days
		labels = append(labels, l)
	}
	d.Until = widget.NewLabel("")
	d.Choice = widget.NewRadioGroup(labels, func(string) { d.showUntil() })
	d.Choice.Required = true
	text := lang.L("app.extend_note")
	if !cur.IsZero() && cur.After(d.now) {
		text = lang.L("app.extend_note_current", kv("Until", u.day(cur), "Note", text))
	}
	d.Note = widget.NewLabel(text)
	d.Note.Wrapping = fyne.TextWrapWord
	body := container.NewVBox(widget.NewLabel(lang.L("app.extend_valid_for")), d.Choice, d.Until, d.Note)
	d.dlg = dialog.NewCustomConfirm(lang.L("app.extend_title", kv("Name", r.Name)), lang.L("app.extend"), lang.L("app.cancel"), body,
		func(ok bool) {
			if ok {
				d.Confirm()
			}
		}, u.Win)
	if len(labels) > 0 {
		d.Choice.SetSelected(labels[0])
	} else {
		d.Until.SetText(lang.L("app.extend_nothing"))
	}
	return d
}

func (d *ExtendDialog) until(days int) time.Time {
	return d.now.Add(time.Duration(days) * 24 * time.Hour)
}

// showUntil shows the date the chosen length ends on.
func (d *ExtendDialog) showUntil() {
	if days, ok := d.days[d.Choice.Selected]; ok {
		d.Until.SetText(lang.L("app.extend_until", kv("Until", d.ui.day(d.until(days)))))
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
	u.work(lang.L("app.extending", kv("Name", name)), func(ctx context.Context) (string, error) {
		h, _, err := u.backend.Extend(ctx, name, until, service.ExtendOptions{})
		said := lang.L("app.extended", kv("Name", name, "Reason", sentence(h.Explain(u.lang))))
		if err == nil {
			said = lang.L("app.then", kv("First", said, "Then", u.handedOver(ctx, name)))
		}
		return lang.L("app.then", kv("First", said, "Then", lang.L("app.restart_exec"))), err
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
			got = append(got, handoff(h))
		}
		said := lang.L("app.handover_none")
		if len(got) > 0 {
			said = lang.L("app.handover_updated", kv("Names", u.lang.List(got)))
		}
		for _, f := range ho.Failed {
			said = lang.L("app.then", kv("First", said, "Then", lang.L("app.handover_failed", kv("Name", handoff(f.Handoff), "Reason", sentence(f.Explain(u.lang))))))
		}
		return said
	}
	return ""
}

// handoff names a place that holds a token, for a sentence.
func handoff(h auth.Handoff) string {
	if h.Kind == auth.HandoffTarget {
		return lang.L("app.handoff_target", kv("Where", h.Where))
	}
	return lang.L("app.handoff_file", kv("Where", h.Where))
}
