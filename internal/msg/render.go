package msg

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// Lang is a language tokentray speaks, by its BCP 47 tag.
type Lang string

// The languages tokentray speaks.
const (
	English Lang = "en"
	// Chinese as written in mainland China (简体中文).
	SimplifiedChinese Lang = "zh-CN"
	// Chinese as written in Hong Kong (繁體中文).
	HongKongChinese Lang = "zh-HK"
)

// Langs lists every language, English first.
var Langs = []Lang{English, SimplifiedChinese, HongKongChinese}

// Files are the message files, AREA.LANG.json under locales/.
//
//go:embed locales/*.json
var Files embed.FS

// FilesDir is the folder of Files that holds the message files.
const FilesDir = "locales"

// The message files are read per area and language, the first time a
// message of that area is said in that language: English (every
// language falls back to it) and that language. A process reads only
// the areas it speaks from (a command's `status` the command line's and
// the reasons' own, never the window's), and never the languages it
// does not speak. A message's area is its code's first part ("cli" for
// "cli.status_head"); codes without a file of their own (state.*,
// dur.*, join...) are the common area's.
var (
	bundleMu   sync.RWMutex
	bundle     *i18n.Bundle
	localizers = map[Lang]*i18n.Localizer{}
	areas      map[string]bool // the areas that have message files
	loaded     = map[string]bool{}
	loadErr    error
)

// commonArea holds the codes no other area's file names.
const commonArea = "common"

// listAreas reads which areas have files; the caller holds bundleMu.
func listAreas() {
	if areas != nil {
		return
	}
	areas = map[string]bool{}
	ents, err := fs.ReadDir(Files, FilesDir)
	if err != nil {
		loadErr = err
		return
	}
	for _, e := range ents {
		if area, _, ok := strings.Cut(e.Name(), "."); ok {
			areas[area] = true
		}
	}
}

// areaOf is the area whose file holds the code id.
func areaOf(id string) string {
	if a, _, ok := strings.Cut(id, "."); ok && areas[a] {
		return a
	}
	return commonArea
}

// loadArea reads the message file of area in l once; the caller holds
// bundleMu for writing.
func loadArea(area string, l Lang) {
	if bundle == nil {
		bundle = i18n.NewBundle(language.English)
		bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	}
	name := area + "." + string(l) + ".json"
	if loaded[name] {
		return
	}
	loaded[name] = true
	data, err := Files.ReadFile(FilesDir + "/" + name)
	if err != nil {
		return // an area with no text in l: English answers
	}
	if _, err = bundle.ParseMessageFileBytes(data, name); err != nil && loadErr == nil {
		loadErr = fmt.Errorf("message file %s: %w", name, err)
	}
}

// localizer says messages in l (English for a language tokentray does
// not speak), reading the common area first if need be. The caller
// holds bundleMu for reading; it is let go while files are read.
func localizer(l Lang) *i18n.Localizer {
	if loc := localizers[l]; loc != nil {
		return loc
	}
	if !slices.Contains(Langs, l) {
		l = English
	}
	bundleMu.RUnlock()
	bundleMu.Lock()
	listAreas()
	if localizers[l] == nil {
		if localizers[English] == nil {
			loadArea(commonArea, English)
			localizers[English] = i18n.NewLocalizer(bundle, string(English))
		}
		if l != English {
			loadArea(commonArea, l)
			localizers[l] = i18n.NewLocalizer(bundle, string(l), string(English))
		}
	}
	loc := localizers[l]
	bundleMu.Unlock()
	bundleMu.RLock()
	return loc
}

// needArea makes sure the area of code id is read in l and in English.
// The caller holds bundleMu for reading; it is let go while files are
// read.
func needArea(l Lang, id string) {
	area := areaOf(id)
	if loaded[area+"."+string(l)+".json"] && loaded[area+".en.json"] {
		return
	}
	bundleMu.RUnlock()
	bundleMu.Lock()
	loadArea(area, English)
	if l != English && slices.Contains(Langs, l) {
		loadArea(area, l)
	}
	bundleMu.Unlock()
	bundleMu.RLock()
}

// LoadError reports a message file that could not be read (the tests
// check it is nil); it reads every area of every language.
func LoadError() error {
	bundleMu.RLock()
	for _, l := range Langs {
		localizer(l)
	}
	bundleMu.RUnlock()
	bundleMu.Lock()
	for a := range areas {
		for _, l := range Langs {
			loadArea(a, l)
		}
	}
	defer bundleMu.Unlock()
	return loadErr
}

// Render says m in the language.
func (l Lang) Render(m Message) string {
	if m.IsZero() {
		return ""
	}
	key, plain := saidKey(l, m)
	if plain {
		saidMu.Lock()
		s, ok := said[key]
		saidMu.Unlock()
		if ok {
			return s
		}
	}
	s := l.render(m)
	if plain {
		saidMu.Lock()
		if len(said) >= saidMax {
			clear(said)
		}
		said[key] = s
		saidMu.Unlock()
	}
	return s
}

