package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Prefs are the user's settings, kept in settings.json beside the
// credentials. A field missing from the file reads as its default; a
// value out of range reads as its default too, and says so in Problems.
// Settings is the one table of what each field means, its default and
// its range: `tokentray config`, the window's settings page and the
// file reader all go through it.
type Prefs struct {
	// LeadTime is how long before expiry a token is renewed (auth.DefaultLead).
	LeadTime time.Duration
	// CheckEvery is how often the agent checks each credential with its
	// broker; it also keeps Webull tokens from going idle (15 days).
	CheckEvery time.Duration
	// WarnDays are the days before a Futu API key expires on which the
	// user is warned, e.g. [14 7 1]. Empty (not nil) means never warn.
	WarnDays []int
	// ExtendDays is how far ahead a Futu API key's expiry is set when it
	// is extended (the broker allows up to about 3 years).
	ExtendDays int
	// ClipboardClear is how long a copied token stays on the clipboard.
	ClipboardClear time.Duration
	// Quiet turns desktop notifications off (the setting "notifications").
	Quiet bool
	// Keychain is where secrets are kept: KeychainOS ("" reads as it) or
	// KeychainFile. TOKENTRAY_KEYCHAIN, when set, takes precedence.
	Keychain string
	// NotifyCommand is run through sh -c for every notification event,
	// the event as JSON on its stdin; "" for none.
	NotifyCommand string
	// ShareEvery is the longest the agent goes without pushing each share
	// target again, so a replaced or deleted remote file comes back; a
	// failing target is retried sooner, backing off up to it.
	ShareEvery time.Duration
	// Language is the language every face speaks: "auto" (follow
	// FUTU_LANGUAGE, then the locale, then the desktop), "en", "zh-CN"
	// or "zh-HK".
	Language string

	// Problems are the sentences about values of the file that could not
	// be used (out of range, unreadable): each names the allowed range
	// and the default used instead. Never written back.
	Problems []string
	// Issues are Problems as data, for a face to say in the person's
	// language.
	Issues []msg.Message `json:"-"`
}

// Defaults for Prefs.
const (
	DefaultCheckEvery     = time.Hour
	DefaultExtendDays     = 90
	DefaultClipboardClear = 45 * time.Second
	DefaultShareEvery     = time.Hour
	maxExtendDays         = 3 * 365
)

// DefaultWarnDays are the days before a Futu API key's expiry that warn.
var DefaultWarnDays = []int{14, 7, 1}

// DefaultPrefs returns the settings of a fresh install.
func DefaultPrefs() Prefs {
	return Prefs{
		LeadTime:       auth.DefaultLead,
		CheckEvery:     DefaultCheckEvery,
		WarnDays:       append([]int(nil), DefaultWarnDays...),
		ExtendDays:     DefaultExtendDays,
		ClipboardClear: DefaultClipboardClear,
		ShareEvery:     DefaultShareEvery,
		Language:       msg.SettingAuto,
	}
}

// Setting is one user setting: its name, what it means, its default and
// its allowed range, and how it is read from text and written as text.
type Setting struct {
	// Key is its name in `tokentray config` and the window ("lead-time").
	Key string
	// Title says what it does, for a settings page.
	Title string
	// Allowed says the allowed values in words ("1m to 168h"), in
	// English; Range says them as data.
	Allowed string
	Range   msg.Message
	// Switch is set for an on/off setting (its text "on" or "off").
	Switch bool

	fileKey string
	get     func(Prefs) string
	// set parses text into p, refusing a value out of range.
	set func(p *Prefs, text string) error
	// unset reports whether the field holds no value (zero), to be
	// filled with the default.
	unset func(Prefs) bool
	// toJSON and fromJSON are the file form of the value's text.
	toJSON   func(text string) any
	fromJSON func(raw json.RawMessage) (string, error)
}

// Get is the setting's value in p, as text.
func (s Setting) Get(p Prefs) string { return s.get(p) }

// Default is the setting's default, as text.
func (s Setting) Default() string { return s.get(DefaultPrefs()) }

// Set parses text and stores it in p; a value that is not of the right
// form or out of range is refused with a sentence naming the allowed
// values, and p is left as it was.
func (s Setting) Set(p *Prefs, text string) error {
	q := *p
	if err := s.set(&q, strings.TrimSpace(text)); err != nil {
		return msg.Wrap(err, "store.setting_refused", "Key", s.Key, "Err", err, "Allowed", s.allowed(), "Default", s.Default())
	}
	*p = q
	return nil
}

