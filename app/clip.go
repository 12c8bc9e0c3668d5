package app

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2/lang"

	"tokentray/auth/store"
)

// copiedNote says that a token was copied and when it is cleared, as the
// tray says it.
func (u *UI) copiedNote(name string, after time.Duration) string {
	return lang.L("app.copied_token", kv("Name", name, "After", u.lang.Duration(after)))
}

// clipboardClear is the clipboard-clear setting.
func (u *UI) clipboardClear(ctx context.Context) time.Duration {
	ss, err := u.backend.Settings(ctx)
	if err != nil {
		return store.DefaultClipboardClear
	}
	for _, s := range ss {
		if s.Key == "clipboard-clear" {
			if d, err := time.ParseDuration(strings.TrimSpace(s.Value)); err == nil && d > 0 {
				return d
			}
		}
	}
	return store.DefaultClipboardClear
}

// copySelected puts the selected credential's current token on the
// clipboard, as the tray does: the backend renews it first when it is
// inside the lead time and refuses an expired one or one that needs the
// user, and the clipboard is cleared after the clipboard-clear setting,
// but only while it still holds that token.
func (u *UI) copySelected() {
	r, ok := u.current()
	if !ok {
		return
	}
	u.Status.SetText(lang.L("app.getting_token", kv("Name", r.Name)))
	u.run.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		tok, err := u.backend.Token(ctx, r.Name)
		after := u.clipboardClear(ctx)
		u.run.Do(func() {
			if err != nil {
				u.Status.SetText(u.say(err))
				return
			}
			u.App.Clipboard().SetContent(tok)
			u.mu.Lock()
			u.clip = tok
			u.mu.Unlock()
			u.Status.SetText(u.copiedNote(r.Name, after))
		})
		if err != nil {
			return
		}
		timer := u.opts.Clock.NewTimer(after)
		defer timer.Stop()
		select {
		case <-timer.Chan():
			u.run.Do(func() { u.clearToken(tok) })
		case <-u.closed:
			// The window's close clears it.
		}
	})
}

// clearClipboard empties the clipboard if it still holds the token this
// window put there last (when the window closes).
func (u *UI) clearClipboard() {
	u.mu.Lock()
	tok := u.clip
	u.mu.Unlock()
	u.clearToken(tok)
}

// clearToken empties the clipboard if it still holds tok; anything
// copied since is left alone.
func (u *UI) clearToken(tok string) {
	if tok == "" {
		return
	}
	u.mu.Lock()
	if u.clip == tok {
		u.clip = ""
	}
	u.mu.Unlock()
	if cb := u.App.Clipboard(); cb.Content() == tok {
		cb.SetContent("")
	}
}
