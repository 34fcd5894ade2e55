package store

import (
	"context"
	"fmt"

	"github.com/gallant-sms/gallant/sms"
)

// InsertMO stores an MO message. Busy receivers batch MOs through a
// [Writer] instead. An id already stored gives [ErrDuplicate].
func (s *Store) InsertMO(ctx context.Context, mo *sms.MO) error {
	return s.Insert(ctx, mo)
}

// ListMO returns a page of account accountID's MO messages, newest first,
// and the cursor for the next page (zero on the last page). after is zero
// for the first page, then the cursor returned with the previous one;
// limit is 1 to 1,000, zero meaning 100.
func (s *Store) ListMO(ctx context.Context, accountID int64, after sms.ID, limit int) ([]sms.MO, sms.ID, error) {
	switch {
	case limit == 0:
		limit = defaultListLimit
	case limit < 0 || limit > maxListLimit:
		return nil, 0, fmt.Errorf("%w: list limit %d not in 1..%d", ErrInvalid, limit, maxListLimit)
	}
	q := "SELECT id, account_id, carrier, src_ton, src_npi, src_addr, dst_ton, dst_npi, dst_addr, " +
		"data_coding, esm_class, body, received_at FROM mo_messages WHERE account_id = ?"
	args := []any{accountID}
	if after != 0 {
		q += " AND id < ?"
		args = append(args, s.idArg(after))
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, limit+1)
	var rows []struct {
		ID         dbID   `db:"id"`
		AccountID  int64  `db:"account_id"`
		Carrier    string `db:"carrier"`
		SrcTON     uint8  `db:"src_ton"`
		SrcNPI     uint8  `db:"src_npi"`
		SrcAddr    string `db:"src_addr"`
		DstTON     uint8  `db:"dst_ton"`
		DstNPI     uint8  `db:"dst_npi"`
		DstAddr    string `db:"dst_addr"`
		DataCoding uint8  `db:"data_coding"`
		ESMClass   uint8  `db:"esm_class"`
		Body       []byte `db:"body"`
		ReceivedAt dbTime `db:"received_at"`
	}
	if err := s.r.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, 0, fmt.Errorf("store: list mo: %w", mapErr(err))
	}
	var next sms.ID
	if len(rows) > limit {
		rows = rows[:limit]
		next = sms.ID(rows[limit-1].ID)
	}
	out := make([]sms.MO, len(rows))
	for i, r := range rows {
		body := r.Body
		if body == nil {
			body = []byte{}
		}
		out[i] = sms.MO{ID: sms.ID(r.ID), AccountID: r.AccountID, Carrier: r.Carrier,
			Source:     sms.Address{TON: r.SrcTON, NPI: r.SrcNPI, Addr: r.SrcAddr},
			Dest:       sms.Address{TON: r.DstTON, NPI: r.DstNPI, Addr: r.DstAddr},
			DataCoding: r.DataCoding, ESMClass: r.ESMClass, Body: body, ReceivedAt: r.ReceivedAt.Time}
	}
	return out, next, nil
}
