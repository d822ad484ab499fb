package traffic

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A Parquet flow log is copied to a temporary file that has no name in
// TMPDIR while it is read, so a scan killed meanwhile (kill -9, a second
// Ctrl-C) leaves nothing behind.
func TestParquetLeavesNoFile(t *testing.T) {
	b, err := os.ReadFile("testdata/real/obsrvbl-flowlogs-reader_flows.parquet")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	var r fileReader
	var seen []string
	err = r.ReadStream(context.Background(), "flows.parquet", bytes.NewReader(b), func(*Flow) {
		if seen == nil {
			seen, _ = filepath.Glob(filepath.Join(dir, "*"))
			seen = append(seen, "") // looked once
		}
	})
	if err != nil || r.counts.Flows == 0 {
		t.Fatalf("read %d flows, err %v", r.counts.Flows, err)
	}
	if len(seen) != 1 {
		t.Errorf("temporary files visible while the Parquet file is read: %v", seen[:len(seen)-1])
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
		t.Errorf("left in TMPDIR: %v", m)
	}
}
