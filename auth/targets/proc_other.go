//go:build !unix

package targets

import (
	"os/exec"
	"time"
)

// ownGroup bounds the wait for the output of a stopped cmd; there are no
// process groups to stop as one here. Start it with run.
func ownGroup(cmd *exec.Cmd) { cmd.WaitDelay = 2 * time.Second }
