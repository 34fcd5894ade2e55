package consent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/sms"
	"github.com/gallant-sms/gallant/store"
)

// Source says who recorded an opt-out.
type Source string

// The sources of opt-outs (issue 12).
const (
	SourceKeyword  Source = "keyword"      // a STOP (or START) sent by the number
	SourceAPI      Source = "api"          // the account, through the API or the dashboard
	SourceImport   Source = "import"       // an account's CSV import
	SourceCarrier  Source = "carrier"      // a carrier's "recipient opted out" error
	SourceRegistry Source = "dnd-registry" // a national do-not-disturb registry
	SourceOperator Source = "operator"     // the platform's operator
)

// Record is one opt-out (Change.OptOut) or opt-in again to store, with
// where it came from.
type Record struct {
	Change
	Source  Source
	Keyword string // the keyword, when an MO said it
	MOID    sms.ID // that MO
	At      time.Time
}

// LedgerConfig tunes a [Ledger]; zero fields take the defaults.
type LedgerConfig struct {
	// Poll is how often the ledger's tail is read (default 250 ms): an
	// opt-out recorded on another instance is enforced here within about
	// that.
	Poll time.Duration
	// HoleWait is how long an id skipped in the tail is looked for again
	// before it is taken as a gap that will never fill (a rolled-back
	// insert); default 30 s.
	HoleWait time.Duration
	Logger   *slog.Logger
}

// Ledger keeps an [Index] equal to the store's opt-out ledger: it loads
// the ledger, then reads its tail every Poll, so that what one instance
// records every instance enforces. Record writes to the ledger and
// applies at once here.
type Ledger struct {
	st  *store.Store
	idx *Index
	cfg LedgerConfig

	mu sync.Mutex // one reader of the tail, or one Record, at a time
	// last is the highest id applied; holes are ids below it that were
	// missing when read past (a transaction not yet committed), with when
	// they were first missed.
	last  int64
	holes map[int64]time.Time

	// recorded, when set, is told of each Record (OnRecorded).
	recorded atomic.Pointer[func([]store.OptOut)]
}

// DefaultPoll is LedgerConfig.Poll's default: how often each instance
// reads the ledger's tail, so an opt-out recorded anywhere is enforced
// everywhere within about that (issue 12 asks for one second).
const DefaultPoll = 250 * time.Millisecond

// tailPage is the rows read per query of the tail.
const tailPage = 10_000

// maxHoles bounds the ids looked for again; past it, the oldest are
// given up (a burst of rolled-back inserts, say).
const maxHoles = 1000

// NewLedger returns a Ledger of st feeding idx. Call [Ledger.Load]
// before serving, then [Ledger.Run].
func NewLedger(st *store.Store, idx *Index, cfg LedgerConfig) *Ledger {
	if cfg.Poll <= 0 {
		cfg.Poll = DefaultPoll
	}
	if cfg.HoleWait <= 0 {
		cfg.HoleWait = 30 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Ledger{st: st, idx: idx, cfg: cfg, holes: map[int64]time.Time{}}
}

// Index is the index the Ledger keeps.
func (l *Ledger) Index() *Index { return l.idx }

// Load reads the whole ledger into the index (the first read of the
// tail). It is CatchUp under the name a caller uses before serving.
func (l *Ledger) Load(ctx context.Context) error { return l.CatchUp(ctx) }

// CatchUp reads the tail until it has read all of it.
func (l *Ledger) CatchUp(ctx context.Context) error {
	for {
		n, err := l.Sync(ctx)
		if err != nil {
			return err
		}
		if n < tailPage {
			return nil
		}
	}
}

// Run reads the tail every Poll until ctx ends. Errors are logged and
// the next poll tries again.
func (l *Ledger) Run(ctx context.Context) {
	t := time.NewTicker(l.cfg.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := l.CatchUp(ctx); err != nil && ctx.Err() == nil {
			l.cfg.Logger.Warn("opt-out ledger: read the tail", "err", err)
		}
	}
}

// Sync reads one page of the ledger's tail and the ids it skipped before,
// applies them, and returns how many rows the page held.
func (l *Ledger) Sync(ctx context.Context) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.refill(ctx); err != nil {
		return 0, err
	}
	rows, err := l.st.OptOutsAfter(ctx, l.last, tailPage)
	if err != nil {
		return 0, fmt.Errorf("consent: ledger tail: %w", err)
	}
	now := time.Now()
	changes := make([]Change, 0, len(rows))
	for _, r := range rows {
		for id := l.last + 1; id < r.ID; id++ {
			l.holes[id] = now
		}
		l.last = r.ID
		changes = append(changes, changeOf(r))
	}
	l.trimHoles()
	l.idx.Apply(changes...)
	return len(rows), nil
}

