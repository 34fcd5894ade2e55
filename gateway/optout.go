package gateway

import (
	"context"
	"log/slog"
	"time"

	"github.com/gallant-sms/gallant/consent"
	"github.com/gallant-sms/gallant/sms"
)

// carrierOptOuts records in the consent ledger the opt-outs carriers
// signal with an error code (CarrierConfig.OptOutErrors: a
// submit_sm_resp's command_status as "0x45", or a receipt's err field
// as it came), as an account opt-out with source carrier. The carrier's
// reader goroutine only queues them (bounded; a full queue drops and
// logs), one goroutine writes them.
type carrierOptOuts struct {
	ledger *consent.Ledger
	codes  map[string]map[string]bool // carrier -> codes
	q      chan consent.Record
	log    *slog.Logger
}

// carrierOptOutQueue bounds the opt-outs waiting to be written.
const carrierOptOutQueue = 4096

func newCarrierOptOuts(ledger *consent.Ledger, carriers []CarrierConfig, log *slog.Logger) *carrierOptOuts {
	c := &carrierOptOuts{ledger: ledger, codes: map[string]map[string]bool{}, log: log}
	for _, cc := range carriers {
		for _, code := range cc.OptOutErrors {
			if c.codes[cc.Name] == nil {
				c.codes[cc.Name] = map[string]bool{}
			}
			c.codes[cc.Name][code] = true
		}
	}
	if ledger == nil || len(c.codes) == 0 {
		return nil
	}
	c.q = make(chan consent.Record, carrierOptOutQueue)
	return c
}

// seen queues an opt-out of m's recipient when carrier's code says so. A
// nil carrierOptOuts records nothing.
func (c *carrierOptOuts) seen(m *sms.Message, carrier, code string) {
	if c == nil || code == "" || !c.codes[carrier][code] {
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
