package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/config"
	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// Past --max-held, findings are ranked on disk: the findings, their order,
// the suppressed ones and the counters are exactly those of a scan held
// in memory, and the summary says the findings were spilled.
func TestSpillSameAsInMemory(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "cloudwall.yaml")
	yaml := `suppressions:
  - id: active
    owner: secops@example.com
    reason: test
    expires: 2999-12-31
    match:
      accounts: ["123456789012"]
      resources: [sg-0c1d2e3f4a5b6c7d8]
  - id: expired
    owner: secops@example.com
    reason: test
    expires: 2001-01-01
    match:
      accounts: ["acme-prod-7781"]
  - id: unused
    owner: secops@example.com
    reason: test
    expires: 2999-12-31
    match:
      accounts: ["999999999999"]
`
	if err := os.WriteFile(cfgPath, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	set, err := snapshot.ReadPaths(t.Context(), []string{"../../testdata/snapshots"}, nil, snapshot.Options{})
	if err != nil {
		t.Fatal(err)
	}
	baseline := set.Firewalls
	cases := []struct {
		name  string
		paths []string
		opts  Options
	}{
		{"fixtures", fixtureFiles(t), Options{}},
		{"samples with suppressions", []string{"../../testdata/samples"}, Options{Config: cfg}},
		{"samples with baseline", []string{"../../testdata/samples"}, Options{State: &StateOptions{Baseline: baseline}}},
		{"min severity high", []string{"../../testdata/samples"}, Options{Filter: Filter{MinSeverity: model.High}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Workers = 1
			// A spilled scan does not correlate (its summary says so):
			// compare the single findings.
			c.opts.NoCorrelate = true
			mem := scan(t, c.paths, c.opts)
			if mem.Spill != nil {
				t.Fatal("held in memory at the default --max-held, yet spilled")
			}
			if mem.Summary.FirewallEvents < 4 {
				t.Fatalf("only %d firewall events: the case does not exercise spilling", mem.Summary.FirewallEvents)
			}
			t.Logf("%d findings, %d suppressed, %d windows", len(mem.Findings), len(mem.Suppressed), len(mem.Windows))
			for _, maxHeld := range []int{1, 3} {
				o := c.opts
				o.MaxHeld = maxHeld
				disk := scan(t, c.paths, o)
				if disk.Spill == nil {
					t.Fatalf("max-held %d: not spilled", maxHeld)
				}
				var got, gotSupp []model.Finding
				if err := disk.EachFinding(func(f model.Finding) error { got = append(got, f); return nil }); err != nil {
					t.Fatal(err)
				}
				if err := disk.EachSuppressed(func(f model.Finding) error { gotSupp = append(gotSupp, f); return nil }); err != nil {
					t.Fatal(err)
				}
				same(t, "findings", got, mem.Findings)
				same(t, "suppressed", gotSupp, mem.Suppressed)
				ms, ds := mem.Summary, disk.Summary
				if ds.Spilled != int64(len(got)+len(gotSupp)) {
					t.Errorf("Summary.Spilled = %d, want %d", ds.Spilled, len(got)+len(gotSupp))
				}
				if !slices.ContainsFunc(ds.Notices, func(n string) bool { return strings.Contains(n, "ranked on disk") }) {
					t.Errorf("no notice says the findings were ranked on disk: %q", ds.Notices)
				}
				ds.Notices = slices.DeleteFunc(ds.Notices, func(n string) bool { return strings.Contains(n, "ranked on disk") })
				ms.Elapsed, ds.Elapsed, ds.Spilled = 0, 0, 0
				same(t, "summary", ds, ms)
				same(t, "windows", disk.Windows, mem.Windows)
				if err := disk.Close(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// same compares through JSON, the form every output is made from.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s differ after spilling:\n got %.600s\nwant %.600s", what, g, w)
	}
}

// A spilled scan leaves no file in TMPDIR, even while its result is
// open: the spill files are unlinked once created, so a scan killed
// before it closes them leaves nothing (internal/spill tests the systems
// where Close removes them).
func TestSpillRemovesItsFile(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)
	res := scan(t, []string{"../../testdata/samples"}, Options{MaxHeld: 2})
	if res.Spill == nil {
		t.Fatal("not spilled")
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
		t.Errorf("spill files visible in TMPDIR before Close: %v", m)
	}
	if err := res.Close(); err != nil {
		t.Fatal(err)
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "*")); len(m) != 0 {
		t.Errorf("left after Close: %v", m)
	}
	_ = os.Remove(dir)
}

// The state replay and the cross-call history are bounded; when a bound
// is hit the summary says so and what it costs, in memory or spilled.
func TestBoundsSaySo(t *testing.T) {
	for _, maxHeld := range []int{0, 2} {
		res := scan(t, []string{"../../testdata/samples"}, Options{MaxHeld: maxHeld, MaxFirewalls: 1, historyKeys: 1})
		rules := scan(t, []string{"../../testdata/samples"}, Options{MaxHeld: maxHeld, MaxRules: 1})
		defer rules.Close()
		var said bool
		for _, n := range rules.Summary.Notices {
			said = said || strings.HasPrefix(n, "state: the replayed firewalls hold more than 1 rules") && strings.Contains(n, "no rollback commands")
		}
		if !said {
			t.Errorf("max-held %d, max-rules 1: notices %q lack the rules bound", maxHeld, rules.Summary.Notices)
		}
		defer res.Close()
		var state, history bool
		for _, n := range res.Summary.Notices {
			state = state || strings.HasPrefix(n, "state: more than 1 firewalls changed") && strings.Contains(n, "no rollback commands")
			history = history || strings.HasPrefix(n, "history: more than 1 firewall ports held")
		}
		if !state || !history {
			t.Errorf("max-held %d: notices %q lack the state or history bound", maxHeld, res.Summary.Notices)
		}
		var withRollback int
		_ = res.EachFinding(func(f model.Finding) error {
			if len(f.Rollback) > 0 {
				withRollback++
			}
			return nil
		})
		if withRollback == 0 {
			t.Errorf("max-held %d: no finding has rollback commands: the one tracked firewall should", maxHeld)
		}
	}
}
