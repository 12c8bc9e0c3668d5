package main

import "tokentray/internal/msg"

// elsewhere ends every sentence about a display the window cannot use:
// run it from the desktop, or use the command line.
func elsewhere() msg.Message { return msg.New("app.run_elsewhere") }
