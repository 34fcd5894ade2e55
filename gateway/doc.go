// Package gateway is the service core of Gallant: one submit path for
// SMPP and HTTP customers (validate, consent, throttle, route, persist,
// dispatch), the carrier binds the router sends through, and the way back
// for what carriers return: delivery receipts turned into status events,
// SMPP deliver_sm receipts for SMPP customers (held while they are not
// bound) and signed webhooks for HTTP customers, and MO messages stored.
//
// Durability: in durable mode a message is acknowledged only after its
// row is committed by the store's batched writer (group commit); in fast
// mode it is acknowledged at once and persisted behind. Either way a
// message accepted but not yet acknowledged by a carrier when the process
// dies is found by [Service.Start] (store.Unfinished) and sent again.
package gateway
