// Package tray is the agent's system tray: an icon, tooltip and menu
// drawn from a health snapshot of every credential. Render is pure, so
// what the tray shows is tested without a desktop; Run puts it on the
// panel through fyne.io/systray (StatusNotifierItem over D-Bus on Linux),
// sending only what changed since the last view.
package tray

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/text/width"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// Entry is one credential as the tray sees it.
type Entry struct {
	Name   string
	Kind   auth.Kind
	Health auth.Health
	// Account is a short summary of the broker account the credential
	// signs in to (Futu logins), when known.
	Account string
	// Busy is set while the agent checks this credential with its broker.
	Busy bool
	// Checked is when its broker was last asked about it (zero: never).
	Checked time.Time
	// Replaced is the last swap of its token for a new one (an extension).
	Replaced auth.Replacement
	// ShareFailing says, for each share target whose last push failed,
	// which it is and why.
	ShareFailing []msg.Message
	// NoToken: a Webull app with 2FA off, signed with its key alone.
	NoToken bool
}

// CommandKind names what a menu item or notification button does.
type CommandKind string

const (
	CmdRefreshAll CommandKind = "refresh-all"
	CmdCopy       CommandKind = "copy"
	CmdRefresh    CommandKind = "refresh"
	// CmdAct does the credential's next action (Command.Action): log in,
	// verify, extend or update, in the window.
	CmdAct       CommandKind = "act"
	CmdDetails   CommandKind = "details"
	CmdOpen      CommandKind = "open"
	CmdAdd       CommandKind = "add"
	CmdSettings  CommandKind = "settings"
	CmdAutostart CommandKind = "autostart"
	CmdQuit      CommandKind = "quit"
)

// Command is one thing the person asked for from the tray.
type Command struct {
	Kind       CommandKind
	Credential string
	Action     auth.ActionKind
}

// MenuItem is one line of the tray menu. Key identifies it across views
// so that a redraw updates the line in place.
type MenuItem struct {
	Key       string
	Label     string
	Tip       string
	Separator bool
	Disabled  bool
	Checkable bool
	Checked   bool
	Command   Command
	Children  []MenuItem
}

// View is everything the tray shows at one moment.
type View struct {
	State auth.State
	// Busy: a check with a broker is running (the icon says so).
	Busy bool
	// Empty: there is no credential yet (a neutral icon).
	Empty   bool
	Title   string
	Tooltip string
	Menu    []MenuItem
	// Until is when the text of this view next changes on its own (a
	// countdown's next second, an expiry's next minute or day); zero when
	// it never does.
	Until time.Time
}

// Icon is the PNG the panel shows for the view.
func (v View) Icon() []byte { return iconFor(v) }

// Options of the view that come from settings rather than credentials.
type ViewOptions struct {
	Sandbox   bool
	Autostart bool
	// Lang is the language the tray speaks (zero: English).
	Lang msg.Lang
}

