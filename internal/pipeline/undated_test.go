package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cloudwall/internal/model"
)

// TestUndatedKeptBySince: --since and --until cannot place a finding whose
// time is unknown (a record with no readable time): it is kept and counted
// in the summary, never dropped; a dated finding outside the window is
// still filtered. Held and spilled scans agree.
func TestUndatedKeptBySince(t *testing.T) {
	var rec map[string]any
	if err := json.Unmarshal([]byte(attackLine(t)), &rec); err != nil {
		t.Fatal(err)
	}
	// Each copy opens its own group: a copy on the same group would set
	// again what the one before it put in force (low, TestAlreadyInForce).
	line := func(id, when string) string {
		rec["eventID"] = id
		setGroup(rec, "sg-"+id)
		if when == "" {
			delete(rec, "eventTime")
		} else {
			rec["eventTime"] = when
		}
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	dir := t.TempDir()
	text := line("undated", "") + "\n" + line("old", "2025-06-01T12:00:00Z") + "\n" + line("new", "2026-04-10T10:00:00Z") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "trail.jsonl"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		flt      Filter
		want     []string
		undated  int64
		filtered int64
	}{
		{"since keeps the undated", Filter{Since: since}, []string{"new", "undated"}, 1, 1},
		{"until keeps the undated", Filter{Until: since}, []string{"old", "undated"}, 1, 1},
		{"no time filter: nothing to count", Filter{}, []string{"new", "old", "undated"}, 0, 0},
	} {
		for _, maxHeld := range []int{0, 1} {
			t.Run(tc.name, func(t *testing.T) {
				res := scan(t, []string{dir}, Options{Filter: tc.flt, MaxHeld: maxHeld, NoCorrelate: true})
				defer res.Close()
				if (res.Spill != nil) != (maxHeld == 1) {
					t.Fatalf("max-held %d: spilled %v", maxHeld, res.Spill != nil)
				}
				var got []string
				err := res.EachFinding(func(f model.Finding) error {
					if f.Severity != model.Critical {
						t.Errorf("%s: severity %s, want critical", f.Event.EventID, f.Severity)
					}
					got = append(got, f.Event.EventID)
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				if strings.Join(slices.Sorted(slices.Values(got)), ",") != strings.Join(tc.want, ",") {
					t.Errorf("max-held %d: findings %q, want %q", maxHeld, got, tc.want)
				}
				if s := res.Summary; s.Undated != tc.undated || s.FindingsFiltered != tc.filtered {
					t.Errorf("max-held %d: undated %d filtered %d, want %d and %d", maxHeld, s.Undated, s.FindingsFiltered, tc.undated, tc.filtered)
				}
			})
		}
	}
}

// setGroup points an AuthorizeSecurityGroupIngress record, request and
// response, at group.
func setGroup(rec map[string]any, group string) {
	if rp, ok := rec["requestParameters"].(map[string]any); ok {
		rp["groupId"] = group
	}
	if re, ok := rec["responseElements"].(map[string]any); ok {
		if set, ok := re["securityGroupRuleSet"].(map[string]any); ok {
			items, _ := set["items"].([]any)
			for _, it := range items {
				if m, ok := it.(map[string]any); ok {
					m["groupId"] = group
				}
			}
		}
	}
}
