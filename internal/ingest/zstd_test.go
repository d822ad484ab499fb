package ingest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// A zstd frame whose window is over the bound (zstd --long=27 asks for
// 128 MiB) is refused, not allocated, with the command that reads it; a
// frame within the bound (the 8 MiB default of zstd) is read.
func TestZstdLongWindow(t *testing.T) {
	const record = `{"eventName":"AuthorizeSecurityGroupIngress"}` + "\n"
	for _, tt := range []struct {
		window int
		ok     bool
	}{
		{8 << 20, true},
		{zstdMaxWindow, true},
		{128 << 20, false}, // windowLog 27, zstd --long
	} {
		var buf bytes.Buffer
		// A stream (no content size in the header) carries its window.
		zw, err := zstd.NewWriter(&buf, zstd.WithWindowSize(tt.window), zstd.WithEncoderLevel(zstd.SpeedFastest))
		if err != nil {
			t.Fatal(err)
		}
		// More content than the bound, so that the window is used.
		n := zstdMaxWindow/len(record) + 1000
		zw.Write([]byte(strings.Repeat(record, n)))
		zw.Close()
		got, err := readAll(t, ReaderInput("long.json.zst", bytes.NewReader(buf.Bytes())))
		switch {
		case tt.ok && err != nil:
			t.Errorf("window %d MiB: %v", tt.window>>20, err)
		case tt.ok && len(got["long.json.zst"]) != n*len(record):
			t.Errorf("window %d MiB: read %d bytes, want the %d records", tt.window>>20, len(got["long.json.zst"]), n)
		case !tt.ok && (err == nil || !strings.Contains(err.Error(), "zstd -dc --long=31 long.json.zst | cloudwall scan -")):
			t.Errorf("window %d MiB: err = %v, want a refusal naming zstd -dc --long=31", tt.window>>20, err)
		}
	}
}
