package main

import (
	"slices"
	"strconv"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
)

// SMPPReport is the outcome of [RunSMPP]. Its JSON field names are
// stable: scripts (make bench) read them, and --help documents them.
type SMPPReport struct {
	Mode               string         `json:"mode"` // "smpp"
	Addr               string         `json:"addr"`
	Binds              int            `json:"binds"`
	BindType           string         `json:"bind_type"`
	Window             int            `json:"window"`
	Rate               float64        `json:"rate"` // messages/s asked for; 0 = flat out
	Mix                map[string]int `json:"mix"`
	LongAs             string         `json:"long_as"`
	RegisteredDelivery bool           `json:"registered_delivery"`
	Interrupted        bool           `json:"interrupted"` // stopped by a signal

	// Messages counts messages whose every submit_sm was sent; a long
	// message in UDH segments is one message and three submit_sm.
	Messages       uint64            `json:"messages"`
	MessagesByKind map[string]uint64 `json:"messages_by_kind"`
	SubmitSM       uint64            `json:"submit_sm"`       // submit_sm sent
	SubmitOK       uint64            `json:"submit_ok"`       // answered ESME_ROK
	SubmitRefused  uint64            `json:"submit_refused"`  // answered with another status or generic_nack
	SubmitResent   uint64            `json:"submit_resent"`   // of SubmitSM: sent again after ESME_RTHROTTLED or ESME_RMSGQFUL
	SubmitTimeouts uint64            `json:"submit_timeouts"` // no answer within the response timeout
	SubmitLost     uint64            `json:"submit_lost"`     // the connection ended before the answer
	SendErrors     uint64            `json:"send_errors"`     // submit_sm that could not be sent (a bind failed)
	GenericNacks   uint64            `json:"generic_nacks"`   // of SubmitRefused
	BadResponses   uint64            `json:"bad_responses"`   // OK answers without a message_id
	// SendSeconds runs from the first submit_sm to the last OK
	// submit_sm_resp (or to the end of sending, if later);
	// AcceptedPerSecond is SubmitOK over it.
	SendSeconds       float64       `json:"send_seconds"`
	AcceptedPerSecond float64       `json:"accepted_per_second"`
	MessagesPerSecond float64       `json:"messages_per_second"`
	SubmitLatency     Latency       `json:"submit_latency"` // submit_sm to its response, any status
	Statuses          []StatusCount `json:"statuses"`       // every command_status seen, by value
	Receipts          ReceiptReport `json:"receipts"`
	MOReceived        uint64        `json:"mo_received"` // deliver_sm that were not receipts
	// Complete is true when every expected receipt was paired (or none
	// was asked for); smppbench exits non-zero otherwise.
	Complete bool `json:"complete"`
}

// StatusCount is how many submit_sm_resp carried one command_status.
type StatusCount struct {
	Status string `json:"status"` // hex, 0x00000058
	Name   string `json:"name"`   // ESME_RTHROTTLED
	Count  uint64 `json:"count"`
}

// ReceiptReport is the delivery-receipt part of an [SMPPReport].
type ReceiptReport struct {
	Expected     uint64            `json:"expected"`     // OK submit_sm_resp that asked for one
	Received     uint64            `json:"received"`     // final receipts that arrived
	Matched      uint64            `json:"matched"`      // paired with a submitted message id
	Missing      uint64            `json:"missing"`      // Expected - Matched
	Duplicates   uint64            `json:"duplicates"`   // a second receipt for a paired id
	Unknown      uint64            `json:"unknown"`      // for an id never returned to us
	Intermediate uint64            `json:"intermediate"` // intermediate notifications, non-final states
	Invalid      uint64            `json:"invalid"`      // undecodable deliver_sm, receipts without an id
	States       map[string]uint64 `json:"states"`       // final receipts by message_state
	// Seconds runs from the first submit_sm to the last paired receipt;
	// PerSecond is Matched over it.
	Seconds     float64 `json:"seconds"`
	PerSecond   float64 `json:"per_second"`
	WaitSeconds float64 `json:"wait_seconds"` // waited after the last response
	Latency     Latency `json:"latency"`      // submit_sm sent to receipt received
}

