package state

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

func TestWindowFromLogsAlone(t *testing.T) {
	e := newEngine(t)
	open := event(model.AWS, "ec2:authorizesecuritygroupingress", at(2, 11), sg,
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")))
	closeEv := event(model.AWS, "ec2:revokesecuritygroupingress", at(47, 40), sg,
		rc(model.Removed, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")))
	closeEv.Actor = model.Actor{Name: "bob"}
	// Files in any order: the later call first.
	changes, _ := e.Replay([]model.Event{closeEv, open})
	if len(changes[1].Opened) != 1 || len(changes[0].Closed) != 1 {
		t.Fatalf("opened %d, closed %d; want 1 and 1", len(changes[1].Opened), len(changes[0].Closed))
	}
	ws := e.Windows()
	if len(ws) != 1 {
		t.Fatalf("windows = %d, want 1", len(ws))
	}
	w := ws[0]
	if !w.StartKnown || !w.Start.Equal(at(2, 11)) || w.End == nil || !w.End.Equal(at(47, 40)) {
		t.Fatalf("window %v-%v (start known %v), want 10:02:11-10:47:40", w.Start, w.End, w.StartKnown)
	}
	if d := w.Duration(time.Time{}); d != 45*time.Minute+29*time.Second {
		t.Errorf("duration %v, want 45m29s", d)
	}
	if !w.Short {
		t.Error("closed within the hour: a short window")
	}
	if w.Opened.Actor.Name != "alice" || w.Opened.SourceIP != "203.0.113.9" || w.Closed.Actor.Name != "bob" {
		t.Errorf("opener %+v closer %+v", w.Opened, w.Closed)
	}
	if w.Severity != model.Critical {
		t.Errorf("world-open ssh window severity %s, want critical", w.Severity)
	}
	// Closed: nothing left to close, so no close command; while it was
	// open it had one.
	if len(w.Rollback) != 0 {
		t.Errorf("closed window: rollback %q, want none", w.Rollback)
	}
	still := newEngine(t)
	still.Replay([]model.Event{open})
	if ws := still.Windows(); len(ws) != 1 || ws[0].End != nil || len(ws[0].Rollback) != 1 ||
		!strings.HasPrefix(ws[0].Rollback[0], "aws ec2 revoke-security-group-ingress --group-id sg-0abc --ip-permissions ") {
		t.Errorf("open window: %+v", ws)
	}
	// Without a baseline the engine says what it does not know.
	if changes[1].Before.Known || !strings.Contains(changes[1].Before.Note, "rules before 2026-03-14T10:02:11Z unknown") {
		t.Errorf("before = %+v, want unknown with a note", changes[1].Before)
	}
}

func TestShortWindowThreshold(t *testing.T) {
	e := newEngine(t)
	e.opts.ShortWindow = 10 * time.Minute
	e.Replay([]model.Event{
		event(model.AWS, "ec2:authorizesecuritygroupingress", at(0, 0), sg, rc(model.Added, model.Ingress, model.Allow, "tcp", ports(3389, 3389), cidr("0.0.0.0/0"))),
		event(model.AWS, "ec2:revokesecuritygroupingress", at(30, 0), sg, rc(model.Removed, model.Ingress, model.Allow, "tcp", ports(3389, 3389), cidr("0.0.0.0/0"))),
	})
	if ws := e.Windows(); len(ws) != 1 || ws[0].Short {
		t.Errorf("a 30-minute window with a 10-minute threshold is not short: %+v", ws)
	}
}

func TestOpenWindowAtEnd(t *testing.T) {
	e := newEngine(t)
	e.Replay([]model.Event{event(model.AWS, "ec2:authorizesecuritygroupingress", at(1, 0), sg,
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("::/0")))})
	ws := e.Windows()
	if len(ws) != 1 || ws[0].End != nil || ws[0].Short {
		t.Fatalf("a window never closed stays open: %+v", ws)
	}
}

func TestRevokeOfUnseenRuleBeforeLogs(t *testing.T) {
	e := newEngine(t)
	e.Replay([]model.Event{
		event(model.AWS, "ec2:authorizesecuritygroupingress", at(0, 0), sg, rc(model.Added, model.Ingress, model.Allow, "tcp", ports(443, 443), cidr("10.0.0.0/8"))),
		event(model.AWS, "ec2:revokesecuritygroupingress", at(20, 0), sg, rc(model.Removed, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0"))),
	})
	ws := e.Windows()
	if len(ws) != 1 || ws[0].StartKnown || ws[0].End == nil || !ws[0].End.Equal(at(20, 0)) || ws[0].Short {
		t.Fatalf("a revoke of a world rule not seen opened means a window open before the logs: %+v", ws)
	}
}

func TestContradictionsAreNotedNotFatal(t *testing.T) {
	e := newEngine(t)
	e.Load([]model.Firewall{{Cloud: model.AWS, Resource: sg, Rules: []model.Rule{mrule(rc("", model.Ingress, model.Allow, "tcp", ports(443, 443), cidr("0.0.0.0/0")))}}})
	ch := e.Apply(ptr(event(model.AWS, "ec2:revokesecuritygroupingress", at(1, 0), sg,
		rc(model.Removed, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")))), "")
	if !hasNote(ch, "contradiction") {
		t.Errorf("revoking a rule that is not there must be noted: %q", ch.Notes)
	}
	ch = e.Apply(ptr(event(model.AWS, "ec2:authorizesecuritygroupingress", at(2, 0), sg,
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(443, 443), cidr("0.0.0.0/0")))), "")
	if !ch.NoOp || len(ch.Opened) != 0 {
		t.Errorf("re-adding a rule already in force is a no-op: %+v", ch)
	}
	del := event(model.AWS, "ec2:deletesecuritygroup", at(3, 0), sg)
	e.Apply(&del, "")
	ch = e.Apply(ptr(event(model.AWS, "ec2:authorizesecuritygroupingress", at(4, 0), sg,
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")))), "")
	if !hasNote(ch, "deleted at") {
		t.Errorf("a call on a deleted firewall must be noted: %q", ch.Notes)
	}
	// Garbage never panics.
	for _, ev := range []model.Event{
		{Cloud: model.AWS, OperationKey: "ec2:revokesecuritygroupingress", Resource: sg, Changes: []model.RuleChange{{}}},
		{Cloud: model.AWS, OperationKey: "ec2:deletenetworkaclentry", Resource: nacl, Changes: []model.RuleChange{{Effect: model.Removed}}},
		{Cloud: model.Azure, OperationKey: "microsoft.network/networksecuritygroups/securityrules/write", Resource: model.Resource{Type: "nsg_rule"}},
		{Cloud: model.GCP, OperationKey: "compute.firewalls.patch", Resource: gcpRule("x"), Changes: []model.RuleChange{{Effect: model.Altered, Peers: []model.Peer{{Kind: model.PeerCIDR, Value: "not-a-cidr"}}}}},
		{OperationKey: "nonsense"},
	} {
		e.Apply(&ev, "")
	}
}

func TestFailedCallChangesNothing(t *testing.T) {
	e := newEngine(t)
	ev := event(model.AWS, "ec2:authorizesecuritygroupingress", at(1, 0), sg, rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")))
	ev.Outcome, ev.ErrorCode = model.Failure, "Client.UnauthorizedOperation"
	ch := e.Apply(&ev, "")
	if ch.Applied || len(e.Windows()) != 0 {
		t.Errorf("a failed call must change nothing: %+v", ch)
	}
}

func TestNACLDeletedDenyOpensPort22(t *testing.T) {
	e := newEngine(t)
	world := cidr("0.0.0.0/0")
	e.Load([]model.Firewall{{Cloud: model.AWS, Resource: nacl, AsOf: t0, Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Deny, "tcp", ports(22, 22), world), 90, "90")),
		mrule(prio(rc("", model.Ingress, model.Allow, "all", nil, world), 100, "100")),
	}}})
	del := event(model.AWS, "ec2:deletenetworkaclentry", at(5, 0), nacl, model.RuleChange{Effect: model.Removed, Direction: model.Ingress, Priority: model.IntPtr(90), Name: "90"})
	ch := e.Apply(&del, "f1")
	if !ch.Before.Known || len(ch.Before.Rules) != 1 || ch.Before.Rules[0].Action != model.Deny {
		t.Fatalf("before = %+v, want the deny entry 90", ch.Before)
	}
	if len(ch.Opened) != 1 || !ch.Opened[0].Rule.Ports.All() && protoName(ch.Opened[0].Rule.Protocol) != "all" {
		t.Fatalf("deleting the deny must let the allow-all through on every port: %+v", ch.Opened)
	}
	if ch.Opened[0].Severity != model.Critical || ch.Opened[0].Opened.FindingID != "f1" {
		t.Errorf("window %+v", ch.Opened[0])
	}
	want := "aws ec2 create-network-acl-entry --network-acl-id acl-0abc --ingress --rule-number 90 --protocol 6 --port-range From=22,To=22 --cidr-block 0.0.0.0/0 --rule-action deny"
	if !slices.Contains(ch.Rollback, want) {
		t.Errorf("rollback %q, want %q", ch.Rollback, want)
	}
	d, _ := e.Decide(model.AWS, nacl, internet(model.Ingress, "tcp", 22), at(4, 0))
	if d.Allowed {
		t.Error("before the delete, 22 was denied (history)")
	}
	d, _ = e.Decide(model.AWS, nacl, internet(model.Ingress, "tcp", 22), at(6, 0))
	if !d.Allowed {
		t.Error("after the delete, 22 is allowed")
	}
}

func TestNACLReplaceRestoresOldEntry(t *testing.T) {
	e := newEngine(t)
	e.Load([]model.Firewall{{Cloud: model.AWS, Resource: nacl, Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(443, 443), cidr("10.0.0.0/8")), 100, "100")),
	}}})
	rep := event(model.AWS, "ec2:replacenetworkaclentry", at(1, 0), nacl, prio(rc(model.Added, model.Ingress, model.Allow, "all", nil, cidr("0.0.0.0/0")), 100, "100"))
	ch := e.Apply(&rep, "")
	want := "aws ec2 replace-network-acl-entry --network-acl-id acl-0abc --ingress --rule-number 100 --protocol 6 --port-range From=443,To=443 --cidr-block 10.0.0.0/8 --rule-action allow"
	if len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("rollback %q, want [%q]", ch.Rollback, want)
	}
}

func TestAzureNSGWriteReplacesAllRules(t *testing.T) {
	e := newEngine(t)
	e.Load([]model.Firewall{{Cloud: model.Azure, Resource: nsgR, Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Deny, "tcp", ports(22, 22), model.Peer{Kind: model.PeerServiceTag, Value: "Internet"}), 100, "deny-ssh")),
		mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(22, 22), model.Peer{Kind: model.PeerAny, Value: "*"}), 200, "allow-ssh")),
	}}})
	if d, _ := e.Decide(model.Azure, nsgR, internet(model.Ingress, "tcp", 22), time.Time{}); d.Allowed {
		t.Fatal("deny-ssh shadows allow-ssh")
	}
	// The PUT carries only allow-ssh: deny-ssh is gone.
	put := event(model.Azure, "microsoft.network/networksecuritygroups/write", at(1, 0), nsgR,
		prio(rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), model.Peer{Kind: model.PeerAny, Value: "*"}), 200, "allow-ssh"))
	ch := e.Apply(&put, "")
	if len(ch.Before.Rules) != 1 || ch.Before.Rules[0].Name != "deny-ssh" || len(ch.Opened) != 1 {
		t.Fatalf("before %+v opened %d", ch.Before.Rules, len(ch.Opened))
	}
	if !strings.HasPrefix(ch.Rollback[0], "az network nsg rule create --subscription s --resource-group rg-app --nsg-name nsg-app --name deny-ssh --priority 100 --direction Inbound --access Deny --protocol Tcp") {
		t.Errorf("rollback %q", ch.Rollback)
	}
	// A rule write names the rule; the NSG is its parent, case aside.
	rw := event(model.Azure, "microsoft.network/networksecuritygroups/securityrules/write", at(2, 0),
		model.Resource{Type: "nsg_rule", ID: strings.ToUpper(nsgID) + "/SECURITYRULES/ALLOW-SSH", Name: "ALLOW-SSH"},
		prio(rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("198.51.100.7")), 200, "allow-ssh"))
	ch = e.Apply(&rw, "")
	if len(ch.Closed) != 1 || len(ch.Before.Rules) != 1 {
		t.Fatalf("narrowing allow-ssh by name closes the window: closed %d before %+v", len(ch.Closed), ch.Before.Rules)
	}
}

