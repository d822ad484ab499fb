package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// benchGzip makes about size bytes of CloudTrail-like JSON lines, gzipped.
func benchGzip(b *testing.B, size int) (raw int, gz []byte) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	var plain bytes.Buffer
	for plain.Len() < size {
		fmt.Fprintf(&plain, `{"eventVersion":"1.08","eventTime":"2026-03-0%dT10:%02d:%02dZ","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","sourceIPAddress":"10.%d.%d.%d","requestID":"%016x","eventID":"%016x"}`+"\n",
			r.IntN(9)+1, r.IntN(60), r.IntN(60), r.IntN(256), r.IntN(256), r.IntN(256), r.Uint64(), r.Uint64())
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(plain.Bytes())
	zw.Close()
	return plain.Len(), buf.Bytes()
}

// BenchmarkOpenGzip measures decompression through Open, with and without
// read-ahead (MB/s of uncompressed output).
func BenchmarkOpenGzip(b *testing.B) {
	raw, gz := benchGzip(b, 32<<20)
	for _, ahead := range []int64{0, 1} {
		b.Run(fmt.Sprintf("readahead=%v", ahead > 0), func(b *testing.B) {
			b.SetBytes(int64(raw))
			for b.Loop() {
				err := Open(context.Background(), ReaderInput("b.gz", bytes.NewReader(gz)), Options{ReadAheadMin: ahead}, func(s Stream) error {
					_, err := io.Copy(io.Discard, s.R)
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
