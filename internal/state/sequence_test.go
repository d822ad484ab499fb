package state

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"cloudwall/internal/model"
)

// TestRollbackInSequence extends TestRollbackRestoresRules to sequences:
// random calls on one firewall (security group, NACL, NSG, GCP rule),
// from a baseline older than the calls, with a failed copy of a call and
// a duplicate delivery of one mixed in. A failed call changes nothing; a
// duplicate changes nothing more; and at every step the printed undo of
// that step, read back as the calls it makes, gives back the effective
// rules from before it.
func TestRollbackInSequence(t *testing.T) {
	const cases, steps = 120, 5
	for _, fam := range []string{"sg", "nacl", "nsg", "gcp", "sql"} {
		t.Run(fam, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(11, uint64(len(fam))))
			checked := 0
			defer func() { t.Logf("%d undos replayed", checked) }()
			for i := range cases {
				g := &gen{r: rng, fam: fam}
				base, res := g.firewall()
				// The calls, drawn on the state each one finds.
				var calls []model.Event
				e := newEngine(t)
				e.Load([]model.Firewall{base})
				for s := range steps {
					fw, _ := e.Firewall(cloudOf(fam), res)
					if fam == "gcp" && len(fw.Rules) == 0 {
						break // the rule was deleted
					}
					fw.Resource = res
					ev := g.change(fw)
					ev.Time = at(10+s, 0)
					ev.EventID = fmt.Sprintf("e-%d", s)
					if fam == "sg" && len(ev.Changes) == 1 && ev.Changes[0].Effect == model.Added {
						ev.Changes[0].Name = fmt.Sprintf("sgr-8%016d", s)
					}
					calls = append(calls, ev)
					before := effectiveKeys(t, e, fam, res)
					failed := ev
					failed.Outcome, failed.ErrorCode = model.Failure, "UnauthorizedOperation"
					if s == 1 {
						e.Apply(&failed, "")
						if got := effectiveKeys(t, e, fam, res); !slices.Equal(got, before) {
							t.Fatalf("case %d step %d: a failed %s changed the rules:\nbefore %q\nafter  %q", i, s, describeEvent(ev), before, got)
						}
					}
					e.Apply(&ev, "")
					if s == 2 {
						after := effectiveKeys(t, e, fam, res)
						dup := ev
						e.Apply(&dup, "")
						if got := effectiveKeys(t, e, fam, res); !slices.Equal(got, after) {
							t.Fatalf("case %d step %d: a duplicate %s changed the rules again:\nonce  %q\ntwice %q", i, s, describeEvent(ev), after, got)
						}
					}
				}
				// Each step's undo, on a fresh replay up to it.
				for s := range calls {
					e := newEngine(t)
					e.Load([]model.Firewall{base})
					for j := range s {
						e.Apply(&calls[j], "")
					}
					before := effectiveKeys(t, e, fam, res)
					ch := e.Apply(&calls[s], "")
					if !ch.Applied || ch.NoOp {
						continue
					}
					checked++
					for _, cmd := range ch.Rollback {
						if strings.HasPrefix(cmd, "#") {
							t.Fatalf("case %d step %d: %s\nundo is not a command: %s", i, s, describeEvent(calls[s]), cmd)
						}
						for _, undo := range interpret(t, e, cmd, res) {
							undo.Time = calls[s].Time.Add(1)
							e.Apply(&undo, "")
						}
					}
					if after := effectiveKeys(t, e, fam, res); !slices.Equal(before, after) {
						var seq []string
						for _, c := range calls[:s+1] {
							seq = append(seq, describeEvent(c))
						}
						t.Fatalf("case %d step %d:\n%s\nundo %q\nbefore %q\nafter  %q\nbaseline %s", i, s, strings.Join(seq, "\n"), ch.Rollback, before, after, dump(base))
					}
				}
			}
		})
	}
}