func TestGCPPatchMergesAndDisableCloses(t *testing.T) {
	e := newEngine(t)
	r := gcpRule("allow-web")
	e.Load([]model.Firewall{{Cloud: model.GCP, Resource: r, Network: "default", Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(443, 443), cidr("10.0.0.0/8")), 1000, "allow-web")),
	}}})
	// patch sends only sourceRanges: the protocol and ports stay.
	p := event(model.GCP, "compute.firewalls.patch", at(1, 0), r, model.RuleChange{Effect: model.Altered, Direction: model.Ingress, Peers: []model.Peer{cidr("0.0.0.0/0")}, Name: "allow-web"})
	ch := e.Apply(&p, "")
	if len(ch.Opened) != 1 || ch.Opened[0].Rule.Ports.Strings()[0] != "443" {
		t.Fatalf("patch to 0.0.0.0/0 keeps 443: %+v", ch.Opened)
	}
	if want := "gcloud compute firewall-rules update allow-web --project=p1 --source-ranges=10.0.0.0/8"; len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("rollback %q, want %q", ch.Rollback, want)
	}
	dis := event(model.GCP, "compute.firewalls.patch", at(2, 0), r)
	dis.Settings = map[string]string{model.SettingDisabled: "true"}
	ch = e.Apply(&dis, "")
	if len(ch.Closed) != 1 {
		t.Fatalf("disabling the rule closes the window: %+v", ch)
	}
	// update replaces the whole rule.
	up := event(model.GCP, "compute.firewalls.update", at(3, 0), r,
		prio(rc(model.Altered, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 1000, "allow-web"))
	ch = e.Apply(&up, "")
	fw, _ := e.Firewall(model.GCP, r)
	if len(fw.Rules) != 1 || fw.Rules[0].Ports.Strings()[0] != "22" || fw.Rules[0].Disabled || len(ch.Opened) != 1 {
		t.Errorf("after update: %+v opened %d", fw.Rules, len(ch.Opened))
	}
	del := event(model.GCP, "compute.firewalls.delete", at(4, 0), r, model.RuleChange{Effect: model.Removed, Name: "allow-web"})
	ch = e.Apply(&del, "")
	if len(ch.Closed) != 1 || ch.Closed[0].Closed.Why != "firewall deleted" {
		t.Errorf("delete closes: %+v", ch.Closed)
	}
	if want := "gcloud compute firewall-rules create allow-web --project=p1 --network=default --direction=INGRESS --action=ALLOW --rules=tcp:22 --source-ranges=0.0.0.0/0 --priority=1000"; len(ch.Rollback) != 1 || ch.Rollback[0] != want {
		t.Errorf("rollback %q, want %q", ch.Rollback, want)
	}
}

