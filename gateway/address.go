package gateway

import (
	"github.com/gallant-sms/gallant/smpp/pdu"
	"github.com/gallant-sms/gallant/smpp/pdutext"
	"github.com/gallant-sms/gallant/sms"
)

// TON and NPI values the gateway uses (SMPP 3.4 §5.2.5, §5.2.6).
const (
	tonUnknown       = 0
	tonInternational = 1
	tonNational      = 2
	tonNetwork       = 3
	tonAlphanumeric  = 5
	npiUnknown       = 0
	npiISDN          = 1
)

// E.164 numbers carry at most 15 digits; the shortest routable
// international numbers (country code plus subscriber) have about 7.
const (
	minE164Digits  = 7
	maxE164Digits  = 15
	maxShortCode   = 8 // short codes are 3–8 digits
	minShortCode   = 3
	maxAlphaSender = 11 // GSM TP-OA holds 11 alphanumeric characters
)

// digitsOnly strips one leading '+' and reports whether the rest is all
// ASCII digits.
func digitsOnly(s string) (string, bool) {
	if len(s) > 0 && s[0] == '+' {
		s = s[1:]
	}
	if s == "" {
		return s, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return s, false
		}
	}
	return s, true
}

// Destination normalises a destination to E.164 digits with TON 1/NPI 1.
// Unknown (0) and international (1) TONs are accepted with or without a
// leading '+'; any other TON is refused, since the gateway routes on
// international numbers only.
func Destination(ton, npi byte, addr string) (sms.Address, *Refusal) {
	if ton != tonUnknown && ton != tonInternational {
		return sms.Address{}, refuse(pdu.StatusInvDstTON, ProblemInvalidNumber, 400, "to",
			"destination must be an international number (TON 0 or 1)")
	}
	if npi != npiUnknown && npi != npiISDN {
		return sms.Address{}, refuse(pdu.StatusInvDstNPI, ProblemInvalidNumber, 400, "to",
			"destination numbering plan must be E.164 (NPI 1)")
	}
	d, ok := digitsOnly(addr)
	if !ok || len(d) < minE164Digits || len(d) > maxE164Digits || d[0] == '0' {
		return sms.Address{}, refuse(pdu.StatusInvDstAdr, ProblemInvalidNumber, 400, "to",
			"destination must be an E.164 number: 7 to 15 digits with country code, optionally after '+'")
	}
	return sms.Address{TON: tonInternational, NPI: npiISDN, Addr: d}, nil
}

// Source validates a sender given with an explicit TON/NPI, as SMPP
// customers give it: alphanumeric (TON 5) up to 11 GSM characters,
// international (TON 1) E.164 digits, national or network-specific short
// codes and numbers (TON 2, 3) as digits. TON 0 is detected from the text.
func Source(ton, npi byte, addr string) (sms.Address, *Refusal) {
	switch ton {
	case tonUnknown:
		return AutoSource(addr)
	case tonAlphanumeric:
		if !alphaSender(addr) {
			return sms.Address{}, badSender(pdu.StatusInvSrcAdr, "an alphanumeric sender has 1 to 11 GSM characters")
		}
		return sms.Address{TON: tonAlphanumeric, NPI: npiUnknown, Addr: addr}, nil
	case tonInternational:
		d, ok := digitsOnly(addr)
		if !ok || len(d) < minE164Digits || len(d) > maxE164Digits {
			return sms.Address{}, badSender(pdu.StatusInvSrcAdr, "an international sender is 7 to 15 digits")
		}
		return sms.Address{TON: tonInternational, NPI: npiISDN, Addr: d}, nil
	case tonNational, tonNetwork:
		d, ok := digitsOnly(addr)
		if !ok || len(d) < minShortCode || len(d) > maxE164Digits {
			return sms.Address{}, badSender(pdu.StatusInvSrcAdr, "a national or short-code sender is 3 to 15 digits")
		}
		return sms.Address{TON: ton, NPI: npi, Addr: d}, nil
	}
	return sms.Address{}, badSender(pdu.StatusInvSrcTON, "sender TON must be 0, 1, 2, 3 or 5")
}

// AutoSource detects the kind of a sender given as text (HTTP, or SMPP
// with TON 0): '+' and digits or more than 8 digits is international
// (1/1); 3–8 digits is a short code (3/0); anything else must be an
// alphanumeric sender (5/0).
func AutoSource(addr string) (sms.Address, *Refusal) {
	if d, ok := digitsOnly(addr); ok {
		switch {
		case addr[0] == '+' || len(d) > maxShortCode:
			if len(d) < minE164Digits || len(d) > maxE164Digits {
				return sms.Address{}, badSender(pdu.StatusInvSrcAdr, "an international sender is 7 to 15 digits")
			}
			return sms.Address{TON: tonInternational, NPI: npiISDN, Addr: d}, nil
		case len(d) >= minShortCode:
			return sms.Address{TON: tonNetwork, NPI: npiUnknown, Addr: d}, nil
		}
		return sms.Address{}, badSender(pdu.StatusInvSrcAdr, "a short code has 3 to 8 digits")
	}
	if !alphaSender(addr) {
		return sms.Address{}, badSender(pdu.StatusInvSrcAdr,
			"sender must be a phone number, a 3–8 digit short code, or 1 to 11 GSM characters")
	}
	return sms.Address{TON: tonAlphanumeric, NPI: npiUnknown, Addr: addr}, nil
}

func alphaSender(s string) bool {
	n, ok := pdutext.GSM7Septets(s)
	return ok && n >= 1 && n <= maxAlphaSender && len(s) <= 3*maxAlphaSender
}

func badSender(st pdu.Status, detail string) *Refusal {
	return refuse(st, ProblemInvalidSender, 400, "from", detail)
}
