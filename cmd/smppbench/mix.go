package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Kind is a kind of test message.
type Kind uint8

// The message kinds of a [Mix].
const (
	// GSM7 is a short text in the GSM 7-bit default alphabet (data_coding
	// 0, unpacked): one submit_sm.
	GSM7 Kind = iota
	// UCS2 is a short text with Cyrillic, Chinese and an emoji (data_coding
	// 8, UTF-16BE with a surrogate pair): one submit_sm.
	UCS2
	// Long is a 400-character GSM 7-bit text: three submit_sm with an
	// 8-bit concatenation UDH, or one with message_payload (see [LongAs]).
	Long
	numKinds
)

var kindNames = [numKinds]string{"gsm7", "ucs2", "long"}

// String returns the kind's name in a mix: gsm7, ucs2 or long.
func (k Kind) String() string {
	if k < numKinds {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Mix gives each [Kind] a weight: the share of messages of that kind.
type Mix [numKinds]int

// DefaultMix returns 80 % GSM 7-bit, 10 % UCS-2 and 10 % long messages.
func DefaultMix() Mix { return Mix{GSM7: 80, UCS2: 10, Long: 10} }

// ParseMix reads "gsm7=80,ucs2=10,long=10". Kinds left out weigh 0; the
// weights are relative and need not add up to 100, but not to 0.
func ParseMix(s string) (Mix, error) {
	var m Mix
	var seen [numKinds]bool
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, w, ok := strings.Cut(part, "=")
		if !ok {
			return Mix{}, fmt.Errorf("mix %q: want KIND=WEIGHT", part)
		}
		k, ok := kindByName(strings.TrimSpace(name))
		if !ok {
			return Mix{}, fmt.Errorf("mix %q: unknown kind (want gsm7, ucs2 or long)", part)
		}
		if seen[k] {
			return Mix{}, fmt.Errorf("mix %q: %s given twice", part, k)
		}
		seen[k] = true
		n, err := strconv.Atoi(strings.TrimSpace(w))
		if err != nil || n < 0 || n > 1_000_000 {
			return Mix{}, fmt.Errorf("mix %q: weight must be a whole number from 0 to 1000000", part)
		}
		m[k] = n
	}
	if err := m.Validate(); err != nil {
		return Mix{}, err
	}
	return m, nil
}

// kindByName returns the kind called name.
func kindByName(name string) (Kind, bool) {
	for k, n := range kindNames {
		if n == name {
			return Kind(k), true
		}
	}
	return 0, false
}

// Validate reports negative weights or weights adding up to zero.
func (m Mix) Validate() error {
	total := 0
	for _, w := range m {
		if w < 0 {
			return errors.New("negative mix weight")
		}
		total += w
	}
	if total == 0 {
		return errors.New("mix weights add up to zero")
	}
	return nil
}

// String returns the mix as ParseMix reads it, with every kind.
func (m Mix) String() string {
	var b strings.Builder
	for k, w := range m {
		if k > 0 {
			b.WriteByte(',')
		}
		b.WriteString(kindNames[k])
		b.WriteByte('=')
		b.WriteString(strconv.Itoa(w))
	}
	return b.String()
}

// cycle returns the order in which messages take their kinds: the
// weights reduced by their greatest common divisor, interleaved by smooth
// weighted round robin, so that 80/10/10 repeats every 10 messages as
// 8 gsm7, 1 ucs2, 1 long spread out. Message k has kind cycle[k%len].
func (m Mix) cycle() []Kind {
	g := 0
	for _, w := range m {
		g = gcd(g, w)
	}
	var w [numKinds]int
	total := 0
	for k := range m {
		w[k] = m[k] / g
		total += w[k]
	}
	out := make([]Kind, 0, total)
	var cur [numKinds]int
	for range total {
		best := 0
		for k := range cur {
			cur[k] += w[k]
			if cur[k] > cur[best] {
				best = k
			}
		}
		cur[best] -= total
		out = append(out, Kind(best))
	}
	return out
}

// gcd returns the greatest common divisor of a and b (b when a is 0).
func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// LongAs says how a [Long] message is sent over SMPP.
type LongAs uint8

// The ways to send a long message.
const (
	// LongUDH sends three submit_sm, each with an 8-bit concatenation UDH
	// (esm_class 0x40), as handsets and most carriers expect.
	LongUDH LongAs = iota
	// LongPayload sends one submit_sm with the whole text in the
	// message_payload TLV and an empty short_message.
	LongPayload
)

// ParseLongAs reads "udh" or "payload".
func ParseLongAs(s string) (LongAs, error) {
	switch s {
	case "udh":
		return LongUDH, nil
	case "payload":
		return LongPayload, nil
	}
	return 0, fmt.Errorf("long-as %q: want udh or payload", s)
}

// String returns "udh" or "payload".
func (l LongAs) String() string {
	if l == LongPayload {
		return "payload"
	}
	return "udh"
}