// report builds the report once every session has ended.
func (r *smppRun) report() *SMPPReport {
	cfg := r.cfg
	rep := &SMPPReport{
		Mode: "smpp", Addr: cfg.Addr, Binds: cfg.Binds, BindType: cfg.BindType.String(),
		Window: cfg.Window, Rate: cfg.Rate, Mix: map[string]int{}, LongAs: cfg.LongAs.String(),
		RegisteredDelivery: cfg.RegisteredDelivery, Interrupted: r.interrupted,
		MessagesByKind: map[string]uint64{},
	}
	for k, w := range cfg.Mix {
		rep.Mix[kindNames[k]] = w
	}
	var kinds [numKinds]uint64
	for _, b := range r.txs {
		for k, n := range b.kinds {
			kinds[k] += n
		}
		rep.SubmitSM += b.pdus.Load()
		rep.SubmitResent += b.resent.Load()
		rep.SubmitTimeouts += b.timeouts.Load()
		rep.SubmitLost += b.lost.Load()
		rep.SendErrors += b.failed.Load()
		if b.sendErr != nil {
			r.log.Warn("a bind stopped sending", "err", b.sendErr)
		}
	}
	for k, n := range kinds {
		rep.MessagesByKind[kindNames[k]] = n
		rep.Messages += n
	}

	var submitLat, receiptLat Histogram
	statuses := map[pdu.Status]uint64{}
	var states [numStates]uint64
	var lastResp, lastReceipt int64
	rc := &rep.Receipts
	for _, rec := range r.recs {
		submitLat.Merge(&rec.submitLat)
		receiptLat.Merge(&rec.receiptLat)
		rep.SubmitOK += rec.ok.Load()
		rep.GenericNacks += rec.gnacks
		rep.BadResponses += rec.badResps
		for st, n := range rec.statuses {
			statuses[st] += n
			rep.SubmitRefused += n
		}
		for i, n := range rec.states {
			states[i] += n
		}
		rc.Received += rec.receipts
		rc.Duplicates += rec.duplicates
		rc.Unknown += rec.unsolicit
		rc.Intermediate += rec.interim
		rc.Invalid += rec.badDeliver
		rep.MOReceived += rec.mo
		lastResp = max(lastResp, rec.lastResp.Load())
		lastReceipt = max(lastReceipt, rec.lastReceipt.Load())
	}
	rep.SubmitRefused += rep.GenericNacks
	if rep.SubmitOK > 0 {
		statuses[pdu.StatusOK] = rep.SubmitOK
	}
	rep.Statuses = statusCounts(statuses)
	rep.SubmitLatency = submitLat.Summary()

	end := max(lastResp, r.sendEnd)
	if rep.SubmitOK == 0 {
		end = r.sendEnd
	}
	rep.SendSeconds = seconds(end - r.sendStart)
	rep.AcceptedPerSecond = perSecond(rep.SubmitOK, rep.SendSeconds)
	rep.MessagesPerSecond = perSecond(rep.Messages, rep.SendSeconds)

	rc.States = map[string]uint64{}
	for i, n := range states {
		if n == 0 {
			continue
		}
		name := "OTHER"
		if i < numStates-1 {
			name = pdutext.MessageState(i).String()
		}
		rc.States[name] = n
	}
	if r.ids != nil {
		rc.Expected = uint64(r.expected.Load())
		rc.Matched = uint64(r.matched.Load())
		rc.Missing = rc.Expected - min(rc.Matched, rc.Expected)
		dups, unknown := r.ids.classify()
		rc.Duplicates += uint64(dups)
		rc.Unknown += uint64(unknown)
	}
	if lastReceipt > 0 {
		rc.Seconds = seconds(lastReceipt - r.sendStart)
		rc.PerSecond = perSecond(rc.Matched, rc.Seconds)
	}
	rc.WaitSeconds = seconds(r.waitEnd - r.waitStart)
	rc.Latency = receiptLat.Summary()
	rep.Complete = rc.Missing == 0
	return rep
}

// statusCounts lists the statuses by value.
func statusCounts(m map[pdu.Status]uint64) []StatusCount {
	keys := make([]pdu.Status, 0, len(m))
	for st := range m {
		keys = append(keys, st)
	}
	slices.Sort(keys)
	out := make([]StatusCount, 0, len(keys))
	for _, st := range keys {
		out = append(out, StatusCount{Status: statusHex(st), Name: st.Name(), Count: m[st]})
	}
	return out
}

// statusHex writes st as 0x followed by eight hex digits.
func statusHex(st pdu.Status) string {
	h := strconv.FormatUint(uint64(st), 16)
	for len(h) < 8 {
		h = "0" + h
	}
	return "0x" + h
}

// seconds converts run-clock nanoseconds to seconds.
func seconds(ns int64) float64 { return time.Duration(max(ns, 0)).Seconds() }

// perSecond returns n/secs, 0 for an empty interval.
func perSecond(n uint64, secs float64) float64 {
	if secs <= 0 {
		return 0
	}
	return float64(n) / secs
}
