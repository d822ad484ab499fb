package ingest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

const memberText = "{\"n\":1}\n{\"n\":2}\n"

type member struct {
	name string
	data []byte
}

func tarOf(t *testing.T, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.data)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zipOf(t *testing.T, members ...member) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, m := range members {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: m.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(m.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write(data)
	zw.Close()
	return b.Bytes()
}

// walkArchive opens data (from disk, so a zip is read by offset) and
// returns the streams read in full, and the errors one per member.
func walkArchive(t *testing.T, name string, data []byte) (read []string, errs []string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{fileInput(t, path), ReaderInput(path, bytes.NewReader(data))} {
		read, errs = nil, nil
		err := Open(context.Background(), in, Options{}, func(s Stream) error {
			b, err := io.ReadAll(s.R)
			if err == nil && string(b) == memberText {
				read = append(read, strings.TrimPrefix(s.Name, path))
			}
			return err
		})
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				errs = append(errs, strings.ReplaceAll(e.Error(), path, ""))
			}
		} else if err != nil {
			errs = append(errs, strings.ReplaceAll(err.Error(), path, ""))
		}
		sort.Strings(read)
	}
	return read, errs
}

// TestBadMemberDoesNotEndTheArchive: a truncated gzip member, an xz
// member, a damaged header or a checksum error in member 0 is reported
// naming its member, and the members after it are read; archives inside
// archives are opened.
func TestBadMemberDoesNotEndTheArchive(t *testing.T) {
	good := []byte(memberText)
	cutGz := gz(t, bytes.Repeat(good, 1000))
	cutGz = cutGz[:len(cutGz)/2]
	xz := []byte{0xfd, '7', 'z', 'X', 'Z', 0x00, 0, 0, 0, 0}

	badCRC := zipOf(t, member{"a.json", good}, member{"b.json", good})
	i := bytes.Index(badCRC, good)
	badCRC[i+2] = 'N' // member 0's stored data no longer matches its CRC

	badHeader := tarOf(t, member{"a.json", good}, member{"b.json", good})
	badHeader[0] ^= 0x20 // member 0's name, so its header checksum fails

	tests := []struct {
		name     string
		data     []byte
		wantRead []string
		wantErrs []string // one substring per reported error
	}{
		{"tar with bad members", tarOf(t,
			member{"0-cut.json.gz", cutGz},
			member{"1.xz", xz},
			member{"2-nested.zip", zipOf(t, member{"in-zip.json", good})},
			member{"3-nested.tar", tarOf(t, member{"in-tar.json", good})},
			member{"4.json", good}),
			[]string{"!2-nested.zip!in-zip.json", "!3-nested.tar!in-tar.json", "!4.json"},
			[]string{"!0-cut.json.gz: gzip stream: unexpected EOF", "!1.xz: xz compression is not supported"}},
		{"tar.gz with bad members", gz(t, tarOf(t, member{"0.xz", xz}, member{"1.json.gz", gz(t, good)})),
			[]string{"!1.json.gz"}, []string{"!0.xz: xz"}},
		{"zip with bad members", zipOf(t, member{"0-cut.json.gz", cutGz}, member{"1.zip", zipOf(t, member{"x.json", good})}, member{"2.json", good}),
			[]string{"!1.zip!x.json", "!2.json"}, []string{"!0-cut.json.gz: gzip stream: unexpected EOF"}},
		{"zip checksum error in member 0", badCRC, []string{"!b.json"}, []string{"!a.json", "checksum"}},
		{"tar header damaged in member 0", badHeader, []string{"!b.json"}, []string{"member 0", "invalid tar header"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read, errs := walkArchive(t, "archive", tt.data)
			if strings.Join(read, ",") != strings.Join(tt.wantRead, ",") {
				t.Errorf("read %q, want %q (errors %q)", read, tt.wantRead, errs)
			}
			if tt.name == "zip checksum error in member 0" || tt.name == "tar header damaged in member 0" {
				if len(errs) != 1 || !strings.Contains(errs[0], tt.wantErrs[0]) || !strings.Contains(errs[0], tt.wantErrs[1]) {
					t.Errorf("errors %q, want one naming %q", errs, tt.wantErrs)
				}
				return
			}
			if len(errs) != len(tt.wantErrs) {
				t.Fatalf("errors %q, want %d", errs, len(tt.wantErrs))
			}
			for i, want := range tt.wantErrs {
				if !strings.Contains(errs[i], want) {
					t.Errorf("error %d = %q, want %q", i, errs[i], want)
				}
			}
		})
	}
}

