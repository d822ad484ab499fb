package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// volume is the data a tool processed: all clouds, or one.
func volume(c *corpus, cl model.Cloud) (bytes, records int64) {
	_, bytes, records = c.m.CloudTotals(cl)
	return bytes, records
}

func rate(n int64, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func (b *bench) printTable(c *corpus, results map[string][]result) {
	w := b.out
	fmt.Fprintf(w, "## Throughput (median of %d runs, MB = 10^6 bytes uncompressed)\n\n", b.cfg.runs)
	fmt.Fprintf(w, "| tool | median s | MB/s | records/s | peak RSS MiB | time/byte vs pigz |\n|---|---:|---:|---:|---:|---:|\n")
	var pigzPerByte float64
	if rs := results["pigz -dc"]; len(rs) > 0 {
		bytes, _ := volume(c, "")
		pigzPerByte = median(walls(rs)).Seconds() / float64(bytes)
	}
	for _, t := range b.toolList {
		rs := results[t.name]
		if t.missing != "" {
			fmt.Fprintf(w, "| %s | skipped: %s | | | | |\n", strings.ReplaceAll(t.name, "|", `\|`), t.missing)
			continue
		}
		s := summarize(rs, t.okExits)
		bytes, recs := volume(c, t.cloud)
		ratio := "-"
		if pigzPerByte > 0 {
			ratio = fmt.Sprintf("%.2fx", s.median.Seconds()/float64(bytes)/pigzPerByte)
		}
		name := strings.ReplaceAll(t.name, "|", `\|`)
		if s.failed > 0 {
			name += fmt.Sprintf(" (FAILED %d/%d runs)", s.failed, len(rs))
		}
		fmt.Fprintf(w, "| %s | %.2f | %.0f | %.0f | %.0f | %s |\n", name, s.median.Seconds(), rate(bytes, s.median)/1e6, rate(recs, s.median), float64(s.maxRSS)/1024, ratio)
	}
	fmt.Fprintf(w, "\n%s.\n\n", meter.describe())
}

// printStoreCost compares the scans of -with-store: what the history
// store and the correlations add to a scan without either, in wall time
// and in CPU time (user + system), which a shared machine disturbs less.
func (b *bench) printStoreCost(results map[string][]result) {
	if !b.cfg.withStore {
		return
	}
	w := b.cfg.workers[len(b.cfg.workers)-1]
	base := summarize(results[fmt.Sprintf("cloudwall scan --workers %d --no-store --no-correlate", w)], []int{0, 3})
	if base.median <= 0 || base.cpu <= 0 {
		return
	}
	fmt.Fprintf(b.out, "## Store and correlations (workers %d, medians of %d runs)\n\n", w, b.cfg.runs)
	fmt.Fprintf(b.out, "| scan | wall s | CPU s (user+sys) | peak RSS MiB | wall vs neither | CPU vs neither |\n|---|---:|---:|---:|---:|---:|\n")
	for _, row := range []struct{ label, tool string }{
		{"`--no-store --no-correlate`", fmt.Sprintf("cloudwall scan --workers %d --no-store --no-correlate", w)},
		{"`--no-store` (correlations on)", fmt.Sprintf("cloudwall scan --workers %d", w)},
		{"`--store` (fresh SQLite) and correlations", fmt.Sprintf("cloudwall scan --workers %d --store (SQLite)", w)},
	} {
		s := summarize(results[row.tool], []int{0, 3})
		fmt.Fprintf(b.out, "| %s | %.2f | %.2f | %.0f | %.2fx | %.2fx |\n", row.label, s.median.Seconds(), s.cpu.Seconds(),
			float64(s.maxRSS)/1024, s.median.Seconds()/base.median.Seconds(), s.cpu.Seconds()/base.cpu.Seconds())
	}
	fmt.Fprintln(b.out)
}

func walls(rs []result) []time.Duration {
	out := make([]time.Duration, len(rs))
	for i, r := range rs {
		out[i] = r.wall
	}
	return out
}

func (b *bench) printScaling(results map[string][]result) {
	if len(b.cfg.workers) < 2 {
		return
	}
	ws := slices.Clone(b.cfg.workers)
	slices.Sort(ws)
	base := median(walls(results[fmt.Sprintf("cloudwall scan --workers %d", ws[0])]))
	if base <= 0 {
		return
	}
	fmt.Fprintf(b.out, "## Scaling\n\n")
	for _, n := range ws[1:] {
		m := median(walls(results[fmt.Sprintf("cloudwall scan --workers %d", n)]))
		if m <= 0 {
			continue
		}
		sp := base.Seconds() / m.Seconds()
		fmt.Fprintf(b.out, "workers %d -> %d: %.2fs -> %.2fs, speed-up %.2fx (efficiency %.0f%%)\n", ws[0], n, base.Seconds(), m.Seconds(), sp, 100*sp*float64(ws[0])/float64(n))
	}
	fmt.Fprintln(b.out)
}

// perCloud scans each cloud's subtree alone, to show what a byte of each
// cloud's logs costs.
func (b *bench) perCloud(ctx context.Context, bin string, c *corpus, workers int, _ map[string][]result) error {
	w := b.out
	fmt.Fprintf(w, "## Per cloud (cloudwall scan --workers %d on one subtree, median of %d runs)\n\n", workers, b.cfg.runs)
	fmt.Fprintf(w, "| cloud | MB | median s | MB/s | records/s | peak RSS MiB | MB/s vs AWS |\n|---|---:|---:|---:|---:|---:|---:|\n")
	var awsRate float64
	for _, cl := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		if len(c.files(cl)) == 0 {
			continue
		}
		argv := append(scanArgv(bin, workers), subtree[cl])
		var rs []result
		for i := 0; i < b.cfg.runs; i++ {
			res, err := measure(ctx, c.dir, argv, nil, nil)
			if err != nil {
				return fmt.Errorf("scan %s: %w", cl, err)
			}
			if res.exit != 0 && res.exit != 3 {
				b.logf("scan of %s exited %d: %s", cl, res.exit, failureSummary(res.stderr))
			}
			rs = append(rs, res)
		}
		s := summarize(rs, []int{0, 3})
		bytes, recs := volume(c, cl)
		r := rate(bytes, s.median) / 1e6
		if cl == model.AWS {
			awsRate = r
		}
		rel := "-"
		if awsRate > 0 {
			rel = fmt.Sprintf("%.2f", r/awsRate)
		}
		if s.failed > 0 {
			fmt.Fprintf(w, "| %s (FAILED %d/%d runs) | %.0f | %.2f | - | - | %.0f | - |\n", cl, s.failed, len(rs), float64(bytes)/1e6, s.median.Seconds(), float64(s.maxRSS)/1024)
			if cl == model.AWS {
				awsRate = 0
			}
			continue
		}
		fmt.Fprintf(w, "| %s | %.0f | %.2f | %.0f | %.0f | %.0f | %s |\n", cl, float64(bytes)/1e6, s.median.Seconds(), r, rate(recs, s.median), float64(s.maxRSS)/1024, rel)
	}
	fmt.Fprintln(w)
	return nil
}

