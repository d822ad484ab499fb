package model

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestCapNotes(t *testing.T) {
	many := func(n int) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("unparseable CIDR %q", fmt.Sprint("1.2.", i, ".x/99")))
		}
		return out
	}
	tests := []struct {
		name string
		in   []string
		want []string
	}{
		{"nil", nil, nil},
		{"kept in order", []string{"b", "a"}, []string{"b", "a"}},
		{"duplicates and case variants once", []string{"Rule X", "a", "rule x", "a"}, []string{"Rule X", "a"}},
		{"at the cap", many(MaxNotes), many(MaxNotes)},
		{"past the cap", many(MaxNotes + 7), append(many(MaxNotes), "… and 7 more notes")},
		{"repeats past the cap are not counted", append(many(MaxNotes+2), many(MaxNotes+2)...), append(many(MaxNotes), "… and 2 more notes")},
		{"counts of earlier cuts add up", append(append(many(MaxNotes), "… and 3 more notes"), "… and 4 more notes"), append(many(MaxNotes), "… and 7 more notes")},
		{"text that only looks like a count is a note", []string{"… and 3 more notes!"}, []string{"… and 3 more notes!"}},
	}
	for _, tt := range tests {
		if got := CapNotes(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("%s: got %d notes %q, want %d", tt.name, len(got), tail(got), len(tt.want))
		}
	}
}

func tail(s []string) []string {
	if len(s) > 3 {
		return s[len(s)-3:]
	}
	return s
}

// TestCapNotesLinear: 60,000 distinct notes (one record with 60,000
// unreadable peers) cost about ten times 6,000, not a hundred times (the
// quadratic de-duplication took 14.8 s). Compared as a ratio, so a loaded
// or -race run does not fail it.
func TestCapNotesLinear(t *testing.T) {
	notes := func(n int) []string {
		in := make([]string, n)
		for i := range in {
			in[i] = fmt.Sprintf("unparseable CIDR \"1.2.%d.x/99\"", i)
		}
		return in
	}
	small, big := notes(6000), notes(60000)
	timeIt := func(in []string) (time.Duration, []string) {
		start := time.Now()
		out := CapNotes(in)
		return time.Since(start), out
	}
	ts, _ := timeIt(small)
	tb, got := timeIt(big)
	if tb > 40*ts && tb > time.Second {
		t.Errorf("CapNotes: 6,000 notes %s, 60,000 notes %s: not linear", ts, tb)
	}
	if len(got) != MaxNotes+1 || got[MaxNotes] != "… and 59950 more notes" {
		t.Errorf("got %d notes, last %q", len(got), got[len(got)-1])
	}
}