// Render computes the tray's view: the worst health wins the icon, the
// tooltip has one line per credential with the number that matters, and
// the menu offers what fits each credential now.
func Render(entries []Entry, o ViewOptions, now time.Time) View {
	l := o.Lang
	title := "tokentray"
	if o.Sandbox {
		title = l.Text("tray.title_sandbox")
	}
	v := View{State: auth.OK, Title: title}
	var until time.Time
	soonest := func(t time.Time) {
		if !t.IsZero() && t.After(now) && (until.IsZero() || t.Before(until)) {
			until = t
		}
	}
	if len(entries) == 0 {
		v.State, v.Empty = auth.Unknown, true
		v.Tooltip = l.Text("tray.empty", "Title", title)
		v.Menu = append([]MenuItem{
			{Key: "add", Label: l.Text("tray.add"), Command: Command{Kind: CmdAdd}},
			{Key: "sep-add", Separator: true},
		}, tail(o, false)...)
		return v
	}
	var counts [16]int // by state: a map costs a thousand inserts a second
	for i := range entries {
		st := entries[i].Health.State
		if int(st) >= 0 && int(st) < len(counts) {
			counts[st]++
		}
		if st.Worse(v.State) {
			v.State = st
		}
		v.Busy = v.Busy || entries[i].Busy
	}
	// Only what is shown is drawn, and only its text changing on its own
	// wakes the tray: a thousand credentials cost a countdown second what
	// four do.
	var lines []string
	var subs []MenuItem
	menu := Shown(entries, MenuCap)
	tip := menu[:min(TooltipCap, len(menu))] // past the menu's cap, both are worst first
	if len(entries) <= MenuCap {
		tip = Shown(entries, TooltipCap)
	}
	for _, e := range tip {
		line, change := StateLineIn(e, l, now)
		soonest(change)
		lines = append(lines, line)
	}
	for _, e := range menu {
		line, change := StateLineIn(e, l, now)
		soonest(change)
		subs = append(subs, credentialMenu(e, line, l))
	}
	if more := len(entries) - len(lines); more > 0 {
		lines = append(lines, l.Text("tray.more", "Count", more))
	}
	if more := len(entries) - len(subs); more > 0 {
		subs = append(subs, MenuItem{Key: "more", Label: l.Text("tray.more", "Count", more), Tip: l.Text("tray.more_tip"), Command: Command{Kind: CmdOpen}})
	}
	v.Until = until

	var parts []string
	for i := len(auth.States) - 1; i >= 0; i-- {
		s := auth.States[i]
		if n := counts[s]; n > 0 {
			parts = append(parts, l.Render(msg.New(countIDs[s], "Count", n)))
		}
	}
	head := l.Text("tray.head", "Title", title, "Counts", strings.Join(parts, l.Text("list.sep")))
	if v.Busy {
		head = l.Text("tray.head_checking", "Head", head)
	}
	v.Tooltip = head + "\n" + strings.Join(lines, "\n")

	v.Menu = append(v.Menu, MenuItem{Key: "refresh-all", Label: l.Text("tray.refresh_all"), Tip: l.Text("tray.refresh_all_tip"), Command: Command{Kind: CmdRefreshAll}})
	v.Menu = append(v.Menu, MenuItem{Key: "sep-creds", Separator: true})
	v.Menu = append(v.Menu, subs...)
	v.Menu = append(v.Menu, MenuItem{Key: "sep-tail", Separator: true})
	v.Menu = append(v.Menu, tail(o, true)...)
	return v
}

// MenuCap is the most credentials the tray menu lists, and TooltipCap
// the most lines of them in the tooltip; the rest are one line, "and N
// more — open tokentray…", which opens the window.
const (
	MenuCap    = 20
	TooltipCap = 10
)

// countIDs are the tooltip's counts of credentials in each state ("2
// ok", "1 action needed").
var countIDs = map[auth.State]string{
	auth.OK: "tray.count_ok", auth.Unknown: "tray.count_unknown", auth.Expiring: "tray.count_expiring",
	auth.Pending: "tray.count_pending", auth.ActionNeeded: "tray.count_action_needed", auth.Broken: "tray.count_broken",
}

// Shown is the credentials the tray lists of entries (sorted by name),
// at most limit: every one, by name, when they fit; else the limit that
// most need the person, worst first (the worse state, then the nearer
// deadline or expiry, then the name).
func Shown(entries []Entry, limit int) []Entry {
	if len(entries) <= limit {
		return entries
	}
	cmp := func(a, b *Entry) int {
		sa, sb := a.Health.State, b.Health.State
		switch {
		case sa.Worse(sb):
			return -1
		case sb.Worse(sa):
			return 1
		}
		return soonerFirst(due(a), due(b))
	}
	// The limit worst, kept in order as the entries go by (a redraw of a
	// thousand credentials sorts none of them): an entry goes after those
	// it ties with, which came earlier by name.
	best := make([]int, 0, limit+1)
	for i := range entries {
		e := &entries[i]
		if len(best) == limit && cmp(e, &entries[best[limit-1]]) >= 0 {
			continue
		}
		at, _ := slices.BinarySearchFunc(best, e, func(j int, e *Entry) int {
			if cmp(&entries[j], e) <= 0 {
				return -1
			}
			return 1
		})
		best = slices.Insert(best, at, i)
		if len(best) > limit {
			best = best[:limit]
		}
	}
	out := make([]Entry, len(best))
	for k, i := range best {
		out[k] = entries[i]
	}
	return out
}

// due is when e's line counts down to: a verification's deadline, else
// its expiry (zero: none).
func due(e *Entry) time.Time {
	if e.Health.State == auth.Pending && !e.Health.Deadline.IsZero() {
		return e.Health.Deadline
	}
	return e.Health.ExpiresAt
}

// soonerFirst orders times with the earlier first and zero last.
func soonerFirst(a, b time.Time) int {
	switch {
	case a.Equal(b):
		return 0
	case a.IsZero():
		return 1
	case b.IsZero():
		return -1
	}
	return a.Compare(b)
}

