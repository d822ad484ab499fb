package traffic

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadJunkBeforeRecord: a VPC flow-log line that starts with junk (a
// record cut short by a writer that crashed, then the next record on the
// same line; stray bytes, terminal escapes) has the record after the
// junk read, and the junk reported with its line, counted as a record
// lost. Hand-built in the documented shape of VPC Flow Logs v2 and v5.
func TestReadJunkBeforeRecord(t *testing.T) {
	const hdr = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
	const good = "2 123456789012 eni-1 198.51.100.7 10.0.0.5 40000 22 6 10 840 1700000000 1700000060 ACCEPT OK"
	const v5 = "5 123456789012 eni-1 198.51.100.7 10.0.0.5 40000 22 6 10 840 1700000000 1700000060 ACCEPT OK vpc-1 subnet-1 i-1 2 IPv4 198.51.100.7 10.0.0.5 us-east-1 use1-az1 - - - - ingress -"
	tests := []struct {
		name     string
		body     string
		junkLine int64
		junk     string // in the problem message
	}{
		{"garbage words before the record", hdr + "garbage here " + good + "\n" + good + "\n", 2, `13 bytes of junk`},
		{"a cut record glued to the next", hdr + "2 123456789012 eni-1 198.51.100.7 10.0.0.5 4000" + good + "\n" + good + "\n", 2, `"2 123456789012 eni-1 198.51.100.7 10.0.0`},
		{"terminal escapes before the record", hdr + "\x1b[2J\x1b]0;pwned\a " + good + "\n" + good + "\n", 2, `"\x1b[2J\x1b]0;pwned\a "`},
		{"no header: junk on the first line does not skip the file", "junk " + good + "\n" + good + "\n", 1, "5 bytes of junk"},
		{"no header, all-v5 record after junk", "x y z " + v5 + "\n" + v5 + "\n", 1, "6 bytes of junk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "flows.log")
			if err := os.WriteFile(path, []byte(tt.body), 0o600); err != nil {
				t.Fatal(err)
			}
			flows, c := readFile(t, path)
			if len(flows) != 2 {
				t.Fatalf("%d flows, want both records (counts %+v)", len(flows), c)
			}
			for _, f := range flows {
				if f.Src.String() != "198.51.100.7" || f.DstPort != 22 || f.Interface != "eni-1" {
					t.Errorf("flow %v", f)
				}
			}
			if c.Unreadable != 1 || len(c.Problems) != 1 || c.Records != c.Flows+c.Unreadable+c.Skipped {
				t.Fatalf("counts %+v; want the junk counted once as a record lost", c)
			}
			if p := c.Problems[0]; p.Index != tt.junkLine || p.File != path || !strings.Contains(p.Message, tt.junk) {
				t.Errorf("problem %+v, want line %d naming %q", p, tt.junkLine, tt.junk)
			}
		})
	}
}
