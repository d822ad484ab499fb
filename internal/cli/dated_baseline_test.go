package cli

import (
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// testdata/dated-baseline: an AWS Config item captured at 10:45 shows
// tcp/22 open; CloudTrail has the group created at 08:00, opened at 10:00,
// revoked at 10:30 and again at 11:30. The snapshot is the state at 10:45,
// not before 08:00 (state-formats §7).
const datedBase = "testdata/dated-baseline/config.json"

// datedLogs are the calls with and without the group's creation.
var datedLogs = []string{"testdata/dated-baseline/cloudtrail.json", "testdata/dated-baseline/cloudtrail-no-create.json"}

func TestScanDatedBaselineKeepsEarlierOpening(t *testing.T) {
	for _, logs := range datedLogs {
		t.Run(logs, func(t *testing.T) { scanDated(t, logs) })
	}
}

func scanDated(t *testing.T, logs string) {
	code, out, stderr := run(t, nil, "scan", "-q", "--no-store", "--min-severity", "info", "--format", "jsonl", "--baseline", datedBase, logs)
	if code != ExitOK && code != ExitFindings {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var open *model.Finding
	fs := decodeFindings(t, out)
	for i := range fs {
		if fs[i].Operation == "AuthorizeSecurityGroupIngress" && strings.Contains(fs[i].Title, "opened to the IPv4 internet") {
			open = &fs[i]
		}
	}
	if open == nil {
		t.Fatal("no finding for the 10:00 opening")
	}
	if open.Severity != model.Critical {
		t.Errorf("10:00 opening severity %s, want critical (the 10:45 snapshot is not the state before it): %q", open.Severity, open.Reasons)
	}
	for _, r := range open.Reasons {
		if strings.Contains(r, "already in force") {
			t.Errorf("10:00 opening called a no-op: %q", r)
		}
	}
	w := open.Window
	if w == nil || !w.StartKnown || w.End == nil || !w.Start.Equal(hm(10, 0)) || !w.End.Equal(hm(10, 30)) {
		t.Errorf("10:00 opening window %+v, want [10:00, 10:30)", w)
	}
}

func TestTimelineDatedBaselineWindows(t *testing.T) {
	for _, logs := range datedLogs {
		t.Run(logs, func(t *testing.T) { timelineDated(t, logs) })
	}
}

func timelineDated(t *testing.T, logs string) {
	fws, _ := timelineFirewalls(t, "-q", "--min-severity", "info", "--baseline", datedBase, logs)
	if len(fws) != 1 {
		t.Fatalf("firewalls %d, want 1", len(fws))
	}
	type span struct {
		start, end time.Time
		known      bool
	}
	var got []span
	for _, w := range fws[0].Windows {
		if w.End == nil {
			t.Fatalf("window %+v still open: every exposure was closed by 11:30", w)
		}
		if w.End.Before(w.Start) {
			t.Errorf("window ends before it starts: %v to %v", w.Start, *w.End)
		}
		got = append(got, span{w.Start, *w.End, w.StartKnown})
	}
	want := []span{{hm(10, 45), hm(11, 30), false}, {hm(10, 0), hm(10, 30), true}}
	if len(got) != len(want) {
		t.Fatalf("windows %+v, want %+v", got, want)
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g.start.Equal(w.start) && g.end.Equal(w.end) && g.known == w.known
		}
		if !found {
			t.Errorf("no window %+v in %+v", w, got)
		}
	}
}

func hm(h, m int) time.Time { return time.Date(2026, 5, 1, h, m, 0, 0, time.UTC) }
