// Package reliability holds tokentray's whole-system tests: processes
// killed at random moments against the sandbox brokers, and every broker
// call under every kind of fault. It has no code of its own.
package reliability
