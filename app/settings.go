package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// SettingsPage shows every setting `tokentray config` lists, with its
// allowed range and default, and where tokentray keeps its data.
type SettingsPage struct {
	ui *UI

	// Fields holds the input of each setting by key: an *entry, or a
	// *widget.Check for a switch.
	Fields map[string]fyne.CanvasObject
	errs   map[string]*widget.Label
	loaded map[string]Setting
	order  []string

	Save     *widget.Button
	Message  *widget.Label
	Path     *widget.Label
	Keychain *widget.Label

	form    *widget.Form
	content *fyne.Container
	box     fyne.CanvasObject
}

func (u *UI) newSettingsPage() *SettingsPage {
	p := &SettingsPage{ui: u, Fields: map[string]fyne.CanvasObject{}, errs: map[string]*widget.Label{}, loaded: map[string]Setting{}}
	p.form = widget.NewForm()
	p.Save = widget.NewButtonWithIcon("Save settings", theme.DocumentSaveIcon(), p.Apply)
	p.Save.Importance = widget.HighImportance
	p.Message = widget.NewLabel("")
	p.Message.Wrapping = fyne.TextWrapWord
	p.Path = widget.NewLabel("")
	p.Path.Wrapping = fyne.TextWrapBreak
	p.Keychain = widget.NewLabel("")
	p.Keychain.Wrapping = fyne.TextWrapWord
	where := widget.NewForm(widget.NewFormItem("Settings file", p.Path), widget.NewFormItem("Secrets", p.Keychain))
	heading := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.TextStyle.Bold = true
		return l
	}
	p.content = container.NewVBox(
		heading("Settings"), p.form,
		widget.NewSeparator(), heading("Where your data lives"), where)
	// Save and what it said stay in view below the scrolling settings,
	// whatever the window's size.
	bottom := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, p.Save, nil, p.Message))
	p.box = container.NewBorder(nil, bottom, nil, nil, container.NewVScroll(p.content))
	return p
}

// Load reads every setting from the backend into the page; a field
// being edited keeps what is typed.
func (p *SettingsPage) Load() {
	u := p.ui
	u.run.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		ss, err := u.backend.Settings(ctx)
		w := u.backend.Where()
		u.run.Do(func() {
			p.Path.SetText(w.Settings)
			p.Keychain.SetText(w.Keychain)
			if err != nil {
				p.Message.SetText(sentence(err.Error()))
				return
			}
			p.show(ss)
		})
	})
}

func (p *SettingsPage) show(ss []Setting) {
	rebuild := len(ss) != len(p.order)
	for i, s := range ss {
		if !rebuild && p.order[i] != s.Key {
			rebuild = true
		}
	}
	if rebuild {
		p.form.Items = nil
		p.order = nil
		for _, s := range ss {
			var in fyne.CanvasObject
			if s.Switch {
				in = widget.NewCheck("", nil)
			} else {
				e := newEntry("")
				e.OnSubmitted = func(string) { p.Apply() }
				in = e
			}
			errl := widget.NewLabel("")
			errl.Importance = widget.DangerImportance
			errl.Wrapping = fyne.TextWrapWord
			errl.Hide()
			p.Fields[s.Key], p.errs[s.Key] = in, errl
			p.order = append(p.order, s.Key)
			item := widget.NewFormItem(s.Title, container.NewVBox(in, errl))
			item.HintText = s.Allowed + "; default " + orDash(s.Default)
			p.form.AppendItem(item)
		}
	}
	for _, s := range ss {
		prev, seen := p.loaded[s.Key]
		if !rebuild && seen && p.value(s.Key) != prev.Value {
			// Being edited here: a change made elsewhere does not
			// overwrite what is typed.
			p.loaded[s.Key] = s
			continue
		}
		p.loaded[s.Key] = s
		switch in := p.Fields[s.Key].(type) {
		case *widget.Check:
			in.Text = s.Key
			in.SetChecked(s.Value == "on")
		case *entry:
			in.SetText(s.Value)
		}
	}
	p.form.Refresh()
	p.content.Refresh()
	p.box.Refresh()
}

// value is what the page holds for key now, in `tokentray config` form.
func (p *SettingsPage) value(key string) string {
	switch in := p.Fields[key].(type) {
	case *widget.Check:
		if in.Checked {
			return "on"
		}
		return "off"
	case *entry:
		return in.Text
	}
	return ""
}

// Error is what the page says is wrong with a setting ("" when nothing).
func (p *SettingsPage) Error(key string) string {
	if l, ok := p.errs[key]; ok && l.Visible() {
		return l.Text
	}
	return ""
}

// Apply saves every setting that was changed; one refused stays as
// typed, marked with the reason, and the others are saved.
func (p *SettingsPage) Apply() {
	u := p.ui
	changed := map[string]string{}
	for _, k := range p.order {
		p.errs[k].Hide()
		if v := p.value(k); v != p.loaded[k].Value {
			changed[k] = v
		}
	}
	if len(changed) == 0 {
		p.Message.SetText("Nothing was changed.")
		return
	}
	p.Message.SetText("Saving…")
	order := append([]string(nil), p.order...)
	u.run.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		errs := map[string]error{}
		for _, k := range order {
			if v, ok := changed[k]; ok {
				if err := u.backend.SetSetting(ctx, k, v); err != nil {
					errs[k] = err
				}
			}
		}
		ss, lerr := u.backend.Settings(ctx)
		u.run.Do(func() {
			if lerr == nil {
				p.show(ss)
			}
			for k := range errs {
				// Keep what was typed, so it can be corrected.
				switch in := p.Fields[k].(type) {
				case *widget.Check:
					in.SetChecked(changed[k] == "on")
				case *entry:
					in.SetText(changed[k])
				}
			}
			for k, err := range errs {
				p.errs[k].SetText(sentence(err.Error()))
				p.errs[k].Show()
			}
			switch {
			case len(errs) > 0:
				p.Message.SetText("Some settings were not saved: see the marked fields.")
			default:
				p.Message.SetText("Saved. tokentray uses the new settings from now on.")
			}
		})
	})
}
