// Package bench is the engine of the smppbench load generator: it drives
// an SMPP MC (the gateway, or smscsim for the raw ceiling) through N binds
// with a window each, or the gateway's HTTP API through C keep-alive
// connections, and reports throughput, latency percentiles, command
// statuses and delivery-receipt completeness.
//
// It is built not to be the bottleneck on a small machine that also runs
// the gateway, its database and the simulator: one sender goroutine per
// bind and one worker per HTTP connection (never one per message), submit_sm
// bodies encoded once and patched in place, responses handled by a
// [smpp.ResponseFunc] callback with a pointer tag (no channel and no
// allocation per message), latencies counted in fixed-size [Histogram]s
// owned by one goroutine each and merged at the end.
//
// [RunSMPP] and [RunHTTP] are the entry points; cmd/smppbench wires them
// to flags.
package bench
