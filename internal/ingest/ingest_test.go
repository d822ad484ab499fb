package ingest

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
)

// readAll opens path and returns each stream's name and content.
func readAll(t *testing.T, in Input) (map[string]string, error) {
	t.Helper()
	return readAllWith(t, in, Options{})
}

func readAllWith(t *testing.T, in Input, opts Options) (map[string]string, error) {
	t.Helper()
	got := map[string]string{}
	err := Open(context.Background(), in, opts, func(s Stream) error {
		b, err := io.ReadAll(s.R)
		got[s.Name] = string(b)
		return err
	})
	return got, err
}

func fileInput(t *testing.T, path string) Input {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return FileInput(path, info.Size())
}

func TestOpenFormats(t *testing.T) {
	const want = "{\"n\":1}\n{\"n\":2}\n"
	for _, name := range []string{"plain.jsonl", "plain.jsonl.gz", "multimember.jsonl.gz", "plain.jsonl.zst", "plain.jsonl.bz2"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			for _, ahead := range []int64{0, 1} {
				got, err := readAllWith(t, fileInput(t, path), Options{ReadAheadMin: ahead})
				if err != nil {
					t.Fatal(err)
				}
				if got[path] != want {
					t.Errorf("read-ahead %d: content = %q, want %q", ahead, got[path], want)
				}
			}
		})
	}
}

func TestOpenByContentNotName(t *testing.T) {
	// A gzip saved without its suffix, and stdin, still decompress.
	data, err := os.ReadFile("testdata/plain.jsonl.gz")
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, ReaderInput("-", bytes.NewReader(data)))
	if err != nil || got["-"] != "{\"n\":1}\n{\"n\":2}\n" {
		t.Errorf("stdin gzip: %q, %v", got["-"], err)
	}
}

func TestOpenArchives(t *testing.T) {
	for _, name := range []string{"archive.tar.gz", "archive.zip"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			got, err := readAll(t, fileInput(t, path))
			if err != nil {
				t.Fatal(err)
			}
			for _, member := range []string{"AWSLogs/a.json", "AWSLogs/b.json.gz"} {
				if got[path+"!"+member] != "{\"n\":1}\n{\"n\":2}\n" {
					t.Errorf("member %s = %q (streams: %v)", member, got[path+"!"+member], keys(got))
				}
			}
		})
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestOpenTruncatedGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	for i := 0; i < 20000; i++ {
		io.WriteString(zw, `{"eventName":"AssumeRole","n":`+strings.Repeat("1", i%7+1)+"}\n")
	}
	zw.Close()
	cut := buf.Bytes()[:buf.Len()/2]
	var read int
	err := Open(context.Background(), ReaderInput("cut.gz", bytes.NewReader(cut)), Options{ReadAheadMin: 1}, func(s Stream) error {
		b, err := io.ReadAll(s.R)
		read = len(b)
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "gzip stream") || !strings.Contains(err.Error(), "unexpected EOF") {
		t.Errorf("err = %v, want a gzip stream unexpected EOF", err)
	}
	if read == 0 {
		t.Error("no data recovered before the cut")
	}
}

func TestOpenUnsupported(t *testing.T) {
	xz := []byte{0xfd, '7', 'z', 'X', 'Z', 0x00, 0, 0}
	_, err := readAll(t, ReaderInput("x.xz", bytes.NewReader(xz)))
	if err == nil || !strings.Contains(err.Error(), "xz") {
		t.Errorf("err = %v, want a clear xz message", err)
	}
}

func TestExpand(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"b/2.json", "a.json", ".hidden/x.json", "b/.DS_Store"} {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		os.WriteFile(full, []byte("{}"), 0o600)
	}
	inputs, err := Expand(context.Background(), []string{dir, "-"}, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range inputs {
		names = append(names, strings.TrimPrefix(in.Name, dir+"/"))
	}
	if strings.Join(names, ",") != "a.json,b/2.json,-" {
		t.Errorf("inputs = %v", names)
	}
	if _, err := Expand(context.Background(), []string{filepath.Join(dir, "missing")}, nil); err == nil {
		t.Error("a missing path was not an error")
	}
	if _, err := Expand(context.Background(), []string{"-", "-"}, nil); err == nil {
		t.Error("stdin twice was not an error")
	}
}

func TestSniff(t *testing.T) {
	tar := make([]byte, 512)
	copy(tar[257:], "ustar")
	for head, want := range map[string]Format{
		"\x1f\x8b\x08":     Gzip,
		"\x28\xb5\x2f\xfd": Zstd,
		"BZh9":             Bzip2,
		"BZx":              Plain,
		"PK\x03\x04":       Zip,
		string(tar):        Tar,
		`{"Records":[]}`:   Plain,
		"":                 Plain,
		// UTF-16 without a byte-order mark: NULs interleaved with ASCII.
		utf16(`{"Records":[]}`, false): UTF16LE,
		utf16(`{"Records":[]}`, true):  UTF16BE,
		utf16(`{"a"}`, false)[:8]:      UTF16LE,
		utf16(`{"a"`, false)[:6]:       Plain, // too short to tell
		// NUL padding before a record is not UTF-16.
		"\x00\x00\x00\x00\x00\x00\x00\x00{\"Records\":[]}":  Plain,
		"{\"a\":1}\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00": Plain,
	} {
		if got := Sniff([]byte(head)); got != want {
			t.Errorf("Sniff(%q) = %s, want %s", head[:min(len(head), 8)], got, want)
		}
	}
}

