package correlate

import (
	"slices"
	"testing"
	"time"

	"cloudwall/internal/model"
)

func read(op, session string, at time.Duration, outcome model.Outcome) ContextEvent {
	return ContextEvent{Session: session, TimelineEntry: model.TimelineEntry{Time: t0.Add(at), Operation: op, Outcome: outcome,
		Class: ContextClass(&model.Event{OperationKey: key(op), Outcome: outcome, ErrorCode: map[bool]string{true: "AccessDenied"}[outcome == model.Failure]})}}
}

func key(op string) string {
	switch op {
	case "DescribeSecurityGroups":
		return "ec2:describesecuritygroups"
	case "GetCallerIdentity":
		return "sts:getcalleridentity"
	case "CreateAccessKey":
		return "iam:createaccesskey"
	}
	return "s3:listbuckets"
}

func TestSequences(t *testing.T) {
	mallory := "arn:aws:iam::1:user/mallory"
	chg := func(at time.Duration, session string) model.Finding {
		f := change("c1", "1", mallory, "sg-1", at, 22)
		f.Actor.AccessKey = session
		return f
	}
	k := ContextKey(model.AWS, "1", model.Actor{ID: mallory})
	other := ContextKey(model.AWS, "1", model.Actor{ID: "arn:aws:iam::1:user/bob"})
	otherAccount := ContextKey(model.AWS, "2", model.Actor{ID: mallory})
	tests := []struct {
		name     string
		f        model.Finding
		ctx      Context
		recon    bool
		timeline int
	}{
		{"firewall reads, then the change", chg(10*time.Minute, "AKIA1"), Context{k: {read("DescribeSecurityGroups", "AKIA1", 5*time.Minute, model.Success)}}, true, 1},
		{"denied calls, then the change", chg(10*time.Minute, "AKIA1"), Context{k: {read("ListBuckets", "AKIA1", 5*time.Minute, model.Failure)}}, true, 1},
		{"near miss: the same actor's reads a day before", chg(10*time.Minute, "AKIA1"), Context{k: {read("DescribeSecurityGroups", "AKIA1", -24*time.Hour, model.Success)}}, false, 0},
		{"near miss: the same actor's reads in another account", chg(10*time.Minute, "AKIA1"), Context{otherAccount: {read("DescribeSecurityGroups", "AKIA1", 5*time.Minute, model.Success)}}, false, 0},
		{"near miss: the reads an hour before", chg(70*time.Minute, "AKIA1"), Context{k: {read("DescribeSecurityGroups", "AKIA1", 5*time.Minute, model.Success)}}, false, 0},
		{"near miss: only GetCallerIdentity", chg(10*time.Minute, "AKIA1"), Context{k: {read("GetCallerIdentity", "AKIA1", 5*time.Minute, model.Success)}}, false, 1},
		{"near miss: another identity's reads", chg(10*time.Minute, "AKIA1"), Context{other: {read("DescribeSecurityGroups", "AKIA1", 5*time.Minute, model.Success)}}, false, 0},
		{"near miss: the same identity, another session", chg(10*time.Minute, "ASIA2"), Context{k: {read("DescribeSecurityGroups", "ASIA1", 5*time.Minute, model.Success)}}, false, 0},
		{"near miss: a new key after the change is context, not recon", chg(10*time.Minute, "AKIA1"), Context{k: {read("CreateAccessKey", "AKIA1", 15*time.Minute, model.Success)}}, false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := Sequences([]model.Finding{tt.f}, tt.ctx, Options{})
			got := slices.ContainsFunc(out, func(f model.Finding) bool { return f.Rule == ReconThenChange })
			if got != tt.recon || len(out[0].Timeline) != tt.timeline {
				t.Errorf("recon %v (want %v), timeline %v (want %d entries)", got, tt.recon, out[0].Timeline, tt.timeline)
			}
		})
	}
}

// TestContextClass: reads of firewalls and permission probing are recon,
// a refused call is denied whatever it was; a read that is not of
// firewalls (instances, buckets) is not kept at all.
func TestContextClass(t *testing.T) {
	for _, c := range []struct {
		key, code string
		outcome   model.Outcome
		want      string
	}{
		{"ec2:describesecuritygroups", "", model.Success, ClassRecon},
		{"compute.firewalls.list", "", model.Success, ClassRecon},
		{"iam:getaccountauthorizationdetails", "", model.Success, ClassRecon},
		{"sts:getcalleridentity", "", model.Success, ClassIdentity},
		{"s3:listbuckets", "AccessDenied", model.Failure, ClassDenied},
		{"ec2:describeinstances", "Client.UnauthorizedOperation", model.Failure, ClassDenied},
		{"ec2:describeinstances", "", model.Success, ""},
		{"s3:listbuckets", "", model.Success, ""},
		{"ec2:describeinstances", "Client.InvalidInstanceID.NotFound", model.Failure, ""},
	} {
		if got := ContextClass(&model.Event{OperationKey: c.key, Outcome: c.outcome, ErrorCode: c.code}); got != c.want {
			t.Errorf("%s %s %s: class %q, want %q", c.key, c.outcome, c.code, got, c.want)
		}
	}
}

// TestSequencesJoinAndBound: changes after the same reconnaissance are one
// recon-then-change; a timeline holds at most MaxTimeline entries, the
// nearest.
func TestSequencesJoinAndBound(t *testing.T) {
	mallory := "arn:aws:iam::1:user/mallory"
	k := ContextKey(model.AWS, "1", model.Actor{ID: mallory})
	ctx := Context{}
	for i := range 50 {
		ctx[k] = append(ctx[k], read("DescribeSecurityGroups", "", time.Duration(i)*time.Second, model.Success))
	}
	fs := []model.Finding{change("c1", "1", mallory, "sg-1", 5*time.Minute, 22), change("c2", "1", mallory, "sg-2", 6*time.Minute, 22)}
	out := Sequences(fs, ctx, Options{})
	if len(out) != 3 || out[2].Rule != ReconThenChange || len(out[2].Related) != 2 {
		t.Fatalf("%d findings, last %s with %d related", len(out), out[len(out)-1].Rule, len(out[len(out)-1].Related))
	}
	tl := out[0].Timeline
	if len(tl) != MaxTimeline || tl[len(tl)-1].FindingID != "c2" || !slices.IsSortedFunc(tl, func(a, b model.TimelineEntry) int { return a.Time.Compare(b.Time) }) {
		t.Errorf("timeline of %d entries, last %+v", len(tl), tl[len(tl)-1])
	}
}
