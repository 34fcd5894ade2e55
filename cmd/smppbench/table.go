package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the report as an aligned table for people.
func (rep *SMPPReport) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	rate := "flat out"
	if rep.Rate > 0 {
		rate = fmt.Sprintf("%.0f msg/s", rep.Rate)
	}
	p := func(format string, args ...any) { fmt.Fprintf(tw, format+"\n", args...) }
	p("smppbench\tSMPP %s, %d %s bind(s), window %d, %s, long as %s%s", rep.Addr, rep.Binds, rep.BindType,
		rep.Window, rate, rep.LongAs, interrupted(rep.Interrupted))
	p("messages\t%d\t(%s)", rep.Messages, kindCounts(rep.MessagesByKind))
	p("submit_sm\t%d\tsent", rep.SubmitSM)
	p("accepted\t%d\t%.1f/s over %.2f s (%.1f msg/s)", rep.SubmitOK, rep.AcceptedPerSecond, rep.SendSeconds, rep.MessagesPerSecond)
	p("refused\t%d\tincluding %d generic_nack; %d resent after ESME_RTHROTTLED/ESME_RMSGQFUL", rep.SubmitRefused, rep.GenericNacks, rep.SubmitResent)
	p("errors\t%d\ttimeouts %d, connection lost %d, not sent %d, bad responses %d",
		rep.SubmitTimeouts+rep.SubmitLost+rep.SendErrors+rep.BadResponses,
		rep.SubmitTimeouts, rep.SubmitLost, rep.SendErrors, rep.BadResponses)
	p("submit_sm_resp\t%s", latencyText(rep.SubmitLatency))
	for i, st := range rep.Statuses {
		label := ""
		if i == 0 {
			label = "command_status"
		}
		p("%s\t%s %s\t%d", label, st.Status, st.Name, st.Count)
	}
	if rep.RegisteredDelivery {
		rc := rep.Receipts
		p("receipts\t%d of %d\tmatched (%s), missing %d, duplicates %d, unknown %d, intermediate %d, invalid %d",
			rc.Matched, rc.Expected, percent(rc.Matched, rc.Expected), rc.Missing, rc.Duplicates, rc.Unknown, rc.Intermediate, rc.Invalid)
		p("receipt rate\t%.1f/s\tover %.2f s, waited %.2f s after the last response", rc.PerSecond, rc.Seconds, rc.WaitSeconds)
		p("receipt latency\t%s", latencyText(rc.Latency))
		p("receipt states\t%s", kindCounts(rc.States))
	}
	if rep.MOReceived > 0 {
		p("MO received\t%d", rep.MOReceived)
	}
	return tw.Flush()
}

// interrupted returns a note for an interrupted run.
func interrupted(b bool) string {
	if b {
		return " (interrupted)"
	}
	return ""
}

// latencyText formats a latency summary in milliseconds.
func latencyText(l Latency) string {
	if l.Count == 0 {
		return "none"
	}
	ms := func(us int64) string { return fmt.Sprintf("%.3f", float64(us)/1000) }
	return fmt.Sprintf("p50 %s ms\tp90 %s  p99 %s  p99.9 %s  max %s  mean %s (n=%d)",
		ms(l.P50US), ms(l.P90US), ms(l.P99US), ms(l.P999US), ms(l.MaxUS), ms(l.MeanUS), l.Count)
}

// kindCounts formats a count map as "a 1, b 2" in key order.
func kindCounts(m map[string]uint64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// percent formats n/of as a percentage with two decimals.
func percent(n, of uint64) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f %%", 100*float64(n)/float64(of))
}
