package cli

import (
	"encoding/json"
	"io"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"tokentray/auth"
	"tokentray/internal/msg"
)

// suggestDistance is how many edits apart a typed word and a name may be
// for the name to be suggested: cobra's default for commands, used for
// credential names too.
const suggestDistance = 2

// choices lists what may be given, "a, b or c" in the person's
// language.
func (e *env) choices(vs []string) string {
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return e.tr(msg.New("cli.or_list", "Rest", strings.Join(vs[:len(vs)-1], e.tr(msg.New("cli.comma"))), "Last", vs[len(vs)-1]))
}

// orList is names joined with "or" in the person's language.
func (e *env) orList(names []string) string {
	return strings.Join(names, e.tr(msg.New("cli.or")))
}

// closest are the names nearest to typed within suggestDistance edits
// (case ignored), or that start with it, nearest first; at most three.
func closest(typed string, names []string) []string {
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	low := strings.ToLower(typed)
	for _, n := range names {
		d := levenshtein(low, strings.ToLower(n))
		if d <= suggestDistance || (low != "" && strings.HasPrefix(strings.ToLower(n), low)) {
			cs = append(cs, cand{n, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for _, c := range cs {
		if len(out) == 3 || c.d > cs[0].d {
			break
		}
		out = append(out, c.name)
	}
	return out
}

// levenshtein is the edit distance of a and b, in runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// notACommand is the sentence for a word that is no command, with
// cobra's suggestions for it.
func (e *env) notACommand(root *cobra.Command, word string) error {
	root.SuggestionsMinimumDistance = suggestDistance
	if s := root.SuggestionsFor(word); len(s) > 0 {
		return usage(msg.New("cli.not_a_command_did_you_mean", "Word", strconv.Quote(word), "Names", e.orList(s)))
	}
	return usage(msg.New("cli.not_a_command", "Word", strconv.Quote(word)))
}

// namesIn reads the credential names of the normal (sandbox false) or
// sandbox profile from its settings file alone, without the keychain;
// nil when it cannot.
func (e *env) namesIn(sandbox bool) []string {
	var names []string
	for _, c := range e.listedIn(sandbox) {
		names = append(names, c.Name)
	}
	return names
}

// listed is a credential as the settings file names it.
type listed struct {
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// listedIn reads the credentials' names and kinds of the normal or the
// sandbox profile from its settings file alone: it never opens the
// keychain, never changes a file, and gives nil when it cannot read.
func (e *env) listedIn(sandbox bool) []listed {
	if e.ProfileDir == nil {
		return nil
	}
	dir, err := e.ProfileDir(sandbox)
	if err != nil {
		return nil
	}
	f, err := auth.OpenRegular(filepath.Join(dir, settingsFile))
	if err != nil {
		return nil
	}
	defer f.Close()
	var doc struct {
		Credentials []listed `json:"credentials"`
	}
	if err := json.NewDecoder(io.LimitReader(f, maxSettingsRead)).Decode(&doc); err != nil {
		return nil
	}
	var out []listed
	for _, c := range doc.Credentials {
		if c.Name != "" {
			out = append(out, c)
		}
	}
	return out
}

// profileCmdLine is the command line of args in the normal or the
// sandbox profile.
func profileCmdLine(sandbox bool, args ...string) string {
	parts := []string{"tokentray"}
	if sandbox {
		parts = append(parts, "--sandbox")
	}
	return strings.Join(append(parts, args...), " ")
}

// notFoundHint ends msg, which says no credential is called name, with
// where to look: the other profile when it has that name, else the
// closest names here, and always the status command of the right profile.
func (e *env) notFoundHint(sentence, name string) string {
	sentence = trimEnd(sentence)
	for _, n := range e.namesIn(!e.sandbox) {
		if n == name {
			there := profileCmdLine(!e.sandbox, "status", name)
			if e.sandbox {
				return e.tr(msg.New("cli.not_found_in_real", "Sentence", sentence, "Command", there))
			}
			return e.tr(msg.New("cli.not_found_in_sandbox", "Sentence", sentence, "Command", there))
		}
	}
	names := e.namesIn(e.sandbox)
	if e.parts != nil && e.parts.Service != nil {
		if cs, err := e.parts.Service.Credentials(e.ctx); err == nil {
			names = names[:0]
			for _, c := range cs {
				names = append(names, c.Name)
			}
		}
	}
	if best := closest(name, names); len(best) > 0 {
		return e.tr(msg.New("cli.not_found_did_you_mean", "Sentence", sentence, "Names", e.orList(best), "Command", e.cmdLine("status")))
	}
	return e.tr(msg.New("cli.see_names", "Sentence", sentence, "Command", e.cmdLine("status")))
}
