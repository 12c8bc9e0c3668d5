package auth

import (
	"slices"
	"strings"
	"sync"

	"tokentray/internal/msg"
)

// KindInfo is what one kind of credential says of itself: what a person
// types to add it, which options apply to it, how a new token is had,
// what sharing writes, and the next action of each of its states. Each
// broker package publishes its kinds' (futu.Kinds, webull.Kinds); the
// wiring registers them (Register), and the faces read them here
// (Describe, Described), so the command line's flags and help, the
// completion, the window's forms and the tray's actions are built from
// one description and no face imports a broker.
type KindInfo struct {
	Kind Kind
	// Summary is one line on what the kind is and what adding it needs,
	// for the add command's help.
	Summary string
	// Example is a name the add form suggests for a credential with c's
	// settings ("futu-main", "webull-hk").
	Example func(c Credential) string
	// Fields are the secrets (and the not secret key IDs) a person types
	// to add it, in the order they are asked for.
	Fields []Field
	// Options are the settings add (and, where Update is set, update)
	// takes for this kind, beyond the endpoint every kind takes.
	Options []Option
	// SignIn is how a person gets a new token: ActionLogin (a browser
	// login), ActionVerify (a 2FA verification) or ActionUpdate (a new
	// key from the broker's portal). A login or a verification is also
	// what follows an add; a key comes with its token.
	SignIn ActionKind
	// Next is the next action of a state where this kind differs from
	// the rule (Unknown: check again; Pending, ActionNeeded and Broken:
	// SignIn; OK and Expiring: nothing).
	Next map[State]ActionKind
	// Logout: a login or token can be left while the credential stays.
	Logout bool
	// Share is what sharing with the broker's SDK writes on this
	// computer; its zero value: nothing (the kind has no SDK file).
	Share Share
	// EnvFromEndpoint names the variable whose value, when set, is the
	// endpoint added without one (Futu's FUTU_HTTP_URL); saved with the
	// credential, so an agent started without it uses it too.
	EnvFromEndpoint string
}

// Field is one value typed at add time.
type Field struct {
	// Name is the keychain field (FieldAppKey).
	Name string
	// Label names it in a sentence and beside a form field ("App Key").
	Label string
	// Prompt is the terminal's prompt ("Futu App Key").
	Prompt string
	// Hint says where to find it, inside the form's empty field.
	Hint msg.Message
	// Env are the variables it is read from, the first set wins.
	Env []string
	// Secret: kept from the screen (a password field, a prompt without
	// echo); an app key's ID is not.
	Secret bool
}

// Option is one setting of a kind, a flag on the command line and a
// field in the window.
type Option struct {
	// Name is the flag's name ("region") and the field's key.
	Name string
	// Arg is what the flag's value is called ("R"); "" for a switch.
	Arg string
	// Usage is the flag's one-line usage.
	Usage string
	// Help is the add command's help of it, without the flag.
	Help string
	// Label names it beside a form field (a switch: beside its box);
	// none keeps it off the form. Hint is an empty text field's hint.
	Label, Hint msg.Message
	// Choices are the values it takes ("" when any text), in the order
	// the person sees them; Default is the one used when not given.
	Choices []Choice
	Default string
	// Required: add refuses to go on without it.
	Required bool
	// Update: update takes it too.
	Update bool
	// Dir: its value is a folder (completion offers folders).
	Dir bool
	// Offered reports whether the option can be set for a credential
	// with c's other settings (Webull's test environment, only in a
	// region that has one); nil: always.
	Offered func(c Credential) bool
	// Set checks the value given (v is "true" or "false" for a switch)
	// and puts it into c; the error is a sentence. Nil for an option
	// that is not a setting of the credential (import-sdk), which the
	// code that runs add handles.
	Set func(c *Credential, v string) error
	// Get is the value c holds, for an edit form; nil: none shown.
	Get func(c Credential) string
}

// Choice is one value of an option, with a line on what it is.
type Choice struct {
	Value, Help string
}

// Switch reports whether the option is on or off, with no value.
func (o Option) Switch() bool { return o.Arg == "" }

// Share is what sharing a kind with its broker's SDK writes.
type Share struct {
	// File names the file in a sentence ("the Futu SDK's token file").
	File string
	// Dir: the person chooses its folder (Webull's token.txt), named by
	// DirEnv for the bots that read it.
	Dir    bool
	DirEnv string
	// FileName is the file's name in that folder ("token.txt").
	FileName string
	// DirRule is one sentence on how the SDK picks the file's folder.
	DirRule string
	// CheckDir checks a folder for the file before anything is stored:
	// err when it is not safe, warning (a sentence) when others can list
	// it; nil: any folder.
	CheckDir func(dir string) (warning string, err error)
	// UseOfDir says which bots find the file kept in dir, as a message
	// without a full stop; nil when not known.
	UseOfDir func(dir string) msg.Message
	// AccessOnly: it can be written without the refresh token.
	AccessOnly bool
	// WrittenOnRenewal: the file is written only when the token is
	// renewed (Futu's), so turning sharing on renews at once.
	WrittenOnRenewal bool
}

