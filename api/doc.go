// Package api serves Gallant's HTTP API on fasthttp: sending messages
// (one at a time or in batches of up to [MaxBatch]), reading a message with
// its status history, listing messages with cursor pagination, plus
// /healthz, /readyz and the OpenAPI document at /openapi.json. Its
// Prometheus metrics are registered with the registerer given to [New];
// serving them is the binary's business (on a listener of its own, off
// the public port).
//
// Handlers stay thin: they authenticate the caller ([Authenticator]),
// parse the request, call a service ([Messages], [Idempotency], [Health])
// and write the answer. The services are small interfaces declared here,
// where they are consumed; the gateway and account packages are adapted to
// them by the binary that wires everything. Every error reaches the client
// as an RFC 9457 problem document (application/problem+json) with a stable
// type; see [Error] and docs/api.md.
package api
