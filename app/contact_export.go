package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/gallant-sms/gallant/contact"
	"github.com/gallant-sms/gallant/store"
)

// ContactExport streams an account's contacts as CSV: all of them, a
// list's or a segment's (contact.Export: a page of the store at a time,
// never the whole set in memory). Reading needs the read scope.
type ContactExport struct {
	st *store.Store
}

// ExportFunc writes the export it was prepared for to w.
type ExportFunc func(ctx context.Context, w io.Writer) (int, error)

// Prepare checks the caller's list or segment (0: none; not both) and
// returns the function that writes the export, to call while the answer
// streams.
func (s *ContactExport) Prepare(ctx context.Context, p Principal, listID, segmentID int64) (ExportFunc, error) {
	var (
		cond string
		args []any
		err  error
	)
	switch {
	case listID != 0 && segmentID != 0:
		return nil, Invalid("list", "give a list or a segment, not both")
	case listID != 0:
		cond, args, err = s.st.ContactListCondition(ctx, p.AccountID, listID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, NotFound("no such list")
		}
	case segmentID != 0:
		cond, args, err = s.st.SegmentCondition(ctx, p.AccountID, segmentID)
		if err != nil {
			return nil, segmentErr("export", err)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	account := p.AccountID
	return func(ctx context.Context, w io.Writer) (int, error) {
		return contact.Export(ctx, s.st, account, cond, args, w)
	}, nil
}
