package traffic

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// vnetACLRecord writes one VNet flow log record (version 4) whose flows
// were evaluated by the given aclIDs, each allowing one source to 22 by
// a rule named AllowSSH; target is the flow log's targetResourceID.
func vnetACLRecord(target string, acls map[string]string) string {
	var flows []string
	for _, acl := range slices.Sorted(maps.Keys(acls)) {
		tuple := fmt.Sprintf("%d,%s,10.0.0.4,40000,22,6,I,B,NX,0,0,0,0", t0.Add(5*time.Minute).UnixMilli(), acls[acl])
		flows = append(flows, `{"aclID":"`+acl+`","flowGroups":[{"rule":"AllowSSH","flowTuples":["`+tuple+`"]}]}`)
	}
	return `{"records":[{"time":"2026-11-02T10:05:00Z","flowLogVersion":4,"macAddress":"00224871C205","category":"FlowLogFlowEvent","targetResourceID":"` + target + `","flowRecords":{"flows":[` + strings.Join(flows, ",") + `]}}]}` + "\n"
}

// TestJoinVNetRuleNameAcrossNSGs: two NSGs each with a rule AllowSSH; a
// VNet flow log names the rule and the aclID (the NSG's resourceGuid),
// not the NSG. With the NSG's guid known (a --baseline snapshot) only its
// flows are use; without it, the flows are tied by name and the result
// says so, and when they came through more than one aclID, that which
// NSG let them in cannot be told.
func TestJoinVNetRuleNameAcrossNSGs(t *testing.T) {
	const guidA, guidB = "6a7b8c9d-0000-4000-8000-00000000000a", "6a7b8c9d-0000-4000-8000-00000000000b"
	const vnet = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet-1"
	const nic = "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/web-nic"
	base := Opening{Key: "z", Cloud: model.Azure, Account: "sub-1",
		Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/nsg-a"},
		Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: t0, RuleName: "AllowSSH"}
	withGUID := base
	withGUID.ACL = guidA
	attached := base
	attached.Attached = []string{strings.ToLower(nic)}
	both := map[string]string{guidA: "198.51.100.7", guidB: "203.0.113.9"}
	tests := []struct {
		name     string
		open     Opening
		body     string
		sources  string
		evidence string
		nameOnly int64
		say      string
	}{
		{"guid known: only its NSG's flows", withGUID, vnetACLRecord(vnet, both), "198.51.100.7", model.EvidenceRule, 0, ""},
		{"guid unknown, two aclIDs: cannot be told", base, vnetACLRecord(vnet, both), "198.51.100.7,203.0.113.9", model.EvidenceNetwork, 2, "cannot be told"},
		{"guid unknown, one aclID: said to be by name", base, vnetACLRecord(vnet, map[string]string{guidB: "203.0.113.9"}), "203.0.113.9", model.EvidenceRule, 1, "rule name alone"},
		{"flow log on a NIC the NSG is attached to", attached, vnetACLRecord(nic, map[string]string{guidB: "203.0.113.9"}), "203.0.113.9", model.EvidenceRule, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"v.json": tc.body}), []Opening{tc.open}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			var srcs []string
			for _, s := range got.Sources {
				srcs = append(srcs, s.Address)
			}
			slices.Sort(srcs)
			if got.Verdict != model.TrafficUsed || strings.Join(srcs, ",") != tc.sources || got.Evidence != tc.evidence || got.RuleNameOnly != tc.nameOnly {
				t.Errorf("%s by %v (%s), %d by name only; want used by %s (%s), %d\n%s",
					got.Verdict, srcs, got.Evidence, got.RuleNameOnly, tc.sources, tc.evidence, tc.nameOnly, got.Summary)
			}
			if tc.say != "" && !strings.Contains(got.Summary, tc.say) {
				t.Errorf("summary does not say %q: %s", tc.say, got.Summary)
			}
		})
	}
}

// TestAttachmentsNSGGuid: an NSG snapshot's resourceGuid and attachments
// reach the openings of that NSG (id compared without letter case), not
// those of another.
func TestAttachmentsNSGGuid(t *testing.T) {
	a := NewAttachments()
	a.AddFirewall(&model.Firewall{Cloud: model.Azure, GUID: "6A7B8C9D-0000-4000-8000-00000000000A",
		Resource:   model.Resource{Type: "nsg", ID: "/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/nsg-a"},
		AttachedTo: []string{"/subscriptions/sub-1/resourceGroups/rg/providers/Microsoft.Network/networkInterfaces/web-nic"}})
	open := []Opening{
		{Cloud: model.Azure, Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/nsg-a"}},
		{Cloud: model.Azure, Firewall: model.Resource{ID: "/subscriptions/sub-1/resourcegroups/rg/providers/microsoft.network/networksecuritygroups/nsg-b"}},
	}
	a.Apply(open)
	if open[0].ACL != "6a7b8c9d-0000-4000-8000-00000000000a" || len(open[0].Attached) != 1 || !strings.HasSuffix(open[0].Attached[0], "/networkinterfaces/web-nic") {
		t.Errorf("nsg-a: acl %q attached %v", open[0].ACL, open[0].Attached)
	}
	if open[1].ACL != "" || open[1].Attached != nil {
		t.Errorf("nsg-b took nsg-a's guid: %q %v", open[1].ACL, open[1].Attached)
	}
}
