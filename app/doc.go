// Package app holds the use cases that the HTTP API, the command line and
// the dashboard share: sign-up and sessions, accounts and resellers, API
// keys and SMPP credentials, price plans and top-ups, reports, low-balance
// alerts, and sending and reading messages through the gateway. It
// applies the account policy (package account) to every call, and runs
// the transactions that span packages (an account is created with its
// keys, credential and balance in one).
//
// Its request and answer types are the use cases' own, and the API's:
// package api names them (api.AccountView is [AccountView]) and encodes
// them as they are, so their JSON names are the public contract of
// docs/api.md and the OpenAPI document. A refusal meant for the caller is
// an [*Error] of a [Kind]; package api answers each kind with its
// problem type, and any other error as an internal fault.
//
// [App] holds the services of a running gateway; [Admin] the platform
// admin's use cases for "gallant admin".
package app
