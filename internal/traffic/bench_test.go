package traffic

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// BenchmarkReadVPC measures reading default-format VPC flow-log text and
// matching every flow against a hundred openings.
func BenchmarkReadVPC(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
	for i := range 200000 {
		fmt.Fprintf(&buf, "2 123456789012 eni-%07x 198.51.%d.%d 10.0.%d.%d %d %d 6 %d %d %d %d ACCEPT OK\n",
			i%5000, i%250, i%200, i%100, i%250, 30000+i%30000, []int{443, 80, 22, 3389, 5432}[i%5], i%50, i%9000, 1700000000+i/10, 1700000060+i/10)
	}
	data := buf.Bytes()
	var open []Opening
	for i := range 100 {
		open = append(open, Opening{Cloud: model.AWS, Account: "123456789012", Protocol: 6,
			Ports: model.PortList{{From: 8000 + i, To: 8000 + i}}, Start: time.Unix(1700000000, 0)})
	}
	open = append(open, Opening{Cloud: model.AWS, Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: time.Unix(1700000000, 0)})
	m := newMatcher(open, Options{MaxTracked: 4096, Lookback: time.Hour})
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		w := &worker{m: m, use: make([]usage, len(open)), cov: coverage{}, served: servedSet{}}
		if err := w.reader.ReadStream(context.Background(), "bench", bytes.NewReader(data), w.pass()); err != nil {
			b.Fatal(err)
		}
	}
}
