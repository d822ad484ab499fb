package main

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"200MB": 200e6, "1GB": 1e9, "1.5GiB": 3 << 29, "4096": 4096, "64 KiB": 64 << 10, "2g": 2e9} {
		got, err := parseSize(in)
		if err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "MB", "-1GB", "1XB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		}
	}
}

func TestParseMix(t *testing.T) {
	if m, err := parseMix("70,15,15"); err != nil || m.AWS != 70 || m.GCP != 15 {
		t.Errorf("parseMix: %+v, %v", m, err)
	}
	for _, in := range []string{"1,2", "0,0,0", "a,b,c", "1,-1,1"} {
		if _, err := parseMix(in); err == nil {
			t.Errorf("parseMix(%q) accepted", in)
		}
	}
}

func TestMedian(t *testing.T) {
	s := time.Second
	if got := median([]time.Duration{3 * s, 1 * s, 2 * s}); got != 2*s {
		t.Errorf("odd median = %v", got)
	}
	if got := median([]time.Duration{4 * s, 1 * s, 2 * s, 3 * s}); got != 2500*time.Millisecond {
		t.Errorf("even median = %v", got)
	}
}

func TestFailureSummary(t *testing.T) {
	stderr := "panic: runtime error: index out of range\n\ngoroutine 7 [running]:\npkg.(*T).f(0x1)\n\t/src/pkg/f.go:10 +0x1\nmain.main()\n"
	if got, want := failureSummary(stderr), "panic: runtime error: index out of range | pkg.(*T).f(0x1) | /src/pkg/f.go:10 +0x1"; got != want {
		t.Errorf("failureSummary = %q, want %q", got, want)
	}
	if got := failureSummary("a\nb\nc\n"); got != "a | b | c" {
		t.Errorf("failureSummary of plain stderr = %q", got)
	}
}

// TestPeakRSSIsTheTools: a tool's peak RSS is its own, not the harness's
// (which Linux hands to children started with vfork), and a tool that
// does use memory is credited with it.
func TestPeakRSSIsTheTools(t *testing.T) {
	if meter.gnuTime == "" {
		t.Skip("GNU time not installed: peak RSS is the wait4 upper bound, as the report says")
	}
	ballast := make([]byte, 256<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	defer runtime.KeepAlive(ballast)
	small, err := measure(context.Background(), t.TempDir(), []string{"true"}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if small.maxRSS > 16<<10 {
		t.Errorf("true: peak RSS %d KiB, want a few MiB at most (the harness holds 256 MiB)", small.maxRSS)
	}
	big, err := measure(context.Background(), t.TempDir(), []string{"dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"}, nil, nil)
	if err != nil || big.exit != 0 {
		t.Fatalf("dd: %v, exit %d: %s", err, big.exit, big.stderr)
	}
	if big.maxRSS < 60<<10 || big.maxRSS > 128<<10 {
		t.Errorf("dd bs=64M: peak RSS %d KiB, want about 64 MiB", big.maxRSS)
	}
}

// TestMeasureKeepsExitStatus: GNU time in front of a tool passes its
// exit status through.
func TestMeasureKeepsExitStatus(t *testing.T) {
	res, err := measure(context.Background(), t.TempDir(), []string{"sh", "-c", "exit 3"}, nil, nil)
	if err != nil || res.exit != 3 {
		t.Errorf("exit %d, %v; want 3", res.exit, err)
	}
}
