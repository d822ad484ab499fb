package pipeline

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// longActorInputs writes n firewall calls on groups of their own, each
// by an IAM user of its own whose name (in its ARN too) is nameLen bytes
// long.
func longActorInputs(t *testing.T, n, nameLen int) string {
	t.Helper()
	var aws map[string]any
	if err := json.Unmarshal([]byte(attackLine(t)), &aws); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := range n {
		r := clone(t, aws)
		name := fmt.Sprintf("u%d-", i)
		name += strings.Repeat("n", max(nameLen-len(name), 0))
		r["eventID"] = fmt.Sprintf("long-%d", i)
		id := r["userIdentity"].(map[string]any)
		id["userName"], id["arn"], id["accessKeyId"] = name, "arn:aws:iam::032092706103:user/"+name, fmt.Sprintf("AKIA%016d", i)
		r["requestParameters"].(map[string]any)["groupId"] = fmt.Sprintf("sg-%04d", i)
		delete(r, "responseElements")
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, string(b))
	}
	return trailFiles(t, lines, 1)
}

// Operations whose actors are long (each finding copies its actor several
// times) are held fewer at a time than --max-held, so that memory stays
// bounded whatever the names; the findings are those of a scan holding
// them all, and the summary says why they were ranked on disk.
func TestLongTextsHeldFewer(t *testing.T) {
	const ops, maxHeld = 60, 40
	for _, tc := range []struct {
		name    string
		nameLen int
		// spill: held fewer than maxHeld at a time.
		fewer bool
	}{
		{"short names", 20, false},
		{"1 KB names", 1000, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := longActorInputs(t, ops, tc.nameLen)
			base := Options{Workers: 1, NoCorrelate: true, Filter: Filter{MinSeverity: model.Info}}
			mem := scan(t, []string{dir}, base)
			if mem.Spill != nil {
				t.Fatal("held in memory at the default --max-held, yet spilled")
			}
			o := base
			o.MaxHeld = maxHeld
			disk := scan(t, []string{dir}, o)
			defer disk.Close()
			if disk.Spill == nil {
				t.Fatalf("%d operations past --max-held %d: not spilled", ops, maxHeld)
			}
			if got := disk.Spill.Held < maxHeld; got != tc.fewer {
				t.Errorf("held %d at a time with --max-held %d: fewer %v, want %v", disk.Spill.Held, maxHeld, got, tc.fewer)
			}
			said := slices.ContainsFunc(disk.Summary.Notices, func(n string) bool { return strings.Contains(n, "actors, user agents and resources were long") })
			if said != tc.fewer {
				t.Errorf("notice of long texts %v, want %v: %q", said, tc.fewer, disk.Summary.Notices)
			}
			if len(mem.Findings) != ops {
				t.Fatalf("%d findings, want %d", len(mem.Findings), ops)
			}
			sameAsInMemory(t, maxHeld, disk, mem)
		})
	}
}