// linearity generates a corpus twice the size and compares scan times:
// a streaming scanner should take twice as long, with the same memory.
func (b *bench) linearity(ctx context.Context, bin string, c *corpus, workers int, results map[string][]result) error {
	dir := b.cfg.dir + "-2x"
	if b.cfg.dir == defaultDir(b.cfg.size, b.cfg.seed) {
		dir = defaultDir(2*b.cfg.size, b.cfg.seed)
	}
	c2, err := b.corpus(ctx, dir, 2*b.cfg.size)
	if err != nil {
		return err
	}
	b.warm(c2)
	argv := append(scanArgv(bin, workers), presentSubtrees(c2)...)
	var rs []result
	for i := 0; i < b.cfg.runs; i++ {
		res, err := measure(ctx, c2.dir, argv, nil, nil)
		if err != nil {
			return fmt.Errorf("scan 2x corpus: %w", err)
		}
		rs = append(rs, res)
	}
	s2 := summarize(rs, []int{0, 3})
	s1 := summarize(results[fmt.Sprintf("cloudwall scan --workers %d", workers)], []int{0, 3})
	b1, _ := volume(c, "")
	b2, _ := volume(c2, "")
	fmt.Fprintf(b.out, "## Linearity (workers %d)\n\n", workers)
	fmt.Fprintf(b.out, "| corpus | MB | median s | MB/s | peak RSS MiB |\n|---|---:|---:|---:|---:|\n")
	fmt.Fprintf(b.out, "| 1x | %.0f | %.2f | %.0f | %.0f |\n", float64(b1)/1e6, s1.median.Seconds(), rate(b1, s1.median)/1e6, float64(s1.maxRSS)/1024)
	fmt.Fprintf(b.out, "| 2x | %.0f | %.2f | %.0f | %.0f |\n", float64(b2)/1e6, s2.median.Seconds(), rate(b2, s2.median)/1e6, float64(s2.maxRSS)/1024)
	if s1.median > 0 {
		fmt.Fprintf(b.out, "\ntime ratio 2x/1x: %.2f (bytes ratio %.2f)\n\n", s2.median.Seconds()/s1.median.Seconds(), float64(b2)/float64(b1))
	}
	return nil
}
