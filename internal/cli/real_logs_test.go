package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// Real third-party records (provenance in
// ../normalize/gcp/testdata/REAL_SOURCES.md) that a tester found
// misreported.
const (
	gkeInsertLast  = "../normalize/gcp/testdata/real_ace_notes_gke_firewall_insert_last.json"
	pantherCreated = "../normalize/gcp/testdata/real_panther_firewall_created.jsonl"
)

// TestTimelineUnloggedInsertIsUnknown: a real GKE firewalls.insert seen
// only by its last entry (the request holds only its @type) does not make
// the rule known: "known, no windows" would tell the analyst that the rule
// exposes nothing, which the log cannot show.
func TestTimelineUnloggedInsertIsUnknown(t *testing.T) {
	code, out, stderr := run(t, nil, "timeline", "-q", "--format", "jsonl", "--min-severity", "info", gkeInsertLast)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var ft model.FirewallTimeline
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &ft); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if ft.Known || !strings.Contains(ft.Note, "rule content is not logged") || strings.Contains(ft.Note, "rules known") {
		t.Errorf("known %v, note %q: want unknown because the content is not logged", ft.Known, ft.Note)
	}
	code, out, _ = run(t, nil, "timeline", "-q", "--format", "table", "--color", "never", gkeInsertLast)
	if code != ExitOK || strings.Contains(out, "rules known") || !strings.Contains(out, "state: created at 2024-03-02T05:01:46Z, but the rule content is not logged") {
		t.Errorf("table:\n%s", out)
	}
}

// TestRealCreateTitles: the real inserts and creates say so, and the App
// Engine rule created by the Panther record is not named after its app.
func TestRealCreateTitles(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "--no-store", "-q", "--format", "jsonl", "--min-severity", "info", gkeInsertLast, pantherCreated)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var titles []string
	for _, f := range findings(t, out) {
		titles = append(titles, f.Title)
	}
	want := []string{
		"VPC firewall rule gke-standard-public-cluster-1-a073f674-inkubelet created (rule content not logged)",
		"VPC firewall rule firewall-create deny rule added (closing access)",
		"App Engine firewall rule of app test-project-123456 created (rule content not logged)",
	}
	for _, w := range want {
		if !slices.Contains(titles, w) {
			t.Errorf("no finding titled %q in %q", w, titles)
		}
	}
}

// TestRealDenyInsertGuidance: the real Panther deny insert (denieds all)
// gets guidance for a closing change, not "delete the rule" for an
// opening.
func TestRealDenyInsertGuidance(t *testing.T) {
	code, out, stderr := run(t, nil, "scan", "--no-store", "-q", "--format", "jsonl", "--min-severity", "info", pantherCreated)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	seen := false
	for _, f := range findings(t, out) {
		if !strings.Contains(f.Title, "deny rule added") {
			continue
		}
		seen = true
		g := strings.Join(append(slices.Clone(f.Guidance.Investigate), f.Guidance.Respond...), "\n")
		for _, bad := range []string{"delete the rule", "allowed by the rule", "compromised", "firewall-rules delete"} {
			if strings.Contains(g, bad) {
				t.Errorf("closing change told %q:\n%s", bad, g)
			}
		}
		if !strings.Contains(g, "Nothing to contain") || !strings.Contains(g, "broke nothing") {
			t.Errorf("closing guidance missing:\n%s", g)
		}
	}
	if !seen {
		t.Fatalf("no deny insert finding in %s", out)
	}
}
