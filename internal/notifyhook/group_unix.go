//go:build !windows

package notifyhook

import (
	"os/exec"
	"syscall"
)

// setGroup starts the command in a process group of its own, so that a
// timeout stops what it started too (curl under sh).
func setGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
