package traffic

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadStream feeds arbitrary bytes to the flow-log reader: it must
// never panic or fail on in-memory input, and what it emits is what it
// counts.
func FuzzReadStream(f *testing.F) {
	files, _ := filepath.Glob("testdata/real/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	f.Add([]byte("version srcaddr\n1 2 3\n"))
	// Junk before a record on its line (TestReadJunkBeforeRecord).
	f.Add([]byte("junk 2 123456789012 eni-1 198.51.100.7 10.0.0.5 40000 22 6 10 840 1700000000 1700000060 ACCEPT OK\n"))
	f.Add([]byte("srcaddr dstaddr dstport\n1.2.3.4 5.6.7.8 221.2.3.4 5.6.7.8 22\n"))
	f.Add([]byte(`{"records":[{"properties":{"flows":[{"flows":[{"flowTuples":["1,2,3"]}]}]}}]}`))
	f.Add([]byte(awslogsEvent(f, "DATA_MESSAGE", "2 111122223333 eni-1 198.51.100.7 10.0.0.5 40000 22 6 10 5000 1700000000 1700000060 ACCEPT OK")))
	f.Fuzz(func(t *testing.T, data []byte) {
		var r fileReader
		var n int64
		err := r.ReadStream(context.Background(), "fuzz", bytes.NewReader(data), func(f *Flow) {
			if f.Idle {
				if f.Src.IsValid() {
					t.Fatalf("an idle record with an address: %v", f)
				}
				return // coverage only, counted as skipped
			}
			n++
		})
		if err != nil {
			t.Fatalf("read error on in-memory input: %v", err)
		}
		if n != r.counts.Flows {
			t.Fatalf("emitted %d flows, counted %d", n, r.counts.Flows)
		}
		if r.counts.Skipped > r.counts.Records {
			t.Fatalf("more records skipped than read: %+v", r.counts)
		}
		if int64(len(r.counts.Problems)) > r.counts.Unreadable {
			t.Fatalf("problems reported but not counted: %+v", r.counts)
		}
	})
}

// FuzzReadParquet mutates a real Parquet flow log: a damaged file is a
// counted problem, never a panic, a hang or an error that ends the walk.
func FuzzReadParquet(f *testing.F) {
	b, err := os.ReadFile("testdata/real/obsrvbl-flowlogs-reader_flows.parquet")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add(b[:len(b)/2])
	f.Fuzz(func(t *testing.T, data []byte) {
		var r fileReader
		var n int64
		err := r.ReadStream(context.Background(), "fuzz", bytes.NewReader(data), func(f *Flow) {
			if f.Idle {
				if f.Src.IsValid() {
					t.Fatalf("an idle record with an address: %v", f)
				}
				return // coverage only, counted as skipped
			}
			n++
		})
		if err != nil {
			t.Fatalf("read error on in-memory input: %v", err)
		}
		if n != r.counts.Flows {
			t.Fatalf("emitted %d flows, counted %d", n, r.counts.Flows)
		}
	})
}