func tail(o ViewOptions, withAdd bool) []MenuItem {
	l := o.Lang
	out := []MenuItem{{Key: "open", Label: l.Text("tray.open"), Tip: l.Text("tray.open_tip"), Command: Command{Kind: CmdOpen}}}
	if withAdd {
		out = append(out, MenuItem{Key: "add", Label: l.Text("tray.add"), Command: Command{Kind: CmdAdd}})
	}
	out = append(out,
		MenuItem{Key: "settings", Label: l.Text("tray.settings"), Command: Command{Kind: CmdSettings}},
		MenuItem{Key: "autostart", Label: l.Text("tray.autostart"), Checkable: true, Checked: o.Autostart, Tip: l.Text("tray.autostart_tip"), Command: Command{Kind: CmdAutostart}},
		MenuItem{Key: "sep-quit", Separator: true},
		MenuItem{Key: "quit", Label: l.Text("tray.quit"), Tip: l.Text("tray.quit_tip"), Command: Command{Kind: CmdQuit}},
	)
	return out
}

var stateMarks = map[auth.State]string{
	auth.OK: "✓", auth.Unknown: "?", auth.Expiring: "⌛",
	auth.Pending: "…", auth.ActionNeeded: "!", auth.Broken: "✗",
}

// credentialMenu is one credential's submenu: its state line, then the
// actions that fit it now.
func credentialMenu(e Entry, line string, l msg.Lang) MenuItem {
	k := "cred:" + e.Name + ":"
	reason := display(l, e.Health.Explain(l), e.Name)
	// The submenu's own label is the state line (it follows a countdown);
	// inside, the sentence that explains it, then the actions.
	var kids []MenuItem
	if reason != "" {
		kids = append(kids, MenuItem{Key: k + "reason", Label: shorten(reason, 90), Tip: reason, Disabled: true},
			MenuItem{Key: k + "sep", Separator: true})
	}
	for i, m := range e.ShareFailing {
		f := l.Render(m)
		kids = append(kids, MenuItem{Key: k + "share" + strconv.Itoa(i), Label: shorten(f, 90), Tip: f, Disabled: true})
		if i == len(e.ShareFailing)-1 {
			kids = append(kids, MenuItem{Key: k + "sep-share", Separator: true})
		}
	}
	for _, c := range Actions(e) {
		kids = append(kids, MenuItem{Key: k + string(c.Kind) + string(c.Action), Label: commandTitle(c, l), Command: c})
	}
	return MenuItem{Key: k, Label: stateMarks[e.Health.State] + " " + line, Tip: reason, Children: kids}
}

// display is a reason as the tray and a notification show it, in the
// language: in English with a capital first letter (a reason about the
// credential called name, when it starts with the name, keeps it as
// spelt); Chinese has no capitals to add, and a Latin word that starts it
// (tokentray, a credential's name) stays as it is written. Commands lose
// the backticks a terminal reader expects.
func display(l msg.Lang, reason, name string) string {
	if l == msg.English || l == "" {
		if name == "" {
			return auth.Display(reason)
		}
		return auth.DisplayAbout(reason, name)
	}
	return strings.ReplaceAll(reason, "`", "")
}

// Actions are the commands that fit a credential now, in menu order:
// Copy token (only when it has a usable token), Refresh, its next action
// (Log in…, Verify 2FA…, Extend…, Update the secret…), Details….
func Actions(e Entry) []Command {
	var out []Command
	if auth.Offers(e.Kind, e.Health, e.NoToken).Copy {
		out = append(out, Command{Kind: CmdCopy, Credential: e.Name})
	}
	out = append(out, Command{Kind: CmdRefresh, Credential: e.Name})
	if a := nextAction(e); a != auth.ActionNone && a != auth.ActionRetry {
		out = append(out, Command{Kind: CmdAct, Credential: e.Name, Action: a})
	}
	out = append(out, Command{Kind: CmdDetails, Credential: e.Name})
	return out
}

// nextAction is the health's typed next action, or the one its kind and
// state imply when the broker code did not set one.
func nextAction(e Entry) auth.ActionKind { return auth.NextKind(e.Kind, e.Health) }

func commandTitle(c Command, l msg.Lang) string {
	switch c.Kind {
	case CmdCopy:
		return l.Text("tray.copy")
	case CmdRefresh:
		return l.Text("tray.refresh")
	case CmdDetails:
		return l.Text("tray.details")
	case CmdAct:
		a := auth.Action{Kind: c.Action}
		if c.Action == auth.ActionRetry {
			return l.Render(a.Message())
		}
		return l.Text("tray.act", "Action", a.Message())
	}
	return string(c.Kind)
}

// StateLine is one credential's line in English (see StateLineIn).
func StateLine(e Entry, now time.Time) (string, time.Time) { return StateLineIn(e, msg.English, now) }

