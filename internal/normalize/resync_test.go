package normalize

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"cloudwall/internal/model"
)

// compactFixture returns a parser fixture as one JSON line.
func compactFixture(t *testing.T, path string) string {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestCutLineDoesNotSwallowTheNext cuts a record at every byte and puts
// whole records on the lines after it, in JSON lines and in JSON lines of
// {"Records":[...]} files: every whole record comes out, and the cut one
// is reported.
func TestCutLineDoesNotSwallowTheNext(t *testing.T) {
	atk := compactFixture(t, "aws/testdata/ec2_authorize_ingress_flat_stratus.json")
	next := `{"eventVersion":"1.08","eventName":"GetCallerIdentity","n":{"a":[1,{"b":2}]}}`
	shapes := []struct {
		name        string
		cut, whole  func(string) string
		wantRecords []string
	}{
		{"json lines", func(r string) string { return r }, func(r string) string { return r }, []string{atk, next}},
		{"records files", func(r string) string { return `{"Records":[` + r }, func(r string) string { return `{"Records":[` + r + `]}` }, []string{atk, next}},
	}
	s := NewSplitter(nil)
	for _, sh := range shapes {
		lost := 0
		for cut := 1; cut < len(atk); cut++ {
			in := sh.cut(atk[:cut]) + "\n" + sh.whole(atk) + "\n" + sh.whole(next) + "\n"
			for _, r := range []io.Reader{strings.NewReader(in), iotest.HalfReader(strings.NewReader(in))} {
				s.Reset(r)
				recs, problems, end := splitWith(t, s, 1<<20)
				if end != io.EOF {
					t.Fatalf("%s cut %d: end %v", sh.name, cut, end)
				}
				var whole []string
				for _, rec := range recs {
					if rec == atk || rec == next {
						whole = append(whole, rec)
					}
				}
				if !slices.Equal(whole, sh.wantRecords) {
					lost++
					t.Errorf("%s cut at %d (%q): records %q, problems %q", sh.name, cut, atk[max(0, cut-10):cut], recs, problems)
				}
				if len(problems) == 0 {
					t.Errorf("%s cut at %d: the cut record is not reported", sh.name, cut)
				}
			}
			if lost > 5 {
				t.Fatalf("%s: giving up after %d losses", sh.name, lost)
			}
		}
	}
}

// TestCutLineOverTheLimit: a cut line followed by more lines than the
// record limit holds loses only itself; the scan resumes at the next line
// as soon as the record grows past the limit, and memory stays bounded.
func TestCutLineOverTheLimit(t *testing.T) {
	line := `{"eventName":"X","i":"` + strings.Repeat("y", 100) + `"}` + "\n"
	in := `{"a":{"b":1` + "\n" + strings.Repeat(line, 2000) + `{"last":1}` + "\n"
	recs, problems, end := splitAll(t, strings.NewReader(in), 4096)
	if end != io.EOF || len(recs) != 2001 || len(problems) != 1 || recs[2000] != `{"last":1}` {
		t.Fatalf("got %d records, problems %q, end %v; want 2001 and one problem", len(recs), problems, end)
	}
}

// TestJSONFoundOnTheLine: a syslog prefix or NUL padding before the JSON
// does not lose the record; a line with no JSON is still reported.
func TestJSONFoundOnTheLine(t *testing.T) {
	in := "<134>Jun  1 12:00:00 host cloudtrail[42]: {\"a\":1}\n" +
		"\x00\x00\x00\x00{\"b\":2}\n" +
		"<165>1 2003-10-11T22:14:15.003Z host app - ID47 [sd@1 iut=\"3\"] {\"c\":3}\n" +
		"no json here\n" +
		"{\"d\":4}\n"
	for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
		recs, problems, _ := splitAll(t, r, 0)
		if strings.Join(recs, "|") != `{"a":1}|{"b":2}|{"c":3}|{"d":4}` || len(problems) != 1 {
			t.Errorf("records %q problems %q", recs, problems)
		}
	}
}

