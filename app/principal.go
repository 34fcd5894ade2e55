package app

import (
	"github.com/gallant-sms/gallant/account"
	"github.com/gallant-sms/gallant/gateway"
)

// The scopes an API key can hold. ScopeAdmin implies the others.
const (
	ScopeSend  = account.ScopeSend
	ScopeRead  = account.ScopeRead
	ScopeAdmin = account.ScopeAdmin
)

// The roles a caller acts with (see package account's policy).
const (
	RoleAdmin    = string(account.RoleAdmin)    // the platform's administrators
	RoleReseller = string(account.RoleReseller) // a reseller, over its own account and its sub-accounts
	RoleOwner    = string(account.RoleOwner)    // an account's owner
	RoleMember   = string(account.RoleMember)   // an account's member: reads, and sends if CanSend
)

// The encodings of a message body.
const (
	EncodingAuto   = gateway.EncodingAuto   // GSM 7-bit when every character fits, else UCS-2
	EncodingGSM7   = gateway.EncodingGSM7   // GSM 03.38 7-bit default alphabet
	EncodingUCS2   = gateway.EncodingUCS2   // UCS-2 (UTF-16 big endian)
	EncodingBinary = gateway.EncodingBinary // 8-bit data, from SendRequest.Binary
)
