package gateway

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/sms"
)

// metrics are the gateway's Prometheus metrics.
type metrics struct {
	acceptedSMPP, acceptedHTTP prometheus.Counter
	refusedVec                 *prometheus.CounterVec
	submitted, failed          prometheus.Counter
	finalVec                   *prometheus.CounterVec
	receiptVec                 *prometheus.CounterVec
	custReceiptVec             *prometheus.CounterVec
	heldDelivered              prometheus.Counter
	mo                         prometheus.Counter
	parked, scheduled          prometheus.Gauge
	customerBinds              prometheus.Gauge
	smppRefused                [numRefusals]prometheus.Counter
	bindGuardRedisErrors       prometheus.Counter
	bindsEnded                 prometheus.Counter
	bindsUp                    *prometheus.GaugeVec
	eventsLost, lostFast       prometheus.Counter
	eventsFolded               prometheus.Counter
	unmatchable                prometheus.Counter
	webhooksDropped            prometheus.Counter
	carrierInboundErrors       *prometheus.CounterVec
	refundsVec                 *prometheus.CounterVec
	smppOps                    *prometheus.CounterVec
	// submitLatency and receiptLatency are by carrier; each carrier
	// holds its own Observer (carrier.submitLat, carrier.receiptLat).
	submitLatency, receiptLatency *prometheus.HistogramVec
	// configVersion is the version of the stored carriers and routes the
	// instance routes by; configRestart the carriers whose stored
	// settings it runs only after a restart (hotconfig.go).
	configVersion, configRestart prometheus.Gauge
}

