package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"testing"

	"github.com/go-sql-driver/mysql"
	"modernc.org/sqlite"
)

func TestMapErr(t *testing.T) {
	cases := []struct {
		name string
		in   error
		want error // nil: unclassified
	}{
		{"no rows", sql.ErrNoRows, ErrNotFound},
		{"mysql duplicate", &mysql.MySQLError{Number: 1062, Message: "Duplicate entry"}, ErrDuplicate},
		{"mysql foreign key", &mysql.MySQLError{Number: 1452, Message: "Cannot add or update a child row"}, ErrNotFound},
		{"mysql deadlock", &mysql.MySQLError{Number: 1213, Message: "Deadlock found"}, ErrUnavailable},
		{"mysql lock wait", fmt.Errorf("exec: %w", &mysql.MySQLError{Number: 1205}), ErrUnavailable},
		{"mysql syntax", &mysql.MySQLError{Number: 1064, Message: "You have an error"}, nil},
		{"bad connection", driver.ErrBadConn, ErrUnavailable},
		{"invalid connection", mysql.ErrInvalidConn, ErrUnavailable},
		{"other", errors.New("boom"), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mapErr(c.in)
			if c.want != nil && !errors.Is(got, c.want) {
				t.Fatalf("mapErr(%v) = %v, want %v", c.in, got, c.want)
			}
			for _, sentinel := range []error{ErrNotFound, ErrDuplicate, ErrUnavailable} {
				if sentinel != c.want && errors.Is(got, sentinel) {
					t.Fatalf("mapErr(%v) = %v, also %v", c.in, got, sentinel)
				}
			}
			var me *mysql.MySQLError
			var se *sqlite.Error
			if errors.As(got, &me) || errors.As(got, &se) || errors.Is(got, driver.ErrBadConn) {
				t.Fatalf("mapErr(%v) lets the driver's error through: %#v", c.in, got)
			}
		})
	}
	if mapErr(nil) != nil {
		t.Fatal("mapErr(nil) != nil")
	}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		if got := mapErr(fmt.Errorf("query: %w", ctxErr)); !errors.Is(got, ctxErr) {
			t.Fatalf("context error lost: %v", got)
		}
	}
}

// TestDriverErrorsDoNotLeak provokes real driver errors through the public
// API and checks what comes out.
func TestDriverErrorsDoNotLeak(t *testing.T) {
	forEachDialect(t, func(t *testing.T, driver string) {
		s := newTestStore(t, driver)
		ctx := testCtx(t)
		if err := s.Insert(ctx, testMessage(1, 1)); err != nil {
			t.Fatal(err)
		}
		err := s.Insert(ctx, testMessage(1, 1))
		var me *mysql.MySQLError
		var se *sqlite.Error
		if !errors.Is(err, ErrDuplicate) || errors.As(err, &me) || errors.As(err, &se) {
			t.Fatalf("duplicate insert: %#v", err)
		}
		_, _, err = s.ListMessages(ctx, 1, Filter{Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = s.GetMessage(ctx, 1, 2)
		if !errors.Is(err, ErrNotFound) || errors.As(err, &me) || errors.As(err, &se) {
			t.Fatalf("missing message: %#v", err)
		}
	})
}
