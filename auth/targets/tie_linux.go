package targets

import (
	"os/exec"
	"runtime"
	"syscall"
)

// tieToParent has the kernel kill the command when tokentray dies, even
// by kill -9, which gives it no time to stop the command itself: a push
// left running would write its file later, after a newer one.
func tieToParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }

// run runs cmd from a thread kept for it until it ends. The kernel sends
// the parent-death signal when the thread that started the child ends,
// not the process, and Go ends a thread whose goroutine exits while
// locked to it: no other goroutine runs on this one while cmd does.
func run(cmd *exec.Cmd) error {
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		errc <- cmd.Run()
	}()
	return <-errc
}
