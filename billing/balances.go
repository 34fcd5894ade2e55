package billing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Config tunes [Balances].
type Config struct {
	// Chunk is how much credit one lease asks for (less when less is
	// available, more when one message needs more). Larger chunks mean
	// fewer locking transactions but more credit parked on an instance
	// that other instances cannot use until it is settled. 0 means
	// DefaultChunk.
	Chunk Micros `yaml:"chunk_micros"`
	// EmptyRetry is how long an account whose credit ran out is refused
	// without asking the database again; a top-up through the same
	// Balances ends the wait at once. 0 means DefaultEmptyRetry; negative
	// asks every time.
	EmptyRetry time.Duration `yaml:"empty_retry"`
}

// DefaultConfig returns the configuration used for zero fields.
func DefaultConfig() Config {
	return Config{Chunk: DefaultChunk, EmptyRetry: DefaultEmptyRetry}
}

// Defaults for [Config]. Ten units cover a few hundred messages at common
// prices, so a busy account leases a few times a second at most.
const (
	DefaultChunk      = 10 * MicrosPerUnit
	DefaultEmptyRetry = time.Second
)

// Validate reports a configuration that cannot work.
func (c Config) Validate() error {
	if c.Chunk < 0 {
		return fmt.Errorf("billing: chunk %d is negative", c.Chunk)
	}
	return nil
}

// Reservation is money set aside for one message by [Balances.Reserve].
// End it exactly once, with [Balances.Confirm] or [Balances.Refund].
type Reservation struct {
	AccountID int64
	Amount    Micros
	// PlanID is the price plan that priced the message, set by the
	// caller (Reserve leaves it 0); the refund policy reads it.
	PlanID  int64
	leaseID int64
}

// Balances keeps prepaid balances for one gateway instance. It is safe for
// concurrent use. Close it before closing the Writer it was given.
type Balances struct {
	st     *store.Store
	w      *store.Writer
	log    *slog.Logger
	cfg    Config
	holder string
	now    func() time.Time

	mu     sync.RWMutex
	accts  map[int64]*account
	closed bool

	failed atomic.Int64 // ledger rows the Writer could not store
}

// account is one account's lease on this instance.
type account struct {
	mu      sync.Mutex
	leaseID int64
	seq     int64     // the last ledger row number used on the lease
	local   Micros    // leased credit not reserved
	emptyAt time.Time // when a lease last found no credit; zero: not empty
	closed  bool
}

// NewBalances returns Balances leasing from st and writing charges and
// refunds through w. A nil logger discards the log.
func NewBalances(st *store.Store, w *store.Writer, cfg Config, logger *slog.Logger) (*Balances, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Chunk == 0 {
		cfg.Chunk = DefaultChunk
	}
	if cfg.EmptyRetry == 0 {
		cfg.EmptyRetry = DefaultEmptyRetry
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var tok [16]byte
	if _, err := rand.Read(tok[:]); err != nil {
		return nil, fmt.Errorf("billing: holder id: %w", err)
	}
	return &Balances{st: st, w: w, log: logger.With("component", "billing"), cfg: cfg,
		holder: hex.EncodeToString(tok[:]), now: time.Now, accts: map[int64]*account{}}, nil
}

// acct returns the state of account id, creating it.
func (b *Balances) acct(id int64) (*account, error) {
	b.mu.RLock()
	a, closed := b.accts[id], b.closed
	b.mu.RUnlock()
	if a != nil {
		return a, nil
	}
	if closed {
		return nil, ErrClosed
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, ErrClosed
	}
	if a = b.accts[id]; a == nil {
		a = &account{}
		b.accts[id] = a
	}
	return a, nil
}

// Reserve sets amount aside from account accountID's credit. It takes it
// from this instance's lease in memory; only when the lease is short does
// it lease more, in one short database transaction. It returns
// [ErrInsufficientBalance] when the account's available credit (balance
// minus credit limit, less what other instances hold) cannot cover amount.
func (b *Balances) Reserve(ctx context.Context, accountID int64, amount Micros) (Reservation, error) {
	if amount <= 0 || amount > maxPrice*maxSegments {
		return Reservation{}, ErrBadAmount
	}
	a, err := b.acct(accountID)
	if err != nil {
		return Reservation{}, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return Reservation{}, ErrClosed
	}
	if a.local < amount {
		if err := b.leaseLocked(ctx, accountID, a, amount-a.local); err != nil {
			return Reservation{}, err
		}
		if a.local < amount {
			return Reservation{}, ErrInsufficientBalance
		}
	}
	a.local -= amount
	return Reservation{AccountID: accountID, Amount: amount, leaseID: a.leaseID}, nil
}

// leaseLocked leases at least need more credit (a chunk when that is
// more) for a, unless a recently found the account empty. a.mu is held.
func (b *Balances) leaseLocked(ctx context.Context, accountID int64, a *account, need Micros) error {
	if !a.emptyAt.IsZero() && b.cfg.EmptyRetry > 0 && b.now().Sub(a.emptyAt) < b.cfg.EmptyRetry {
		return nil
	}
	id, got, err := b.st.LeaseCredit(ctx, accountID, b.holder, int64(max(need, b.cfg.Chunk)))
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("billing: account %d has no balance: %w", accountID, ErrInsufficientBalance)
		}
		return fmt.Errorf("billing: lease credit: %w", err)
	}
	if id != 0 && id != a.leaseID {
		a.leaseID, a.seq = id, 0
	}
	a.local += Micros(got)
	a.emptyAt = time.Time{}
	if a.local < need {
		a.emptyAt = b.now()
	}
	return nil
}