// StateLineIn is one credential's line in the language: its name, state
// and the number that matters ("expires in 1 h 52 min", "3:41 left to
// verify", "extend within 6 days"), and when that line next changes on
// its own.
func StateLineIn(e Entry, l msg.Lang, now time.Time) (string, time.Time) {
	h := e.Health
	var num msg.Message
	var change time.Time
	switch {
	case e.Busy:
		num = msg.New("tray.checking")
	case h.State == auth.Pending:
		if !h.Deadline.IsZero() {
			var left string
			left, change = countdown(h.Deadline, now)
			num = msg.New("tray.left_to_verify", "Left", left)
			if i, _ := auth.Describe(e.Kind); i.SignIn == auth.ActionLogin {
				num = msg.New("tray.left_to_log_in", "Left", left) // a browser login, not a 2FA code
			}
		}
	case h.State == auth.Broken:
		// A broken credential's expiry says nothing useful.
	case h.State == auth.Unknown && h.CheckedAt.IsZero():
		num = msg.New("tray.not_checked")
	case h.State == auth.ActionNeeded:
		if a := nextAction(e); a != auth.ActionNone {
			num = msg.New("tray.do_" + string(a))
		}
	case !h.ExpiresAt.IsZero():
		left, c := leftUntil(h.ExpiresAt, now)
		change = c
		switch {
		case !h.ExpiresAt.After(now):
			num = msg.New("dur.expired")
		case h.State == auth.Expiring && nextAction(e) == auth.ActionExtend:
			num = msg.New("tray.extend_within", "Left", left)
		default:
			num = msg.New("tray.expires_in", "Left", left)
		}
	}
	var line string
	if num.IsZero() {
		line = l.Text("tray.line", "Name", e.Name, "State", h.State.Message())
	} else {
		line = l.Text("tray.line_detail", "Name", e.Name, "State", h.State.Message(), "Detail", num)
	}
	if e.Account != "" {
		line += " · " + e.Account
	}
	if n := len(e.ShareFailing); n > 0 {
		line += " · " + l.Text("tray.share_fails", "Count", n)
	}
	return line, change
}

// countdown is the m:ss left to t, rounded up (3:41 shows from 3:41.000
// until 3:40.000), and when it next changes.
func countdown(t, now time.Time) (string, time.Time) {
	d := t.Sub(now)
	if d <= 0 {
		return "0:00", time.Time{}
	}
	k := (d + time.Second - 1) / time.Second
	return auth.Countdown(k * time.Second), t.Add(-(k - 1) * time.Second)
}

// approxLeft is leftUntil in English.
func approxLeft(t, now time.Time) (string, time.Time) {
	m, change := leftUntil(t, now)
	return msg.English.Render(m), change
}

// leftUntil is the time left to t the way a person says it ("6 days",
// "20 h", "1 h 52 min", "12 min", "less than a minute") and when that
// changes.
func leftUntil(t, now time.Time) (msg.Message, time.Time) {
	d := t.Sub(now)
	if d <= 0 {
		return msg.New("dur.expired"), time.Time{}
	}
	// The further away, the coarser: days, then whole hours, then minutes
	// in the last 6 hours, so a far expiry redraws the tray rarely.
	unit := time.Minute
	switch {
	case d > 48*time.Hour:
		unit = 24 * time.Hour
	case d > 6*time.Hour:
		unit = time.Hour
	}
	k := int((d - 1) / unit)
	change := t.Add(-time.Duration(k) * unit)
	switch {
	case unit == 24*time.Hour:
		return msg.New("tray.left_days", "Count", k), change
	case unit == time.Hour:
		return msg.New("tray.left_hours", "Count", k), change
	case k >= 60:
		return msg.New("tray.left_hours_minutes", "Hours", k/60, "Minutes", k%60), change
	case k >= 1:
		return msg.New("tray.left_minutes", "Count", k), change
	}
	return msg.New("tray.left_under_minute"), t
}

// shorten cuts a long line for a menu at about n columns (a Chinese
// character takes two), with an ellipsis; the item's tip keeps it whole.
func shorten(s string, n int) string {
	if columns(s) <= n {
		return s
	}
	cols := 0
	for i, r := range s {
		if cols += runeColumns(r); cols > n-1 {
			return s[:i] + "…"
		}
	}
	return s
}

func columns(s string) int {
	n := 0
	for _, r := range s {
		n += runeColumns(r)
	}
	return n
}

// runeColumns is how many columns r takes: two for a wide (Chinese)
// character, else one.
func runeColumns(r rune) int {
	if k := width.LookupRune(r).Kind(); k == width.EastAsianWide || k == width.EastAsianFullwidth {
		return 2
	}
	return 1
}
