package traffic

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestCoveragePerInterface: where an inventory says which interfaces sit
// behind the opened firewall, "flow logs cover it" needs records of those
// interfaces through the window. A flow log set on other interfaces, or on
// another subnet, says nothing of them: the verdict is no-coverage, not
// not-seen.
func TestCoveragePerInterface(t *testing.T) {
	ssh := model.PortList{{From: 22, To: 22}}
	open := func(fw string) Opening {
		return Opening{Key: "o", Cloud: model.AWS, Account: "111122223333", Firewall: model.Resource{ID: fw},
			Protocol: 6, Ports: ssh, Start: t0, End: t0.Add(2 * time.Hour)}
	}
	// noise writes a rejected probe on another port every 10 minutes from
	// an hour before the window to an hour after it.
	noise := func(eni, dst string) string {
		var b strings.Builder
		for m := -60; m <= 180; m += 10 {
			b.WriteString(vpcLine(eni, "192.0.2.77", dst, 40000+m+60, 23, t0.Add(time.Duration(m)*time.Minute), "REJECT"))
		}
		return b.String()
	}
	// status writes a record with no flow (NODATA: logged and idle;
	// SKIPDATA: records lost) every 10 minutes over the same time.
	status := func(eni, st string) string {
		var b strings.Builder
		for m := -60; m <= 180; m += 10 {
			at := t0.Add(time.Duration(m) * time.Minute)
			fmt.Fprintf(&b, "2 111122223333 %s - - - - - - - %d %d - %s\n", eni, at.Unix(), at.Add(10*time.Minute).Unix(), st)
		}
		return b.String()
	}
	inventory := func() *Attachments {
		a := NewAttachments()
		a.AddInterface("eni-x", "subnet-a", "", []string{"sg-web"})
		a.AddInterface("eni-z", "subnet-a", "", []string{"sg-web"})
		a.AddInterface("eni-y", "subnet-b", "", []string{"sg-other"})
		a.AddFirewall(&model.Firewall{Cloud: model.AWS, Resource: model.Resource{Type: "network_acl", ID: "acl-a"},
			AttachedTo: []string{"subnet-a"}})
		return a
	}
	tests := []struct {
		name    string
		open    Opening
		attach  *Attachments
		flows   string
		verdict string
		missing string // named in the summary
	}{
		{"flow log only on another interface", open("sg-web"), inventory(), noise("eni-y", "10.0.2.9"), model.TrafficNoCoverage, "eni-x, eni-z"},
		{"one of the group's two interfaces logged", open("sg-web"), inventory(), noise("eni-x", "10.0.1.5"), model.TrafficNoCoverage, "eni-z"},
		{"both interfaces logged through the window", open("sg-web"), inventory(), noise("eni-x", "10.0.1.5") + noise("eni-z", "10.0.1.6"), model.TrafficNotSeen, ""},
		{"ACL: a subnet log of another subnet", open("acl-a"), inventory(), noise("eni-y", "10.0.2.9"), model.TrafficNoCoverage, "eni-x, eni-z"},
		{"ACL: its subnet's interfaces logged", open("acl-a"), inventory(), noise("eni-x", "10.0.1.5") + noise("eni-z", "10.0.1.6"), model.TrafficNotSeen, ""},
		{"no inventory: the account's flow log covers it", open("sg-web"), nil, noise("eni-y", "10.0.2.9"), model.TrafficNotSeen, ""},
		{"an idle interface logs NODATA: covered", open("sg-web"), inventory(), noise("eni-x", "10.0.1.5") + status("eni-z", "NODATA"), model.TrafficNotSeen, ""},
		{"SKIPDATA is records lost, not coverage", open("sg-web"), inventory(), noise("eni-x", "10.0.1.5") + status("eni-z", "SKIPDATA"), model.TrafficNoCoverage, "eni-z"},
		{"no inventory: NODATA covers the account", open("sg-web"), nil, status("eni-y", "NODATA"), model.TrafficNotSeen, ""},
		{"interface logged for part of the window only", open("sg-web"), inventory(),
			noise("eni-x", "10.0.1.5") + noise("eni-z", "10.0.1.6")[:len(noise("eni-z", "10.0.1.6"))/3], model.TrafficNoCoverage, "eni-z"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open := []Opening{tc.open}
			tc.attach.Apply(open)
			res, _, err := Join(context.Background(), writeFiles(t, map[string]string{"a.log": tc.flows}), open, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := res[0]
			if got.Verdict != tc.verdict || (tc.missing != "" && !strings.Contains(got.Summary, "no records of "+tc.missing+" behind it")) {
				t.Errorf("verdict=%s, want %s (missing %q)\n%s", got.Verdict, tc.verdict, tc.missing, got.Summary)
			}
		})
	}
}
