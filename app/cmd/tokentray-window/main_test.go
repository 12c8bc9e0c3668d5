package main

import (
	"errors"
	"strings"
	"testing"

	"tokentray/app"
	"tokentray/auth/service"
	"tokentray/internal/msg"
)

// A display that went away between the check and the toolkit's start
// gives one sentence, not the toolkit's panic and a stack trace; any
// other panic is left alone.
func TestAToolkitThatCannotOpenTheDisplayGivesOneSentence(t *testing.T) {
	t.Setenv("DISPLAY", ":42")
	defer func(f func(service.Service, app.Options) error) { startWindow = f }(startWindow)
	startWindow = func(service.Service, app.Options) error {
		panic(errors.New("NotInitialized: The GLFW library is not initialized"))
	}
	err := runWindow(nil, app.Options{})
	if err == nil || !strings.Contains(err.Error(), `could not open the display ":42"`) || !strings.Contains(err.Error(), elsewhere().String()) {
		t.Fatalf("runWindow = %v", err)
	}
	if got := msg.HongKongChinese.Err(err); !strings.Contains(got, `視窗無法開啟顯示器 ":42"`) || !strings.Contains(got, "tokentray status") {
		t.Errorf("in zh-HK: %q", got)
	}
	startWindow = func(service.Service, app.Options) error { panic("something else") }
	defer func() {
		if r := recover(); r != "something else" {
			t.Errorf("another panic became %v", r)
		}
	}()
	_ = runWindow(nil, app.Options{})
	t.Error("another panic was swallowed")
}
