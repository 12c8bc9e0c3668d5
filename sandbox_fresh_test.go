package main

import (
	"strings"
	"testing"
)

func TestFreshSandboxFromTheEnvironment(t *testing.T) {
	for v, want := range map[string]bool{"": false, "1": true, "true": true, "0": false} {
		got, err := freshSandbox(func(string) string { return v })
		if err != nil || got != want {
			t.Errorf("TOKENTRAY_SANDBOX_FRESH=%q: %v %v, want %v", v, got, err, want)
		}
	}
	if _, err := freshSandbox(func(string) string { return "yes please" }); err == nil || !strings.Contains(err.Error(), "set it to 1") {
		t.Errorf("a value that is not a boolean: %v", err)
	}
}