// Settings is every setting, in the order they are shown.
var Settings = []Setting{
	durationSetting("lead-time", "lead_time", "Renew tokens this long before they expire", time.Minute, 7*24*time.Hour,
		func(p *Prefs) *time.Duration { return &p.LeadTime }),
	durationSetting("check-every", "check_every", "Check every credential with its broker every", time.Minute, 24*time.Hour,
		func(p *Prefs) *time.Duration { return &p.CheckEvery }),
	{
		Key: "warn-days", fileKey: "warn_days", Title: "Warn this many days before a Futu API key expires",
		Allowed: "whole days from 1 to 365, comma separated; none for never", Range: msg.New("store.allowed_warn_days"),
		get: func(p Prefs) string { return joinDays(p.WarnDays) },
		set: func(p *Prefs, v string) error {
			days, err := parseDays(v)
			if err == nil {
				p.WarnDays = days
			}
			return err
		},
		unset:  func(p Prefs) bool { return p.WarnDays == nil },
		toJSON: func(v string) any { d, _ := parseDays(v); return d },
		fromJSON: func(raw json.RawMessage) (string, error) {
			var d []int
			if err := json.Unmarshal(raw, &d); err != nil {
				return "", msg.Errorf("store.value_not_days")
			}
			if d == nil {
				d = []int{}
			}
			return joinDays(d), nil
		},
	},
	intSetting("extend-days", "extend_days", "Extend a Futu API key by this many days", 1, maxExtendDays,
		func(p *Prefs) *int { return &p.ExtendDays }),
	durationSetting("clipboard-clear", "clipboard_clear", "Clear a copied token from the clipboard after", 5*time.Second, 10*time.Minute,
		func(p *Prefs) *time.Duration { return &p.ClipboardClear }),
	durationSetting("share-every", "share_every", "Push every share target again at least every", time.Minute, 24*time.Hour,
		func(p *Prefs) *time.Duration { return &p.ShareEvery }),
	{
		Key: "language", fileKey: "language", Title: "Language",
		Allowed: "auto, en, zh-CN or zh-HK", Range: msg.New("store.allowed_language"),
		get: func(p Prefs) string { return p.Language },
		set: func(p *Prefs, v string) error {
			l, err := msg.ParseSetting(v)
			if err != nil {
				return msg.Errorf("store.value_not_language", "Value", auth.ShownInputMsg(v))
			}
			p.Language = l
			return nil
		},
		unset:  func(p Prefs) bool { return p.Language == "" },
		toJSON: func(v string) any { return v },
		fromJSON: func(raw json.RawMessage) (string, error) {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", msg.Errorf("store.value_not_text")
			}
			return s, nil
		},
	},
	{
		Key: "notifications", fileKey: "notifications", Title: "Show desktop notifications", Allowed: "on or off", Range: msg.New("store.allowed_on_off"), Switch: true,
		get: func(p Prefs) string { return onOff(!p.Quiet) },
		set: func(p *Prefs, v string) error {
			on, err := parseOnOff(v)
			if err == nil {
				p.Quiet = !on
			}
			return err
		},
		unset:  func(Prefs) bool { return false },
		toJSON: func(v string) any { on, _ := parseOnOff(v); return on },
		fromJSON: func(raw json.RawMessage) (string, error) {
			var on bool
			if err := json.Unmarshal(raw, &on); err != nil {
				return "", msg.Errorf("store.value_not_bool")
			}
			return onOff(on), nil
		},
	},
}

// Where secrets are kept (Prefs.Keychain).
const (
	KeychainOS   = "os"
	KeychainFile = "file"
)

// maxNotifyCommand caps the notify command's length.
const maxNotifyCommand = 4096

