package consent

import (
	"strconv"
	"testing"
)

// BenchmarkBlocked: one send-path check, on an empty index and on one
// holding 10,000,000 opt-outs (1,000 accounts, a tenth platform-wide).
//
//	go test -run '^$' -bench Blocked -benchmem ./consent/
func BenchmarkBlocked(b *testing.B) {
	numbers := make([]string, 4096)
	for i := range numbers {
		numbers[i] = strconv.Itoa(447000000000 + i*13) // some held, most not
	}
	for _, n := range []int{0, 10_000_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			var x Index
			fill(&x, n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				x.Blocked(int64(i%1000), "Acme", numbers[i%len(numbers)])
				i++
			}
		})
	}
}

// fill fills x with n account opt-outs spread over 1,000 accounts
// and a tenth of them platform-wide, in the chunks a ledger load uses.
func fill(x *Index, n int) {
	const chunk = 1 << 16
	batch := make([]Change, 0, chunk)
	for i := range n {
		c := Change{Entry: Entry{Scope: ScopeAccount, Account: int64(i % 1000), Number: strconv.Itoa(447000000000 + i*7)}, OptOut: true}
		if i%10 == 0 {
			c.Scope, c.Account = ScopeGlobal, 0
		}
		batch = append(batch, c)
		if len(batch) == chunk {
			x.Apply(batch...)
			batch = batch[:0]
		}
	}
	x.Apply(batch...)
}
