// Package store keeps Gallant's data in MySQL (the system of record for a
// cluster) or SQLite (the embedded default), through sqlx. It provides:
//
//   - [Open], which sets up the connection pools for either driver, and
//     [Store.Migrate], which applies the versioned schema embedded in the
//     binary (migrations/<dialect>/NNNN_name.sql);
//   - the queries the gateway needs: accounts, API keys and SMPP
//     credentials; messages and their status history; receipt correlation;
//     what a restart must send again; receipts held for unbound SMPP
//     customers; MO messages; idempotency keys; webhook attempts; and node
//     leases for the message id generator;
//   - the batched [Writer], which turns rows added by many goroutines into
//     one multi-row INSERT per table per batch, all in one transaction (a
//     group commit), and tells each caller when its row is durable.
//
// Every read of customer data takes the account id and filters by it, so a
// caller cannot see another account's rows by guessing an id. Driver errors
// never leave the package: they are mapped to [ErrNotFound], [ErrDuplicate]
// or wrapped with context.
//
// Times are stored in UTC with microsecond precision: DATETIME(6) on MySQL,
// INTEGER unix microseconds on SQLite; a zero time.Time is stored as NULL.
// Message ids ([sms.ID]) are BIGINT UNSIGNED on MySQL; SQLite has only
// signed integers and stores the same 64 bits, which keeps ids ordered until
// their top bit is set (around 2060, see [sms.ID]).
//
// A Store is safe for concurrent use by multiple goroutines.
package store