func TestGCPNetworkSnapshotIsSplitPerRule(t *testing.T) {
	e := newEngine(t)
	e.Load([]model.Firewall{{Cloud: model.GCP, Resource: model.Resource{Type: "network", ID: "projects/p1/global/networks/default"}, Rules: []model.Rule{
		mrule(prio(rc("", model.Ingress, model.Deny, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 500, "deny-ssh")),
		mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 1000, "allow-ssh")),
	}}})
	if len(e.Windows()) != 0 {
		t.Fatal("allow-ssh is shadowed by deny-ssh: no exposure")
	}
	// The audit log names the rule, not the network.
	del := event(model.GCP, "compute.firewalls.delete", at(1, 0), gcpRule("deny-ssh"), model.RuleChange{Effect: model.Removed, Name: "deny-ssh"})
	ch := e.Apply(&del, "")
	if len(ch.Opened) != 1 || ch.Opened[0].Firewall.Name != "allow-ssh" {
		t.Fatalf("deleting deny-ssh exposes allow-ssh: %+v", ch.Opened)
	}
}

func TestCreateSecurityGroupIsKnown(t *testing.T) {
	e := newEngine(t)
	cr := event(model.AWS, "ec2:createsecuritygroup", at(0, 0), sg)
	ch := e.Apply(&cr, "")
	if !ch.After.Known {
		t.Error("a group created in the logs is known from then on")
	}
	fw, _ := e.Firewall(model.AWS, sg)
	if len(fw.Rules) != 1 || fw.Rules[0].Direction != model.Egress || protoName(fw.Rules[0].Protocol) != "all" {
		t.Errorf("a new group allows all egress: %+v", fw.Rules)
	}
	if d, _ := e.Decide(model.AWS, sg, internet(model.Ingress, "tcp", 22), time.Time{}); d.Allowed || !d.Known {
		t.Errorf("a new group admits nothing: %+v", d)
	}
	if len(ch.Rollback) != 1 || ch.Rollback[0] != "aws ec2 delete-security-group --group-id sg-0abc" {
		t.Errorf("rollback %q", ch.Rollback)
	}
}

