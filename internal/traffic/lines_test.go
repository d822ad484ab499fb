package traffic

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// readWith reads data with one of the JSON readers, bypassing the choice
// ReadStream makes, and returns the flows and counts.
func readWith(t *testing.T, data []byte, lines bool) ([]string, Counts) {
	t.Helper()
	var r fileReader
	var flows []string
	emit := func(f *Flow) { flows = append(flows, f.String()) }
	br := bufio.NewReaderSize(bytes.NewReader(data), 64<<10)
	var err error
	if lines {
		err = r.readJSONLines(context.Background(), "t", br, emit)
	} else {
		err = r.readJSON(context.Background(), "t", br, emit)
	}
	if err != nil {
		t.Fatal(err)
	}
	return flows, r.counts
}

// TestJSONLinesAgreeWithSplitter: on real JSON-lines flow logs the line
// reader (the fast path) and the record splitter read the same flows.
func TestJSONLinesAgreeWithSplitter(t *testing.T) {
	for _, name := range []string{
		"testdata/real/beats_firewall-rules-logentries_allowed-and-denied.log",
		"testdata/real/otel_vpc-flow-logentries_google-service.ndjson",
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var r fileReader
		if !r.flowPerLine(bufio.NewReader(bytes.NewReader(data))) {
			t.Errorf("%s: not taken for JSON lines", name)
		}
		byLine, c1 := readWith(t, data, true)
		bySplit, c2 := readWith(t, data, false)
		if len(byLine) == 0 || strings.Join(byLine, "\n") != strings.Join(bySplit, "\n") {
			t.Errorf("%s: line reader %d flows, splitter %d:\n%s\n---\n%s", name, len(byLine), len(bySplit), strings.Join(byLine, "\n"), strings.Join(bySplit, "\n"))
		}
		if c1.Records != c2.Records || c1.Flows != c2.Flows || c1.Skipped != c2.Skipped {
			t.Errorf("%s: counts differ: lines %+v, splitter %+v", name, c1, c2)
		}
	}
}

// TestJSONLinesDamaged: a cut line is reported with its record index and
// the next line is read; a line longer than the read buffer is read whole;
// a record behind a syslog prefix or NULs is found on its line.
func TestJSONLinesDamaged(t *testing.T) {
	data, err := os.ReadFile("testdata/real/otel_vpc-flow-logentries_google-service.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) < 2 {
		t.Fatal("sample has fewer than two lines")
	}
	good := lines[0]
	// The same entry with a 200 KB label: longer than the 64 KiB buffer.
	long := strings.Replace(good, `"insertId":`, `"labels":{"pad":"`+strings.Repeat("x", 200<<10)+`"},"insertId":`, 1)
	prefixed := "<134>Mar  3 00:47:44 collector flows: " + good
	nuls := "\x00\x00\x00" + good
	in := strings.Join([]string{good, good[:len(good)/2], prefixed, long, nuls}, "\n") + "\n"

	var r fileReader
	var n int
	if err := r.ReadStream(context.Background(), "t", strings.NewReader(in), func(*Flow) { n++ }); err != nil {
		t.Fatal(err)
	}
	if n != 4 || r.counts.Flows != 4 || r.counts.Records != 5 || r.counts.Unreadable != 1 {
		t.Fatalf("flows %d, counts %+v; want 4 flows of 5 records, 1 unreadable", n, r.counts)
	}
	if p := r.counts.Problems; len(p) != 1 || p[0].Index != 1 || p[0].Offset != int64(len(good)+1) {
		t.Errorf("problems = %+v; want record 1 at offset %d", p, len(good)+1)
	}

	// Past --max-record-size the long line is skipped and said so.
	r = fileReader{maxRecord: 100 << 10}
	n = 0
	if err := r.ReadStream(context.Background(), "t", strings.NewReader(in), func(*Flow) { n++ }); err != nil {
		t.Fatal(err)
	}
	if n != 3 || r.counts.Unreadable != 2 || !strings.Contains(r.counts.Problems[1].Message, "larger than --max-record-size") {
		t.Errorf("with a 100 KiB bound: flows %d, counts %+v", n, r.counts)
	}
}

// TestFlowPerLine: only streams whose first line is itself a flow record
// take the line reader.
func TestFlowPerLine(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{`{"jsonPayload":{"connection":{}}}` + "\n" + `{"jsonPayload":{}}`, true},
		{`{"jsonPayload":{"connection":{}}}`, true},
		{`{"message":"2 1 eni-1 1.2.3.4 10.0.0.1 1 22 6 1 1 1 2 ACCEPT OK"}` + "\n", true},
		{`{"records":[{"properties":{}}]}` + "\n", false},
		{"{\n  \"jsonPayload\": {}\n}\n", false},
		{`{"messageType":"DATA_MESSAGE","logEvents":[{"message":"x"}],"message":"y"}`, false},
		{`{"jsonPayload":` + "\n", false},
	} {
		var r fileReader
		if got := r.flowPerLine(bufio.NewReader(strings.NewReader(tc.in))); got != tc.want {
			t.Errorf("flowPerLine(%.40q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
