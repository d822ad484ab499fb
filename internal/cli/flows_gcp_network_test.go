package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestFlowsGCPNetwork: a GCP firewall rule belongs to one VPC network and
// VPC Flow Logs name the network of each flow, so a flow from outside to
// the opened port in another network of the project is not use of the
// rule (it was, on port and project alone), in scan and timeline.
func TestFlowsGCPNetwork(t *testing.T) {
	dir := t.TempDir()
	audit := filepath.Join(dir, "audit")
	// simulate's opening-used story: allow-in-22-a, network default, 10:00
	if code, _, errOut := run(t, nil, "simulate", "opening-used", "--cloud", "gcp", "--out", audit); code != ExitOK {
		t.Fatalf("simulate: exit %d: %s", code, errOut)
	}
	entry := func(vpc string, at time.Time) string {
		return fmt.Sprintf(`{"jsonPayload":{"connection":{"src_ip":"203.0.113.50","dest_ip":"10.128.0.2","src_port":40000,"dest_port":22,"protocol":6},"reporter":"DEST","dest_instance":{"project_id":"shop-prod-4821","vm_name":"bastion-1"},"dest_vpc":{"project_id":"shop-prod-4821","vpc_name":"%s"},"src_location":{"country":"xx"},"bytes_sent":"900","packets_sent":"9","start_time":"%s","end_time":"%s"},"logName":"projects/shop-prod-4821/logs/compute.googleapis.com%%2Fvpc_flows","resource":{"labels":{"project_id":"shop-prod-4821"},"type":"gce_subnetwork"},"timestamp":"%s"}`+"\n",
			vpc, at.Format(time.RFC3339), at.Add(time.Minute).Format(time.RFC3339), at.Format(time.RFC3339))
	}
	t0 := time.Date(2026, 3, 14, 10, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		vpc  string
		used bool
	}{{"default", true}, {"prod-vpc", false}} {
		t.Run(tc.vpc, func(t *testing.T) {
			flows := filepath.Join(t.TempDir(), "vpc_flows.json")
			if err := os.WriteFile(flows, []byte(entry(tc.vpc, t0)), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := run(t, nil, "scan", "--no-store", "--format", "jsonl", "--min-severity", "info", "--flows", flows, audit)
			if code != ExitOK && code != ExitFindings {
				t.Fatalf("scan: exit %d: %s", code, errOut)
			}
			var verdicts []string
			for _, f := range findings(t, out) {
				if f.Traffic != nil {
					verdicts = append(verdicts, "scan "+f.Traffic.Verdict)
				}
			}
			fws, _ := timelineFirewalls(t, "--flows", flows, audit)
			for _, ft := range fws {
				for _, w := range ft.Windows {
					if w.Traffic != nil {
						verdicts = append(verdicts, "timeline "+w.Traffic.Verdict)
					}
				}
			}
			if len(verdicts) != 2 {
				t.Fatalf("verdicts %v, want one from scan and one from timeline", verdicts)
			}
			for _, v := range verdicts {
				if used := strings.HasSuffix(v, " "+model.TrafficUsed); used != tc.used {
					t.Errorf("flow in network %s: %s, want used=%v", tc.vpc, v, tc.used)
				}
			}
		})
	}
}
