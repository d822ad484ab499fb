package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// largeGroups writes `aws ec2 describe-security-groups` of n groups as
// the AWS CLI prints it (4-space indent), hand-built in the documented
// shape (../../../shared/design/state-formats.md 2.1): one to three
// ingress permissions of CIDRs (some world-open), referenced groups and
// prefix lists, the default egress, tags; every 100th group is a VPC's
// default group. 26,000 groups are some 62 MiB, near the account of the
// issue (31,504 groups, 61 MiB).
func largeGroups(n int) []byte {
	var b strings.Builder
	b.WriteString("{\n    \"SecurityGroups\": [")
	ports := []int{22, 80, 443, 3389, 5432, 3306, 8080, 6379, 9200, 27017}
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		var perms []string
		for p := range 1 + i%3 {
			port := ports[(i*7+p*3)%len(ports)]
			var ranges []string
			for k := range (i + p) % 4 {
				c := fmt.Sprintf("10.%d.%d.%d/32", (i+k)%256, (i/256)%256, k)
				switch (i + k + p) % 10 {
				case 0:
					c = "0.0.0.0/0"
				case 1, 2:
					c = fmt.Sprintf("%d.%d.0.0/16", 20+(i+k)%180, p)
				}
				ranges = append(ranges, fmt.Sprintf(`{"CidrIp": %q, "Description": "office %d"}`, c, k))
			}
			var pairs []string
			for k := range (i + p) % 3 {
				pairs = append(pairs, fmt.Sprintf(`{"GroupId": "sg-%017x", "UserId": "123456789012"}`, 0xabc0000+(i*31+k)%n))
			}
			var pls []string
			if (i+p)%4 == 0 {
				pls = append(pls, fmt.Sprintf(`{"PrefixListId": "pl-%08x"}`, i%40))
			}
			perms = append(perms, fmt.Sprintf(`{"FromPort": %d, "IpProtocol": "tcp", "IpRanges": [%s], "Ipv6Ranges": [], "PrefixListIds": [%s], "ToPort": %d, "UserIdGroupPairs": [%s]}`,
				port, strings.Join(ranges, ", "), strings.Join(pls, ", "), port, strings.Join(pairs, ", ")))
		}
		name := fmt.Sprintf("app-%d-sg", i)
		if i%100 == 0 {
			name = "default"
		}
		g := fmt.Sprintf(`{"Description": "managed by team %d", "GroupName": %q, "IpPermissions": [%s], "OwnerId": "123456789012", "GroupId": "sg-%017x", `+
			`"IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}], `+
			`"Tags": [{"Key": "Name", "Value": %q}, {"Key": "env", "Value": "prod"}], "VpcId": "vpc-%08x"}`, i%40, name, strings.Join(perms, ", "), 0xabc0000+i, name, i%300)
		var v any
		if err := json.Unmarshal([]byte(g), &v); err != nil {
			panic(err)
		}
		pretty, _ := json.MarshalIndent(v, "        ", "    ")
		b.WriteString("\n        ")
		b.Write(pretty)
	}
	b.WriteString("\n    ]\n}\n")
	return []byte(b.String())
}

// auditDoc reads doc as one snapshot file and audits it.
func auditDoc(t testing.TB, doc []byte, whole bool) []model.Finding {
	t.Helper()
	set, err := snapshot.Read(context.Background(), []ingest.Input{ingest.ReaderInput("sg.json", bytes.NewReader(doc))}, snapshot.Options{Whole: whole})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Summary.Problems) > 0 {
		t.Fatalf("problems: %+v", set.Summary.Problems)
	}
	return auditor(t).Audit(set)
}

// A whole account's describe-security-groups, read one group at a time,
// gives the findings it gave decoded whole.
func TestAuditLargeSameFindings(t *testing.T) {
	doc := largeGroups(2000)
	parts, whole := auditDoc(t, doc, false), auditDoc(t, doc, true)
	pj, _ := json.Marshal(parts)
	wj, _ := json.Marshal(whole)
	if len(parts) < 200 || !bytes.Equal(pj, wj) {
		t.Fatalf("%d findings read in parts, %d read whole; same %v", len(parts), len(whole), bytes.Equal(pj, wj))
	}
}

// BenchmarkAuditLargeSecurityGroups audits describe-security-groups of
// 26,000 groups (62 MiB), read one group at a time (parts) and, as
// before, decoded whole; peak-live-MiB is the most the heap held live
// (measured at each collection) during a read and audit.
//
//	go test ./internal/audit/ -run '^$' -bench AuditLarge -benchtime 3x
func BenchmarkAuditLargeSecurityGroups(b *testing.B) {
	doc := largeGroups(26000)
	for _, mode := range []struct {
		name  string
		whole bool
	}{{"parts", false}, {"whole", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			var top uint64
			for range b.N {
				stop := peakLive(&top)
				fs := auditDoc(b, doc, mode.whole)
				stop()
				if len(fs) == 0 {
					b.Fatal("no findings")
				}
			}
			b.ReportMetric(float64(top)/(1<<20), "peak-live-MiB")
		})
	}
}

// peakLive samples the live heap until the returned func is called,
// keeping the most seen in top.
func peakLive(top *uint64) (stop func()) {
	runtime.GC()
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		for {
			metrics.Read(s)
			*top = max(*top, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-time.After(time.Millisecond):
			}
		}
	}()
	return func() { close(done); <-finished }
}
