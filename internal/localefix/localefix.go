// Package localefix keeps the GUI toolkit quiet under the "C.UTF-8"
// locale that containers, CI and service managers set: Fyne reads the
// locale while its packages initialise and logs three error lines on
// stderr when it cannot parse "C", which would break the window's
// promise of one sentence (or nothing) on stderr. Only the window's
// program links Fyne, so only it imports this package; the agent and the
// command line need nothing of the kind.
//
// It must run before Fyne's package initialisation. Go initialises
// packages in import-path order once their imports are ready, so this
// package lives in its own tiny module whose path sorts before
// "fyne.io/...", and the window's main package imports it for its side
// effect.
package localefix

import (
	"os"
	"strings"
)

func init() {
	v := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v = os.Getenv(k); v != "" {
			break
		}
	}
	base, _, _ := strings.Cut(v, ".")
	if (base == "C" || base == "POSIX") && v != base && os.Getenv("LANGUAGE") == "" {
		// gettext ignores LANGUAGE under the C locale, so this changes
		// nothing for other programs; Fyne reads it and settles on English.
		_ = os.Setenv("LANGUAGE", "en")
	}
}
