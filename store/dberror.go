package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// dbError is a driver error with the driver's type removed: the text is kept
// for logs, and class (one of the package's sentinel errors, or nil) is what
// errors.Is sees.
type dbError struct {
	class error
	msg   string
}

func (e *dbError) Error() string {
	if e.class != nil {
		return e.class.Error() + ": " + e.msg
	}
	return "store: " + e.msg
}

func (e *dbError) Unwrap() error { return e.class }

// mapErr turns an error from database/sql or a driver into one a caller may
// see: sql.ErrNoRows becomes ErrNotFound, context errors pass through, and
// driver errors become a *dbError classified by classify.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var de *dbError
	if errors.As(err, &de) || errors.Is(err, ErrNotCharged) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	class, transient := classify(err)
	if class == nil && transient {
		class = ErrUnavailable
	}
	return &dbError{class: class, msg: err.Error()}
}

// classify says which sentinel error a driver error stands for (nil when
// none) and whether retrying the same statement later may succeed.
func classify(err error) (class error, transient bool) {
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, true
	}
	if errors.Is(err, ErrUnavailable) {
		return ErrUnavailable, true
	}
	var me *mysql.MySQLError
	if errors.As(err, &me) {
		return classifyMySQL(me.Number)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return classifySQLite(se.Code())
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, mysql.ErrInvalidConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, sql.ErrConnDone) {
		return nil, true
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return nil, true
	}
	return nil, false
}

// MySQL server error numbers the store tells apart.
const (
	myDupEntry          = 1062
	myNoReferencedRow   = 1452
	myNoReferencedRow2  = 1216
	myLockWaitTimeout   = 1205
	myDeadlock          = 1213
	myTooManyConns      = 1040
	myServerShutdown    = 1053
	myReadOnly          = 1290
	myQueryInterrupted  = 1317
	myConnKilled        = 1927
	myReadOnlyTx        = 1792
	myReadOnlyInnoDB    = 1836
	myMaxExecTime       = 3024
	myNetReadError      = 1158
	myNetReadInterrupt  = 1159
	myNetWriteError     = 1160
	myNetWriteInterrupt = 1161
)

func classifyMySQL(n uint16) (error, bool) {
	switch n {
	case myDupEntry:
		return ErrDuplicate, false
	case myNoReferencedRow, myNoReferencedRow2:
		return ErrNotFound, false
	case myLockWaitTimeout, myDeadlock, myTooManyConns, myServerShutdown, myReadOnly,
		myQueryInterrupted, myConnKilled, myReadOnlyTx, myReadOnlyInnoDB, myMaxExecTime,
		myNetReadError, myNetReadInterrupt, myNetWriteError, myNetWriteInterrupt:
		return nil, true
	}
	return nil, false
}

func classifySQLite(code int) (error, bool) {
	switch code {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return ErrDuplicate, false
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return ErrNotFound, false
	}
	switch code & 0xff {
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL,
		sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_NOMEM:
		return nil, true
	}
	return nil, false
}
