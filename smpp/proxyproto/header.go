// Package proxyproto reads the PROXY protocol header (versions 1 and 2,
// as HAProxy's proxy-protocol.txt defines them) that a TCP load balancer
// such as nginx's stream module (proxy_protocol on) or HAProxy
// (send-proxy, send-proxy-v2) writes at the start of each connection it
// opens to a backend, naming the client it is relaying.
//
// [Listener] wraps a [net.Listener]: a connection from a trusted balancer
// must start with a header, which is read (within a deadline, bounded in
// size) before the connection is handed on, and whose client address the
// connection then reports as its RemoteAddr, so that every per-address
// rule downstream judges the client, not the balancer. A connection from
// any other address is handed on untouched: a header it sends is not
// believed, and is just the start of its byte stream.
//
// The package imports nothing of ours; package smpp's server and the
// gateway's customer listener use it.
package proxyproto

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// Size bounds of a header.
const (
	// MaxV1Length is the longest version 1 header, its CRLF included
	// (the specification's bound: "PROXY TCP6" with two full IPv6
	// addresses and ports).
	MaxV1Length = 107
	// MaxV2Payload bounds what follows the 16 fixed bytes of a version 2
	// header: the addresses and any TLVs (which are skipped unread). The
	// format allows 65,535; balancers send well under 1 KiB (the
	// addresses, an AWS VPC endpoint id, TLS details).
	MaxV2Payload = 4096
)

// v2Signature starts every version 2 header.
var v2Signature = []byte{0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A}

// v1Prefix starts every version 1 header.
const v1Prefix = "PROXY "

// Errors of [ReadHeader]; each is wrapped with the detail.
var (
	// ErrNoHeader means the stream does not start with a PROXY header.
	ErrNoHeader = errors.New("proxyproto: no PROXY protocol header")
	// ErrInvalid means a header started but is malformed, or longer
	// than the bounds ([MaxV1Length], [MaxV2Payload]).
	ErrInvalid = errors.New("proxyproto: invalid PROXY protocol header")
)

// Header is a parsed PROXY protocol header.
type Header struct {
	// Version is 1 (text) or 2 (binary).
	Version int
	// Local is true when the header names no client: a version 2 LOCAL
	// command (the balancer's own connection, a health check), a
	// version 1 "UNKNOWN", or a version 2 PROXY command of an unspecified
	// or UNIX family. The connection's own endpoints then apply.
	Local bool
	// Source is the client's address and port, Destination the address
	// the client connected to; both zero when Local.
	Source, Destination netip.AddrPort
}

// ReadHeader reads one PROXY protocol header, version 1 or 2, from r and
// returns it. It reads no byte past the header (what r has buffered
// beyond it is the stream's next bytes), at most [MaxV1Length] bytes of a
// version 1 header and 16+[MaxV2Payload] of a version 2 one. A stream
// that does not start like a header is [ErrNoHeader] after its first
// byte; a malformed or oversized header is [ErrInvalid]; a read error
// (a deadline, the end of the stream) is returned wrapped: io.EOF when
// the stream ended before its first byte, io.ErrUnexpectedEOF inside a
// header.
func ReadHeader(r *bufio.Reader) (Header, error) {
	first, err := r.Peek(1)
	if err != nil {
		return Header{}, fmt.Errorf("proxyproto: read header: %w", err)
	}
	switch first[0] {
	case v1Prefix[0]:
		return readV1(r)
	case v2Signature[0]:
		return readV2(r)
	}
	return Header{}, fmt.Errorf("%w: first byte 0x%02x", ErrNoHeader, first[0])
}

