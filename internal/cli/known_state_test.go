package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// The real GCP capture of project scc-log-pubsub (2018): firewall-rule-01
// inserted with tcp:80 and icmp and no source ranges (the API default
// 0.0.0.0/0), then deleted 6m48s later. See REAL_SOURCES.md.
var sccInsertDelete = []string{
	"../normalize/gcp/testdata/vpc_insert_no_source.json",
	"../normalize/gcp/testdata/real_scc_firewall_delete_first.json",
}

// TestDeleteUsesKnownState: a delete whose log names only the rule is
// judged by what the state knew of it from the insert (an allow: closing
// access), and its rollback recreates it in the network the insert named.
// The insert's finding names its most severe window (tcp/80, medium, not
// the low icmp one), and closed windows carry no close command.
func TestDeleteUsesKnownState(t *testing.T) {
	code, out, stderr := run(t, nil, append([]string{"scan", "--format", "jsonl", "--min-severity", "info", "-q"}, sccInsertDelete...)...)
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	var ins, del *model.Finding
	fs := decodeFindings(t, out)
	for i := range fs {
		switch fs[i].Rule {
		case "gcp-firewall-insert":
			ins = &fs[i]
		case "gcp-firewall-delete":
			del = &fs[i]
		}
	}
	if ins == nil || del == nil {
		t.Fatalf("want an insert and a delete finding:\n%s", out)
	}
	const create = "gcloud compute firewall-rules create firewall-rule-01 --project=scc-log-pubsub --network=default --direction=INGRESS --action=ALLOW --rules=tcp:80,icmp --source-ranges=0.0.0.0/0 --priority=1000"
	if len(del.Rollback) != 1 || del.Rollback[0] != create {
		t.Errorf("delete rollback = %q, want %q", del.Rollback, create)
	}
	// Closing access, but known only from earlier records (which whoever
	// deletes a deny could forge): kept in sight at low.
	if del.Severity != model.Low {
		t.Errorf("delete of a known allow: severity %s, want low (closing access, kept in sight)", del.Severity)
	}
	reasons := strings.Join(del.Reasons, "\n")
	for _, want := range []string{"allow ingress tcp/80 from 0.0.0.0/0", "added at 2018-09-06T14:22:15Z", "access narrows", "kept at low, not info"} {
		if !strings.Contains(reasons, want) {
			t.Errorf("delete reasons lack %q:\n%s", want, reasons)
		}
	}
	if strings.Contains(reasons, "does not say whether it allowed or denied") {
		t.Errorf("delete still judged as a rule of unknown action:\n%s", reasons)
	}
	if len(del.Changes) != 2 || del.Changes[0].Action != model.Allow {
		t.Errorf("delete changes = %+v, want the two known allow rules", del.Changes)
	}
	if ins.Window == nil || ins.Window.Severity != model.Medium || ins.Window.Rule.Protocol != "tcp" {
		t.Errorf("insert window = %+v, want the medium tcp/80 window", ins.Window)
	}
	for _, f := range []*model.Finding{ins, del} {
		if f.Window != nil && len(f.Window.Rollback) > 0 {
			t.Errorf("%s: closed window carries close commands %q", f.Rule, f.Window.Rollback)
		}
	}

	code, out, stderr = run(t, nil, append([]string{"timeline", "--format", "table", "--min-severity", "info", "-q"}, sccInsertDelete...)...)
	if code != ExitOK {
		t.Fatalf("timeline: exit %d: %s", code, stderr)
	}
	if strings.Contains(out, "close:") {
		t.Errorf("timeline prints a close command under windows the delete closed:\n%s", out)
	}
	if !strings.Contains(out, "undo: "+create) {
		t.Errorf("timeline lacks the delete's undo %q:\n%s", create, out)
	}
	fws, _ := timelineFirewalls(t, append([]string{"-q"}, sccInsertDelete...)...)
	for _, ft := range fws {
		for _, w := range ft.Windows {
			if w.End != nil && len(w.Rollback) > 0 {
				t.Errorf("closed window %s has rollback %q", w.ID, w.Rollback)
			}
		}
	}
}

// nsgRuleRecord is an Azure Activity Log record writing (with body) or
// deleting an NSG rule.
func nsgRuleRecord(op, when, corr, body string) string {
	props := `{}`
	if body != "" {
		b, _ := json.Marshal(body)
		props = `{"requestbody":` + string(b) + `}`
	}
	return `{"time":"` + when + `","resourceId":"/SUBSCRIPTIONS/00000000-1111-2222-3333-444444444444/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/NSG1/SECURITYRULES/rule-a","operationName":"MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/` + op + `","category":"Administrative","resultType":"Success","resultSignature":"Succeeded.OK","callerIpAddress":"198.51.100.10","correlationId":"` + corr + `","identity":{"claims":{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"ops@contoso.com"}},"level":"Information","properties":` + props + `}`
}

