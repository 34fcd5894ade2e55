package store

import (
	"context"
	"fmt"
)

// SegmentCondition returns segment segmentID of account accountID as a
// SQL boolean condition over the contacts table aliased "c" (for
// "SELECT ... FROM contacts c WHERE c.account_id = ? AND (<cond>)"),
// with its arguments, in this store's dialect. A segment that does not
// exist is [ErrNotFound].
//
// Contract for issue 13: the segments work replaces this body.
func (s *Store) SegmentCondition(ctx context.Context, accountID, segmentID int64) (string, []any, error) {
	return "", nil, fmt.Errorf("store: segment %d: %w", segmentID, ErrNotFound)
}