// ServerSettings are the settings a machine without a desktop needs,
// changed with `tokentray config`: where secrets are kept, and the
// command every notification event is handed to. The window's settings
// page shows Settings only: switching keychains under a running window
// would strand the secrets it shows.
var ServerSettings = []Setting{
	{
		Key: "keychain", fileKey: "keychain", Title: "Keep secrets in the system keychain (os) or in an encrypted file (file)",
		Allowed: "os or file", Range: msg.New("store.allowed_keychain"),
		get: func(p Prefs) string {
			if p.Keychain == "" {
				return KeychainOS
			}
			return p.Keychain
		},
		set: func(p *Prefs, v string) error {
			switch strings.ToLower(v) {
			case KeychainOS, KeychainFile:
				p.Keychain = strings.ToLower(v)
				return nil
			}
			return msg.Errorf("store.value_not_keychain", "Value", strconv.Quote(v))
		},
		unset:    func(p Prefs) bool { return p.Keychain == "" },
		toJSON:   func(v string) any { return v },
		fromJSON: stringFromJSON,
	},
	{
		Key: "notify-command", fileKey: "notify_command", Title: "Run this command (through sh -c) for every notification, the event as JSON on its input",
		Allowed: "a shell command, or none", Range: msg.New("store.allowed_command"),
		get: func(p Prefs) string {
			if p.NotifyCommand == "" {
				return "none"
			}
			return p.NotifyCommand
		},
		set: func(p *Prefs, v string) error {
			switch {
			case v == "" || strings.EqualFold(v, "none"):
				p.NotifyCommand = ""
			case len(v) > maxNotifyCommand:
				return msg.Errorf("store.value_command_long", "Size", len(v))
			case strings.ContainsRune(v, 0):
				return msg.Errorf("store.value_command_nul")
			default:
				p.NotifyCommand = v
			}
			return nil
		},
		unset:    func(p Prefs) bool { return p.NotifyCommand == "" },
		toJSON:   func(v string) any { return v },
		fromJSON: stringFromJSON,
	},
}

func stringFromJSON(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", msg.Errorf("store.value_not_quoted")
	}
	return s, nil
}

// AllSettings is Settings and ServerSettings, in the order `tokentray
// config` lists them.
func AllSettings() []Setting { return append(slices.Clone(Settings), ServerSettings...) }

// LookupSetting returns the setting called key.
func LookupSetting(key string) (Setting, bool) {
	for _, s := range AllSettings() {
		if s.Key == key {
			return s, true
		}
	}
	return Setting{}, false
}

// SettingKeys lists every setting's key.
func SettingKeys() []string {
	all := AllSettings()
	keys := make([]string, len(all))
	for i, s := range all {
		keys[i] = s.Key
	}
	return keys
}

func durationSetting(key, fileKey, title string, min, max time.Duration, field func(*Prefs) *time.Duration) Setting {
	return Setting{
		Key: key, fileKey: fileKey, Title: title,
		Allowed: fmtDuration(min) + " to " + fmtDuration(max), Range: msg.New("store.allowed_range", "Min", fmtDuration(min), "Max", fmtDuration(max)),
		get: func(p Prefs) string { return fmtDuration(*field(&p)) },
		set: func(p *Prefs, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return msg.Errorf("store.value_not_duration", "Value", strconv.Quote(v))
			}
			if d < min || d > max {
				return msg.Errorf("store.value_out_of_range", "Value", fmtDuration(d))
			}
			*field(p) = d
			return nil
		},
		unset:  func(p Prefs) bool { return *field(&p) == 0 },
		toJSON: func(v string) any { return v },
		fromJSON: func(raw json.RawMessage) (string, error) {
			var s string
			if err := json.Unmarshal(raw, &s); err != nil {
				return "", msg.Errorf("store.value_not_quoted_duration")
			}
			return s, nil
		},
	}
}

func intSetting(key, fileKey, title string, min, max int, field func(*Prefs) *int) Setting {
	return Setting{
		Key: key, fileKey: fileKey, Title: title,
		Allowed: fmt.Sprintf("%d to %d", min, max), Range: msg.New("store.allowed_range", "Min", strconv.Itoa(min), "Max", strconv.Itoa(max)),
		get: func(p Prefs) string { return strconv.Itoa(*field(&p)) },
		set: func(p *Prefs, v string) error {
			n, err := strconv.Atoi(v)
			if err != nil {
				return msg.Errorf("store.value_not_number", "Value", strconv.Quote(v))
			}
			if n < min || n > max {
				return msg.Errorf("store.value_out_of_range", "Value", strconv.Itoa(n))
			}
			*field(p) = n
			return nil
		},
		unset:  func(p Prefs) bool { return *field(&p) == 0 },
		toJSON: func(v string) any { n, _ := strconv.Atoi(v); return n },
		fromJSON: func(raw json.RawMessage) (string, error) {
			var n int
			if err := json.Unmarshal(raw, &n); err != nil {
				return "", msg.Errorf("store.value_not_whole")
			}
			return strconv.Itoa(n), nil
		},
	}
}

