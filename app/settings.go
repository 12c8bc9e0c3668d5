package app

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"tokentray/internal/msg"
)

// SettingsPage shows every setting `tokentray config` lists, with its
// allowed range and default, and where tokentray keeps its data.
type SettingsPage struct {
	ui *UI

	// Fields holds the input of each setting by key: an *entry, a
	// *widget.Check for a switch, or a *widget.Select for the language.
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
	p.Save = widget.NewButtonWithIcon(lang.L("app.save_settings"), theme.DocumentSaveIcon(), p.Apply)
	p.Save.Importance = widget.HighImportance
	p.Message = widget.NewLabel("")
	p.Message.Wrapping = fyne.TextWrapWord
	p.Path = widget.NewLabel("")
	p.Path.Wrapping = fyne.TextWrapBreak
	p.Keychain = widget.NewLabel("")
	p.Keychain.Wrapping = fyne.TextWrapWord
	where := widget.NewForm(widget.NewFormItem(lang.L("app.settings_file"), p.Path), widget.NewFormItem(lang.L("app.secrets"), p.Keychain))
	heading := func(s string) *widget.Label {
		l := widget.NewLabel(s)
		l.TextStyle.Bold = true
		return l
	}
	p.content = container.NewVBox(
		heading(lang.L("app.tab_settings")), p.form,
		widget.NewSeparator(), heading(lang.L("app.where_data_lives")), where)
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
				p.Message.SetText(u.say(err))
				return
			}
			p.show(ss)
		})
	})
}

func (p *SettingsPage) show(ss []Setting) {
	ss = languageFirst(ss)
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
			switch {
			case s.Switch:
				in = widget.NewCheck("", nil)
			case s.Key == languageKey:
				in = widget.NewSelect(languageChoices(), nil)
			default:
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
			title, allowed := settingText(s)
			item := widget.NewFormItem(title, container.NewVBox(in, errl))
			if s.Key == languageKey {
				// The choice lists the languages: only the default is news.
				item.HintText = lang.L("app.setting_default", kv("Default", settingValue(s.Key, s.Default)))
			} else {
				item.HintText = lang.L("app.setting_hint", kv("Allowed", allowed, "Default", orDash(settingValue(s.Key, s.Default))))
			}
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
		case *widget.Select:
			in.SetSelected(languageChoice(s.Value))
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
	case *widget.Select:
		return languageSetting(in.Selected)
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
		p.Message.SetText(lang.L("app.nothing_changed"))
		return
	}
	p.Message.SetText(lang.L("app.saving"))
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
				case *widget.Select:
					in.SetSelected(languageChoice(changed[k]))
				}
			}
			for k, err := range errs {
				p.errs[k].SetText(u.say(err))
				p.errs[k].Show()
			}
			switch {
			case len(errs) > 0:
				p.Message.SetText(lang.L("app.some_not_saved"))
			default:
				p.Message.SetText(lang.L("app.saved_settings"))
			}
			if v, ok := changed[languageKey]; ok && errs[languageKey] == nil && u.opts.Language != nil {
				if l := u.opts.Language(v); l != u.lang {
					u.speak(l)
				}
			}
		})
	})
}

// The settings the page shows its own way: the language, with a choice
// of languages, and the start-at-login switch.
const (
	languageKey  = "language"
	autostartKey = "autostart"
)

// languageChoices are the language setting's values as the page offers
// them, each language in its own words.
func languageChoices() []string {
	out := []string{lang.L("app.language_auto")}
	for _, l := range msg.Langs {
		out = append(out, l.Name())
	}
	return out
}

// languageChoice is the page's choice for a language setting's value.
func languageChoice(setting string) string {
	v, err := msg.ParseSetting(setting)
	if err != nil || v == msg.SettingAuto {
		return lang.L("app.language_auto")
	}
	return msg.Lang(v).Name()
}

// languageSetting is the language setting's value for a choice.
func languageSetting(choice string) string {
	for _, l := range msg.Langs {
		if choice == l.Name() {
			return string(l)
		}
	}
	return msg.SettingAuto
}

// settingValue is a setting's value as the page shows it.
func settingValue(key, value string) string {
	switch {
	case key == languageKey:
		return languageChoice(value)
	case value == "on":
		return lang.L("app.on")
	case value == "off":
		return lang.L("app.off")
	}
	return value
}

// settingText is a setting's title and allowed values in the window's
// language; the English texts are the settings table's own (a test
// keeps them the same).
func settingText(s Setting) (title, allowed string) {
	switch s.Key {
	case "lead-time":
		return lang.L("app.set_lead_time"), lang.L("app.set_lead_time_allowed")
	case "check-every":
		return lang.L("app.set_check_every"), lang.L("app.set_check_every_allowed")
	case "warn-days":
		return lang.L("app.set_warn_days"), lang.L("app.set_warn_days_allowed")
	case "extend-days":
		return lang.L("app.set_extend_days"), lang.L("app.set_extend_days_allowed")
	case "clipboard-clear":
		return lang.L("app.set_clipboard_clear"), lang.L("app.set_clipboard_clear_allowed")
	case "share-every":
		return lang.L("app.set_share_every"), lang.L("app.set_share_every_allowed")
	case languageKey:
		return lang.L("app.set_language"), lang.L("app.set_language_allowed")
	case "notifications":
		return lang.L("app.set_notifications"), lang.L("app.on_or_off")
	case autostartKey:
		return lang.L("app.set_autostart"), lang.L("app.on_or_off")
	}
	return s.Title, s.Allowed
}

// languageFirst puts the language setting at the top of the page, where
// someone who cannot read the window's language looks for it.
func languageFirst(ss []Setting) []Setting {
	out := make([]Setting, 0, len(ss))
	for _, s := range ss {
		if s.Key == languageKey {
			out = append(out, s)
		}
	}
	for _, s := range ss {
		if s.Key != languageKey {
			out = append(out, s)
		}
	}
	return out
}
