// Package testutil holds the helpers the tests of every package share:
// waiting for a condition, a buffer safe for concurrent writers, a free
// loopback port, a fake broker provider, an in-memory keychain
// (MemorySecrets), a keychain that fails on cue and a session bus on which a test plays a desktop service. Only tests
// import it.
package testutil
