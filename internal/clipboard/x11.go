//go:build linux || freebsd || openbsd || netbsd

package clipboard

import (
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// owner holds the CLIPBOARD selection on an X connection.
type owner struct {
	conn  *xgb.Conn
	win   xproto.Window
	atoms atoms

	mu    sync.Mutex
	text  string
	owned bool
}

type atoms struct {
	clipboard, targets, utf8, str, text, plain, plainUTF8, hint, timestamp, atom xproto.Atom
}

func internAll(conn *xgb.Conn) (atoms, error) {
	names := []string{"CLIPBOARD", "TARGETS", "UTF8_STRING", "STRING", "TEXT", "text/plain", "text/plain;charset=utf-8", "x-kde-passwordManagerHint", "TIMESTAMP", "ATOM"}
	cookies := make([]xproto.InternAtomCookie, len(names))
	for i, n := range names {
		cookies[i] = xproto.InternAtom(conn, false, uint16(len(n)), n)
	}
	got := make([]xproto.Atom, len(names))
	for i, c := range cookies {
		r, err := c.Reply()
		if err != nil {
			return atoms{}, fmt.Errorf("the X server did not answer: %w", err)
		}
		got[i] = r.Atom
	}
	return atoms{got[0], got[1], got[2], got[3], got[4], got[5], got[6], got[7], got[8], got[9]}, nil
}

// window opens a connection with a hidden window to own or receive a
// selection with.
func window() (*xgb.Conn, xproto.Window, atoms, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, 0, atoms{}, ErrUnavailable
	}
	conn, err := xgb.NewConn()
	if err != nil {
		return nil, 0, atoms{}, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	a, err := internAll(conn)
	if err != nil {
		conn.Close()
		return nil, 0, atoms{}, err
	}
	screen := xproto.Setup(conn).DefaultScreen(conn)
	win, err := xproto.NewWindowId(conn)
	if err != nil {
		conn.Close()
		return nil, 0, atoms{}, err
	}
	err = xproto.CreateWindowChecked(conn, 0, win, screen.Root, 0, 0, 1, 1, 0,
		xproto.WindowClassInputOnly, 0, xproto.CwEventMask, []uint32{xproto.EventMaskPropertyChange}).Check()
	if err != nil {
		conn.Close()
		return nil, 0, atoms{}, fmt.Errorf("the X server refused a window for the clipboard: %w", err)
	}
	return conn, win, a, nil
}

func connect() (*owner, error) {
	conn, win, a, err := window()
	if err != nil {
		return nil, err
	}
	o := &owner{conn: conn, win: win, atoms: a}
	go o.serve()
	return o, nil
}

func (o *owner) own(text string) error {
	o.mu.Lock()
	o.text, o.owned = text, true
	o.mu.Unlock()
	if err := xproto.SetSelectionOwnerChecked(o.conn, o.win, o.atoms.clipboard, xproto.TimeCurrentTime).Check(); err != nil {
		o.forget()
		return fmt.Errorf("the clipboard could not be taken: %w", err)
	}
	r, err := xproto.GetSelectionOwner(o.conn, o.atoms.clipboard).Reply()
	if err != nil || r.Owner != o.win {
		o.forget()
		return fmt.Errorf("the clipboard could not be taken (another program holds it)")
	}
	return nil
}

func (o *owner) forget() {
	o.mu.Lock()
	o.text, o.owned = "", false
	o.mu.Unlock()
}

func (o *owner) clearIf(text string) bool {
	o.mu.Lock()
	still := o.owned && o.text == text
	o.mu.Unlock()
	if !still {
		return false
	}
	// The server is the judge of who owns it now.
	r, err := xproto.GetSelectionOwner(o.conn, o.atoms.clipboard).Reply()
	if err != nil || r.Owner != o.win {
		o.forget()
		return false
	}
	o.forget()
	_ = xproto.SetSelectionOwnerChecked(o.conn, xproto.WindowNone, o.atoms.clipboard, xproto.TimeCurrentTime).Check()
	return true
}

func (o *owner) close() {
	o.forget()
	o.conn.Close()
}

// serve answers other programs' paste requests until the connection ends.
func (o *owner) serve() {
	for {
		ev, err := o.conn.WaitForEvent()
		if ev == nil && err == nil {
			return // the connection closed
		}
		switch e := ev.(type) {
		case xproto.SelectionClearEvent:
			if e.Selection == o.atoms.clipboard {
				o.forget() // someone else copied something
			}
		case xproto.SelectionRequestEvent:
			o.answer(e)
		}
	}
}

func (o *owner) answer(e xproto.SelectionRequestEvent) {
	o.mu.Lock()
	text, owned := o.text, o.owned
	o.mu.Unlock()
	prop := e.Property
	if prop == xproto.AtomNone {
		prop = e.Target // an obsolete client
	}
	a := o.atoms
	ok := owned && e.Selection == a.clipboard
	if ok {
		switch e.Target {
		case a.targets:
			list := []xproto.Atom{a.targets, a.timestamp, a.utf8, a.str, a.text, a.plain, a.plainUTF8, a.hint}
			buf := make([]byte, 4*len(list))
			for i, t := range list {
				xgb.Put32(buf[4*i:], uint32(t))
			}
			xproto.ChangeProperty(o.conn, xproto.PropModeReplace, e.Requestor, prop, a.atom, 32, uint32(len(list)), buf)
		case a.utf8, a.str, a.text, a.plain, a.plainUTF8:
			typ := e.Target
			if typ == a.text {
				typ = a.utf8
			}
			xproto.ChangeProperty(o.conn, xproto.PropModeReplace, e.Requestor, prop, typ, 8, uint32(len(text)), []byte(text))
		case a.hint:
			// Klipper's convention: "secret" means do not keep this.
			v := []byte("secret")
			xproto.ChangeProperty(o.conn, xproto.PropModeReplace, e.Requestor, prop, a.utf8, 8, uint32(len(v)), v)
		default:
			ok = false
		}
	}
	if !ok {
		prop = xproto.AtomNone
	}
	n := xproto.SelectionNotifyEvent{Time: e.Time, Requestor: e.Requestor, Selection: e.Selection, Target: e.Target, Property: prop}
	xproto.SendEvent(o.conn, false, e.Requestor, 0, string(n.Bytes()))
}

func read(target string, timeout time.Duration) (string, error) {
	conn, win, a, err := window()
	if err != nil {
		return "", err
	}
	defer conn.Close()
	t := a.utf8
	if target != "" {
		r, err := xproto.InternAtom(conn, false, uint16(len(target)), target).Reply()
		if err != nil {
			return "", err
		}
		t = r.Atom
	}
	prop := a.clipboard // any property of our own window will do
	xproto.ConvertSelection(conn, win, a.clipboard, t, prop, xproto.TimeCurrentTime)
	got := make(chan xproto.SelectionNotifyEvent, 1)
	go func() {
		for {
			ev, err := conn.WaitForEvent()
			if ev == nil && err == nil {
				return
			}
			if n, ok := ev.(xproto.SelectionNotifyEvent); ok {
				got <- n
				return
			}
		}
	}()
	select {
	case n := <-got:
		if n.Property == xproto.AtomNone {
			return "", nil // empty, or not offered as that target
		}
		r, err := xproto.GetProperty(conn, true, win, prop, xproto.GetPropertyTypeAny, 0, 1<<20).Reply()
		if err != nil {
			return "", err
		}
		return string(r.Value), nil
	case <-time.After(timeout):
		return "", fmt.Errorf("the clipboard's owner did not answer within %v", timeout)
	}
}
