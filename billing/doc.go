// Package billing prices messages and keeps prepaid balances.
//
// Money is integer micro-units of a currency ([Micros]; 1 unit is
// 1,000,000 micros): no floating point touches an amount.
//
// A [Pricer] answers what a message costs: it loads the price plans from
// the store into an immutable index, swapped atomically on reload, and
// finds the plan in force for an account at a time (the account's own,
// else its reseller's default, else the platform default) and in it the
// longest prefix of the destination.
//
// [Balances] reserves that cost from an account's prepaid balance without
// a database lock per message: each instance leases credit from the
// account's balance row in chunks (one short locking transaction per
// chunk) and reserves from the lease in memory. Leases never add up to
// more than the account may spend, so several instances sharing one
// database cannot overdraw it. Charges and refunds are ledger rows written
// through the store's batched [store.Writer]; closing Balances settles its
// leases, after which the balance equals the sum of the ledger.
package billing
