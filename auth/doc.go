// Package auth is tokentray's domain: the kinds of credential it keeps,
// their health, and the interfaces the rest of the program is built on
// (secret storage, providers for each broker). It imports no GUI code.
package auth
