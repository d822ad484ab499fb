package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/simulate"
)

// checkResult compares one scan's findings with the planted events.
type checkResult struct {
	scanExit   int
	scanErr    string
	findings   int
	badLines   int
	attacks    int
	found      int
	missed     []simulate.PlantedEvent
	decoys     int
	decoyHits  []decoyHit
	unexpected map[string]int // operation -> findings above info about no planted event
	bySeverity map[model.Severity]int
}

type decoyHit struct {
	ev       simulate.PlantedEvent
	severity model.Severity
	rule     string
}

func (c *checkResult) ok() bool {
	return (c.scanExit == 0 || c.scanExit == 3) && len(c.missed) == 0 && len(c.decoyHits) == 0
}

// check runs one scan with its findings captured and matches them against
// the manifest (simulate.PlantedEvent.Matches documents the rule).
func (b *bench) check(ctx context.Context, bin string, c *corpus, workers int) (*checkResult, error) {
	path := filepath.Join(b.tmp, "findings.jsonl")
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("create findings file: %w", err)
	}
	argv := append(scanArgv(bin, workers), presentSubtrees(c)...)
	b.logf("check run: %s", strings.Join(argv[1:], " "))
	res, err := measure(ctx, c.dir, argv, nil, f)
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("check scan: %w", err)
	}
	r := &checkResult{scanExit: res.exit, scanErr: res.stderr, unexpected: map[string]int{}, bySeverity: map[model.Severity]int{}}
	found := make([]bool, len(c.m.Events))
	if b.cfg.findings != "" {
		if err := copyFile(path, b.cfg.findings); err != nil {
			return nil, err
		}
	}
	if err := readFindings(path, func(fd *model.Finding) {
		r.findings++
		r.bySeverity[fd.Severity]++
		idx := c.m.Match(simulate.RefOf(fd))
		for _, i := range idx {
			ev := c.m.Events[i]
			if ev.Kind == simulate.Attack {
				found[i] = true
			} else if fd.Severity > model.Info {
				r.decoyHits = append(r.decoyHits, decoyHit{ev: ev, severity: fd.Severity, rule: fd.Rule})
			}
		}
		if len(idx) == 0 && fd.Severity > model.Info {
			r.unexpected[fd.Operation]++
		}
	}, &r.badLines); err != nil {
		return nil, err
	}
	for i, ev := range c.m.Events {
		if ev.Kind != simulate.Attack {
			r.decoys++
			continue
		}
		r.attacks++
		if found[i] {
			r.found++
		} else {
			r.missed = append(r.missed, ev)
		}
	}
	return r, nil
}

// readFindings decodes a JSON-lines findings file; lines that are not a
// finding are counted in bad.
func readFindings(path string, fn func(*model.Finding), bad *int) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read findings: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var fd model.Finding
		if err := json.Unmarshal(line, &fd); err != nil {
			*bad++
			continue
		}
		fn(&fd)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("read findings %s: %w", path, err)
	}
	return nil
}

func (b *bench) printCheck(r *checkResult) {
	w := b.out
	fmt.Fprintf(w, "## Detection check\n\n")
	if r.scanExit != 0 && r.scanExit != 3 {
		fmt.Fprintf(w, "cloudwall scan FAILED (exit %d): %s\n\n", r.scanExit, failureSummary(r.scanErr))
	}
	fmt.Fprintf(w, "findings: %d", r.findings)
	for s := model.Critical; s >= model.Info; s-- {
		if n := r.bySeverity[s]; n > 0 {
			fmt.Fprintf(w, ", %s %d", s, n)
		}
	}
	if r.badLines > 0 {
		fmt.Fprintf(w, " (%d output lines were not findings)", r.badLines)
	}
	fmt.Fprintf(w, "\n\nplanted attacks found: %d/%d\n", r.found, r.attacks)
	if len(r.missed) > 0 {
		byScenario := map[string][]simulate.PlantedEvent{}
		for _, ev := range r.missed {
			byScenario[ev.Scenario] = append(byScenario[ev.Scenario], ev)
		}
		names := make([]string, 0, len(byScenario))
		for n := range byScenario {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			evs := byScenario[n]
			fmt.Fprintf(w, "- MISSED %s x%d (%s %s), e.g. event %s in %s record %v\n", n, len(evs), evs[0].Cloud, evs[0].Operation, evs[0].EventID, evs[0].File, evs[0].Records)
		}
	}
	fmt.Fprintf(w, "decoys with findings above info: %d/%d\n", len(r.decoyHits), r.decoys)
	for _, h := range r.decoyHits {
		fmt.Fprintf(w, "- DECOY %s reported %s by rule %q (event %s in %s)\n", h.ev.Scenario, h.severity, h.rule, h.ev.EventID, h.ev.File)
	}
	if len(r.unexpected) > 0 {
		ops := make([]string, 0, len(r.unexpected))
		for op := range r.unexpected {
			ops = append(ops, op)
		}
		slices.SortFunc(ops, func(a, b string) int { return r.unexpected[b] - r.unexpected[a] })
		var parts []string
		for _, op := range ops {
			parts = append(parts, fmt.Sprintf("%s x%d", op, r.unexpected[op]))
		}
		fmt.Fprintf(w, "findings above info on background records (no planted event): %s\n", strings.Join(parts, ", "))
	}
	verdict := "PASS"
	if !r.ok() {
		verdict = "FAIL"
	}
	fmt.Fprintf(w, "\nresult: %s\n\n", verdict)
}

func copyFile(from, to string) error {
	raw, err := os.ReadFile(from)
	if err != nil {
		return fmt.Errorf("read findings: %w", err)
	}
	if err := os.WriteFile(to, raw, 0o644); err != nil {
		return fmt.Errorf("save findings: %w", err)
	}
	return nil
}