// TestLongNULPaddingBeforeRecord: a run of NULs of any length before a
// record (the zeroed blocks a crash or a preallocated log file leaves,
// often a page or more, with no newline before the writing resumed) does
// not lose the record after it, nor grow the buffer past the record limit;
// a line of NULs alone, or NULs then text, is still reported.
func TestLongNULPaddingBeforeRecord(t *testing.T) {
	for _, tc := range []struct {
		nuls     int
		tail     string
		recs     string
		problems int
	}{
		{4095, `{"a":1}`, `{"a":1}|{"z":9}`, 0},
		{4096, `{"a":1}`, `{"a":1}|{"z":9}`, 0},
		{1 << 20, `{"a":1}`, `{"a":1}|{"z":9}`, 0},
		{1 << 20, "", `{"z":9}`, 1},
		{1 << 20, "no json", `{"z":9}`, 1},
	} {
		in := strings.Repeat("\x00", tc.nuls) + tc.tail + "\n" + `{"z":9}` + "\n"
		for _, r := range []io.Reader{strings.NewReader(in), iotest.HalfReader(strings.NewReader(in))} {
			s := newSplitterSize(r, 16)
			recs, problems, _ := splitWith(t, s, 4096)
			if got := strings.Join(recs, "|"); got != tc.recs || len(problems) != tc.problems {
				t.Errorf("%d NULs then %q: records %q problems %q, want %q and %d problems", tc.nuls, tc.tail, got, problems, tc.recs, tc.problems)
			}
			if len(s.buf) > 2*4096+maxPrefix {
				t.Errorf("%d NULs then %q: buffer grew to %d bytes", tc.nuls, tc.tail, len(s.buf))
			}
		}
	}
}

// TestRecordWrittenOnAfterACut: a JSON-lines writer that died in a record
// and was started again appends its next record on the same line; that
// record is read, wherever the cut fell (in a key, in a string, after a
// colon), at the end of the stream or with lines after it, and the broken
// part is reported once. A line with no whole record at its end, or junk
// longer than the prefix a line may have, loses only itself.
func TestRecordWrittenOnAfterACut(t *testing.T) {
	rec := `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser"},"eventName":"AuthorizeSecurityGroupIngress","requestParameters":{"groupId":"sg-1"}}`
	for _, tc := range []struct {
		name, in, recs string
		problems       int
	}{
		{"cut in a key, at the end", rec[:45] + rec, rec, 1},
		{"cut in a string, lines after", rec[:60] + rec + "\n" + `{"z":9}` + "\n", rec + `|{"z":9}`, 1},
		{"cut after a colon", rec[:39] + rec + "\n" + `{"z":9}` + "\n", rec + `|{"z":9}`, 1},
		{"two cuts", rec[:30] + rec[:70] + rec + "\n", rec, 1},
		{"junk past the prefix", strings.Repeat("junk ", 1000) + rec + "\n" + `{"z":9}` + "\n", rec + `|{"z":9}`, 1},
		{"no record after the cut", rec[:45] + "\n" + `{"z":9}` + "\n", `{"z":9}`, 1},
		{"record, then junk", rec[:45] + rec + "x\n" + `{"z":9}` + "\n", `{"z":9}`, 1},
	} {
		for _, r := range []io.Reader{strings.NewReader(tc.in), iotest.OneByteReader(strings.NewReader(tc.in))} {
			recs, problems, _ := splitAll(t, r, 1<<16)
			if got := strings.Join(recs, "|"); got != tc.recs || len(problems) != tc.problems {
				t.Errorf("%s: records %q problems %q, want %q and %d problems", tc.name, got, problems, tc.recs, tc.problems)
			}
		}
	}
}

// TestCutOffReportNamesTheRecord: the problem gives the cut record's index
// and offset, and the records after it keep their own.
func TestCutOffReportNamesTheRecord(t *testing.T) {
	in := "{\"a\":1}\n{\"b\":{\"c\":2\n{\"d\":3}\n"
	s := NewSplitter(strings.NewReader(in))
	var got []string
	for {
		rec, err := s.Next()
		if err == io.EOF {
			break
		}
		if re, ok := err.(*RecordError); ok {
			got = append(got, "E"+string(rune('0'+re.Index))+"@"+string(rune('0'+re.Offset)))
			continue
		}
		got = append(got, string(rec.Data)+"#"+string(rune('0'+rec.Index)))
	}
	want := []string{`{"a":1}#0`, `E1@8`, `{"d":3}#2`}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// repeatReader yields n copies of a byte.
type repeatReader struct {
	c byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), r.n)]
	for i := range p {
		p[i] = r.c
	}
	r.n -= int64(len(p))
	return len(p), nil
}

