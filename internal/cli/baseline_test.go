package cli

import (
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
