package traffic

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/testutil"
)

// readFile reads one file as the join does and returns its flows and counts.
func readFile(t *testing.T, path string) ([]Flow, Counts) {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	var r fileReader
	var flows []Flow
	err = ingest.Open(context.Background(), ingest.FileInput(path, info.Size()), ingest.Options{}, func(st ingest.Stream) error {
		return r.ReadStream(context.Background(), st.Name, st.R, func(f *Flow) {
			if !f.Idle {
				flows = append(flows, *f)
			}
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return flows, r.counts
}

func (f Flow) String() string {
	dir := [...]string{"?", "in", "out"}[f.Direction]
	dec := [...]string{"?", "accept", "reject"}[f.Decision]
	s := fmt.Sprintf("%s %s..%s %s:%d -> %s:%d proto=%d %s %s pk=%d by=%d acct=%s net=%s if=%s",
		f.Cloud, f.Start.Format(time.RFC3339), f.End.Format(time.RFC3339), f.Src, f.SrcPort, f.Dst, f.DstPort,
		f.Protocol, dir, dec, f.Packets, f.Bytes, f.Account, f.Network, f.Interface)
	if f.Firewall != "" || f.Rule != "" {
		s += " fw=" + f.Firewall + " rule=" + f.Rule
	}
	if f.External {
		s += " external"
	}
	return s
}

// TestReadRealSamples reads every real public flow-log sample (provenance
// in testdata/real/SOURCES.md) and compares every flow with a golden file.
func TestReadRealSamples(t *testing.T) {
	files, _ := filepath.Glob("testdata/real/*")
	var out bytes.Buffer
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".md") || strings.HasSuffix(path, ".golden") {
			continue
		}
		flows, c := readFile(t, path)
		fmt.Fprintf(&out, "== %s: records=%d flows=%d skipped=%d unreadable=%d\n", filepath.Base(path), c.Records, c.Flows, c.Skipped, c.Unreadable)
		for _, p := range c.Problems {
			fmt.Fprintf(&out, "problem %d: %s\n", p.Index, p.Message)
		}
		for _, f := range flows {
			fmt.Fprintln(&out, f.String())
		}
		if c.Flows == 0 && !strings.Contains(path, "nodata") {
			t.Errorf("%s: no flow read", path)
		}
		n++
	}
	if n < 10 {
		t.Fatalf("only %d samples", n)
	}
	testutil.Golden(t, "testdata/real.golden", out.Bytes())
}

func TestReadAWSFieldsByHeader(t *testing.T) {
	// The same flow in a custom format with fields in another order,
	// v5 flow-direction and packet addresses.
	dir := t.TempDir()
	path := filepath.Join(dir, "custom.log")
	os.WriteFile(path, []byte("dstport srcaddr dstaddr action start end protocol flow-direction interface-id account-id pkt-srcaddr log-status\n"+
		"22 10.0.0.9 10.0.1.5 ACCEPT 1700000000 1700000060 6 ingress eni-1 111122223333 198.51.100.7 OK\n"), 0o644)
	flows, c := readFile(t, path)
	if c.Unreadable != 0 || len(flows) != 1 {
		t.Fatalf("flows %v, counts %+v", flows, c)
	}
	f := flows[0]
	if f.DstPort != 22 || f.Src.String() != "198.51.100.7" || f.Direction != DirIn || f.Decision != Accept || f.Interface != "eni-1" || f.Account != "111122223333" {
		t.Errorf("flow %v", f)
	}
}

func TestReadBadInput(t *testing.T) {
	// Every bad line is reported with its line number; good lines after
	// it still read.
	dir := t.TempDir()
	good := "2 123456789012 eni-1 198.51.100.7 10.0.0.5 40000 22 6 10 840 1700000000 1700000060 ACCEPT OK\n"
	body := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
		"2 123456789012 eni-1 not-an-ip 10.0.0.5 40000 22 6 10 840 1700000000 1700000060 ACCEPT OK\n" +
		"2 123456789012 eni-1 198.51.100.7\n" +
		strings.Repeat("x", maxLine+10) + "\n" +
		good
	path := filepath.Join(dir, "bad.log")
	os.WriteFile(path, []byte(body), 0o644)
	flows, c := readFile(t, path)
	if len(flows) != 1 || flows[0].Src.String() != "198.51.100.7" {
		t.Fatalf("good line lost: %v", flows)
	}
	if c.Unreadable != 3 || len(c.Problems) != 3 {
		t.Fatalf("counts %+v", c)
	}
	for i, want := range []int64{2, 3, 4} {
		if c.Problems[i].Index != want || c.Problems[i].File != path {
			t.Errorf("problem %d: %+v, want line %d", i, c.Problems[i], want)
		}
	}

	// JSON: a broken record between good ones.
	j := `{"records":[{"time":"2018-11-13T12:00:35Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/N1","properties":{"Version":2,"flows":[{"rule":"UserRule_ssh","flows":[{"mac":"000D3AF87856","flowTuples":["1542110402,192.0.2.190,10.5.16.4,28746,22,T,I,A,B,,,,","bad","1542110403,192.0.2.191,10.5.16.4,28747,22,T,I,A,B,,,,"]}]}]}},` +
		`{"properties": 5, "flowTuples": 1},` +
		`{"time":"x","resourceId":"/SUBSCRIPTIONS/S1/x","properties":{"Version":1,"flows":[{"rule":"DefaultRule_DenyAllInBound","flows":[{"mac":"000D3AF87856","flowTuples":["1542110404,192.0.2.192,10.5.16.4,1,3389,T,I,D"]}]}]}}]}`
	path = filepath.Join(dir, "nsg.json")
	os.WriteFile(path, []byte(j), 0o644)
	flows, c = readFile(t, path)
	if len(flows) != 3 || c.Unreadable != 2 {
		t.Fatalf("flows %d counts %+v", len(flows), c)
	}
	if flows[0].Rule != "ssh" || flows[0].Firewall != "/subscriptions/s1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/n1" || flows[0].Account != "s1" {
		t.Errorf("NSG flow %v", flows[0])
	}
	if flows[2].Decision != Reject || flows[2].DstPort != 3389 {
		t.Errorf("v1 deny tuple %v", flows[2])
	}
}

func TestProtocolNumber(t *testing.T) {
	for in, want := range map[string]int{"6": 6, "tcp": 6, "TCP": 6, "udp": 17, "T": 6, "U": 17, "all": -1, "999": -1, "": -1, "icmp": 1} {
		if got := ProtocolNumber(in); got != want {
			t.Errorf("ProtocolNumber(%q) = %d, want %d", in, got, want)
		}
	}
}

var _ = model.AWS

// TestReadDenseRecord: a JSON flow record denser than its length allows
// ({} by the million) is refused before it is parsed, reported with its
// number, and the records around it still read.
func TestReadDenseRecord(t *testing.T) {
	tuple := func(ts int) string {
		return fmt.Sprintf(`{"time":"2018-11-13T12:00:35Z","resourceId":"/SUBSCRIPTIONS/S1/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/N1","properties":{"Version":2,"flows":[{"rule":"UserRule_ssh","flows":[{"mac":"000D3AF87856","flowTuples":["%d,192.0.2.190,10.5.16.4,28746,22,T,I,A,B,,,,"]}]}]}}`, ts)
	}
	dense := strings.Replace(tuple(1542110403), `"Version":2,`, `"Version":2,"x":[`+strings.TrimSuffix(strings.Repeat("{},", 200_000), ",")+`],`, 1)
	path := filepath.Join(t.TempDir(), "dense.json")
	os.WriteFile(path, []byte(`{"records":[`+tuple(1542110402)+","+dense+","+tuple(1542110404)+`]}`), 0o644)
	flows, c := readFile(t, path)
	if len(flows) != 2 || c.Unreadable != 1 || len(c.Problems) != 1 {
		t.Fatalf("%d flows, counts %+v", len(flows), c)
	}
	if p := c.Problems[0]; p.Index != 1 || !strings.Contains(p.Message, "more JSON values than a record of") {
		t.Errorf("problem %+v", p)
	}
}

// TestReadNULPaddedLines: a run of NULs of any length before a VPC flow
// line (the zeroed blocks a crash leaves in a file being written) is
// skipped, as the audit-log reader skips it, and the flow after it read.
func TestReadNULPaddedLines(t *testing.T) {
	hdr := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
	good := "2 123456789012 eni-1 198.51.100.7 10.0.0.5 40000 22 6 10 840 1700000000 1700000060 ACCEPT OK\n"
	for _, n := range []int{1, 4096, maxLine + 10, 1 << 20} {
		path := filepath.Join(t.TempDir(), "padded.log")
		os.WriteFile(path, []byte(hdr+strings.Repeat("\x00", n)+good+good), 0o644)
		flows, c := readFile(t, path)
		if len(flows) != 2 || c.Unreadable != 0 {
			t.Errorf("%d NULs: %d flows, counts %+v; want both flows", n, len(flows), c)
		}
	}
}
