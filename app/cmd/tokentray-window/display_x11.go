//go:build linux && cgo

package main

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <X11/Xlib.h>

// canOpen is 0 when the display opens and has the GLX extension, 1 when
// it does not open, 2 when it has no GLX.
static int canOpen(const char *name) {
	Display *d = XOpenDisplay(name);
	if (d == NULL) return 1;
	int op, ev, er;
	int glx = XQueryExtension(d, "GLX", &op, &ev, &er);
	XCloseDisplay(d);
	return glx ? 0 : 2;
}
*/
import "C"

import (
	"strconv"
	"unsafe"

	"tokentray/internal/msg"
)

// checkDisplay tries the X display the window would open (Fyne draws
// through X11 and OpenGL here), and says in one sentence what is wrong.
func checkDisplay(getenv func(string) string) error {
	name := getenv("DISPLAY")
	if name == "" {
		return msg.Errorf("app.display_unset", "Else", elsewhere())
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	switch C.canOpen(cname) {
	case 1:
		return msg.Errorf("app.display_closed", "Display", strconv.Quote(name), "Else", elsewhere())
	case 2:
		return msg.Errorf("app.display_no_glx", "Display", strconv.Quote(name), "Else", elsewhere())
	}
	return nil
}
