package jv

import (
	"errors"
	"sort"
	"strings"
	"testing"
)

// flood is a record whose member "x" holds n copies of elem, and how many
// values of elem's kind the record holds in all.
func flood(elem string, n int, container bool) (rec []byte, count func(b budget) (need, allowed int)) {
	rec = []byte(`{"eventName":"X","x":[` + strings.TrimSuffix(strings.Repeat(elem+",", n), ",") + `]}`)
	return rec, func(b budget) (int, int) {
		if container {
			return n + 2, b.containers // the record and the list
		}
		return n + 1, b.scalars // and eventName
	}
}

// largestFit is the largest number of elem a flood record may hold
// within the allowance of d for its length.
func largestFit(elem string, container bool, d density) int {
	fits := func(n int) bool {
		rec, count := flood(elem, n, container)
		need, allowed := count(d.budget(len(rec)))
		return need <= allowed
	}
	return sort.Search(1<<24, func(n int) bool { return !fits(n) }) - 1
}

// TestBudget holds every reader to the same allowance: a record with one
// value more than its length allows is refused by all of them, whatever
// they build or leave out, and one at the allowance is read.
func TestBudget(t *testing.T) {
	for _, tc := range []struct {
		name, elem string
		container  bool
	}{
		{"empty objects", "{}", true},
		{"empty lists", "[]", true},
		{"zeros", "0", false},
		{"empty strings", `""`, false},
		{"nulls", "null", false},
	} {
		n := largestFit(tc.elem, tc.container, recordDensity)
		for _, over := range []bool{false, true} {
			m := n
			if over {
				m++
			}
			rec, _ := flood(tc.elem, m, tc.container)
			readers := map[string]func() error{
				"Decode":           func() error { _, err := Decode(rec); return err },
				"DecodeConflicts":  func() error { _, _, _, err := DecodeConflicts(rec); return err },
				"DecodeLean(skip)": func() error { _, _, _, err := DecodeLean(rec, []string{"x"}); return err },
				"CheckBudget":      func() error { return CheckBudget(rec) },
			}
			for name, read := range readers {
				err := read()
				var be *BudgetError
				if over != errors.As(err, &be) || !over && err != nil {
					t.Errorf("%s, %d elements (over=%v): %s error = %v", tc.name, m, over, name, err)
				}
			}
			var r Raw
			for _, skip := range [][]string{nil, {"x"}} {
				if _, ok := r.Index(rec, skip); ok == over {
					t.Errorf("%s, %d elements (over=%v): Index(skip %v) ok = %v", tc.name, m, over, skip, ok)
				}
			}
		}
	}
}

func TestBudgetError(t *testing.T) {
	_, err := Decode([]byte(`[` + strings.TrimSuffix(strings.Repeat("{},", 2*BaseContainers), ",") + `]`))
	var be *BudgetError
	if !errors.As(err, &be) {
		t.Fatalf("err = %v, want a *BudgetError", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "more JSON values than a record of") || !strings.Contains(msg, "not read") {
		t.Errorf("message %q", msg)
	}
}

// TestDocumentBudget: a document (snapshot, plan) may be denser than a
// record, but not without end: one value more than its length allows is
// refused, one at the allowance is read, and a record's allowance would
// have refused it.
func TestDocumentBudget(t *testing.T) {
	for _, tc := range []struct {
		name, elem string
		container  bool
	}{
		{"empty objects", "{}", true},
		{"empty lists", "[]", true},
		{"zeros", "0", false},
		{"empty strings", `""`, false},
	} {
		n := largestFit(tc.elem, tc.container, documentDensity)
		rec, _ := flood(tc.elem, n, tc.container)
		if _, err := DecodeDocument(rec); err != nil {
			t.Errorf("%s, %d elements (at the allowance): %v", tc.name, n, err)
		}
		if _, err := Decode(rec); err == nil {
			t.Errorf("%s, %d elements: a record's allowance read it too; the document one is no denser", tc.name, n)
		}
		rec, _ = flood(tc.elem, n+1, tc.container)
		_, err := DecodeDocument(rec)
		var be *BudgetError
		if !errors.As(err, &be) || !strings.Contains(err.Error(), "than a document of") {
			t.Errorf("%s, %d elements (one over): err = %v, want a document *BudgetError", tc.name, n+1, err)
		}
	}
}
