// Package sms holds the domain types every layer of Gallant shares: the
// message, its status and status history, delivery receipts, MO messages,
// addresses and message ids. It imports nothing else of ours.
package sms
