package main

// elsewhere ends every sentence about a display the window cannot use.
const elsewhere = "run it from your desktop, or use the command line (tokentray status)"