// TestAzureRuleDeleteUsesKnownState: an NSG rule delete logs only the
// rule's name; after its PUT the state knows whether it allowed or denied.
func TestAzureRuleDeleteUsesKnownState(t *testing.T) {
	for _, tt := range []struct {
		access   string
		severity model.Severity // at least
		reason   string
		closing  bool
	}{
		{"Allow", model.Low, "allow ingress tcp/22", true},
		{"Deny", model.Low, "deny rule removed", false},
	} {
		t.Run(tt.access, func(t *testing.T) {
			body := `{"properties":{"protocol":"Tcp","sourcePortRange":"*","destinationPortRange":"22","sourceAddressPrefix":"*","destinationAddressPrefix":"*","access":"` + tt.access + `","priority":100,"direction":"Inbound"}}`
			path := filepath.Join(t.TempDir(), "PT1H.json")
			data := nsgRuleRecord("WRITE", "2024-05-01T10:00:00Z", "c1", body) + "\n" + nsgRuleRecord("DELETE", "2024-05-01T10:05:00Z", "c2", "") + "\n"
			if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := run(t, nil, "scan", "--format", "jsonl", "--min-severity", "info", "-q", path)
			if code != ExitOK {
				t.Fatalf("scan: exit %d: %s", code, stderr)
			}
			var del *model.Finding
			fs := decodeFindings(t, out)
			for i := range fs {
				if fs[i].Rule == "az-nsg-rule-delete" {
					del = &fs[i]
				}
			}
			if del == nil {
				t.Fatalf("no delete finding:\n%s", out)
			}
			reasons := strings.Join(del.Reasons, "\n")
			if !strings.Contains(reasons, tt.reason) || strings.Contains(reasons, "does not say whether it allowed or denied") {
				t.Errorf("reasons lack %q or still call the action unknown:\n%s", tt.reason, reasons)
			}
			if tt.closing && del.Severity != model.Low || !tt.closing && del.Severity < tt.severity {
				t.Errorf("severity %s", del.Severity)
			}
		})
	}
}

// TestGroupDeleteSaysWhatItHeld: DeleteSecurityGroup logs only the group;
// after its creation and rules in the logs the finding says what it held
// and its rollback puts the rules back.
func TestGroupDeleteSaysWhatItHeld(t *testing.T) {
	rec := func(id, when, name, req, resp string) string {
		return `{"eventVersion":"1.08","eventTime":"` + when + `","eventSource":"ec2.amazonaws.com","eventName":"` + name + `","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/alice","accountId":"111122223333","userName":"alice"},"requestParameters":` + req + `,"responseElements":` + resp + `,"eventID":"` + id + `","recipientAccountId":"111122223333"}`
	}
	trail := `{"Records":[` + strings.Join([]string{
		rec("e1", "2024-05-01T10:00:00Z", "CreateSecurityGroup", `{"groupName":"web","groupDescription":"web","vpcId":"vpc-0123456789abcdef0"}`, `{"_return":true,"groupId":"sg-0123456789abcdef0"}`),
		rec("e2", "2024-05-01T10:01:00Z", "AuthorizeSecurityGroupIngress", `{"groupId":"sg-0123456789abcdef0","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`, `{"_return":true}`),
		rec("e3", "2024-05-01T10:05:00Z", "DeleteSecurityGroup", `{"groupId":"sg-0123456789abcdef0"}`, `{"_return":true}`),
	}, ",") + `]}`
	path := filepath.Join(t.TempDir(), "trail.json")
	if err := os.WriteFile(path, []byte(trail), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, nil, "scan", "--format", "jsonl", "--min-severity", "info", "-q", path)
	if code != ExitOK {
		t.Fatalf("scan: exit %d: %s", code, stderr)
	}
	for _, f := range decodeFindings(t, out) {
		if f.Rule != "aws-sg-delete" {
			continue
		}
		reasons := strings.Join(f.Reasons, "\n")
		if !strings.Contains(reasons, "state: it held allow egress all to 0.0.0.0/0; allow ingress tcp/22 from 0.0.0.0/0") ||
			!strings.Contains(reasons, "opened at 2024-05-01T10:01:00Z by alice") {
			t.Errorf("reasons do not say what the group held:\n%s", reasons)
		}
		if !strings.Contains(strings.Join(f.Rollback, "\n"), `"FromPort":22`) {
			t.Errorf("rollback does not put back the rule: %q", f.Rollback)
		}
		return
	}
	t.Fatalf("no aws-sg-delete finding:\n%s", out)
}
