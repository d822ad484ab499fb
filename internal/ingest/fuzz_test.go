package ingest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// readerAtInput is an Input over bytes that, like a file, reads at
// offsets, so zip files take the same path as on disk.
func readerAtInput(name string, b []byte) Input {
	return Input{Name: name, Size: int64(len(b)), open: func() (io.ReadCloser, error) {
		return struct {
			*bytes.Reader
			io.Closer
		}{bytes.NewReader(b), io.NopCloser(nil)}, nil
	}}
}

// FuzzOpen: any bytes, as a file or as a stream, are sniffed and peeled
// without panicking, every stream ends, and an error names the input.
func FuzzOpen(f *testing.F) {
	files, _ := filepath.Glob("testdata/*")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil && len(b) < 64<<10 {
			f.Add(b)
		}
	}
	for _, s := range []string{"\x1f\x8b", "\x28\xb5\x2f\xfd", "BZh9", "PK\x03\x04", "PK\x05\x06", "\xff\xfe{\x00", "\xfd7zXZ\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = Sniff(b)
		for _, in := range []Input{readerAtInput("fuzz", b), ReaderInput("fuzz", bytes.NewReader(b))} {
			streams := 0
			err := Open(context.Background(), in, Options{}, func(s Stream) error {
				streams++
				if streams > 1000 {
					t.Fatalf("more than 1000 streams from %d bytes", len(b))
				}
				// Bounded, so a compression bomb costs little here.
				_, err := io.CopyN(io.Discard, s.R, 4<<20)
				if err == io.EOF {
					return nil
				}
				if err != nil {
					// As the scan does: fn's errors are returned as they are.
					return fmt.Errorf("read %s: %w", s.Name, err)
				}
				return nil
			})
			if err != nil && !bytes.Contains([]byte(err.Error()), []byte("fuzz")) {
				t.Fatalf("error does not name the input: %v", err)
			}
		}
	})
}
