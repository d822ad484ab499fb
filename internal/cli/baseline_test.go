package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

const baselineDir = "../../testdata/baseline"

// The bundled baseline (testdata/baseline) holds the firewalls the
// samples change, as they were before the logs begin: with it the scan
// knows what each call removed, how long the result stayed exposed and
// how to put the old rule back.
func TestScanWithBundledBaseline(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "-q", "--format", "jsonl", "--baseline", baselineDir, samples)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	byRes := map[string]model.Finding{}
	for _, f := range decodeFindings(t, out) {
		if f.Outcome == model.Success {
			byRes[f.Resource.ID+" "+f.Operation] = f
		}
	}
	// Entry 90 was the deny in front of an allow of all TCP: deleting it
	// opened port 22 to the internet.
	nacl, ok := byRes["acl-0b7c6d5e4f3a2b1c0 DeleteNetworkAclEntry"]
	if !ok {
		t.Fatal("no finding for the NACL entry deletion")
	}
	if nacl.Before == nil || !nacl.Before.Known || len(nacl.Before.Rules) != 1 || nacl.Before.Rules[0].Action != model.Deny {
		t.Errorf("before = %+v, want the deny entry 90 from the baseline", nacl.Before)
	}
	if nacl.Severity != model.Critical || nacl.Window == nil || nacl.Window.End != nil || nacl.Window.Rule.Protocol != "tcp" {
		t.Errorf("severity %s window %+v: want critical with an open tcp window", nacl.Severity, nacl.Window)
	}
	want := "aws ec2 create-network-acl-entry --region us-east-1 --network-acl-id acl-0b7c6d5e4f3a2b1c0 --ingress --rule-number 90 --protocol 6 --port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny"
	if len(nacl.Rollback) != 1 || nacl.Rollback[0] != want {
		t.Errorf("rollback %q, want %q", nacl.Rollback, want)
	}
	// Disabling the GCP deny let the internet reach the 8080 rule it
	// screened: the window is on that rule.
	var gcp model.Finding
	for k, f := range byRes {
		if strings.Contains(k, "deny-untrusted-ingress") {
			gcp = f
		}
	}
	if gcp.Window == nil || gcp.Window.Firewall.Name != "allow-web-8080" || gcp.Severity < model.High {
		t.Errorf("GCP disable: severity %s window %+v, want high and a window on allow-web-8080", gcp.Severity, gcp.Window)
	}
	if gcp.After == nil || len(gcp.After.Rules) != 1 || !gcp.After.Rules[0].Disabled {
		t.Errorf("GCP disable: after %+v, want the rule, disabled", gcp.After)
	}
}

func TestTimelineWithBundledBaseline(t *testing.T) {
	fws, _ := timelineFirewalls(t, "-q", "--baseline", baselineDir, samples)
	for _, ft := range fws {
		switch ft.Firewall.Name {
		case "NSG-APP":
			// Known from the baseline: the windows the logs open start
			// when the calls were made, and the deny at 4000 does not
			// stop the allow at 101.
			if !ft.Known || len(ft.Windows) != 2 {
				t.Errorf("NSG-APP known=%v windows=%d, want known and 2", ft.Known, len(ft.Windows))
			}
			for _, w := range ft.Windows {
				if !w.StartKnown {
					t.Errorf("NSG-APP window %s: start not known", w.ID)
				}
			}
		case "SQL-DEMO-01":
			if !strings.Contains(ft.Note, "partial snapshot") {
				t.Errorf("SQL-DEMO-01 note %q, want it to say the baseline lists only some rules", ft.Note)
			}
		}
	}
}

// --max-record-size bounds the --baseline snapshots too: a document over
// it is reported and not read (the NACL deletion is then judged without
// its entry), where the baseline used to be read up to 64 MiB whatever
// the flag said.
func TestBaselineRespectsMaxRecordSize(t *testing.T) {
	dir := t.TempDir()
	snap := `{"NetworkAcls":[{"NetworkAclId":"acl-0b7c6d5e4f3a2b1c0","VpcId":"vpc-1","OwnerId":"123456789012","Tags":[{"Key":"pad","Value":"` + strings.Repeat("x", 40000) + `"}],"Entries":[` +
		`{"RuleNumber":90,"Protocol":"6","Egress":false,"CidrBlock":"0.0.0.0/0","RuleAction":"deny","PortRange":{"From":22,"To":22}},` +
		`{"RuleNumber":100,"Protocol":"-1","Egress":false,"CidrBlock":"0.0.0.0/0","RuleAction":"allow"}]}]}`
	if err := os.WriteFile(filepath.Join(dir, "nacls.json"), []byte(snap), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		limit string
		known bool
	}{{"32KiB", false}, {"64KiB", true}} {
		code, out, stderr := run(t, nil, "scan", "-q", "--format", "jsonl", "--min-severity", "info", "--max-record-size", tc.limit, "--baseline", dir, samples)
		if code != ExitOK {
			t.Fatalf("%s: exit %d: %s", tc.limit, code, stderr)
		}
		if refused := strings.Contains(stderr, "baseline: ") && strings.Contains(stderr, "limit"); refused == tc.known {
			t.Errorf("%s: baseline refused %v, stderr %q", tc.limit, refused, stderr)
		}
		found := false
		for _, f := range decodeFindings(t, out) {
			if f.Operation == "DeleteNetworkAclEntry" {
				found = true
				if known := f.Before != nil && f.Before.Known; known != tc.known {
					t.Errorf("%s: before known %v, want %v", tc.limit, known, tc.known)
				}
			}
		}
		if !found {
			t.Errorf("%s: no DeleteNetworkAclEntry finding", tc.limit)
		}
	}
}
