package traffic

import (
	"context"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestAttachmentsFromSnapshots checks that interfaces a snapshot puts
// behind a security group or network ACL tie flows to its openings, and
// that a flow on an interface the snapshot shows behind other firewalls
// only does not count as use of the opening.
func TestAttachmentsFromSnapshots(t *testing.T) {
	ssh := model.PortList{{From: 22, To: 22}}
	sgOpen := Opening{Key: "sg", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-web"},
		Protocol: 6, Ports: ssh, Start: t0}
	aclOpen := Opening{Key: "acl", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "acl-pub"},
		Protocol: 6, Ports: ssh, Start: t0}
	attach := func() *Attachments {
		a := NewAttachments()
		a.AddInterface("eni-web", "subnet-pub", "", []string{"sg-web", "sg-base"})
		a.AddInterface("eni-db", "subnet-priv", "", []string{"sg-db"})
		a.AddFirewall(&model.Firewall{Cloud: model.AWS, Resource: model.Resource{Type: "network_acl", ID: "acl-pub"},
			AttachedTo: []string{"subnet-pub"}})
		// a group whose interfaces come from describe-security-groups merged
		// with describe-network-interfaces in the snapshot reader
		a.AddFirewall(&model.Firewall{Cloud: model.AWS, Resource: model.Resource{Type: "security_group", ID: "sg-web"},
			AttachedTo: []string{"eni-web2"}})
		return a
	}
	flow := func(eni string) string {
		return vpcLine(eni, "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "ACCEPT")
	}
	tests := []struct {
		name     string
		open     Opening
		attach   *Attachments
		flows    string
		verdict  string
		evidence string
	}{
		{"no snapshot: any interface is weak evidence", sgOpen, nil, flow("eni-db"), model.TrafficUsed, model.EvidenceNetwork},
		{"interface behind the group", sgOpen, attach(), flow("eni-web"), model.TrafficUsed, model.EvidenceInterface},
		{"interface from the group's own attachments", sgOpen, attach(), flow("eni-web2"), model.TrafficUsed, model.EvidenceInterface},
		{"interface the snapshot shows behind another group", sgOpen, attach(), flow("eni-db") + background + strings.ReplaceAll(background, "eni-web", "eni-web2"), model.TrafficNotSeen, ""},
		{"interface the snapshot never listed stays weak", sgOpen, attach(), flow("eni-new"), model.TrafficUsed, model.EvidenceNetwork},
		{"interface in a subnet the ACL guards", aclOpen, attach(), flow("eni-web"), model.TrafficUsed, model.EvidenceInterface},
		{"interface in another subnet", aclOpen, attach(), flow("eni-db") + background, model.TrafficNotSeen, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open := []Opening{tc.open}
			tc.attach.Apply(open)
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"a.log": tc.flows}), open, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res[0]; got.Verdict != tc.verdict || got.Evidence != tc.evidence {
				t.Errorf("verdict=%s evidence=%s, want %s %s\n%s", got.Verdict, got.Evidence, tc.verdict, tc.evidence, got.Summary)
			}
		})
	}
}

// TestAttachmentsOutbound checks that an interface known only from a
// snapshot is watched for outbound flows after a used opening.
func TestAttachmentsOutbound(t *testing.T) {
	a := NewAttachments()
	a.AddInterface("eni-web", "", "", []string{"sg-web"})
	open := []Opening{{Key: "sg", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-web"},
		Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: t0}}
	a.Apply(open)
	files := map[string]string{"a.log": vpcLine("eni-web", "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(3*time.Minute), "ACCEPT") +
		vpcLine("eni-web", "10.0.0.5", "203.0.113.50", 50000, 443, t0.Add(20*time.Minute), "ACCEPT")}
	res, _, err := Join(context.Background(), writeFiles(t, files), open, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res[0].OutboundFlows != 1 {
		t.Errorf("outbound flows = %d, want 1: %s", res[0].OutboundFlows, res[0].Summary)
	}
}
