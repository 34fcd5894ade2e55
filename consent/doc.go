// Package consent keeps whom an account may not message: the opt-out
// ledger (issue 12: STOP/START/HELP keywords, the API, imports, carriers'
// signals and national do-not-disturb registries all write to it) and
// [Index], the in-memory copy of its current state that the send path
// checks without touching the store.
//
// An opt-out has a scope (see [Scope]): the whole platform, one account,
// or one account's sender number. A number is blocked for a message when
// any scope that covers the message holds it.
package consent
