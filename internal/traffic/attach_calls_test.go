package traffic

import (
	"context"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// groupSetCall is a successful ModifyNetworkInterfaceAttribute (or, on an
// instance, ModifyInstanceAttribute) with groupSet, as a finding has it.
func groupSetCall(resource string, at time.Duration, groups ...string) model.Finding {
	return model.Finding{Cloud: model.AWS, Outcome: model.Success, Time: t0.Add(at),
		Resource: model.Resource{ID: resource}, Targets: groups}
}

// TestAttachmentsFromCalls checks that the group sets calls put on an
// interface tie its flows to an opening only while it carried the
// opening's group: a flow on an interface the calls had put behind other
// groups only is not use, whether it never carried the group or was moved
// off it before the flow.
func TestAttachmentsFromCalls(t *testing.T) {
	open := Opening{Key: "sg", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: "sg-web"},
		Protocol: 6, Ports: model.PortList{{From: 22, To: 22}}, Start: t0, End: t0.Add(2 * time.Hour)}
	flow := func(eni string, at time.Duration) string {
		return vpcLine(eni, "198.51.100.7", "10.0.0.5", 40000, 22, t0.Add(at), "ACCEPT")
	}
	var cover string // internal traffic every half hour: the flow logs cover the window
	for d := -time.Hour; d <= 3*time.Hour; d += 30 * time.Minute {
		cover += vpcLine("eni-web", "10.0.0.9", "10.0.0.5", 40000, 443, t0.Add(d), "ACCEPT")
	}
	snapshot := func(a *Attachments) { a.AddInterface("eni-web", "", "i-web", []string{"sg-web"}) }
	tests := []struct {
		name     string
		snapshot func(*Attachments)
		calls    []model.Finding
		flows    string
		verdict  string
		evidence string
	}{
		{name: "interface a call put behind the group", calls: []model.Finding{groupSetCall("eni-a", -2*time.Hour, "sg-web")},
			flows: flow("eni-a", 10*time.Minute), verdict: model.TrafficUsed, evidence: model.EvidenceInterface},
		{name: "interface a call put behind another group only", calls: []model.Finding{groupSetCall("eni-b", -2*time.Hour, "sg-db")},
			flows: flow("eni-b", 50*time.Minute) + cover, verdict: model.TrafficNotSeen},
		{name: "moved off the group before the flow",
			calls: []model.Finding{groupSetCall("eni-a", -2*time.Hour, "sg-web"), groupSetCall("eni-a", 30*time.Minute, "sg-db")},
			flows: flow("eni-a", time.Hour) + cover, verdict: model.TrafficNotSeen},
		{name: "flow before the move off the group",
			calls: []model.Finding{groupSetCall("eni-a", 30*time.Minute, "sg-db"), groupSetCall("eni-a", -2*time.Hour, "sg-web")},
			flows: flow("eni-a", 10*time.Minute) + cover, verdict: model.TrafficUsed, evidence: model.EvidenceInterface},
		{name: "before the first call nothing says where the interface was",
			calls: []model.Finding{groupSetCall("eni-a", 30*time.Minute, "sg-web")},
			flows: flow("eni-a", 10*time.Minute), verdict: model.TrafficUsed, evidence: model.EvidenceNetwork},
		{name: "before the first call the snapshot says", snapshot: snapshot,
			calls: []model.Finding{groupSetCall("eni-web", 30*time.Minute, "sg-db")},
			flows: flow("eni-web", 10*time.Minute), verdict: model.TrafficUsed, evidence: model.EvidenceInterface},
		{name: "snapshot overridden by a later call", snapshot: snapshot,
			calls: []model.Finding{groupSetCall("eni-web", 30*time.Minute, "sg-db")},
			flows: flow("eni-web", time.Hour) + cover, verdict: model.TrafficNotSeen},
		{name: "instance call applies to the snapshot's interface of the instance", snapshot: snapshot,
			calls: []model.Finding{groupSetCall("i-web", 30*time.Minute, "sg-db")},
			flows: flow("eni-web", time.Hour) + cover, verdict: model.TrafficNotSeen},
		{name: "failed call changes nothing", snapshot: snapshot,
			calls: []model.Finding{func() model.Finding {
				f := groupSetCall("eni-web", 30*time.Minute, "sg-db")
				f.Outcome = model.Failure
				return f
			}()},
			flows: flow("eni-web", time.Hour), verdict: model.TrafficUsed, evidence: model.EvidenceInterface},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAttachments()
			if tc.snapshot != nil {
				tc.snapshot(a)
			}
			a.AddCalls(tc.calls)
			opens := []Opening{open}
			a.Apply(opens)
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"a.log": tc.flows}), opens, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := res[0]; got.Verdict != tc.verdict || got.Evidence != tc.evidence {
				t.Errorf("verdict=%s evidence=%s, want %s %s\n%s", got.Verdict, got.Evidence, tc.verdict, tc.evidence, got.Summary)
			}
		})
	}
}
