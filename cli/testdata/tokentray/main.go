// Command tokentray is the command line alone (no tray, no window), built
// by the cli tests when the module's main package cannot be built.
package main

import (
	"context"
	"os"

	"tokentray/cli"
)

func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], cli.SystemDeps()))
}
