// Package webhook posts message status changes to customers' HTTPS
// endpoints: the JSON [Event] payload, its HMAC-SHA256 signature
// ([Sign], [Verify]) and the [Dispatcher] that delivers events with a
// fixed pool of workers, retries failed posts with jittered exponential
// back-off from one timer and one min-heap, gives up after a bound and
// reports every attempt to a [Recorder].
//
// A request carries four headers: Content-Type: application/json,
// User-Agent: Gallant-Webhook/1 and
//
//	X-Gallant-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//	X-Gallant-Signature-256: sha256=<hex HMAC-SHA256>
//
// where both MACs are keyed with the account's webhook secret. The first
// covers the string "<t>.<body>": binding the time into the MAC lets a
// receiver refuse a replayed request, and [Verify] checks both. The
// second covers the body alone ([SignBody], [VerifyBody]) for receivers
// that can only check that; it cannot reveal a replay.
//
// A receiver answers 2xx to accept an event. Network errors, 5xx and 429
// are retried, after the delay a Retry-After header asks for if there is
// one; any other answer, redirects included, is final. Retries carry the same body, so the
// event_id in it lets a receiver drop duplicates.
//
// Customers choose callback URLs, so every callback the platform makes
// goes through a client built by a [Guard], which keeps it off the
// gateway's own network: an [AddressPolicy] refuses loopback, private,
// link-local, CGNAT, unique-local and other special-purpose addresses
// (in IPv4-mapped, NAT64 and 6to4 forms too) when a URL enters and again
// on the address dialled, after DNS resolution.
//
// One tenant's receiver cannot delay or drop another's callbacks. Workers
// take deliveries round-robin across accounts, and within an account
// across its receivers (a receiver is the URL's scheme, host and port);
// at most Config.HostConcurrency posts are in flight to one receiver and
// Config.AccountConcurrency for one account, so slow receivers hold only
// that many workers. A circuit breaker per receiver
// opens after Config.BreakerFailures failed posts in a row (timeouts,
// network errors, 5xx, 429): its deliveries then wait, neither posted nor
// counted as attempts, until one probe after Config.BreakerCooldown
// closes it or opens it again for twice as long. Memory holds at most
// Config.QueueSize deliveries, one account at most
// Config.AccountQueueSize of them; with an [Outbox] (a table in the
// store), deliveries beyond that, those waiting on an open breaker when
// memory is needed and those pending at Stop are persisted and resumed
// later, by this process or another sharing the store, each claimed by
// one dispatcher at a time under a lease: nothing is dropped while the
// store works.
package webhook
