package ingest

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// TestSpool: the copy is read back whole, a stream past the limit and a
// stopped copy are errors, and none leaves a file in the temporary folder.
func TestSpool(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	stopped, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name  string
		ctx   context.Context
		in    string
		limit int64
		err   error
	}{
		{"within the limit", context.Background(), "PK\x03\x04 data", 64, nil},
		{"no limit", context.Background(), strings.Repeat("x", 1<<20), 0, nil},
		{"at the limit", context.Background(), "12345678", 8, nil},
		{"past the limit", context.Background(), "123456789", 8, ErrTooLarge},
		{"stopped", stopped, "data", 0, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, n, release, err := Spool(tc.ctx, strings.NewReader(tc.in), "cloudwall-test-*", tc.limit)
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			if err == nil {
				got, rerr := io.ReadAll(io.NewSectionReader(f, 0, n))
				if rerr != nil || string(got) != tc.in {
					t.Errorf("read back %d bytes (%v), want the %d written", len(got), rerr, len(tc.in))
				}
				release()
			}
			if left, _ := os.ReadDir(os.Getenv("TMPDIR")); len(left) > 0 {
				t.Errorf("left in the temporary folder: %v", left)
			}
		})
	}
}
