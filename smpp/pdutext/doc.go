// Package pdutext turns message text into SMPP short_message octets and back,
// and does the accounting around it: which data_coding to use, how many
// segments a handset bills, how to split a long message with a
// concatenation UDH and how to reassemble one, the delivery receipt text
// format and the SMPP time fields.
//
// The facts come from SMPP 3.4 §5.2.19 (data_coding), §7.1 (time format)
// and Appendix B (receipt text), 3GPP TS 23.038 (GSM 03.38 alphabet and
// packing) and TS 23.040 §9.2.3.24 (user data header).
//
// Text codecs follow the strconv.Append style: they append to a caller's
// buffer and return it, so a caller that reuses its buffers allocates
// nothing. GSM 7-bit text is handled unpacked (one septet per octet), the
// usual form on SMPP links; [PackGSM7] and [UnpackGSM7] convert to and from
// the packed form for the carriers that want it.
//
// The package is a leaf: it imports nothing else from this module. It
// starts no goroutines; [Reassembler] is driven by its caller.
package pdutext