// fmtDuration writes d short: "45s", "5m", "1h30m", "168h".
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func joinDays(days []int) string {
	if len(days) == 0 {
		return "none"
	}
	s := make([]string, len(days))
	for i, d := range days {
		s[i] = strconv.Itoa(d)
	}
	return strings.Join(s, ",")
}

// parseDays reads "14,7,1" (or "none", or nothing, for never), latest
// warning first, each day once.
func parseDays(v string) ([]int, error) {
	out := []int{}
	if strings.EqualFold(strings.TrimSpace(v), "none") {
		return out, nil
	}
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
		d, err := strconv.Atoi(f)
		if err != nil {
			return nil, msg.Errorf("store.value_not_day", "Value", strconv.Quote(f))
		}
		if d < 1 || d > 365 {
			return nil, msg.Errorf("store.value_day_out_of_range", "Count", d)
		}
		out = append(out, d)
	}
	slices.Sort(out)
	slices.Reverse(out)
	return slices.Compact(out), nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

func parseOnOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "yes", "1":
		return true, nil
	case "off", "false", "no", "0":
		return false, nil
	}
	return false, msg.Errorf("store.value_not_on_off", "Value", strconv.Quote(v))
}

// withDefaults fills unset fields.
func (p Prefs) withDefaults() Prefs {
	d := DefaultPrefs()
	for _, s := range AllSettings() {
		if s.unset(p) {
			_ = s.set(&p, s.get(d))
		}
	}
	return p
}

// Validate returns a sentence when a setting is out of range.
func (p Prefs) Validate() error {
	for _, s := range AllSettings() {
		if s.unset(p) {
			continue
		}
		var q Prefs
		if err := s.Set(&q, s.get(p)); err != nil {
			return err
		}
	}
	return nil
}

func (p Prefs) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for _, s := range AllSettings() {
		if s.unset(p) {
			continue
		}
		m[s.fileKey] = s.toJSON(s.get(p))
	}
	return json.Marshal(m)
}

// UnmarshalJSON reads the file form. Each value is checked as `tokentray
// config` checks it; one that is unreadable or out of range is left
// unset (so the default is used) and explained in Problems.
func (p *Prefs) UnmarshalJSON(b []byte) error {
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*p = Prefs{}
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	var out Prefs
	for _, s := range AllSettings() {
		raw, ok := m[s.fileKey]
		if !ok {
			continue
		}
		text, err := s.fromJSON(raw)
		if err == nil {
			err = s.Set(&out, text)
		} else {
			err = msg.Errorf("store.setting_unreadable", "Key", s.Key, "Raw", oneLine(raw), "Err", err, "Allowed", s.allowed(), "Default", s.Default())
		}
		if err != nil {
			issue := msg.New("store.setting_ignored", "Err", err)
			out.Problems = append(out.Problems, issue.String())
			out.Issues = append(out.Issues, issue)
		}
	}
	*p = out
	return nil
}

// allowed is Range, or Allowed as its English words.
func (s Setting) allowed() msg.Message {
	if s.Range.IsZero() {
		return msg.Plain(s.Allowed)
	}
	return s.Range
}

// oneLine is a raw JSON value cut short for a sentence.
func oneLine(raw json.RawMessage) string {
	s := strings.Join(strings.Fields(string(raw)), " ")
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

// ReadPrefs reads the settings of the profile folder dir without opening
// the store (no keychain, no lock): the keychain to open is one of them.
// A missing file reads as the defaults; a file that cannot be read is an
// error, and is left for Open to deal with.
func ReadPrefs(dir string) (Prefs, error) {
	s := &Store{dir: dir}
	if p, ok := quickPrefs(s.Path()); ok {
		return p, nil
	}
	f, err := s.readFile()
	if err != nil {
		return DefaultPrefs(), err
	}
	if f.Prefs == nil {
		return DefaultPrefs(), nil
	}
	return f.Prefs.withDefaults(), nil
}
