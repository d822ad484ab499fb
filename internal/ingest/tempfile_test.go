package ingest

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"testing"
)

// A zip read from a stream is copied to a temporary file that has no
// name in TMPDIR while it is read, so a scan killed meanwhile (kill -9, a
// second Ctrl-C) leaves nothing behind.
func TestSpooledZipLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	data := gz(t, zipOf(t, member{"in-zip.json", []byte(memberText)}))
	var read int
	err := Open(context.Background(), ReaderInput("stdin", bytes.NewReader(data)), Options{}, func(s Stream) error {
		if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
			t.Errorf("temporary files visible while %s is read: %v", s.Name, m)
		}
		b, err := io.ReadAll(s.R)
		if string(b) == memberText {
			read++
		}
		return err
	})
	if err != nil || read != 1 {
		t.Fatalf("read %d members, err %v; want the zip's one member", read, err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
		t.Errorf("left in TMPDIR: %v", m)
	}
}
