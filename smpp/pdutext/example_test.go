package pdutext_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/gallant-sms/gallant/smpp/pdutext"
)

func ExampleCountText() {
	for _, s := range []string{"Hello @ 5€", strings.Repeat("a", 161), "Hi 👋"} {
		c := pdutext.CountText(s)
		fmt.Printf("coding 0x%02X: %d units, %d segment(s) of %d\n", byte(c.Coding), c.Units, c.Segments, c.PerSegment)
	}
	// Output:
	// coding 0x00: 11 units, 1 segment(s) of 160
	// coding 0x00: 161 units, 2 segment(s) of 153
	// coding 0x08: 5 units, 1 segment(s) of 70
}

func ExampleSplit() {
	text := strings.Repeat("x", 153) + "see you!"
	dc := pdutext.Choose(text)
	enc, err := pdutext.Encode(nil, text, dc)
	if err != nil {
		panic(err)
	}
	segs, err := pdutext.Split(enc, dc, pdutext.SplitOptions{Ref: 0x2A})
	if err != nil {
		panic(err)
	}
	for _, s := range segs {
		// Each segment is one submit_sm: esm_class |= 0x40 when s.UDH.
		fmt.Printf("%d/%d udh=%v sm_length=%d header=% X\n", s.Seq, s.Total, s.UDH, len(s.Data), s.Data[:6])
	}
	// Output:
	// 1/2 udh=true sm_length=159 header=05 00 03 2A 02 01
	// 2/2 udh=true sm_length=14 header=05 00 03 2A 02 02
}

func ExampleParseReceipt() {
	r, err := pdutext.ParseReceipt([]byte("id:1A2B3C4D sub:001 dlvrd:001 submit date:2501151030 done date:2501151031 stat:DELIVRD err:000 text:Hello"))
	if err != nil {
		panic(err)
	}
	fmt.Println(r.ID, r.Stat, r.Stat.State(), r.Stat.Final(), r.DoneDate.Format(time.RFC3339))
	fmt.Println(pdutext.NormalizeID(r.ID, true))
	// Output:
	// 1A2B3C4D DELIVRD DELIVERED true 2025-01-15T10:31:00Z
	// 439041101
}

func ExampleReassembler() {
	r := pdutext.NewReassembler(pdutext.ReassemblerConfig{Timeout: 5 * time.Minute})
	now := time.Date(2025, 1, 15, 10, 30, 0, 0, time.UTC)
	key := "carrier1|447700900123|MyBrand" // connection, source, destination
	for _, seq := range []byte{2, 1, 2} {
		res, err := r.Add(key, 0x2A, 2, seq, []byte(fmt.Sprint("part", seq, " ")), now)
		if err != nil {
			panic(err)
		}
		fmt.Printf("seq %d: complete=%v duplicate=%v\n", seq, res.Complete, res.Duplicate)
		if res.Complete {
			var whole []byte
			for _, p := range res.Parts {
				whole = append(whole, p...)
			}
			fmt.Printf("%q\n", whole)
		}
	}
	// Output:
	// seq 2: complete=false duplicate=false
	// seq 1: complete=true duplicate=false
	// "part1 part2 "
	// seq 2: complete=false duplicate=true
}

func ExampleParseTime() {
	now := time.Date(2025, 1, 15, 8, 0, 0, 0, time.UTC)
	for _, f := range []string{"250115103000004+", "000001000000000R", ""} {
		t, err := pdutext.ParseTime([]byte(f), now)
		if err != nil {
			panic(err)
		}
		fmt.Printf("%q -> %v\n", f, t)
	}
	fmt.Printf("%s %s\n", pdutext.AppendRelTime(nil, 2*time.Hour), pdutext.AppendAbsTime(nil, now))
	// Output:
	// "250115103000004+" -> 2025-01-15 09:30:00 +0000 UTC
	// "000001000000000R" -> 2025-01-16 08:00:00 +0000 UTC
	// "" -> 0001-01-01 00:00:00 +0000 UTC
	// 000000020000000R 250115080000000+
}