// refill looks again for the ids skipped in the tail. A row that turns up
// late may be older than rows of its number already applied, so for each
// the newest row of its entry is what is applied.
func (l *Ledger) refill(ctx context.Context) error {
	if len(l.holes) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(l.holes))
	for id := range l.holes {
		ids = append(ids, id)
	}
	rows, err := l.st.OptOutsByID(ctx, ids)
	if err != nil {
		return fmt.Errorf("consent: ledger holes: %w", err)
	}
	var changes []Change
	for _, r := range rows {
		delete(l.holes, r.ID)
		latest, err := l.st.LatestOptOut(ctx, r.Scope, r.AccountID, r.Sender, r.Number)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("consent: ledger hole %d: %w", r.ID, err)
		}
		if err == nil {
			r = latest
		}
		changes = append(changes, changeOf(r))
	}
	l.idx.Apply(changes...)
	now := time.Now()
	for id, since := range l.holes {
		if now.Sub(since) > l.cfg.HoleWait {
			delete(l.holes, id)
		}
	}
	return nil
}

// trimHoles gives up the oldest holes past maxHoles.
func (l *Ledger) trimHoles() {
	for len(l.holes) > maxHoles {
		var oldest int64 = -1
		for id := range l.holes {
			if oldest < 0 || id < oldest {
				oldest = id
			}
		}
		delete(l.holes, oldest)
	}
}

func changeOf(r store.OptOut) Change {
	return Change{Entry: Entry{Scope: Scope(r.Scope), Account: r.AccountID, Sender: r.Sender, Number: r.Number},
		OptOut: r.OptedOut}
}

// Record stores recs in the ledger (all or none) and applies them to
// this instance's index at once; other instances apply them at their
// next poll.
func (l *Ledger) Record(ctx context.Context, recs ...Record) error {
	if len(recs) == 0 {
		return nil
	}
	rows := make([]store.OptOut, len(recs))
	changes := make([]Change, len(recs))
	for i, r := range recs {
		r.Entry = r.Entry.normal()
		if r.Scope < ScopeGlobal || r.Scope > ScopeSender {
			return fmt.Errorf("consent: record %s: unknown scope %d", r.Number, r.Scope)
		}
		rows[i] = store.OptOut{Scope: uint8(r.Scope), AccountID: r.Account, Sender: r.Sender, Number: r.Number,
			OptedOut: r.OptOut, Source: string(r.Source), Keyword: r.Keyword, MOID: r.MOID, CreatedAt: r.At}
		changes[i] = r.Change
		changes[i].Entry = r.Entry
	}
	// Under the tail's lock: a read of the tail that saw an older row of
	// the same number, but not these, cannot apply it after them.
	l.mu.Lock()
	if err := l.st.AddOptOuts(ctx, rows); err != nil {
		l.mu.Unlock()
		return fmt.Errorf("consent: record: %w", err)
	}
	l.idx.Apply(changes...)
	l.mu.Unlock()
	if f := l.recorded.Load(); f != nil {
		(*f)(rows)
	}
	return nil
}

// OnRecorded has f told of the rows of every later [Ledger.Record] on
// this ledger once they are stored (on this instance only: what others
// record is not reported here, so each change is reported once, by the
// instance that made it). f must not block for long; nil stops it.
func (l *Ledger) OnRecorded(f func(rows []store.OptOut)) {
	if f == nil {
		l.recorded.Store(nil)
		return
	}
	l.recorded.Store(&f)
}
