package pipeline

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
)

// foldInputs writes a scan whose records fold: every CloudTrail record
// delivered twice (an account trail and an organisation trail), Azure
// Start and Success pairs (some Success first), four /2 calls that open
// RDP to the world together, windows opened and closed again, and
// UpdateDistribution calls that replace a web ACL. Lines are shuffled
// across three files, so records of one operation arrive far apart.
func foldInputs(t *testing.T) string {
	t.Helper()
	var aws map[string]any
	if err := json.Unmarshal([]byte(attackLine(t)), &aws); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2022, 6, 1, 12, 0, 0, 0, time.UTC)
	var lines []string
	ct := func(id, name, group, cidr string, port, sec int) {
		r := clone(t, aws)
		r["eventID"], r["eventName"] = id, name
		r["eventTime"] = t0.Add(time.Duration(sec) * time.Second).Format(time.RFC3339)
		rp := r["requestParameters"].(map[string]any)
		rp["groupId"], rp["cidrIp"], rp["fromPort"], rp["toPort"] = group, cidr, port, port
		delete(r, "responseElements")
		b, _ := json.Marshal(r)
		lines = append(lines, string(b), string(b)) // two trails
	}
	for i := range 30 {
		ct(fmt.Sprintf("dup-%d", i), "AuthorizeSecurityGroupIngress", fmt.Sprintf("sg-%04d", i%7), "0.0.0.0/0", 22+i%3, i*60)
	}
	for i, cidr := range []string{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"} {
		ct(fmt.Sprintf("split-%d", i), "AuthorizeSecurityGroupIngress", "sg-split", cidr, 3389, 100+i*30)
	}
	for i := range 3 {
		g := fmt.Sprintf("sg-win-%d", i)
		ct(g+"-open", "AuthorizeSecurityGroupIngress", g, "0.0.0.0/0", 5432, 200+i)
		ct(g+"-close", "RevokeSecurityGroupIngress", g, "0.0.0.0/0", 5432, 260+i*100)
	}
	var az struct {
		Records []map[string]any `json:"records"`
	}
	raw, err := os.ReadFile("../normalize/azure/testdata/eventhub_securityrule_rdp.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &az); err != nil || len(az.Records) != 2 {
		t.Fatalf("azure fixture: %v, %d records", err, len(az.Records))
	}
	for i := range 12 {
		for _, rec := range az.Records {
			r := clone(t, rec)
			r["correlationId"] = fmt.Sprintf("4e7b9c21-0d3a-4f6e-8b52-%012d", i)
			b, _ := json.Marshal(map[string]any{"records": []any{r}})
			lines = append(lines, string(b))
		}
	}
	for _, name := range []string{"cloudfront_update_distribution_sequence.json", "cloudfront_update_distribution_remove_waf.json"} {
		raw, err := os.ReadFile("../normalize/aws/testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		// One record after another.
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		for dec.More() {
			var r map[string]any
			if err := dec.Decode(&r); err != nil {
				t.Fatal(err)
			}
			b, _ := json.Marshal(r)
			lines = append(lines, string(b), string(b))
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	rng.Shuffle(len(lines), func(i, j int) { lines[i], lines[j] = lines[j], lines[i] })
	return trailFiles(t, lines, 3)
}

func clone(t *testing.T, m map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// Past --max-held operations the records of further ones are folded on
// disk: the events, and so the findings, windows and counters, are those
// of a scan that folds them all in memory.
func TestFoldOnDiskSameAsInMemory(t *testing.T) {
	dir := foldInputs(t)
	base := Options{Workers: 1, NoCorrelate: true, Filter: Filter{MinSeverity: model.Info}}
	mem := scan(t, []string{dir}, base)
	if mem.Spill != nil {
		t.Fatal("held in memory at the default --max-held, yet spilled")
	}
	// The input exercises what it is meant to.
	s := mem.Summary
	// 40 CloudTrail calls and 6 UpdateDistribution calls in two trails,
	// 12 Azure pairs.
	if s.Duplicates != 58 {
		t.Errorf("%d duplicates folded, want 58 (two trails, Azure pairs)", s.Duplicates)
	}
	closed := slices.ContainsFunc(mem.Windows, func(w model.Window) bool { return w.End != nil })
	split := slices.ContainsFunc(mem.Findings, func(f model.Finding) bool {
		return f.Resource.ID == "sg-split" && f.Severity >= model.High
	})
	azure := slices.ContainsFunc(mem.Findings, func(f model.Finding) bool { return f.Cloud == model.Azure && f.Outcome == model.Success })
	acl := slices.ContainsFunc(mem.Findings, func(f model.Finding) bool {
		return slices.ContainsFunc(f.Reasons, func(r string) bool { return strings.Contains(r, "web ACL was") })
	})
	if !closed || !split || !azure || !acl {
		t.Fatalf("closed window %v, split exposure judged %v, Azure pair folded %v, web ACL replaced %v: want all", closed, split, azure, acl)
	}
	t.Logf("%d findings, %d duplicates, %d windows", len(mem.Findings), s.Duplicates, len(mem.Windows))
	for _, maxHeld := range []int{1, 5, 40} {
		o := base
		o.MaxHeld = maxHeld
		disk := scan(t, []string{dir}, o)
		sameAsInMemory(t, maxHeld, disk, mem)
		same(t, fmt.Sprintf("max-held %d: windows", maxHeld), disk.Windows, mem.Windows)
		if err := disk.Close(); err != nil {
			t.Fatal(err)
		}
	}
	// The soft memory limit of a spilled scan ends with it.
	if l := debug.SetMemoryLimit(-1); l != math.MaxInt64 && os.Getenv("GOMEMLIMIT") == "" {
		t.Errorf("memory limit %d left after the scan", l)
	}
}

// BenchmarkFoldOnDisk folds distinct operations past the bound: the cost
// per record of writing it to the spill file, reading it back and
// folding it (allocations and encoded bytes per record).
func BenchmarkFoldOnDisk(b *testing.B) {
	res := normalize.Parse([]byte(attackLine(&testing.T{})), model.SourceRef{File: "bench.json"}, nil)
	if len(res.Events) != 1 {
		b.Fatalf("%d events", len(res.Events))
	}
	ev := res.Events[0]
	const n = 4096
	b.ReportAllocs()
	var bytes int64
	for range b.N {
		fo := newFolder(n / 8)
		for i := range n {
			e := ev
			e.EventID = fmt.Sprint("bench-", i)
			e.OperationID = e.EventID
			e.Source.Index = int64(i)
			fo.add(e)
		}
		var got int
		if err := fo.each(func(model.Event, int64) error { got++; return nil }); err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("%d events, want %d", got, n)
		}
		bytes += fo.disk.Bytes()
		fo.close()
	}
	b.ReportMetric(float64(bytes)/float64(b.N*n*7/8), "B/spilled")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

// sameAsInMemory checks that a scan spilled past maxHeld reports the
// findings and the summary of the in-memory scan mem.
func sameAsInMemory(t *testing.T, maxHeld int, disk, mem Result) {
	t.Helper()
	if disk.Spill == nil {
		t.Fatalf("max-held %d: not spilled", maxHeld)
	}
	var got []model.Finding
	if err := disk.EachFinding(func(f model.Finding) error { got = append(got, f); return nil }); err != nil {
		t.Fatal(err)
	}
	same(t, fmt.Sprintf("max-held %d: findings", maxHeld), got, mem.Findings)
	ms, ds := mem.Summary, disk.Summary
	ds.Notices = slices.DeleteFunc(ds.Notices, func(n string) bool { return strings.Contains(n, "ranked on disk") })
	ms.Elapsed, ds.Elapsed, ds.Spilled = 0, 0, 0
	same(t, fmt.Sprintf("max-held %d: summary", maxHeld), ds, ms)
}

// trailFiles deals lines (JSON-lines records) in turn into n files
// trail-0.json … in a temporary directory and returns it.
func trailFiles(t *testing.T, lines []string, n int) string {
	t.Helper()
	dir := t.TempDir()
	for f := range n {
		var b strings.Builder
		for i := f; i < len(lines); i += n {
			b.WriteString(lines[i] + "\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("trail-%d.json", f)), []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestFoldOnDiskKeepsEmptySent: a GCP patch that sent no list field
// (Event.Sent empty, not nil) reads the same after a spill file: JSON
// would turn it into "fields not listed", and the rollback of a spilled
// scan would then ask for fields the call never touched.
func TestFoldOnDiskKeepsEmptySent(t *testing.T) {
	for _, sent := range [][]string{nil, {}, {"sourceranges"}} {
		f := newFolder(1)
		f.add(model.Event{Cloud: model.GCP, OperationID: "operation-0|compute.firewalls.patch", Sent: sent})
		f.add(model.Event{Cloud: model.GCP, OperationID: "operation-1|compute.firewalls.patch", Sent: sent})
		if !f.spilled() {
			t.Fatal("the second operation was not spilled at max 1")
		}
		err := f.each(func(ev model.Event, _ int64) error {
			if (ev.Sent == nil) != (sent == nil) || len(ev.Sent) != len(sent) {
				t.Errorf("Sent %#v after the spill file, want %#v", ev.Sent, sent)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := f.close(); err != nil {
			t.Fatal(err)
		}
	}
}