// TestNestingLimit: archives nested past MaxNesting are refused with a
// message naming the member, not opened without end.
func TestNestingLimit(t *testing.T) {
	data := []byte(memberText)
	for i := 0; i < MaxNesting+2; i++ {
		data = zipOf(t, member{"z.zip", data})
	}
	read, errs := walkArchive(t, "deep.zip", data)
	if len(read) != 0 || len(errs) != 1 || !strings.Contains(errs[0], "nested") || !strings.Contains(errs[0], "!z.zip!z.zip") {
		t.Errorf("read %q, errors %q; want one nesting error", read, errs)
	}
	// At the limit, the innermost member is read.
	data = []byte(memberText)
	for i := 0; i < MaxNesting; i++ {
		data = zipOf(t, member{"z.zip", data})
	}
	if read, errs := walkArchive(t, "ok.zip", data); len(read) != 1 || len(errs) != 0 {
		t.Errorf("%d layers: read %q, errors %q", MaxNesting, read, errs)
	}
}

// TestOpenStops: a stop ends a read that waits on a pipe.
func TestOpenStops(t *testing.T) {
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithCancel(context.Background())
	in := Input{Name: "pipe", Size: -1, open: func() (io.ReadCloser, error) { return pr, nil }}
	done := make(chan error)
	go func() {
		done <- Open(ctx, in, Options{}, func(s Stream) error { _, err := io.ReadAll(s.R); return err })
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

// overlapped returns zipOf(members) with the central directory entry of
// member 0 repeated n more times: entries that all read the same bytes,
// the construction of overlapping zip bombs (a kilobyte-sized member read
// a thousand times, a megabyte file that takes minutes).
func overlapped(t *testing.T, n int, members ...member) []byte {
	t.Helper()
	data := zipOf(t, members...)
	eocd := data[len(data)-22:]
	cdSize := binary.LittleEndian.Uint32(eocd[12:])
	cdOff := binary.LittleEndian.Uint32(eocd[16:])
	first := data[cdOff:]
	l := 46 + int(binary.LittleEndian.Uint16(first[28:])) + int(binary.LittleEndian.Uint16(first[30:])) + int(binary.LittleEndian.Uint16(first[32:]))
	out := append([]byte{}, data[:cdOff+cdSize]...)
	for range n {
		out = append(out, first[:l]...)
	}
	end := append([]byte{}, eocd...)
	count := binary.LittleEndian.Uint16(eocd[10:]) + uint16(n)
	binary.LittleEndian.PutUint16(end[8:], count)
	binary.LittleEndian.PutUint16(end[10:], count)
	binary.LittleEndian.PutUint32(end[12:], cdSize+uint32(n*l))
	return append(out, end...)
}

// TestOverlappingZipEntries: zip entries whose data overlaps an entry
// already read are reported and not read again, so an overlapping zip
// bomb costs one read of its bytes; the other members are read.
func TestOverlappingZipEntries(t *testing.T) {
	good := []byte(memberText)
	data := overlapped(t, 20, member{"a.json", good}, member{"b.json", good})
	read, errs := walkArchive(t, "bomb.zip", data)
	if strings.Join(read, ",") != "!a.json,!b.json" {
		t.Errorf("read %q, want a.json once and b.json", read)
	}
	if len(errs) != 1 || !strings.Contains(errs[0], "!a.json") || !strings.Contains(errs[0], "20 entries overlap") || !strings.Contains(errs[0], "overlap") {
		t.Errorf("errors %q, want one naming a.json's 20 overlapping entries", errs)
	}
}