// TestOpenerReuse reads several inputs, one after another, with one
// Opener: reused buffers and gzip reader must not leak data between them.
func TestOpenerReuse(t *testing.T) {
	o := NewOpener(Options{})
	for round := 0; round < 2; round++ {
		for _, name := range []string{"plain.jsonl.gz", "plain.jsonl", "archive.tar.gz", "multimember.jsonl.gz", "plain.jsonl.zst", "plain.jsonl.gz"} {
			path := filepath.Join("testdata", name)
			got := map[string]string{}
			err := o.Open(context.Background(), fileInput(t, path), func(s Stream) error {
				b, err := io.ReadAll(s.R)
				got[s.Name] = string(b)
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for stream, content := range got {
				if content != "{\"n\":1}\n{\"n\":2}\n" {
					t.Errorf("round %d %s: %q", round, stream, content)
				}
			}
		}
	}
}

// utf16 encodes ASCII text as UTF-16 without a byte-order mark.
func utf16(text string, big bool) string {
	var b []byte
	for _, c := range []byte(text) {
		if big {
			b = append(b, 0, c)
		} else {
			b = append(b, c, 0)
		}
	}
	return string(b)
}

// TestOpenUTF16NoMark: UTF-16 text without a byte-order mark (iconv -t
// UTF-16LE writes none) is read as UTF-8, in either byte order, and the
// layer is named.
func TestOpenUTF16NoMark(t *testing.T) {
	const text = `{"eventVersion":"1.08","eventName":"AuthorizeSecurityGroupIngress"}` + "\n"
	for _, big := range []bool{false, true} {
		var formats []Format
		var got string
		err := Open(context.Background(), ReaderInput("u16.json", strings.NewReader(utf16(text, big))), Options{}, func(s Stream) error {
			b, err := io.ReadAll(s.R)
			formats, got = s.Formats, string(b)
			return err
		})
		want := UTF16LE
		if big {
			want = UTF16BE
		}
		if err != nil || got != text || len(formats) != 1 || formats[0] != want {
			t.Errorf("big-endian %v: %q, formats %v, %v", big, got, formats, err)
		}
	}
}

// TestOpenUTF16 reads text that Windows PowerShell wrote as UTF-16 with a
// byte-order mark, in either byte order, and hands on UTF-8.
func TestOpenUTF16(t *testing.T) {
	const text = `[{"OperationName":{"Value":"Microsoft.Network/networkSecurityGroups/delete"},"Caller":"zoë@contoso.com"}]`
	for _, big := range []bool{false, true} {
		var b []byte
		if big {
			b = []byte{0xFE, 0xFF}
		} else {
			b = []byte{0xFF, 0xFE}
		}
		for _, r := range text {
			hi, lo := byte(r>>8), byte(r)
			if big {
				b = append(b, hi, lo)
			} else {
				b = append(b, lo, hi)
			}
		}
		got, err := readAll(t, ReaderInput("ps.json", bytes.NewReader(b)))
		if err != nil || got["ps.json"] != text {
			t.Errorf("big-endian %v: %q, %v", big, got["ps.json"], err)
		}
	}
}

// TestExpandFollowsLinks: links to files and to folders are followed, and
// a link back to an ancestor does not loop.
func TestExpandFollowsLinks(t *testing.T) {
	root, elsewhere := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(elsewhere, "linked.json"), []byte("{}"), 0o600)
	os.MkdirAll(filepath.Join(elsewhere, "logs"), 0o755)
	os.WriteFile(filepath.Join(elsewhere, "logs", "deep.json"), []byte("{}"), 0o600)
	os.WriteFile(filepath.Join(root, "own.json"), []byte("{}"), 0o600)
	for link, target := range map[string]string{
		"file-link":  filepath.Join(elsewhere, "linked.json"),
		"dir-link":   filepath.Join(elsewhere, "logs"),
		"loop":       root,
		"z-same-dir": filepath.Join(elsewhere, "logs"),
	} {
		if err := os.Symlink(target, filepath.Join(root, link)); err != nil {
			t.Skipf("symlinks unavailable: %v", err)
		}
	}
	inputs, err := Expand(context.Background(), []string{root}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range inputs {
		names = append(names, strings.TrimPrefix(in.Name, root+"/"))
	}
	want := "dir-link/deep.json,file-link,own.json"
	if strings.Join(names, ",") != want {
		t.Errorf("inputs = %v, want %s (each linked folder once, no loop)", names, want)
	}
}
