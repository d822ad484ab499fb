package traffic

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestSpanStretches: flows added in any order, by one worker or merged
// from several, give the same stretches, and a window is covered only
// when one stretch spans it.
func TestSpanStretches(t *testing.T) {
	t0 := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	var at []time.Time
	for m := 0; m <= 120; m += 10 { // 10:00-12:00, every 10 minutes
		at = append(at, t0.Add(time.Duration(m)*time.Minute))
	}
	for m := 300; m <= 360; m += 5 { // 15:00-16:00
		at = append(at, t0.Add(time.Duration(m)*time.Minute))
	}
	check := func(name string, s *span) {
		t.Helper()
		if len(s.parts) != 2 {
			t.Fatalf("%s: stretches %v, want 2", name, s.parts)
		}
		for _, tc := range []struct {
			from, to time.Duration
			want     bool
		}{
			{0, 2 * time.Hour, true},
			{30 * time.Minute, 90 * time.Minute, true},
			{-30 * time.Minute, 2*time.Hour + 30*time.Minute, true}, // within the slack
			{time.Hour, 5 * time.Hour, false},                       // the hole 12:00-15:00
			{2 * time.Hour, 6 * time.Hour, false},
			{5 * time.Hour, 6 * time.Hour, true},
			{5 * time.Hour, 0, true}, // still open: to the last flow
			{time.Hour, 0, false},
		} {
			to := time.Time{}
			if tc.to != 0 {
				to = t0.Add(tc.to)
			}
			if got := s.covers(t0.Add(tc.from), to); got != tc.want {
				t.Errorf("%s: covers(%v, %v) = %v, want %v", name, tc.from, tc.to, got, tc.want)
			}
		}
	}
	for seed := range uint64(20) {
		r := rand.New(rand.NewPCG(seed, 1))
		shuffled := append([]time.Time(nil), at...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		one := &span{}
		a, b := coverage{}, coverage{}
		for i, x := range shuffled {
			one.add(x, x.Add(time.Minute))
			if i%2 == 0 {
				a.add("k", x, x.Add(time.Minute))
			} else {
				b.add("k", x, x.Add(time.Minute))
			}
		}
		check("one worker", one)
		merged := coverage{}
		merged.merge(a)
		merged.merge(b)
		check("merged", merged["k"])
	}
}
