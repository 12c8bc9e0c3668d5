package keychain

// Report is what `tokentray keychain status` says about the keychain a
// profile uses: the wiring fills it in, the command line prints it.
type Report struct {
	// Kind is "os" or "file"; ChosenBy says what chose it.
	Kind, ChosenBy string
	// Service is the service name of every item.
	Service string
	// File and Key are the file keychain's file and key ("" for the OS keychain).
	File string
	Key  Key
	// Items is how many items the file keychain holds (-1: not known).
	Items int
	// Session names the OS keychain's session encryption, when known.
	Session string
	// Err says why the keychain cannot be read now; nil when it can.
	Err error
}