func ptr(ev model.Event) *model.Event { return &ev }

func hasNote(ch Change, sub string) bool {
	return slices.ContainsFunc(ch.Notes, func(n string) bool { return strings.Contains(n, sub) })
}

// TestEndIsPerAccount: a window still open runs to the end of its own
// account's data, not to the latest call of another account or cloud
// (an old subscription read with newer logs of another account showed
// years of exposure).
func TestEndIsPerAccount(t *testing.T) {
	e := newEngine(t)
	old := event(model.AWS, "ec2:authorizesecuritygroupingress", at(0, 0), sg,
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")))
	old.Account = "111122223333"
	later := event(model.AWS, "ec2:authorizesecuritygroupingress", at(10, 0), sg,
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(443, 443), cidr("10.0.0.0/8")))
	later.Account = "111122223333"
	other := event(model.AWS, "ec2:authorizesecuritygroupingress", t0.Add(5*365*24*time.Hour), model.Resource{Type: "security_group", ID: "sg-0other"},
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(80, 80), cidr("0.0.0.0/0")))
	other.Account = "444455556666"
	e.Replay([]model.Event{old, later, other})
	if got := e.End(model.AWS, "111122223333"); !got.Equal(at(10, 0)) {
		t.Errorf("end of account 111122223333 = %v, want its last call %v", got, at(10, 0))
	}
	if got := e.End(model.AWS, "444455556666"); !got.Equal(other.Time) {
		t.Errorf("end of account 444455556666 = %v, want %v", got, other.Time)
	}
	if got, _ := e.Span(); got.IsZero() {
		t.Error("span lost")
	}
	// Account ids compare without case (Azure writes either).
	up := event(model.AWS, "ec2:authorizesecuritygroupingress", at(20, 0), sg,
		rc(model.Added, model.Ingress, model.Allow, "tcp", ports(8443, 8443), cidr("10.0.0.0/8")))
	up.Account = "ACCT-UPPER"
	e.Replay([]model.Event{up})
	if got := e.End(model.AWS, "acct-upper"); !got.Equal(at(20, 0)) {
		t.Errorf("end of acct-upper = %v, want %v", got, at(20, 0))
	}
	if got := e.End(model.Azure, "unknown"); !got.Equal(other.Time) {
		t.Errorf("an account without calls: end %v, want the end of all the data", got)
	}
}

