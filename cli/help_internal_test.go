package cli

import (
	"testing"

	"github.com/spf13/cobra"

	"tokentray/internal/msg"
)

// Every command's summary line has its message, in every language, and
// the English one is the summary cobra knows.
func TestEveryCommandsSummaryIsSaidInEveryLanguage(t *testing.T) {
	root := newRoot(&env{lang: msg.English})
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, s := range c.Commands() {
			id := summaryID(s)
			for _, l := range msg.Langs {
				if got := l.Render(msg.Message{ID: id}); got == id || got == "" {
					t.Errorf("%s (%s) has no %s summary", s.CommandPath(), id, l)
				}
			}
			if got := msg.English.Render(msg.Message{ID: id}); got != s.Short {
				t.Errorf("%s: the English summary %q is not the command's %q", s.CommandPath(), got, s.Short)
			}
			n++
			walk(s)
		}
	}
	walk(root)
	if n < 20 {
		t.Fatalf("walked only %d commands", n)
	}
}
