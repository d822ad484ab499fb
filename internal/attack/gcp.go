package attack

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

const gcpProject = "shop-prod-4821"

type gcpRenderer struct{}

func (gcpRenderer) principal(actor string) (string, string) {
	switch actor {
	case "terraform", "terraform-stolen":
		return "terraform@" + gcpProject + ".iam.gserviceaccount.com", "google-api-go-client/0.5 Terraform/1.7.4 (+https://www.terraform.io) Terraform-Plugin-SDK/2.10.1 terraform-provider-google/5.19.0,gzip(gfe)"
	case "engineer", "engineer-stolen":
		return "alice@example.com", "google-cloud-sdk gcloud/470.0.0 command/gcloud.compute.firewall-rules.create invocation-id/1 environment/None,gzip(gfe)"
	}
	return "contractor@example.com", "google-cloud-sdk gcloud/470.0.0 command/gcloud.compute.firewall-rules.create invocation-id/2 environment/None,gzip(gfe)"
}

func (g gcpRenderer) step(s Scenario, i int, st Step, at time.Time) ([]record, string, string) {
	name := ruleName(st)
	var method string
	var req map[string]any
	switch st.Action {
	case OpenIngress, Benign:
		allowed := map[string]any{"IPProtocol": "tcp", "ports": []string{fmt.Sprint(st.Port)}}
		if st.Port == 0 {
			allowed = map[string]any{"IPProtocol": "all"}
		}
		method = "v1.compute.firewalls.insert"
		req = map[string]any{"@type": "type.googleapis.com/compute.firewalls.insert", "name": name, "direction": "INGRESS", "priority": 1000,
			"network":      "https://www.googleapis.com/compute/v1/projects/" + gcpProject + "/global/networks/default",
			"sourceRanges": []string{peerOf(st)}, "allowed": []any{allowed}}
	case OpenEgress:
		st.Port = 0
		name = ruleName(st)
		method = "v1.compute.firewalls.insert"
		req = map[string]any{"@type": "type.googleapis.com/compute.firewalls.insert", "name": name, "direction": "EGRESS", "priority": 1000,
			"network":           "https://www.googleapis.com/compute/v1/projects/" + gcpProject + "/global/networks/default",
			"destinationRanges": []string{"0.0.0.0/0"}, "allowed": []any{map[string]any{"IPProtocol": "all"}}}
	case CloseIngress:
		open := st
		open.Action = OpenIngress
		name = ruleName(open)
		method = "v1.compute.firewalls.delete"
	case Delete:
		name = "deny-untrusted-ingress"
		method = "v1.compute.firewalls.patch"
		req = map[string]any{"@type": "type.googleapis.com/compute.firewalls.patch", "disabled": true}
	default:
		// Reads go to Data Access logs, usually off for Compute.
		return nil, "", ""
	}
	resource := "projects/" + gcpProject + "/global/firewalls/" + name
	who, ua := g.principal(st.Actor)
	perm := "compute.firewalls." + map[string]string{"v1.compute.firewalls.insert": "create", "v1.compute.firewalls.delete": "delete", "v1.compute.firewalls.patch": "update"}[method]
	mk := func(t time.Time, first bool, status map[string]any, granted bool) record {
		pp := map[string]any{
			"@type": "type.googleapis.com/google.cloud.audit.AuditLog", "serviceName": "compute.googleapis.com", "methodName": method,
			"resourceName": resource, "authenticationInfo": map[string]any{"principalEmail": who},
			"authorizationInfo": []any{map[string]any{"permission": perm, "granted": granted, "resource": resource}},
			"requestMetadata":   map[string]any{"callerIp": callerIP[st.Actor], "callerSuppliedUserAgent": ua},
		}
		if first && req != nil {
			pp["request"] = req
		}
		if status != nil {
			pp["status"] = status
		}
		rec := map[string]any{
			"insertId": "-" + id(12, s.Name, i, first), "logName": "projects/" + gcpProject + "/logs/cloudaudit.googleapis.com%2Factivity",
			"protoPayload": pp, "resource": map[string]any{"type": "gce_firewall_rule", "labels": map[string]any{"project_id": gcpProject, "firewall_rule_id": id(16, name)}},
			"severity": "NOTICE", "timestamp": t.Format("2006-01-02T15:04:05.000000000Z"), "receiveTimestamp": t.Add(time.Second).Format("2006-01-02T15:04:05.000000000Z"),
		}
		if status == nil || status["code"] == nil {
			rec["operation"] = map[string]any{"id": "operation-" + id(20, s.Name, i), "producer": "compute.googleapis.com", "first": first, "last": !first}
		} else {
			rec["severity"] = "ERROR"
		}
		return record{at: t, data: mustJSON(rec)}
	}
	if st.Denied {
		st := map[string]any{"code": 7, "message": fmt.Sprintf("Required '%s' permission for '%s'", perm, resource)}
		return []record{mk(at, true, st, false)}, strings.TrimPrefix(method, "v1."), resource
	}
	return []record{mk(at, true, nil, true), mk(at.Add(3*time.Second), false, map[string]any{}, true)}, strings.TrimPrefix(method, "v1."), resource
}

func (gcpRenderer) write(dir string, recs []record) ([]string, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	t := recs[0].at
	rel := filepath.Join("cloudaudit.googleapis.com", "activity", t.Format("2006/01/02"), t.Format("15")+":00:00_"+t.Format("15")+":59:59_S0.json")
	return []string{rel}, writePlain(filepath.Join(dir, rel), jsonLines(recs))
}