// TestChangeWindowIsMostSevere: a finding names the most severe window
// its call opened (a GCP insert of tcp/80 and icmp: the medium tcp/80
// window, not the low icmp one), the first in order on a tie, and a
// closed one only when it opened none.
func TestChangeWindowIsMostSevere(t *testing.T) {
	low1 := &model.Window{ID: "low1", Severity: model.Low}
	low2 := &model.Window{ID: "low2", Severity: model.Low}
	med := &model.Window{ID: "med", Severity: model.Medium}
	crit := &model.Window{ID: "crit", Severity: model.Critical}
	for _, tt := range []struct {
		ch   Change
		want string
	}{
		{Change{Opened: []*model.Window{low1, med}}, "med"},
		{Change{Opened: []*model.Window{low1, low2}}, "low1"},
		{Change{Opened: []*model.Window{low2}, Closed: []*model.Window{crit}}, "low2"},
		{Change{Closed: []*model.Window{low1, crit}}, "crit"},
		{Change{}, ""},
	} {
		got := ""
		if w := tt.ch.Window(); w != nil {
			got = w.ID
		}
		if got != tt.want {
			t.Errorf("Window() = %q, want %q", got, tt.want)
		}
	}
}

// TestAzureNSGWriteThatCreated: an NSG write whose records say it created
// the group (Written: created, as an asynchronous create's Accepted
// record does) had nothing before it: its undo deletes the group, and no
// line says the earlier rules are unknown. One that updated it keeps the
// note.
func TestAzureNSGWriteThatCreated(t *testing.T) {
	for _, tt := range []struct {
		written model.WriteStatus
		want    string
	}{
		{model.WriteCreated, "az network nsg delete --subscription s --resource-group rg-app --name nsg-app"},
		{model.WriteUpdated, "# the group's rules before this write are not known (no baseline): rules it removed cannot be restored from here"},
	} {
		e := newEngine(t)
		ev := event(model.Azure, "microsoft.network/networksecuritygroups/write", at(1, 0), nsgR,
			prio(rc(model.Added, model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 100, "ssh"))
		ev.Written = tt.written
		ch := e.Apply(&ev, "")
		if len(ch.Rollback) == 0 || ch.Rollback[len(ch.Rollback)-1] != tt.want || ch.Before.Known != (tt.written == model.WriteCreated) {
			t.Errorf("%s: rollback %q (before known %v)\nwant last %q", tt.written, ch.Rollback, ch.Before.Known, tt.want)
		}
	}
}

// TestGCPDisabledReadAsDetectReadsIt: state reads the disabled setting as
// detection does (model.SettingIs: letter case and spaces aside), so a
// value the two read differently cannot leave a window open that the
// finding calls closed, or a rollback that enables what the call enabled.
func TestGCPDisabledReadAsDetectReadsIt(t *testing.T) {
	for _, v := range []string{"true", "TRUE", " True "} {
		e := newEngine(t)
		r := gcpRule("allow-web")
		e.Load([]model.Firewall{{Cloud: model.GCP, Resource: r, Network: "default", Rules: []model.Rule{
			mrule(prio(rc("", model.Ingress, model.Allow, "tcp", ports(22, 22), cidr("0.0.0.0/0")), 1000, "allow-web")),
		}}})
		dis := event(model.GCP, "compute.firewalls.patch", at(2, 0), r)
		dis.Settings = map[string]string{model.SettingDisabled: v}
		ch := e.Apply(&dis, "")
		if len(ch.Closed) != 1 {
			t.Errorf("disabled=%q: closed %d windows, want the rule's one", v, len(ch.Closed))
		}
		if len(ch.Rollback) != 1 || !strings.HasSuffix(ch.Rollback[0], " --no-disabled") {
			t.Errorf("disabled=%q: rollback %q, want the rule enabled again", v, ch.Rollback)
		}
	}
}