// said remembers what the messages whose parameters are all text or
// whole numbers said, by language, code and parameters: the tray says
// the same words every countdown second, and `status` the same words
// on many rows. It is emptied when it holds saidMax.
var (
	saidMu sync.Mutex
	said   = map[string]string{}
)

const saidMax = 4096

// saidKey is m's key in said; plain is false for a message with another
// kind of parameter (a message, an error, a duration), said each time.
func saidKey(l Lang, m Message) (key string, plain bool) {
	var b strings.Builder
	b.WriteString(string(l))
	if !writeKey(&b, m, 0) {
		return "", false
	}
	return b.String(), true
}

// writeKey writes m's code and parameters to b; false for a parameter
// that is not text, a whole number, a duration or a message of such.
func writeKey(b *strings.Builder, m Message, depth int) bool {
	if depth > 4 {
		return false
	}
	b.WriteByte(0)
	b.WriteString(m.ID)
	names := make([]string, 0, len(m.Args))
	for k := range m.Args {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		b.WriteByte(0)
		b.WriteString(k)
		b.WriteByte(0)
		switch v := m.Args[k].(type) {
		case string:
			b.WriteByte('s')
			b.WriteString(strconv.Itoa(len(v)))
			b.WriteByte(':')
			b.WriteString(v)
		case int:
			b.WriteByte('i')
			b.WriteString(strconv.Itoa(v))
		case int64:
			b.WriteByte('i')
			b.WriteString(strconv.FormatInt(v, 10))
		case time.Duration:
			b.WriteByte('d')
			b.WriteString(strconv.FormatInt(int64(v), 10))
		case Message:
			b.WriteByte('m')
			if !writeKey(b, v, depth+1) {
				return false
			}
			b.WriteByte(1) // the message's end
		default:
			return false
		}
	}
	return true
}

func (l Lang) render(m Message) string {
	data := make(map[string]any, len(m.Args))
	var count any
	for k, v := range m.Args {
		data[k] = l.value(v)
		if k == "Count" {
			count = v
		}
	}
	if m.ID == PlainID {
		return l.value(m.Args["Text"])
	}
	cfg := &i18n.LocalizeConfig{MessageID: m.ID, TemplateData: data, TemplateParser: fieldParser{}}
	if count != nil {
		if f, ok := number(count); ok {
			cfg.PluralCount = int(f)
		}
	}
	bundleMu.RLock()
	loc := localizer(l)
	needArea(l, m.ID)
	s, err := loc.Localize(cfg)
	bundleMu.RUnlock()
	if err != nil || s == "" {
		// A code this build does not know (a health written by a newer
		// tokentray): say its parameters rather than nothing.
		return fallback(m, data)
	}
	return s
}

// Text says the message with code id and its parameters in the language.
func (l Lang) Text(id string, kv ...any) string { return l.Render(New(id, kv...)) }

// Err says err in the language: its message when it has one, else its
// own text.
func (l Lang) Err(err error) string {
	if err == nil {
		return ""
	}
	return l.Render(Of(err))
}

// Duration says a length of time the way a person says it ("3 days",
// "5 hours", "12 min", "40 s"); a negative one is "expired".
func (l Lang) Duration(d time.Duration) string { return l.Render(Approx(d)) }

// Approx is a length of time as a message (see Lang.Duration).
func Approx(d time.Duration) Message {
	switch {
	case d < 0:
		return New("dur.expired")
	case d >= 48*time.Hour:
		return New("dur.days", "Count", int(d.Hours()/24))
	case d >= 2*time.Hour:
		return New("dur.hours", "Count", int(d.Hours()))
	case d >= time.Minute:
		return New("dur.minutes", "Count", int(d.Minutes()))
	}
	return New("dur.seconds", "Count", int(d.Seconds()))
}

// value renders one parameter as text in the language.
func (l Lang) value(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case Message:
		return l.Render(v)
	case *Message:
		if v == nil {
			return ""
		}
		return l.Render(*v)
	case error:
		return l.Err(v)
	case time.Duration:
		return l.Duration(v)
	case map[string]any:
		if _, ok := v["code"]; ok {
			return l.Render(asMessage(v))
		}
	case []any:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = l.value(p)
		}
		return l.List(parts)
	case []string:
		return l.List(v)
	case []Message:
		parts := make([]string, len(v))
		for i, p := range v {
			parts[i] = l.Render(p)
		}
		return l.List(parts)
	case fmt.Stringer:
		return v.String()
	}
	if f, ok := number(v); ok && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return fmt.Sprintf("%d", int64(f))
	}
	return fmt.Sprint(v)
}

// List joins items the way the language lists them: "a, b and c" or
// "a、b和c".
func (l Lang) List(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	sep := l.Render(New("list.sep"))
	last := l.Render(New("list.and", "Last", items[len(items)-1], "Rest", strings.Join(items[:len(items)-1], sep)))
	return last
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	}
	return 0, false
}

func fallback(m Message, data map[string]any) string {
	var b strings.Builder
	b.WriteString(m.ID)
	for _, k := range m.Keys() {
		fmt.Fprintf(&b, " %s=%v", k, data[k])
	}
	return b.String()
}
