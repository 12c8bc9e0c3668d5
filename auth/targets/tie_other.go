//go:build !linux

package targets

import (
	"os/exec"
	"syscall"
)

// tieToParent does nothing here: only Linux can kill a child when its
// parent dies; the timeout and the process group still bound a push.
func tieToParent(*syscall.SysProcAttr) {}

// run runs cmd.
func run(cmd *exec.Cmd) error { return cmd.Run() }
