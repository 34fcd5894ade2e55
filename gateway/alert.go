package gateway

import (
	"context"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/store"
)

// alert_notification (SMPP 3.4 §4.12) from a carrier says that a mobile
// (source_addr) that could not be reached is reachable again, for the
// ESME address that asked (esme_addr: the source address our messages to
// it carried). It is never answered. The gateway passes it on to the
// customer whose message it concerns: among the accounts with a bind that
// may receive, the one with the newest message to that mobile from that
// address within the longest validity; it goes to a receiver or
// transceiver bind of the system_id that sent the message (or, if that
// one is not bound, of each of the account's system_ids that is). An
// alert that no bound customer's message explains is counted and
// dropped: a customer not bound would not know what to do with it later.
// Attribution reads the store, so alerts are handled off the carrier's
// reader, on one goroutine, through a bounded queue (an alert beyond it
// is counted as dropped).

// alertQueue bounds the alerts waiting to be passed on.
const alertQueue = 256

// alertTimeout bounds the store reads attributing one alert.
const alertTimeout = 10 * time.Second

// carrierAlert is one alert_notification waiting to be passed on.
type carrierAlert struct {
	carrier string
	mobile  string // source_addr, without a leading '+'
	esme    string // esme_addr
	body    []byte // the PDU body, copied: passed on as it came
}

// alert takes a carrier's alert_notification body; it never blocks.
func (c *customers) alert(carrier string, body []byte) {
	var a pdu.AlertNotification
	if err := a.Decode(body); err != nil {
		c.alertCounted("malformed")
		c.s.log.Warn("malformed alert_notification from a carrier", "carrier", carrier, "err", err)
		return
	}
	c.alertCounted("received")
	ca := &carrierAlert{carrier: carrier, mobile: strings.TrimPrefix(string(a.Source.Addr), "+"),
		esme: string(a.ESME.Addr), body: append([]byte(nil), body...)}
	select {
	case c.alerts <- ca:
	default:
		c.alertCounted("dropped")
	}
}

func (c *customers) alertCounted(result string) {
	c.s.m.smppOps.WithLabelValues("alert_notification", result).Inc()
}

// alertLoop passes queued alerts on until stop.
func (c *customers) alertLoop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.quit:
			return
		case a := <-c.alerts:
			c.passOn(a)
		}
	}
}

// passOn sends a to the binds of the customer it concerns (see above).
func (c *customers) passOn(a *carrierAlert) {
	ctx, cancel := context.WithTimeout(context.Background(), alertTimeout)
	defer cancel()
	bound := c.receivers()
	var (
		winner   *account.Binding
		systemID string
		newest   uint64
		seen     = map[int64]bool{}
	)
	from := time.Now().Add(-c.s.cfg.MaxValidity)
	for i := range bound {
		b := &bound[i]
		if seen[b.AccountID] {
			continue
		}
		seen[b.AccountID] = true
		page, _, err := c.s.st.ListMessages(ctx, b.AccountID, store.Filter{Dest: a.mobile, From: from, Limit: 100})
		if err != nil {
			c.s.log.Warn("alert_notification: read messages", "account", b.AccountID, "err", err)
			continue
		}
		for _, ms := range page { // newest first
			m := &ms.Message
			if a.esme != "" && m.Source.Addr != a.esme {
				continue
			}
			if uint64(m.ID) > newest {
				newest, winner, systemID = uint64(m.ID), b, m.SystemID
			}
			break
		}
	}
	if winner == nil {
		c.alertCounted("unattributed")
		return
	}
	targets := []string{systemID}
	if systemID == "" || len(c.sessions(systemID)) == 0 {
		targets = targets[:0]
		for _, b := range bound {
			if b.AccountID == winner.AccountID {
				targets = append(targets, b.SystemID)
			}
		}
	}
	sent := false
	for _, id := range targets {
		if sess := c.pick(id); sess != nil && sess.Notify(pdu.AlertNotificationID, a.body) == nil {
			sent = true
		}
	}
	if sent {
		c.alertCounted("passed_on")
	} else {
		c.alertCounted("unattributed")
	}
}
