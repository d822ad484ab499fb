package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSmallReplay runs the benchmark at a small size: the generated calls
// must still open and close windows, and the report must say so.
func TestSmallReplay(t *testing.T) {
	var out, errs bytes.Buffer
	if code := run([]string{"-rules", "2000", "-events", "20000", "-network", "20"}, &out, &errs); code != 0 {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, want := range []string{"2000 rules", "20000 calls replayed", "cpu ", "peak rss", "allocations per call", "windows "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{"-rules", "0"}, {"-network", "-1"}, {"extra"}, {"-nope"}} {
		var out, errs bytes.Buffer
		if code := run(args, &out, &errs); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestEstateDeterministic: the same seed gives the same estate and calls,
// so runs at different revisions replay the same work.
func TestEstateDeterministic(t *testing.T) {
	b1, next1 := estate(200, 10, 7)
	b2, next2 := estate(200, 10, 7)
	if len(b1) != len(b2) || len(b1) == 0 {
		t.Fatalf("estates of %d and %d firewalls", len(b1), len(b2))
	}
	kinds := map[string]bool{}
	for i := range 500 {
		e1, e2 := next1(i), next2(i)
		if e1.OperationKey != e2.OperationKey || e1.Resource != e2.Resource {
			t.Fatalf("call %d differs: %s %v / %s %v", i, e1.OperationKey, e1.Resource, e2.OperationKey, e2.Resource)
		}
		kinds[e1.OperationKey] = true
	}
	if len(kinds) < 8 {
		t.Errorf("only %d kinds of call in 500: %v", len(kinds), kinds)
	}
}