// TestNestingBomb: a line of 256 MiB of '[' (or '{"a":[' then brackets)
// is reported as one record and the record after it survives, with the
// scanner's stack and buffer bounded by MaxDepth and the record limit.
func TestNestingBomb(t *testing.T) {
	for _, lead := range []string{"", "[", `{"a":`, `{"Records":[`} {
		r := io.MultiReader(strings.NewReader(lead), &repeatReader{'[', 256 << 20}, strings.NewReader("\n{\"after\":1}\n"))
		s := NewSplitter(r)
		recs, problems, end := splitWith(t, s, 1<<20)
		if end != io.EOF || len(problems) != 1 || !strings.Contains(problems[0], "nested more than") || strings.Join(recs, "|") != `{"after":1}` {
			t.Errorf("lead %q: records %q problems %q end %v", lead, recs, problems, end)
		}
		if cap(s.sc.stack) > 2*MaxDepth || cap(s.buf) > 4<<20 {
			t.Errorf("lead %q: stack %d, buffer %d bytes: not bounded", lead, cap(s.sc.stack), cap(s.buf))
		}
	}
}

// TestBrokenElementResumesOnTheLine: in a one-line array of records, an
// element that cannot be read (a mismatched bracket, a string left open,
// a record cut off with the next written on after it) is one unreadable
// record, first, between or last; every whole record after it on the line
// is still split out, whatever the read sizes.
func TestBrokenElementResumesOnTheLine(t *testing.T) {
	atk := compactFixture(t, "aws/testdata/ec2_authorize_ingress_flat_stratus.json")
	next := `{"eventVersion":"1.08","eventName":"GetCallerIdentity","n":{"a":[1,{"b":2}]}}`
	bads := map[string]string{
		"mismatched bracket":    `{"a":[}`,
		"mismatched in body":    `{"eventVersion":"1.08","requestParameters":{"items":[{"cidrIp":"0.0.0.0/0"}}}`,
		"unterminated string":   `{"a":"x`,
		"string open at a key":  `{"eventVersion":"1.08","userAgent":"a,{\"b\":1}`,
		"cut, next written on":  atk[:len(atk)/2],
		"cut in a nested array": atk[:strings.Index(atk, `"cidrIp"`)+4],
		"closer only":           `}`,
		"bracket in a string":   `{"a":"[",]}`,
		"comma then closer":     `]`,
	}
	wrap := map[string]func([]string) string{
		"Records": func(e []string) string { return `{"Records":[` + strings.Join(e, ",") + `]}` },
		"array":   func(e []string) string { return `[` + strings.Join(e, ", ") + `]` + "\n" },
		"value":   func(e []string) string { return `{"value":[` + strings.Join(e, ",") + `],"nextLink":null}` },
	}
	for bname, bad := range bads {
		for wname, w := range wrap {
			for _, pos := range []int{0, 1, 3} {
				if bad == "]" && pos == 0 {
					continue // [] is an empty array
				}
				good := []string{atk, next, atk}
				elems := slices.Insert(slices.Clone(good), pos, bad)
				in := w(elems)
				for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
					recs, problems, end := splitAll(t, r, 1<<20)
					name := bname + " in " + wname + " at " + string(rune('0'+pos))
					if end != io.EOF {
						t.Fatalf("%s: end %v", name, end)
					}
					if pos < len(good) && !slices.Equal(recs, good) || pos == len(good) && !slices.Equal(recs[:min(len(recs), 3)], good) {
						t.Errorf("%s: %d records (%.60q), want the three good ones", name, len(recs), recs)
					}
					if len(problems) != 1 {
						t.Errorf("%s: problems %q, want the bad element alone", name, problems)
					}
				}
			}
		}
	}
}

