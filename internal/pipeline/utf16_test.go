package pipeline

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"

	"cloudwall/internal/model"
)

// utf16LE encodes text as UTF-16LE, with a byte-order mark when bom.
func utf16LE(text string, bom bool) string {
	var b strings.Builder
	if bom {
		b.WriteString("\xff\xfe")
	}
	for _, u := range utf16.Encode([]rune(text)) {
		b.WriteByte(byte(u))
		b.WriteByte(byte(u >> 8))
	}
	return b.String()
}

// TestUTF16TrailingNULs: UTF-16 text padded with NULs at its end (a
// Windows tool's preallocated file, a crash while writing) has its
// records read and no unreadable record that told the user to convert
// the file from UTF-16, which was read as UTF-16; an odd NUL at the very
// end (half a character) is one unreadable record that says so.
func TestUTF16TrailingNULs(t *testing.T) {
	atk := attackLine(t) + "\n"
	tests := []struct {
		name       string
		text       string
		unreadable int64
		problem    string
	}{
		{"with a byte-order mark, a zeroed page after it", utf16LE(atk, true) + strings.Repeat("\x00", 4096), 0, ""},
		{"without a byte-order mark, a zeroed page after it", utf16LE(atk, false) + strings.Repeat("\x00", 4096), 0, ""},
		{"an odd NUL at the end", utf16LE(atk, false) + "\x00\x00\x00", 1, "odd byte at its end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := scanText(t, nil, tt.text, 0)
			if len(res.Findings) != 1 || res.Findings[0].Severity != model.Critical {
				t.Fatalf("findings %s, want the critical attack", findingTitles(res))
			}
			s := res.Summary
			if s.Unreadable != tt.unreadable || int64(len(s.Problems)) != tt.unreadable {
				t.Fatalf("unreadable %d, problems %+v; want %d", s.Unreadable, s.Problems, tt.unreadable)
			}
			for _, p := range s.Problems {
				if !strings.Contains(p.Message, tt.problem) || strings.Contains(p.Message, "convert it with iconv") {
					t.Errorf("problem %q, want %q and no advice to convert from UTF-16", p.Message, tt.problem)
				}
			}
		})
	}
}

// TestTinyInputsNameThemselvesOnce: one-byte and two-byte inputs (a
// gzip cut in its header, a lone byte) are each a problem that names the
// file once, and none stops the scan of the others.
func TestTinyInputsNameThemselvesOnce(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"cut.json.gz": "\x1f\x8b", "brace.json": "{", "x.json": "x", "nul.json": "\x00", "attack.json": attackLine(t)}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	res := scan(t, []string{dir}, Options{Filter: Filter{MinSeverity: model.Info}})
	if len(res.Findings) != 1 || res.Findings[0].Severity != model.Critical {
		t.Fatalf("findings %s, want the attack", findingTitles(res))
	}
	if len(res.Summary.Problems) != 3 {
		t.Errorf("problems %+v, want the cut gzip, the open brace and the x", res.Summary.Problems)
	}
	for _, p := range res.Summary.Problems {
		if strings.Contains(p.Message, filepath.Base(p.File)) {
			t.Errorf("problem for %s names the file again: %q", p.File, p.Message)
		}
	}
}
