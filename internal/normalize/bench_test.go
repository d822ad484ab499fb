package normalize

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"cloudwall/internal/normalize/jv"
)

// benchCorpus builds about size bytes of a CloudTrail S3 file from the real
// records in the shared samples (skips when they are absent).
func benchCorpus(b *testing.B, size int) []byte {
	b.Helper()
	raw, err := os.ReadFile(sharedData("aws/suzaku_test.json"))
	if err != nil {
		b.Skipf("shared sample not available: %v", err)
	}
	v, err := jv.Decode(raw)
	if err != nil {
		b.Fatal(err)
	}
	var recs [][]byte
	for _, r := range jv.Arr(v, "Records") {
		rb, _ := json.Marshal(r)
		recs = append(recs, rb)
	}
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := 0; buf.Len() < size; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(recs[i%len(recs)])
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// sharedData finds a file of the shared samples, which sit beside the
// repository (../shared from /work/main, ../../shared from a worktree).
func sharedData(name string) string {
	for _, root := range []string{"../../../shared/data", "../../../../shared/data"} {
		if _, err := os.Stat(root); err == nil {
			return filepath.Join(root, name)
		}
	}
	return filepath.Join("../../../shared/data", name)
}

// BenchmarkSplit measures record splitting alone.
func BenchmarkSplit(b *testing.B) {
	data := benchCorpus(b, 32<<20)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewSplitter(bytes.NewReader(data))
		for {
			if _, err := s.Next(); errors.Is(err, io.EOF) {
				break
			}
		}
	}
}

// BenchmarkSplitPrefilter measures the per-record path every record takes.
func BenchmarkSplitPrefilter(b *testing.B) {
	data := benchCorpus(b, 32<<20)
	pre, _ := NewPrefilter(testAnchors(b))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	kept := 0
	for b.Loop() {
		s := NewSplitter(bytes.NewReader(data))
		for {
			rec, err := s.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if pre.Keep(rec.Data) {
				kept++
			}
		}
	}
	_ = kept
}

// BenchmarkPrefilter measures Keep alone on a typical record.
func BenchmarkPrefilter(b *testing.B) {
	data := benchCorpus(b, 1<<20)
	pre, _ := NewPrefilter(testAnchors(b))
	s := NewSplitter(bytes.NewReader(data))
	rec, _ := s.Next()
	b.SetBytes(int64(len(rec.Data)))
	for b.Loop() {
		pre.Keep(rec.Data)
	}
}

// BenchmarkSplitLines measures splitting JSON lines (Azure PT1H.json, GCP
// sinks), where a broken line must not take the next one with it.
func BenchmarkSplitLines(b *testing.B) {
	data := benchCorpus(b, 32<<20)
	data = bytes.TrimSuffix(bytes.TrimPrefix(data, []byte(`{"Records":[`)), []byte("]}"))
	data = bytes.ReplaceAll(data, []byte(`},{"eventVersion"`), []byte("}\n{\"eventVersion\""))
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		s := NewSplitter(bytes.NewReader(data))
		for {
			if _, err := s.Next(); errors.Is(err, io.EOF) {
				break
			}
		}
	}
}