// TestBrokenElementObjectsInside: objects inside a broken element, after
// the point where it broke, may come out as records of their own, but the
// brackets after them that close what they were in do not end the array:
// every record after the element is still split out, and only the
// element is reported.
func TestBrokenElementObjectsInside(t *testing.T) {
	for _, bad := range []string{
		`{"a":[},"b":[{"c":1}]]`,
		`{"a":[},"b":[{"c":1}]}`,
		`{"a":[},"b":[{"c":1},{"d":1}]]]]}`,
		`{"a":[},"b":[{"c":1}]],"x":[[{"d":1}]]`,
	} {
		in := `{"Records":[` + bad + `,{"good":1},{"good":2}]}` + "\n" + `{"last":1}`
		for _, r := range []io.Reader{strings.NewReader(in), iotest.OneByteReader(strings.NewReader(in))} {
			recs, problems, end := splitAll(t, r, 1<<20)
			var good []string
			for _, rec := range recs {
				if strings.Contains(rec, "good") || strings.Contains(rec, "last") {
					good = append(good, rec)
				}
			}
			if end != io.EOF || strings.Join(good, "|") != `{"good":1}|{"good":2}|{"last":1}` || len(problems) != 1 {
				t.Errorf("%s: records %q, problems %q, end %v; want the good ones and one problem", bad, recs, problems, end)
			}
		}
	}
}

// TestBrokenElementMemory: the search for the next element after a
// broken one keeps no more than the record limit, however far it goes.
func TestBrokenElementMemory(t *testing.T) {
	for _, filler := range []byte{' ', '1', '['} {
		r := io.MultiReader(strings.NewReader(`{"Records":[{"a":[},`), &repeatReader{filler, 64 << 20}, strings.NewReader(`,{"good":1}]}`+"\n"+`{"after":1}`+"\n"))
		s := NewSplitter(r)
		recs, problems, end := splitWith(t, s, 1<<20)
		if end != io.EOF || len(problems) == 0 || !slices.Contains(recs, `{"after":1}`) {
			t.Errorf("filler %q: records %q problems %q end %v", filler, recs, problems, end)
		}
		if cap(s.buf) > 8<<20 {
			t.Errorf("filler %q: buffer grew to %d bytes", filler, cap(s.buf))
		}
	}
	// A broken element larger than the limit: the records after the point
	// where it broke are still read.
	big := `{"a":"` + strings.Repeat("x", 3<<20) + `","b":[}`
	in := `{"Records":[{"c":1},` + big + `,{"good":1}]}`
	recs, problems, end := splitAll(t, strings.NewReader(in), 1<<20)
	if end != io.EOF || strings.Join(recs, "|") != `{"c":1}|{"good":1}` || len(problems) != 1 {
		t.Errorf("large broken element: records %q problems %q end %v", recs, problems, end)
	}
}

// TestSalvageRecordsInsideABrokenOne: a string left open in an element can
// turn the bytes after it inside out until its brackets balance by chance,
// so that the splitter hands over the records after it as part of it.
// Such a record is reported, and the audit records inside it are read.
func TestSalvageRecordsInsideABrokenOne(t *testing.T) {
	atk := compactFixture(t, "aws/testdata/ec2_authorize_ingress_flat_stratus.json")
	tests := []struct {
		name, raw string
		events    int
		broken    bool
	}{
		{"string left open before a record", `{"eventVersion":"1.08","userAgent":"x,` + atk + `,{"a":"\"}`, 1, true},
		{"records in an array of a broken one", `{"a":[` + atk + `,` + atk + `],"b":x}`, 2, true},
		{"only parts of itself inside", `{"a":[{"b":1},{"c":2}],"d":x}`, 0, false},
		{"dense, not broken", `{"a":[` + strings.Repeat(`{},`, 20000) + `{}]}`, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := Parse([]byte(tt.raw), model.SourceRef{File: "t.json"}, nil)
			if len(res.Events) != tt.events || res.Broken != tt.broken || res.Reason == "" {
				t.Errorf("kind %v, %d events, broken %v, reason %q; want %d events, broken %v, reported", res.Kind, len(res.Events), res.Broken, res.Reason, tt.events, tt.broken)
			}
		})
	}
}
