package billing

import (
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// ledgerTable is the descriptor of the store's billing_ledger table for
// charges and refunds written through the Writer; built once, immutable.
var ledgerTable = mustLedgerTable()

func mustLedgerTable() *store.Table {
	t, err := store.NewTable(store.LedgerTableName,
		"account_id", "kind", "amount", "hold", "lease_id", "message_id", "reason", "created_at", "seq")
	if err != nil {
		panic("billing: BUG: ledger table: " + err.Error())
	}
	return t
}

// maxReason is the width of the ledger's reason column.
const maxReason = 255

// ledgerRow is a charge or refund on its way to the ledger through the
// store's Writer. It implements [store.Record].
type ledgerRow struct {
	accountID int64
	kind      store.LedgerKind
	amount    Micros
	leaseID   int64
	seq       int64 // numbers the lease's rows from 1; unique with leaseID
	messageID sms.ID
	reason    string
	at        time.Time
}

var _ store.Record = (*ledgerRow)(nil)

// Table implements [store.Record].
func (r *ledgerRow) Table() *store.Table { return ledgerTable }

// AppendValues implements [store.Record].
func (r *ledgerRow) AppendValues(v *store.Values) {
	v.Int(r.accountID)
	v.String(string(r.kind))
	v.Int(int64(r.amount))
	v.Int(0) // charges and refunds hold nothing
	v.Int(r.leaseID)
	v.ID(r.messageID)
	v.String(r.reason)
	v.Time(r.at)
	v.Int(r.seq)
}

// clipReason cuts s to the reason column without splitting a UTF-8
// sequence.
func clipReason(s string) string {
	if len(s) <= maxReason {
		return s
	}
	n := maxReason
	for n > 0 && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}
