package attack

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// usedFrom is the outside address that walks through the opening.
const usedFrom = "203.0.113.50"

// writeFlows writes the flow log of a story whose first opening is used:
// internal traffic through the hour (so the logs cover the window), the
// outsider's connections a few minutes after the opening, and an upload
// from the same machine afterwards.
func writeFlows(dir string, s Scenario, c model.Cloud, open Call) (string, error) {
	t0 := open.Time
	switch c {
	case model.AWS:
		var b strings.Builder
		b.WriteString("version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n")
		line := func(src, dst string, sp, dp int, at time.Time, by int) {
			fmt.Fprintf(&b, "2 %s eni-0a1b2c3d4e5f60718 %s %s %d %d 6 %d %d %d %d ACCEPT OK\n", awsAccount, src, dst, sp, dp, by/500+1, by, at.Unix(), at.Add(time.Minute).Unix())
		}
		for m := -20; m <= 40; m += 10 {
			line("10.0.2.14", "10.0.1.20", 50000+m+20, 443, t0.Add(time.Duration(m)*time.Minute), 4200)
		}
		line(usedFrom, "10.0.1.20", 53122, 22, t0.Add(3*time.Minute), 8211)
		line(usedFrom, "10.0.1.20", 53140, 22, t0.Add(9*time.Minute), 40110)
		line("10.0.1.20", "198.51.100.200", 49822, 443, t0.Add(15*time.Minute), 13400221)
		rel := filepath.Join("flows", "AWSLogs", awsAccount, "vpcflowlogs", awsRegion, t0.Format("2006/01/02"),
			fmt.Sprintf("%s_vpcflowlogs_%s_fl-0c0ffee1234567890_%s_%s.log.gz", awsAccount, awsRegion, t0.Format("20060102T1504Z"), id(8, s.Name)))
		return rel, writeGzip(filepath.Join(dir, rel), []byte(b.String()))
	case model.Azure:
		i := model.IndexFold(open.Resource, "/securityrules/")
		if i < 0 {
			return "", fmt.Errorf("scenario %s: %q is not an NSG rule id", s.Name, open.Resource)
		}
		nsg := open.Resource[:i]
		rule := open.Resource[len(nsg)+len("/SECURITYRULES/"):]
		tuple := func(src, dst string, sp, dp int, at time.Time, dir string) string {
			return fmt.Sprintf("%d,%s,%s,%d,%d,T,%s,A,E,40,9000,35,12000", at.Unix(), src, dst, sp, dp, dir)
		}
		var internal []string
		for m := -20; m <= 40; m += 10 {
			internal = append(internal, tuple("10.20.1.7", "10.20.0.4", 50000+m+20, 443, t0.Add(time.Duration(m)*time.Minute), "I"))
		}
		rec := map[string]any{"time": t0.Format(time.RFC3339), "category": "NetworkSecurityGroupFlowEvent", "operationName": "NetworkSecurityGroupFlowEvents",
			"resourceId": nsg, "properties": map[string]any{"Version": 2, "flows": []any{
				map[string]any{"rule": "DefaultRule_AllowVnetInBound", "flows": []any{map[string]any{"mac": "000D3A5B1C2D", "flowTuples": internal}}},
				map[string]any{"rule": "UserRule_" + rule, "flows": []any{map[string]any{"mac": "000D3A5B1C2D", "flowTuples": []string{
					tuple(usedFrom, "10.20.0.4", 53122, 22, t0.Add(3*time.Minute), "I"), tuple(usedFrom, "10.20.0.4", 53140, 22, t0.Add(9*time.Minute), "I")}}}},
			}}}
		rel := filepath.Join("flows", "insights-logs-networksecuritygroupflowevent", "resourceId="+nsg, "y="+t0.Format("2006"), "m="+t0.Format("01"), "d="+t0.Format("02"), "h="+t0.Format("15"), "m=00", "macAddress=000D3A5B1C2D", "PT1H.json")
		return rel, writePlain(filepath.Join(dir, rel), mustJSON(map[string]any{"records": []any{rec}}))
	default:
		name := open.Resource[strings.LastIndex(open.Resource, "/")+1:]
		entry := func(src string, sp int, at time.Time, rule string, remote bool) string {
			p := map[string]any{"connection": map[string]any{"src_ip": src, "src_port": sp, "dest_ip": "10.128.0.2", "dest_port": 22, "protocol": 6},
				"disposition": "ALLOWED", "instance": map[string]any{"project_id": gcpProject, "vm_name": "bastion-1"},
				"rule_details": map[string]any{"direction": "INGRESS", "reference": "network:default/firewall:" + rule},
				"vpc":          map[string]any{"project_id": gcpProject, "vpc_name": "default"}}
			if remote {
				p["remote_location"] = map[string]any{"country": "nld"}
			}
			return string(mustJSON(map[string]any{"jsonPayload": p, "logName": "projects/" + gcpProject + "/logs/compute.googleapis.com%2Ffirewall",
				"resource": map[string]any{"type": "gce_subnetwork", "labels": map[string]any{"project_id": gcpProject}}, "timestamp": at.Format(time.RFC3339Nano)})) + "\n"
		}
		var b strings.Builder
		for m := -20; m <= 40; m += 10 {
			b.WriteString(entry("10.128.0.9", 40000+m+20, t0.Add(time.Duration(m)*time.Minute), "allow-internal", false))
		}
		b.WriteString(entry(usedFrom, 53122, t0.Add(3*time.Minute), name, true))
		b.WriteString(entry(usedFrom, 53140, t0.Add(9*time.Minute), name, true))
		rel := filepath.Join("flows", "compute.googleapis.com", "firewall", t0.Format("2006/01/02"), t0.Format("15")+":00:00_"+t0.Format("15")+":59:59_S0.json")
		return rel, writePlain(filepath.Join(dir, rel), []byte(b.String()))
	}
}