// On reports whether the kind has a file to share with its SDK.
func (s Share) On() bool { return s.File != "" }

// Field returns the field called name.
func (i KindInfo) Field(name string) (Field, bool) {
	for _, f := range i.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// Option returns the option called name.
func (i KindInfo) Option(name string) (Option, bool) {
	for _, o := range i.Options {
		if o.Name == name {
			return o, true
		}
	}
	return Option{}, false
}

// NextFor is the next action of a credential of this kind in state s,
// when its health names none.
func (i KindInfo) NextFor(s State) ActionKind {
	if a, ok := i.Next[s]; ok {
		return a
	}
	switch s {
	case Unknown:
		return ActionRetry
	case Pending, ActionNeeded, Broken:
		return i.SignIn
	}
	return ActionNone
}

// Apply checks the options given (by name; a switch as "true" or
// "false") and puts them into c. An option this kind does not take, or
// (with update) one update does not take, is refused with a sentence
// naming it.
func (i KindInfo) Apply(c *Credential, opts map[string]string, update bool) error {
	names := make([]string, 0, len(opts))
	for n := range opts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		o, ok := i.Option(n)
		if !ok || (update && !o.Update) {
			return NeedsUserBecause(Action{}, msg.New("auth.option_not_for_kind", "Option", n, "Kind", string(i.Kind)))
		}
		if o.Set == nil {
			continue
		}
		if err := o.Set(c, opts[n]); err != nil {
			return WrongField(n, err)
		}
	}
	if !update {
		for _, o := range i.Options {
			if _, given := opts[o.Name]; !given && o.Required {
				return WrongField(o.Name, NeedsUserBecause(Action{}, msg.New("auth.option_required", "Kind", string(i.Kind), "Option", o.Name, "Choices", ChoiceListMsg(o.Choices))))
			}
		}
	}
	return nil
}

// ChoiceList is "one of a, b, c" for an option's choices.
func ChoiceList(cs []Choice) string { return ChoiceListMsg(cs).String() }

// ChoiceListMsg is ChoiceList as a message, said in the person's
// language (the values stay as they are).
func ChoiceListMsg(cs []Choice) msg.Message {
	vs := make([]string, len(cs))
	for i, c := range cs {
		vs[i] = c.Value
	}
	switch len(vs) {
	case 0:
		return msg.New("auth.choices_any")
	case 2:
		return msg.New("auth.choices_two", "A", vs[0], "B", vs[1])
	}
	// "a, b, c" in English, "a、b、c" in Chinese: each comma is the
	// language's own.
	var values any = vs[0]
	for _, v := range vs[1:] {
		values = msg.New("auth.choices_more", "Rest", values, "Last", v)
	}
	return msg.New("auth.choices_one_of", "Values", values)
}

// Pick checks v against the choices (case and spaces aside) and returns
// the choice's value; what names the option in the error.
func Pick(cs []Choice, what, v string) (string, error) { return PickNamed(cs, msg.Plain(what), v) }

// PickNamed is Pick with the option's name as a message, said in the
// person's language.
func PickNamed(cs []Choice, what msg.Message, v string) (string, error) {
	low := strings.ToLower(strings.TrimSpace(v))
	for _, c := range cs {
		if c.Value == low {
			return c.Value, nil
		}
	}
	return "", NeedsUserBecause(Action{}, msg.New("auth.choice_bad", "Value", ShownInputMsg(v), "What", what, "Choices", ChoiceListMsg(cs)))
}

var kindRegistry struct {
	sync.RWMutex
	m map[Kind]KindInfo
}

// Register makes the kinds' descriptions known to every face; a kind
// registered again is replaced. The wiring calls it at start.
func Register(infos ...KindInfo) {
	kindRegistry.Lock()
	defer kindRegistry.Unlock()
	if kindRegistry.m == nil {
		kindRegistry.m = map[Kind]KindInfo{}
	}
	for _, i := range infos {
		kindRegistry.m[i.Kind] = i
	}
}

// Describe returns the registered description of k; ok is false for a
// kind no broker described (then only the rule of NextFor holds).
func Describe(k Kind) (KindInfo, bool) {
	kindRegistry.RLock()
	defer kindRegistry.RUnlock()
	i, ok := kindRegistry.m[k]
	if !ok {
		i.Kind = k
	}
	return i, ok
}

// Described is every registered kind's description, in the order of
// Kinds.
func Described() []KindInfo {
	var out []KindInfo
	for _, k := range Kinds {
		if i, ok := Describe(k); ok {
			out = append(out, i)
		}
	}
	return out
}
