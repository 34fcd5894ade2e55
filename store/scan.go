package store

import (
	"fmt"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// mysqlDatetime is how MySQL prints a DATETIME(6) when parseTime is off.
const mysqlDatetime = "2006-01-02 15:04:05.999999"

// dbTime scans a time column of either dialect: NULL is the zero time,
// an integer is SQLite's unix microseconds, a time.Time or text is MySQL's
// DATETIME(6) in UTC.
type dbTime struct{ time.Time }

// Scan implements sql.Scanner.
func (t *dbTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		t.Time = time.Time{}
	case int64:
		t.Time = time.UnixMicro(v).UTC()
	case time.Time:
		if v.IsZero() {
			t.Time = time.Time{}
		} else {
			t.Time = v.UTC()
		}
	case []byte:
		return t.parse(string(v))
	case string:
		return t.parse(v)
	default:
		return fmt.Errorf("store: cannot scan %T into a time", src)
	}
	return nil
}

func (t *dbTime) parse(s string) error {
	p, err := time.ParseInLocation(mysqlDatetime, s, time.UTC)
	if err != nil {
		return fmt.Errorf("store: bad time %q: %w", s, err)
	}
	t.Time = p
	return nil
}

// dbID scans a message id: BIGINT UNSIGNED on MySQL, the same bits in a
// signed INTEGER on SQLite.
type dbID sms.ID

// Scan implements sql.Scanner.
func (id *dbID) Scan(src any) error {
	switch v := src.(type) {
	case int64:
		*id = dbID(uint64(v))
	case uint64:
		*id = dbID(v)
	case []byte:
		return id.parse(string(v))
	case string:
		return id.parse(v)
	case nil:
		*id = 0
	default:
		return fmt.Errorf("store: cannot scan %T into a message id", src)
	}
	return nil
}

func (id *dbID) parse(s string) error {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		i, ierr := strconv.ParseInt(s, 10, 64)
		if ierr != nil {
			return fmt.Errorf("store: bad message id %q: %w", s, err)
		}
		n = uint64(i)
	}
	*id = dbID(n)
	return nil
}

// timeArg is t as a query argument: NULL when zero, unix microseconds on
// SQLite, a UTC time.Time on MySQL (truncated to the microsecond both ways).
func (s *Store) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	if s.d == dialectSQLite {
		return t.UnixMicro()
	}
	return t.UTC().Truncate(time.Microsecond)
}

// idArg is a message id as a query argument (database/sql refuses uint64
// values with the top bit set; SQLite stores the same bits signed).
func (s *Store) idArg(id sms.ID) any {
	if s.d == dialectSQLite {
		return int64(id)
	}
	return uint64(id)
}

// appendID appends id as a literal of s's dialect, for IN lists.
func (s *Store) appendID(dst []byte, id sms.ID) []byte {
	if s.d == dialectSQLite {
		return strconv.AppendInt(dst, int64(id), 10)
	}
	return strconv.AppendUint(dst, uint64(id), 10)
}
