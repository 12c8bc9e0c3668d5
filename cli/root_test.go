package cli_test

import (
	"context"
	"testing"

	"tokentray/cli"
)

// With no command tokentray runs the agent; --sandbox goes before or
// after a command.
func TestDefaultCommandAndTheSandboxFlagAnywhere(t *testing.T) {
	type call struct {
		what, focus string
		sandbox     bool
	}
	for _, c := range []struct {
		args []string
		want call
	}{
		{nil, call{"agent", "", false}},
		{[]string{"--sandbox"}, call{"agent", "", true}},
		{[]string{"agent", "--sandbox"}, call{"agent", "", true}},
		{[]string{"agent", "--headless"}, call{"agent", "headless", false}},
		{[]string{"window", "k1"}, call{"window", "k1", false}},
		{[]string{"--sandbox", "window", "k1"}, call{"window", "k1", true}},
		{[]string{"window", "k1", "--sandbox"}, call{"window", "k1", true}},
	} {
		var got call
		d := cli.Deps{
			RunAgent: func(_ context.Context, o cli.AgentRun) error {
				got = call{"agent", "", o.Sandbox}
				if o.Headless {
					got.focus = "headless"
				}
				return nil
			},
			RunWindow: func(_ context.Context, sb bool, focus string) error {
				got = call{"window", focus, sb}
				return nil
			},
		}
		if code := cli.Run(context.Background(), c.args, d); code != 0 || got != c.want {
			t.Errorf("%q: exit %d, ran %+v, want %+v", c.args, code, got, c.want)
		}
	}
	if code := cli.Run(context.Background(), []string{"window", "a", "b"}, cli.Deps{}); code != cli.ExitUsage {
		t.Errorf("window a b: exit %d", code)
	}
}
