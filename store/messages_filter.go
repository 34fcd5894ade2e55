package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/sms"
)

// Slack around a campaign's launch and finish when its window is turned
// into message ids: ids follow their generator's clock, which may differ a
// little between instances sharing the store, or run ahead under a burst.
const (
	campaignLeadSlack  = time.Minute
	campaignTrailSlack = time.Hour
)

// firstIDAt is the smallest message id generated at or after t (ids hold
// their millisecond in the top bits, see [sms.ID]).
func firstIDAt(t time.Time) sms.ID {
	if !t.After(sms.Epoch) {
		return 0
	}
	return sms.ID(uint64(t.Sub(sms.Epoch)/time.Millisecond) << (sms.NodeBits + sms.SeqBits))
}

// campaignRef is the client reference prefix of campaign id's messages
// (campaign.ClientRef: "cmp:<campaign>:<recipient>").
func campaignRef(id int64) string { return "cmp:" + strconv.FormatInt(id, 10) + ":" }

// campaignFilter appends to q the conditions keeping account accountID's
// messages of campaign id. The campaign engine tags each message with the
// client reference cmp:<campaign>:<recipient>, so no join is needed; the
// rows to test are bounded by the campaign's run: ids from its launch
// (less a minute) to its finish (plus an hour) when it has finished, a
// range of the messages' primary key (and of the account's (account_id,
// id) index) — no index is added, and sending pays nothing for the filter.
// ok is false when nothing can match: no such campaign of the account, or
// one never launched.
func (s *Store) campaignFilter(ctx context.Context, q *strings.Builder, args []any, accountID, id int64) ([]any, bool, error) {
	var row struct {
		LaunchedAt dbTime `db:"launched_at"`
		FinishedAt dbTime `db:"finished_at"`
	}
	err := s.r.GetContext(ctx, &row, "SELECT launched_at, finished_at FROM campaigns WHERE id = ? AND account_id = ?", id, accountID)
	if errors.Is(mapErr(err), ErrNotFound) {
		return args, false, nil
	}
	if err != nil {
		return args, false, fmt.Errorf("store: campaign %d window: %w", id, mapErr(err))
	}
	if row.LaunchedAt.IsZero() {
		return args, false, nil
	}
	q.WriteString(" AND m.id >= ?")
	args = append(args, s.idArg(firstIDAt(row.LaunchedAt.Add(-campaignLeadSlack))))
	if !row.FinishedAt.IsZero() {
		q.WriteString(" AND m.id < ?")
		args = append(args, s.idArg(firstIDAt(row.FinishedAt.Add(campaignTrailSlack))))
	}
	// The prefix is digits and colons: no LIKE wildcard to escape.
	q.WriteString(" AND m.client_ref LIKE ?")
	args = append(args, campaignRef(id)+"%")
	return args, true, nil
}