func newMetrics(reg prometheus.Registerer, d Durability) *metrics {
	const ns = "gallant_gateway"
	accepted := prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "accepted_total",
		Help: "Messages accepted, by ingress."}, []string{"ingress"})
	m := &metrics{
		acceptedSMPP: accepted.WithLabelValues("smpp"),
		acceptedHTTP: accepted.WithLabelValues("http"),
		refusedVec: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "refused_total",
			Help: "Messages refused, by problem type."}, []string{"reason"}),
		submitted: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "segments_submitted_total",
			Help: "Segments acknowledged by carriers."}),
		failed: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "segments_failed_total",
			Help: "Segments that could not be sent."}),
		finalVec: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "messages_final_total",
			Help: "Messages that reached a final status, by status."}, []string{"status"}),
		receiptVec: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "carrier_receipts_total",
			Help: "Delivery receipts from carriers, by outcome (matched, unmatched, ignored)."}, []string{"result"}),
		custReceiptVec: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "customer_receipts_total",
			Help: "Delivery receipts to SMPP customers, by outcome (delivered, held, dropped)."}, []string{"result"}),
		heldDelivered: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "held_receipts_delivered_total",
			Help: "Held receipts delivered when their customer bound."}),
		mo: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "mo_total", Help: "MO messages stored."}),
		parked: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "parked",
			Help: "Messages persisted and waiting for room in a carrier queue."}),
		scheduled: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "scheduled",
			Help: "Messages held until their send time."}),
		customerBinds: prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "customer_binds",
			Help: "Customer SMPP binds open."}),
		smppRefused: newRefusalCounters(reg),
		bindGuardRedisErrors: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "bind_guard_redis_errors_total",
			Help: "Failed-bind limiter calls to Redis that failed (answered from process memory instead)."}),
		bindsEnded: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "customer_binds_ended_total",
			Help: "Customer binds ended because their credential, account status or address no longer allows them."}),
		bindsUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: ns, Name: "carrier_bind_up",
			Help: "1 when a carrier bind is bound."}, []string{"carrier", "bind"}),
		eventsLost: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "events_unrecorded_total",
			Help: "Status events the writer could not store."}),
		eventsFolded: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "events_folded_total",
			Help: "Final status events written into their segment's still queued \"submitted\" row (one row instead of two)."}),
		lostFast: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "fast_mode_unpersisted_total",
			Help: "Messages acknowledged in fast mode whose row could not be stored."}),
		unmatchable: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "carrier_acks_without_id_total",
			Help: "Carrier submit_sm_resp without a usable message id."}),
		webhooksDropped: prometheus.NewCounter(prometheus.CounterOpts{Namespace: ns, Name: "webhooks_dropped_total",
			Help: "Status webhooks not queued (backlog)."}),
		carrierInboundErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "carrier_inbound_errors_total",
			Help: "Carrier requests (deliver_sm, data_sm...) answered with an error, by carrier, command and status; a carrier may never send them again."},
			[]string{"carrier", "command", "status"}),
		refundsVec: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "refunds_total",
			Help: "Refunds of undelivered messages tried, by result: refunded, already (refunded before), never_charged, given_up."},
			[]string{"result"}),
		smppOps: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: ns, Name: "smpp_operations_total",
			Help: "replace_sm from customers and alert_notification from carriers, by operation and result."}, []string{"op", "result"}),
	}
	m.submitLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "submit_latency_seconds",
		Help:    "From a message's acceptance (or its send time, when scheduled) to the carrier's submit_sm_resp accepting a segment, by carrier.",
		Buckets: prometheus.ExponentialBuckets(0.001, 2, 16), // 1 ms .. 33 s
	}, []string{"carrier"})
	m.receiptLatency = prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: ns, Name: "receipt_latency_seconds",
		Help:    "From a carrier's submit_sm_resp to its delivery receipt for the segment, by carrier (receipts matched in memory).",
		Buckets: prometheus.ExponentialBuckets(0.1, 2, 16), // 100 ms .. 55 min
	}, []string{"carrier"})
	fast := prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "durability_fast",
		Help: "1 when the gateway acknowledges before persisting (fast mode), 0 in durable mode."})
	if d == Fast {
		fast.Set(1)
	}
	m.configVersion = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "config_version_applied",
		Help: "Version of the stored carriers and routes this instance routes by (-1: none applied yet)."})
	m.configVersion.Set(-1)
	m.configRestart = prometheus.NewGauge(prometheus.GaugeOpts{Namespace: ns, Name: "carriers_restart_pending",
		Help: "Carriers whose stored settings (added, changed or removed) could not apply on this instance (see its log); the next change or a restart tries again."})
	if reg != nil {
		reg.MustRegister(m.configVersion, m.configRestart)
		reg.MustRegister(accepted, m.refusedVec, m.submitted, m.failed, m.finalVec, m.receiptVec, m.custReceiptVec,
			m.heldDelivered, m.mo, m.parked, m.scheduled, m.customerBinds, m.bindGuardRedisErrors, m.bindsEnded, m.bindsUp,
			m.eventsLost, m.eventsFolded, m.lostFast, m.unmatchable, m.webhooksDropped, m.carrierInboundErrors, m.smppOps, fast)
		reg.MustRegister(m.refundsVec, m.submitLatency, m.receiptLatency)
	}
	return m
}

func (m *metrics) accepted(msg *sms.Message) {
	if msg.Ingress == sms.IngressSMPP {
		m.acceptedSMPP.Inc()
	} else {
		m.acceptedHTTP.Inc()
	}
}

func (m *metrics) refused(reason string)             { m.refusedVec.WithLabelValues(reason).Inc() }
func (m *metrics) final(st sms.Status)               { m.finalVec.WithLabelValues(st.String()).Inc() }
func (m *metrics) receipts(result string)            { m.receiptVec.WithLabelValues(result).Inc() }
func (m *metrics) receiptsToCustomers(result string) { m.custReceiptVec.WithLabelValues(result).Inc() }

// carrierInboundError counts a carrier's request answered with an error;
// cmd 0 is a command_id the gateway does not know.
func (m *metrics) carrierInboundError(carrier string, cmd pdu.CommandID, st pdu.Status) {
	name := "unknown"
	if cmd != 0 {
		name = cmd.String()
	}
	m.carrierInboundErrors.WithLabelValues(carrier, name, st.Name()).Inc()
}

func (m *metrics) bindUp(carrier string, bind int, up bool) {
	v := 0.0
	if up {
		v = 1
	}
	m.bindsUp.WithLabelValues(carrier, strconv.Itoa(bind)).Set(v)
}