// Confirm makes the reservation a charge: it queues a charge row for
// message messageID to the ledger. The money stays spent.
func (b *Balances) Confirm(r Reservation, messageID sms.ID) error {
	return b.write(r, store.LedgerCharge, -r.Amount, messageID, "message charge", false)
}

// Refund ends a reservation that was not confirmed: its money goes back to
// this instance's lease and no ledger row is written.
func (b *Balances) Refund(r Reservation) error {
	if r.Amount <= 0 {
		return ErrBadAmount
	}
	a, err := b.acct(r.AccountID)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || a.leaseID != r.leaseID {
		// The lease was settled: the unconfirmed money is already back.
		return ErrClosed
	}
	a.local += r.Amount
	return nil
}

// RefundCharge gives back a confirmed charge (a message that failed after
// its carrier took it, under a plan that refunds such messages): it queues
// a refund row to the ledger and the money goes back to this instance's
// lease.
func (b *Balances) RefundCharge(r Reservation, messageID sms.ID, reason string) error {
	return b.write(r, store.LedgerRefund, r.Amount, messageID, reason, true)
}

// write queues a charge or refund of r to the ledger, drawn from this
// instance's lease of the account, and credits the lease when credit is
// set.
func (b *Balances) write(r Reservation, kind store.LedgerKind, amount Micros, messageID sms.ID, reason string, credit bool) error {
	if r.Amount <= 0 {
		return ErrBadAmount
	}
	a, err := b.acct(r.AccountID)
	if err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || a.leaseID == 0 {
		return ErrClosed
	}
	lw := &ledgerWrite{b: b, ledgerRow: ledgerRow{accountID: r.AccountID, kind: kind, amount: amount, leaseID: a.leaseID,
		seq: a.seq + 1, messageID: messageID, reason: clipReason(reason), at: b.now()}}
	if err := b.w.Add(&lw.ledgerRow, lw); err != nil {
		return fmt.Errorf("billing: %s: %w", kind, err)
	}
	a.seq++
	if credit {
		a.local += r.Amount
	}
	return nil
}

// ledgerWrite is a ledger row on its way to the Writer, with the
// Balances that learns its outcome (one allocation for both).
type ledgerWrite struct {
	ledgerRow
	b *Balances
}

// Stored logs a ledger row the Writer could not store. ErrDuplicate
// means an earlier attempt whose commit went unconfirmed stored the row:
// it is in the ledger once, as it should be.
func (lw *ledgerWrite) Stored(err error) {
	if err == nil || errors.Is(err, store.ErrDuplicate) {
		return
	}
	b, r := lw.b, &lw.ledgerRow
	b.failed.Add(1)
	b.log.Error("ledger row lost", "account", r.accountID, "kind", string(r.kind),
		"amount", int64(r.amount), "message", uint64(r.messageID), "err", err)
}

// LostRows returns how many charge and refund rows the Writer failed to
// store: money the ledger, and so the balance, does not show.
func (b *Balances) LostRows() int64 { return b.failed.Load() }

// TopUp adds amount to account accountID's balance with a ledger row
// naming reference (a payment id, say). The money is available to every
// instance at its next lease, to this one at once.
func (b *Balances) TopUp(ctx context.Context, accountID int64, amount Micros, reference string) error {
	if amount <= 0 {
		return ErrBadAmount
	}
	e := &store.LedgerEntry{AccountID: accountID, Kind: store.LedgerTopUp, Amount: int64(amount),
		Reason: clipReason(reference)}
	if err := b.st.PostBalance(ctx, e); err != nil {
		return fmt.Errorf("billing: top up: %w", err)
	}
	b.mu.RLock()
	a := b.accts[accountID]
	b.mu.RUnlock()
	if a != nil {
		a.mu.Lock()
		a.emptyAt = time.Time{}
		a.mu.Unlock()
	}
	return nil
}

// Close stops reserving, writes out the queued ledger rows and settles
// every lease of this instance, returning its unused credit to the
// balances. Reservations still open are returned too: confirming them
// afterwards fails with [ErrClosed]. Calling Close again settles what a
// failed call left.
func (b *Balances) Close(ctx context.Context) error {
	b.mu.Lock()
	b.closed = true
	accts := make(map[int64]*account, len(b.accts))
	for id, a := range b.accts {
		accts[id] = a
	}
	b.mu.Unlock()
	for _, a := range accts {
		a.mu.Lock()
		a.closed = true
		a.mu.Unlock()
	}
	if err := b.w.Flush(ctx); err != nil {
		return fmt.Errorf("billing: close: flush ledger: %w", err)
	}
	var errs []error
	for id, a := range accts {
		a.mu.Lock()
		lease := a.leaseID
		a.mu.Unlock()
		if lease == 0 {
			continue
		}
		if _, _, err := b.st.SettleLease(ctx, lease); err != nil && !errors.Is(err, store.ErrNotFound) {
			errs = append(errs, fmt.Errorf("billing: close: account %d: %w", id, err))
			continue
		}
		a.mu.Lock()
		a.leaseID, a.local = 0, 0
		a.mu.Unlock()
	}
	return errors.Join(errs...)
}
