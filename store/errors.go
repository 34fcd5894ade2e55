package store

import "errors"

// Errors returned by the store. Callers compare with [errors.Is]; the errors
// returned are often these wrapped with context.
var (
	// ErrNotFound means no row matched, including a row that exists but
	// belongs to another account.
	ErrNotFound = errors.New("store: not found")
	// ErrDuplicate means a row with the same unique key already exists
	// (MySQL error 1062, SQLite UNIQUE or PRIMARY KEY constraint).
	ErrDuplicate = errors.New("store: duplicate key")
	// ErrUnavailable means the database could not be reached or was too
	// busy (connection lost, lock wait timeout, deadlock, SQLITE_BUSY): the
	// same call may succeed later.
	ErrUnavailable = errors.New("store: database unavailable")
	// ErrInvalid means the arguments cannot be stored as given.
	ErrInvalid = errors.New("store: invalid argument")
	// ErrSchemaTooNew means the database was migrated by a newer release
	// than this one; the store refuses to work on it.
	ErrSchemaTooNew = errors.New("store: database schema is newer than this release")
	// ErrNoFreeNode means every node number 0..sms.MaxNode is leased by a
	// live instance.
	ErrNoFreeNode = errors.New("store: no free node number")
	// ErrLeaseLost means the node lease is no longer held by this Store:
	// it expired and another instance took it, or it was released.
	ErrLeaseLost = errors.New("store: node lease lost")
	// ErrBacklog means the Writer's queue is full; the caller should apply
	// backpressure and retry later.
	ErrBacklog = errors.New("store: writer backlog full")
	// ErrClosed means the Writer or Store has been closed.
	ErrClosed = errors.New("store: closed")
	// ErrUnknownRow means a value given to [Writer.Add] is not a row type
	// the Writer knows.
	ErrUnknownRow = errors.New("store: unknown row type")
	// ErrNotCharged means a refund found no charge of its message (yet:
	// charges go through the batched writer, so try again later).
	ErrNotCharged = errors.New("store: message not charged")
	// ErrColumnCount means a [Record] appended a different number of values
	// than its [Table] has columns.
	ErrColumnCount = errors.New("store: record value count does not match its table")
)
