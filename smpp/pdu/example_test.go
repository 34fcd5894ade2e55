package pdu_test

import (
	"fmt"

	"github.com/gallant-sms/gallant/smpp/pdu"
)

// Example_write shows the allocation-free way to write a PDU: append the
// header, append the body, then fix command_length.
func Example_write() {
	sm := pdu.SubmitSM{
		Source:             pdu.Address{TON: 5, Addr: []byte("MyBrand")},
		Dest:               pdu.Address{TON: 1, NPI: 1, Addr: []byte("447700900123")},
		RegisteredDelivery: 1,
		ShortMessage:       []byte("Hi"),
	}
	buf := make([]byte, 0, 256) // kept by the session and reused

	start := len(buf)
	buf = pdu.AppendHeader(buf, pdu.Header{ID: pdu.SubmitSMID, Seq: 2})
	buf = sm.AppendBody(buf)
	pdu.SetLength(buf[start:])

	fmt.Printf("% x\n", buf[:16])
	fmt.Println(len(buf))
	// Output:
	// 00 00 00 36 00 00 00 04 00 00 00 00 00 00 00 02
	// 54
}

// Example_read shows a session's read path: find a whole PDU with Frame,
// then decode its body into a value the session keeps.
func Example_read() {
	stream := []byte{
		0x00, 0x00, 0x00, 0x19, 0x80, 0x00, 0x00, 0x04, // length 25, submit_sm_resp
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, // ESME_ROK, seq 2
		'1', 'A', '2', 'B', '3', 'C', '4', 'D', 0x00, // message_id
		0x00, 0x00, // the start of the next PDU
	}
	var resp pdu.SubmitSMResp // kept by the session and reused

	h, n, err := pdu.Frame(stream, pdu.DefaultMaxLength)
	if err != nil {
		fmt.Println("generic_nack and close:", err)
		return
	}
	if n == 0 {
		fmt.Println("read more")
		return
	}
	if h.ID == pdu.SubmitSMRespID {
		if err := resp.Decode(stream[pdu.HeaderLen:n]); err != nil {
			fmt.Println("bad body:", pdu.StatusOf(err).Name())
			return
		}
	}
	fmt.Println(h.ID, h.Seq, h.Status.Name(), string(resp.MessageID))

	_, n, _ = pdu.Frame(stream[n:], pdu.DefaultMaxLength)
	fmt.Println("next PDU complete:", n > 0)
	// Output:
	// submit_sm_resp 2 ESME_ROK 1A2B3C4D
	// next PDU complete: false
}

// ExampleSubmitSM_Decode shows a decode error carrying the status with
// which the session answers the request.
func ExampleSubmitSM_Decode() {
	body := []byte{
		0x00,       // service_type ""
		0x01, 0x01, // source TON, NPI
		'1', '2', '3', '4', '5', '6', '7', '8', '9', '0', // 21 digits: one too many
		'1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '1', 0x00,
	}
	var sm pdu.SubmitSM
	err := sm.Decode(body)
	fmt.Println(err)
	fmt.Println("answer submit_sm_resp with", pdu.StatusOf(err).Name())
	// Output:
	// smpp/pdu: invalid source_addr (ESME_RINVSRCADR)
	// answer submit_sm_resp with ESME_RINVSRCADR
}