// readV1 reads a version 1 header: "PROXY TCP4|TCP6 src dst sport
// dport\r\n" or "PROXY UNKNOWN ...\r\n".
func readV1(r *bufio.Reader) (Header, error) {
	var buf [MaxV1Length]byte
	n := 0
	for {
		if n == len(buf) {
			return Header{}, fmt.Errorf("%w: version 1 line longer than %d bytes", ErrInvalid, MaxV1Length)
		}
		c, err := r.ReadByte()
		if err != nil {
			return Header{}, fmt.Errorf("proxyproto: read version 1 header: %w", truncated(err))
		}
		buf[n] = c
		n++
		if n <= len(v1Prefix) && c != v1Prefix[n-1] {
			return Header{}, fmt.Errorf("%w: starts with %q", ErrNoHeader, buf[:n])
		}
		if c == '\n' {
			break
		}
	}
	line, ok := bytes.CutSuffix(buf[:n], []byte("\r\n"))
	if !ok {
		return Header{}, fmt.Errorf("%w: version 1 line does not end with CRLF", ErrInvalid)
	}
	fields := strings.Split(string(line[len(v1Prefix):]), " ")
	h := Header{Version: 1}
	switch fields[0] {
	case "UNKNOWN":
		// The rest of the line is to be ignored.
		h.Local = true
		return h, nil
	case "TCP4", "TCP6":
	default:
		return Header{}, fmt.Errorf("%w: version 1 protocol %q (want TCP4, TCP6 or UNKNOWN)", ErrInvalid, fields[0])
	}
	if len(fields) != 5 {
		return Header{}, fmt.Errorf("%w: version 1 %s line has %d fields, want 5 after PROXY, single spaces", ErrInvalid, fields[0], len(fields))
	}
	v4 := fields[0] == "TCP4"
	src, err := v1Addr(fields[1], v4)
	if err != nil {
		return Header{}, err
	}
	dst, err := v1Addr(fields[2], v4)
	if err != nil {
		return Header{}, err
	}
	sport, err := v1Port(fields[3])
	if err != nil {
		return Header{}, err
	}
	dport, err := v1Port(fields[4])
	if err != nil {
		return Header{}, err
	}
	h.Source, h.Destination = netip.AddrPortFrom(src, sport), netip.AddrPortFrom(dst, dport)
	return h, nil
}

// v1Addr parses a version 1 address of the family v4 (TCP4) or not
// (TCP6).
func v1Addr(s string, v4 bool) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" || a.Is4() != v4 {
		fam := "TCP6"
		if v4 {
			fam = "TCP4"
		}
		return netip.Addr{}, fmt.Errorf("%w: %q is not a %s address", ErrInvalid, s, fam)
	}
	return a.Unmap(), nil
}

// v1Port parses a version 1 port: decimal, 0 to 65535, no sign or leading
// zero.
func v1Port(s string) (uint16, error) {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil || (len(s) > 1 && s[0] == '0') {
		return 0, fmt.Errorf("%w: port %q", ErrInvalid, s)
	}
	return uint16(p), nil
}

// Version 2 commands, families and transports (the high and low nibbles
// of bytes 13 and 14).
const (
	v2CmdLocal    = 0x0
	v2CmdProxy    = 0x1
	v2FamUnspec   = 0x0
	v2FamInet     = 0x1
	v2FamInet6    = 0x2
	v2FamUnix     = 0x3
	v2ProtoUnspec = 0x0
	v2ProtoStream = 0x1
	v2ProtoDgram  = 0x2
)

