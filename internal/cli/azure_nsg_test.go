package cli

import (
	"encoding/json"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// azureNSGWrites holds the h5 tester's Azure records (probe8, az-d20) and
// hand-built neighbours; provenance in its folder's README.md.
const azureNSGWrites = "testdata/azure-nsg-writes/PT1H.json"

// TestAzureNSGWrites: a subnet, NIC or virtual network written without a
// network security group detaches one only when it existed before (the
// Success record's statusCode OK); a creation (Created) or a subnet that
// cannot carry an NSG detaches nothing, and a forged Created beside the
// real OK does not lower the detach. Azure Firewall written without a
// policy passes nothing. The timeline gives each firewall the severity of
// the finding, not the "detached" one.
func TestAzureNSGWrites(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "--no-store", "-q", "--format", "jsonl", "--min-severity", "info", azureNSGWrites)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	byID := map[string]model.Finding{}
	for _, f := range findings(t, out) {
		byID[f.Event.EventID] = f
	}
	for _, tt := range []struct {
		id     string // the tester's case, or a hand-built record
		sev    model.Severity
		title  string
		reason string
		forbid string // in title and reasons
	}{
		{"w-az-d01", model.Info, "Subnet AZUREFIREWALLSUBNET: written without a network security group (this subnet cannot carry one)", "nothing that belongs there was detached", "detached from"},
		{"w-az-d02", model.Info, "Subnet GATEWAYSUBNET: written without a network security group (this subnet cannot carry one)", "on GatewaySubnet one breaks the gateway", "group detached"},
		{"w-az-d03", model.Low, "Subnet NEW-APP: created without a network security group", "the write created the subnet (statusCode Created)", "group detached"},
		{"w-az-d04", model.Info, "Network interface VM7-NIC: created without a network security group", "its subnet's NSG applies", "group detached"},
		{"w-az-a01", model.High, "Virtual network HUB: network security group detached from subnet(s)", "subnet(s) written without a networkSecurityGroup: app", ""},
		{"h7-update", model.High, "Subnet DB: network security group detached", "", "statusCode Created"},
		{"h7-forged", model.High, "Subnet WEB: network security group detached", "another that the resource existed (OK): judged as an update", ""},
		{"h7-dupkey", model.High, "Subnet CACHE: network security group detached", "conflicting values for \"statusCode\"", "statusCode Created"},
		{"h7-vnet-new", model.Low, "Virtual network SPOKE: created with subnet(s) without a network security group", "the write created the virtual network", "group detached"},
		{"h7-vnet-gw", model.Info, "Virtual network EDGE: set to nsg-app", "cannot carry a network security group written without one: gatewaysubnet", "detached"},
		{"45ee45f2-3d61-e117-463c-fb3e776c742c", model.Low, "Azure Firewall HUB-FW3 firewall policy removed: the firewall now passes nothing unless classic rules allow it", "Azure Firewall denies what no rule allows", ""},
		{"h7-tag-0", model.Low, "NSG rule ALLOW-LB opened to service tag AzureLoadBalancer (the platform's health probes) on all protocols and ports", "", "private range"},
		{"h7-tag-1", model.Low, "NSG rule ALLOW-VNET opened to service tag VirtualNetwork (the virtual network and connected networks) on all protocols and ports", "", "private range"},
	} {
		t.Run(tt.id, func(t *testing.T) {
			f, ok := byID[tt.id]
			if !ok {
				t.Fatalf("no finding for %s in:\n%s", tt.id, out)
			}
			text := f.Title + "\n" + strings.Join(f.Reasons, "\n")
			if f.Severity != tt.sev || f.Title != tt.title || !strings.Contains(text, tt.reason) || tt.forbid != "" && strings.Contains(text, tt.forbid) {
				t.Errorf("got %s %q, want %s %q with reason %q, without %q; reasons:\n%s", f.Severity, f.Title, tt.sev, tt.title, tt.reason, tt.forbid, strings.Join(f.Reasons, "\n"))
			}
		})
	}
	// Folded through the spill file, the records of an operation read the
	// same: a forged Created there does not lower the detach either.
	code, held, stderr := run(t, nil, "scan", "--no-store", "-q", "--max-held", "1", "--format", "jsonl", "--min-severity", "info", azureNSGWrites)
	if code != ExitOK {
		t.Fatalf("--max-held 1: exit %d: %s", code, stderr)
	}
	for _, f := range findings(t, held) {
		if want := byID[f.Event.EventID]; f.Severity != want.Severity || f.Title != want.Title {
			t.Errorf("--max-held 1: %s is %s %q, held in memory %s %q", f.Event.EventID, f.Severity, f.Title, want.Severity, want.Title)
		}
	}
	// A creation is not answered with "attach the NSG again"; an update is.
	for id, again := range map[string]bool{"w-az-d03": false, "w-az-d04": false, "h7-vnet-new": false, "h7-update": true, "w-az-a01": true} {
		if f := byID[id]; f.Guidance == nil || strings.Contains(strings.Join(f.Guidance.Respond, "\n"), "attach the NSG again") != again {
			t.Errorf("%s: response says \"attach the NSG again\" %v, want %v", id, !again, again)
		}
	}
	// The response to a firewall write that set threat intelligence to
	// Deny does not ask to restore Deny.
	fw := byID["45ee45f2-3d61-e117-463c-fb3e776c742c"]
	if fw.Guidance == nil {
		t.Fatal("firewall finding has no guidance")
	}
	if guide := strings.Join(fw.Guidance.Respond, "\n"); strings.Contains(guide, "(threat intelligence Deny, policy attached)") || !strings.Contains(guide, "already set threat intelligence to Deny") {
		t.Errorf("firewall guidance:\n%s", guide)
	}

	code, out, stderr = run(t, nil, "timeline", "-q", "--format", "jsonl", "--min-severity", "info", azureNSGWrites)
	if code != ExitOK {
		t.Fatalf("timeline: exit %d: %s", code, stderr)
	}
	want := map[string]model.Severity{"NEW-APP": model.Low, "GATEWAYSUBNET": model.Info, "AZUREFIREWALLSUBNET": model.Info, "VM7-NIC": model.Info, "SPOKE": model.Low, "DB": model.High, "HUB-FW3": model.Low}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var ft model.FirewallTimeline
		if err := json.Unmarshal([]byte(line), &ft); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		if sev, ok := want[ft.Firewall.Name]; ok {
			delete(want, ft.Firewall.Name)
			if ft.Severity != sev || len(ft.Windows) != 0 {
				t.Errorf("timeline of %s: %s with %d windows, want %s and none", ft.Firewall.Name, ft.Severity, len(ft.Windows), sev)
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("no timeline for %v", want)
	}
}
