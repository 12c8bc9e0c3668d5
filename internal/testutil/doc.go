// Package testutil holds the helpers the tests of every package share:
// waiting for a condition, a buffer safe for concurrent writers, a free
// loopback port, a fake broker provider and a keychain that fails on
// cue. Only tests import it.
package testutil