// readV2 reads a version 2 header: the signature, version and command,
// family and transport, the payload's length, then the payload (the
// addresses, then TLVs, which are skipped).
func readV2(r *bufio.Reader) (Header, error) {
	var fixed [16]byte
	// The signature first, so that a stream that merely starts with CR
	// is told apart from a truncated header as soon as it differs.
	for i := range v2Signature {
		c, err := r.ReadByte()
		if err != nil {
			return Header{}, fmt.Errorf("proxyproto: read version 2 header: %w", truncated(err))
		}
		if c != v2Signature[i] {
			return Header{}, fmt.Errorf("%w: not the version 2 signature", ErrNoHeader)
		}
	}
	if _, err := io.ReadFull(r, fixed[12:]); err != nil {
		return Header{}, fmt.Errorf("proxyproto: read version 2 header: %w", truncated(err))
	}
	verCmd, famProto := fixed[12], fixed[13]
	length := int(binary.BigEndian.Uint16(fixed[14:]))
	if verCmd>>4 != 2 {
		return Header{}, fmt.Errorf("%w: version nibble %d, want 2", ErrInvalid, verCmd>>4)
	}
	if length > MaxV2Payload {
		return Header{}, fmt.Errorf("%w: version 2 payload of %d bytes, at most %d", ErrInvalid, length, MaxV2Payload)
	}
	h := Header{Version: 2}
	switch verCmd & 0x0F {
	case v2CmdLocal:
		// The block, family included, is ignored: the real endpoints
		// apply.
		h.Local = true
		return skip(r, h, length)
	case v2CmdProxy:
	default:
		return Header{}, fmt.Errorf("%w: version 2 command 0x%x", ErrInvalid, verCmd&0x0F)
	}
	fam, proto := famProto>>4, famProto&0x0F
	if fam > v2FamUnix || proto > v2ProtoDgram {
		return Header{}, fmt.Errorf("%w: version 2 family/transport 0x%02x", ErrInvalid, famProto)
	}
	if proto == v2ProtoDgram {
		return Header{}, fmt.Errorf("%w: a datagram header on a stream connection", ErrInvalid)
	}
	var addrLen int
	switch fam {
	case v2FamUnspec:
		h.Local = true
		return skip(r, h, length)
	case v2FamInet:
		addrLen = 12
	case v2FamInet6:
		addrLen = 36
	case v2FamUnix:
		addrLen = 216
	}
	if length < addrLen {
		return Header{}, fmt.Errorf("%w: version 2 payload of %d bytes, the family needs %d", ErrInvalid, length, addrLen)
	}
	if fam == v2FamUnix {
		// Not an IP client: the real endpoints apply.
		h.Local = true
		return skip(r, h, length)
	}
	var addrs [36]byte
	if _, err := io.ReadFull(r, addrs[:addrLen]); err != nil {
		return Header{}, fmt.Errorf("proxyproto: read version 2 addresses: %w", truncated(err))
	}
	if fam == v2FamInet {
		src, dst := netip.AddrFrom4([4]byte(addrs[0:4])), netip.AddrFrom4([4]byte(addrs[4:8]))
		h.Source = netip.AddrPortFrom(src, binary.BigEndian.Uint16(addrs[8:]))
		h.Destination = netip.AddrPortFrom(dst, binary.BigEndian.Uint16(addrs[10:]))
	} else {
		src, dst := netip.AddrFrom16([16]byte(addrs[0:16])), netip.AddrFrom16([16]byte(addrs[16:32]))
		h.Source = netip.AddrPortFrom(src.Unmap(), binary.BigEndian.Uint16(addrs[32:]))
		h.Destination = netip.AddrPortFrom(dst.Unmap(), binary.BigEndian.Uint16(addrs[34:]))
	}
	return skip(r, h, length-addrLen)
}

// skip skips the n bytes of r that end h (TLVs, an ignored address
// block) and returns h, or the zero Header and the read's error.
func skip(r *bufio.Reader, h Header, n int) (Header, error) {
	if _, err := r.Discard(n); err != nil {
		return Header{}, fmt.Errorf("proxyproto: read version 2 payload: %w", truncated(err))
	}
	return h, nil
}

// truncated is err, io.EOF becoming io.ErrUnexpectedEOF: the stream
// ended inside a header. (io.EOF alone means it ended before one.)
func truncated(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Append appends h as a header of its Version (1 by default) to dst: what
// a balancer sends. A Local header is "PROXY UNKNOWN" (version 1) or the
// LOCAL command (version 2); otherwise Source and Destination must be of
// one family.
func (h Header) Append(dst []byte) []byte {
	src, to := h.Source.Addr().Unmap(), h.Destination.Addr().Unmap()
	v4 := src.Is4() && to.Is4()
	if h.Version == 2 {
		dst = append(dst, v2Signature...)
		switch {
		case h.Local:
			return append(dst, 0x20|v2CmdLocal, 0, 0, 0)
		case v4:
			dst = append(dst, 0x20|v2CmdProxy, v2FamInet<<4|v2ProtoStream, 0, 12)
			dst = append(dst, src.AsSlice()...)
			dst = append(dst, to.AsSlice()...)
		default:
			dst = append(dst, 0x20|v2CmdProxy, v2FamInet6<<4|v2ProtoStream, 0, 36)
			a, b := h.Source.Addr().As16(), h.Destination.Addr().As16()
			dst = append(append(dst, a[:]...), b[:]...)
		}
		dst = binary.BigEndian.AppendUint16(dst, h.Source.Port())
		return binary.BigEndian.AppendUint16(dst, h.Destination.Port())
	}
	if h.Local {
		return append(dst, "PROXY UNKNOWN\r\n"...)
	}
	fam := "TCP4"
	if !v4 {
		fam = "TCP6"
		src, to = netip.AddrFrom16(src.As16()), netip.AddrFrom16(to.As16())
	}
	return fmt.Appendf(dst, "PROXY %s %s %s %d %d\r\n", fam, src, to, h.Source.Port(), h.Destination.Port())
}
