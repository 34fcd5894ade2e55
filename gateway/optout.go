package gateway

import (
	"context"
	"log/slog"
	"maps"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/sms"
)

// carrierOptOuts records in the consent ledger the opt-outs carriers
// signal with an error code (CarrierConfig.OptOutErrors: a
// submit_sm_resp's command_status as "0x45", or a receipt's err field
// as it came), as an account opt-out with source carrier. The carrier's
// reader goroutine only queues them (bounded; a full queue drops and
// logs), one goroutine writes them. A carrier's codes change while the
// gateway runs (set, from the ConfigSource).
type carrierOptOuts struct {
	ledger *consent.Ledger
	codes  atomic.Pointer[map[string]map[string]bool] // carrier -> codes, copied on write
	mu     sync.Mutex                                 // serialises set
	q      chan consent.Record
	log    *slog.Logger
}

// carrierOptOutQueue bounds the opt-outs waiting to be written.
const carrierOptOutQueue = 4096

func newCarrierOptOuts(ledger *consent.Ledger, carriers []CarrierConfig, log *slog.Logger) *carrierOptOuts {
	if ledger == nil {
		return nil
	}
	c := &carrierOptOuts{ledger: ledger, log: log}
	codes := map[string]map[string]bool{}
	c.codes.Store(&codes)
	for _, cc := range carriers {
		c.set(cc.Name, cc.OptOutErrors)
	}
	c.q = make(chan consent.Record, carrierOptOutQueue)
	return c
}

// set makes codes the named carrier's opt-out codes (none: nil). A nil
// carrierOptOuts does nothing.
func (c *carrierOptOuts) set(carrier string, codes []string) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	next := maps.Clone(*c.codes.Load())
	delete(next, carrier)
	if len(codes) > 0 {
		next[carrier] = make(map[string]bool, len(codes))
		for _, code := range codes {
			next[carrier][code] = true
		}
	}
	c.codes.Store(&next)
}

// seen queues an opt-out of m's recipient when carrier's code says so. A
// nil carrierOptOuts records nothing.
func (c *carrierOptOuts) seen(m *sms.Message, carrier, code string) {
	if c == nil || code == "" || !(*c.codes.Load())[carrier][code] {
		return
	}
	rec := consent.Record{Change: consent.Change{Entry: consent.Entry{Scope: consent.ScopeAccount, Account: m.AccountID,
		Number: m.Dest.Addr}, OptOut: true}, Source: consent.SourceCarrier, Keyword: code}
	select {
	case c.q <- rec:
	default:
		c.log.Warn("carrier opt-out dropped: queue full", "carrier", carrier, "code", code, "account", m.AccountID)
	}
}

// loop writes queued opt-outs until stop is closed, then what is left.
func (c *carrierOptOuts) loop(stop <-chan struct{}) {
	batch := make([]consent.Record, 0, 256)
	write := func() {
		if len(batch) == 0 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := c.ledger.Record(ctx, batch...); err != nil {
			c.log.Error("record carrier opt-outs", "count", len(batch), "err", err)
		}
		cancel()
		batch = batch[:0]
	}
	for {
		select {
		case r := <-c.q:
			batch = append(batch, r)
		more:
			for len(batch) < cap(batch) {
				select {
				case r := <-c.q:
					batch = append(batch, r)
				default:
					break more
				}
			}
			write()
		case <-stop:
			for {
				select {
				case r := <-c.q:
					batch = append(batch, r)
				default:
					write()
					return
				}
			}
		}
	}
}
