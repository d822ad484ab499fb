package normalize

import (
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// splitAll runs a Splitter over in and returns the records and the
// problems it reported, as text.
func splitAll(t *testing.T, r io.Reader, max int) (recs []string, problems []string, end error) {
	t.Helper()
	// A small first buffer makes refills land inside keys, values and
	// records, as they do in large files.
	return splitWith(t, newSplitterSize(r, 16), max)
}

// splitWith is splitAll on a splitter already reset onto its input.
func splitWith(t *testing.T, s *Splitter, max int) (recs []string, problems []string, end error) {
	t.Helper()
	s.MaxRecord = max
	for i := 0; i < 10000; i++ {
		rec, err := s.Next()
		var re *RecordError
		switch {
		case err == nil:
			recs = append(recs, string(rec.Data))
		case errors.As(err, &re):
			problems = append(problems, re.Msg)
		default:
			return recs, problems, err
		}
	}
	t.Fatal("splitter did not finish")
	return
}

func TestSplitterShapes(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     []string
		problems int
	}{
		{"json lines", "{\"a\":1}\n{\"b\":2}\n", []string{`{"a":1}`, `{"b":2}`}, 0},
		{"crlf and blank lines", "{\"a\":1}\r\n\r\n{\"b\":2}", []string{`{"a":1}`, `{"b":2}`}, 0},
		{"records wrapper", `{"Records":[{"a":1},{"b":"x]}"}]}`, []string{`{"a":1}`, `{"b":"x]}"}`}, 0},
		{"wrapper after other keys", `{"nextLink":null,"value":[{"a":1}]}`, []string{`{"a":1}`}, 0},
		{"lower records", `{"records": [ {"a":1} , {"b":2} ] }`, []string{`{"a":1}`, `{"b":2}`}, 0},
		{"pretty printed", "{\n  \"Records\": [\n    {\n      \"a\": 1\n    }\n  ]\n}\n", []string{"{\n      \"a\": 1\n    }"}, 0},
		{"array", `[{"a":1},{"b":[1,2]}]`, []string{`{"a":1}`, `{"b":[1,2]}`}, 0},
		{"single object", `{"eventName":"X","requestParameters":{"Records":[1]}}`, []string{`{"eventName":"X","requestParameters":{"Records":[1]}}`}, 0},
		{"non-array wrapper key", `{"value":"x"}`, []string{`{"value":"x"}`}, 0},
		{"wrapper key over scalars", `{"cloud":"aws","records":[4493, 4494]}`, []string{`{"cloud":"aws","records":[4493, 4494]}`}, 0},
		{"empty wrapper", `{"Records":[]}` + "\n" + `{"a":1}`, []string{`{"a":1}`}, 0},
		{"escaped quotes", `{"a":"\"}\\"}` + "\n" + `{"b":1}`, []string{`{"a":"\"}\\"}`, `{"b":1}`}, 0},
		{"bom", "\xEF\xBB\xBF{\"a\":1}", []string{`{"a":1}`}, 0},
		{"concatenated files", `{"Records":[{"a":1}]}{"Records":[{"b":2}]}`, []string{`{"a":1}`, `{"b":2}`}, 0},
		{"scalar element", `[1,{"a":1}]`, []string{`1`, `{"a":1}`}, 0},
		{"broken line then good", "{\"a\":\"x}\n{\"b\":2}\n", []string{`{"b":2}`}, 1},
		{"mismatched bracket", "{\"a\":[1}\n{\"b\":2}\n", []string{`{"b":2}`}, 1},
		{"garbage lines reported once", "hello\nworld\n{\"b\":2}\n", []string{`{"b":2}`}, 1},
		{"truncated", `{"Records":[{"a":1},{"b":`, []string{`{"a":1}`}, 1},
		// A wrapper under its object's first key is one whatever its first
		// element: a bad one is one record, the rest are still read.
		{"null first in wrapper", `{"Records":[null,{"a":1}]}`, []string{`null`, `{"a":1}`}, 0},
		{"number first in wrapper", `{"records":[ 1 ,{"a":1}]}`, []string{`1`, `{"a":1}`}, 0},
		{"string first in wrapper", `{"value":["x",{"a":1}],"nextLink":null}`, []string{`"x"`, `{"a":1}`}, 0},
		{"array first in wrapper", `{"Records":[[],{"a":1}]}`, []string{`[]`, `{"a":1}`}, 0},
		{"scalars under first key", `{"records":[4493]}`, []string{`4493`}, 0},
		{"bad first element after other keys", `{"messageType":"DATA_MESSAGE","logEvents":[null, 1,{"a":1}]}`, []string{`null`, `1`, `{"a":1}`}, 0},
		{"deep first element after other keys", `{"x":1,"Records":[` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `,{"b":1}]}`, []string{`{"b":1}`}, 1},
		{"no object among elements after other keys", `{"x":1,"records":[1, "{", [{"a":1}]]}`, []string{`{"x":1,"records":[1, "{", [{"a":1}]]}`}, 0},
		// An element nested too deep is skipped alone, on the same line.
		{"deep first element", `{"Records":[{"a":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `},{"b":1}]}`, []string{`{"b":1}`}, 1},
		{"deep element between", `[{"a":1},` + strings.Repeat(`[{"s":"]}\"[{"}`, 600) + strings.Repeat("]", 600) + `,{"b":2}]`, []string{`{"a":1}`, `{"b":2}`}, 1},
		{"deep element cut off", "[" + strings.Repeat("[", 600) + "\n{\"b\":2}\n", []string{`{"b":2}`}, 1},
		{"empty", "", nil, 0},
		{"whitespace only", " \n\t", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, oneByte := range []bool{false, true} {
				var r io.Reader = strings.NewReader(tt.in)
				if oneByte {
					r = iotest.OneByteReader(r)
				}
				recs, problems, end := splitAll(t, r, 0)
				if end != io.EOF {
					t.Fatalf("end = %v, want io.EOF", end)
				}
				if strings.Join(recs, "|") != strings.Join(tt.want, "|") {
					t.Errorf("oneByte=%v records:\n got %q\nwant %q", oneByte, recs, tt.want)
				}
				if len(problems) != tt.problems {
					t.Errorf("oneByte=%v problems = %q, want %d", oneByte, problems, tt.problems)
				}
			}
		})
	}
}

func TestSplitterIndexCountsEveryRecord(t *testing.T) {
	s := NewSplitter(strings.NewReader("{\"a\":1}\n{\"a\":\"x\n{\"c\":3}\n"))
	var got []int64
	for {
		rec, err := s.Next()
		if err == io.EOF {
			break
		}
		var re *RecordError
		if errors.As(err, &re) {
			got = append(got, -re.Index)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, rec.Index)
	}
	want := []int64{0, -1, 2}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("indices = %v, want %v (negative: reported as unreadable)", got, want)
	}
	if s.Records() != 3 {
		t.Errorf("Records() = %d, want 3", s.Records())
	}
}

func TestSplitterOversizeRecord(t *testing.T) {
	big := `{"a":"` + strings.Repeat("x", 10<<20) + `"}`
	in := `{"Records":[{"a":1},` + big + `,{"b":2}]}` + "\n" + big + "\n" + `{"c":3}`
	recs, problems, end := splitAll(t, strings.NewReader(in), 1<<20)
	if end != io.EOF {
		t.Fatalf("end = %v", end)
	}
	if strings.Join(recs, "|") != `{"a":1}|{"b":2}|{"c":3}` {
		t.Errorf("records = %q", recs)
	}
	if len(problems) != 2 || !strings.Contains(problems[0], "limit") {
		t.Errorf("problems = %q, want two over-limit reports", problems)
	}
}

// TestSplitterLimitIsExact: a record just over the limit is refused and
// one at the limit is kept, whatever the read sizes.
func TestSplitterLimitIsExact(t *testing.T) {
	const limit = 1000
	at := `{"a":"` + strings.Repeat("x", limit-8) + `"}`
	over := `{"a":"` + strings.Repeat("x", limit-7) + `"}`
	for _, r := range []io.Reader{strings.NewReader(at + "\n" + over + "\n"), iotest.HalfReader(strings.NewReader(at + "\n" + over + "\n"))} {
		recs, problems, _ := splitAll(t, r, limit)
		if len(recs) != 1 || len(recs[0]) != limit || len(problems) != 1 {
			t.Errorf("got %d records (first %d bytes), %d problems; want the %d-byte record kept and the larger one refused", len(recs), len(recs[0]), len(problems), limit)
		}
	}
}

func TestSplitterReadError(t *testing.T) {
	boom := errors.New("gzip stream: unexpected EOF")
	r := io.MultiReader(strings.NewReader(`{"Records":[{"a":1},{"b":`), iotest.ErrReader(boom))
	recs, problems, end := splitAll(t, r, 0)
	if len(recs) != 1 || len(problems) != 1 || !strings.Contains(problems[0], "unexpected EOF") {
		t.Errorf("records %q problems %q", recs, problems)
	}
	if !errors.Is(end, boom) {
		t.Errorf("end = %v, want the read error", end)
	}
}

// chunkReader returns at most n bytes per Read, so refills land at every
// possible place inside keys, values and records.
type chunkReader struct {
	r io.Reader
	n int
}

func (c chunkReader) Read(p []byte) (int, error) {
	if len(p) > c.n {
		p = p[:c.n]
	}
	return c.r.Read(p)
}

// TestSplitterChunkingIsInvisible: whatever the read sizes, the records
// and problems are those of reading the input at once.
func TestSplitterChunkingIsInvisible(t *testing.T) {
	inputs := []string{
		`{"Records":[{"a":1},{"b":2}]}{"Records":[{"c":3}]}` + "\n" + `{"x":1}`,
		`{"nextLink":"` + strings.Repeat("n", 50) + `","value":[{"a":"` + strings.Repeat("v", 70) + `"}],"tail":{"k":[1,2]}}`,
		"{\n  \"records\": [\n    {\"a\": \"b\\\"c\"},\n    {\"d\": [\"}\"]}\n  ]\n}\n{\"e\":1}\n",
		"{\"a\":\"x\n{\"b\":2}\n[{\"c\":3},{\"d\":4}]",
		`{"Events":[{"CloudTrailEvent":"{\"eventName\":\"X\"}"}],"NextToken":"t"}`,
		`{"kind":"attack","records":[   4493,4494],"value":[  {"a":1}]}` + "\n" + `{"records":    []}`,
	}
	for _, in := range inputs {
		want, wantProblems, _ := splitAll(t, strings.NewReader(in), 64)
		for n := 1; n <= 40; n++ {
			got, gotProblems, end := splitAll(t, chunkReader{strings.NewReader(in), n}, 64)
			if end != io.EOF || strings.Join(got, "|") != strings.Join(want, "|") || strings.Join(gotProblems, "|") != strings.Join(wantProblems, "|") {
				t.Fatalf("chunk %d of %q:\n got %q %q\nwant %q %q", n, in, got, gotProblems, want, wantProblems)
			}
		}
	}
}

func TestSplitterReset(t *testing.T) {
	s := NewSplitter(strings.NewReader(`{"Records":[{"a":1},{"b":`))
	for {
		if _, err := s.Next(); err == io.EOF {
			break
		}
	}
	s.Reset(strings.NewReader(`{"c":3}`))
	rec, err := s.Next()
	if err != nil || string(rec.Data) != `{"c":3}` || rec.Index != 0 {
		t.Errorf("after Reset: %q, index %d, %v", rec.Data, rec.Index, err)
	}
}

// TestSplitterNULHint: a record broken by a NUL byte (UTF-16 text that
// ingest could not recognise) is reported with the command that converts
// it; other bytes are named plainly.
func TestSplitterNULHint(t *testing.T) {
	tests := []struct {
		in, want, not string
	}{
		{"{\x00\"\x00a\x00\"\x00:\x001\x00}\x00\n", "iconv -f UTF-16LE -t UTF-8", ""},
		{"{\x01\"a\":1}\n", "byte 0x01", "iconv"},
	}
	for _, tt := range tests {
		_, problems, _ := splitAll(t, strings.NewReader(tt.in), 1<<20)
		all := strings.Join(problems, "\n")
		if !strings.Contains(all, tt.want) || tt.not != "" && strings.Contains(all, tt.not) {
			t.Errorf("%q: problems %q, want %q", tt.in, problems, tt.want)
		}
	}
}

// TestSplitterTrailingNULs: NUL padding after the last record (a file
// being written when its writer crashed, or preallocated; UTF-16 text
// padded with NUL code units reads the same once decoded) is no record:
// it is skipped, as padding before a record is, instead of an
// unreadable record that told the user to convert the file from UTF-16.
// Bytes after the padding are still judged, by their own first byte.
func TestSplitterTrailingNULs(t *testing.T) {
	const recs = `{"a":1}` + "\n" + `{"b":2}` + "\n"
	tests := []struct {
		name     string
		in       string
		records  int
		problems []string
	}{
		{"one NUL at the end", recs + "\x00", 2, nil},
		{"a zeroed page at the end, no newline", strings.TrimSuffix(recs, "\n") + strings.Repeat("\x00", 4096), 2, nil},
		{"a megabyte of NULs at the end", recs + strings.Repeat("\x00", 1<<20), 2, nil},
		{"NULs between records", `{"a":1}` + strings.Repeat("\x00", 100) + `{"b":2}`, 2, nil},
		{"NULs then junk", recs + "\x00\x00\x00junk\n", 2, []string{"not JSON: unexpected 'j' at top level"}},
		{"a record broken by NULs still hints UTF-16", "{\x00\"\x00a\x00\"\x00:\x001\x00}\x00\n", 0, []string{"iconv -f UTF-16LE -t UTF-8"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems, end := splitAll(t, strings.NewReader(tt.in), 1<<20)
			if end != io.EOF || len(got) != tt.records || len(problems) != len(tt.problems) {
				t.Fatalf("records %q, problems %q, end %v; want %d records, problems %q", got, problems, end, tt.records, tt.problems)
			}
			for i, want := range tt.problems {
				if !strings.Contains(problems[i], want) {
					t.Errorf("problem %q, want %q", problems[i], want)
				}
			}
		})
	}
}
