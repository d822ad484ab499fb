// Command flowbench measures cloudwall scan --flows: flow logs joined to
// the openings of an audit-log corpus, against pigz -dc on the same flow
// files, and checks every planted use and near miss.
//
//	go run ./bench/flowbench -audit-size 10MB -ratio 100 -runs 3
//
// It generates an audit corpus (internal/simulate), scans it to learn what
// it opened, plants flow traffic on half of those openings (used: inbound
// from outside a few minutes after the opening, then an upload) and near
// misses on the other half (traffic before the opening, scans still
// rejected), writes ratio times the audit bytes of flow logs for the three
// clouds, and times the join. Exit status 0 when every plant is judged
// right, 1 otherwise or when a step fails, 2 usage error.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/simulate"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type config struct {
	auditSize int64
	ratio     float64
	runs      int
	seed      uint64
	dir       string
	workers   int
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c config
	fs := flag.NewFlagSet("flowbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("audit-size", "10MB", "audit-log corpus size, uncompressed")
	fs.Float64Var(&c.ratio, "ratio", 100, "flow-log bytes per audit-log byte")
	fs.IntVar(&c.runs, "runs", 3, "timed runs per tool (medians reported)")
	fs.Uint64Var(&c.seed, "seed", 1, "corpus seed")
	fs.StringVar(&c.dir, "dir", "", "work directory (default: a new temporary one, removed at the end)")
	fs.IntVar(&c.workers, "workers", runtime.NumCPU(), "cloudwall --workers")
	if err := fs.Parse(args); err != nil || fs.NArg() > 0 || c.runs < 1 || c.ratio <= 0 {
		return 2
	}
	var err error
	if c.auditSize, err = parseSize(*size); err != nil {
		fmt.Fprintln(stderr, "flowbench: -audit-size:", err)
		return 2
	}
	ok, err := bench(ctx, c, stdout, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "flowbench:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

func bench(ctx context.Context, c config, stdout, stderr io.Writer) (bool, error) {
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "flowbench: "+format+"\n", a...) }
	if c.dir == "" {
		d, err := os.MkdirTemp("", "cloudwall-flowbench-")
		if err != nil {
			return false, err
		}
		defer os.RemoveAll(d)
		c.dir = d
	}
	bin := filepath.Join(c.dir, "cloudwall")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/cloudwall")
	build.Stderr = stderr
	if err := build.Run(); err != nil {
		return false, fmt.Errorf("build: %w", err)
	}
	audit := filepath.Join(c.dir, "audit")
	logf("generating %d MB of audit logs", c.auditSize/1e6)
	m, err := simulate.GenerateCorpus(ctx, audit, simulate.CorpusOptions{Size: c.auditSize, Seed: c.seed})
	if err != nil {
		return false, err
	}
	_, auditBytes, _ := m.CloudTotals("")
	found, err := scanFindings(ctx, bin, audit, "")
	if err != nil {
		return false, err
	}
	plants, from, to := simulate.FlowPlantsFor(found)
	if len(plants) < 2 {
		return false, fmt.Errorf("the audit corpus has %d joinable openings; need at least 2", len(plants))
	}
	flows := filepath.Join(c.dir, "flows")
	target := int64(float64(auditBytes) * c.ratio)
	logf("generating %d MB of flow logs around %d planted openings", target/1e6, len(plants))
	files, err := simulate.GenerateFlowCorpus(ctx, flows, simulate.FlowCorpusOptions{
		Size: target, Seed: c.seed, Start: from.Add(-2 * time.Hour), End: to.Add(2 * time.Hour), Plants: plants})
	if err != nil {
		return false, err
	}
	var flowBytes, stored, records int64
	var list []string
	for _, f := range files {
		flowBytes += f.Bytes
		stored += f.Stored
		records += f.Records
		list = append(list, filepath.Join(flows, filepath.FromSlash(f.Path)))
	}
	logf("flow corpus: %d files, %d MB uncompressed (%d MB gzip), %d records", len(files), flowBytes/1e6, stored/1e6, records)

	// Correctness first: every plant judged right.
	joined, err := scanFindings(ctx, bin, audit, flows)
	if err != nil {
		return false, err
	}
	ok := checkPlants(stdout, plants, joined)

	// Timing.
	// --no-store: a benchmark must not write synthetic history into the
	// user's store (the audit corpus is small, so the store costs little).
	scanArgv := []string{bin, "scan", "--no-store", "--workers", strconv.Itoa(c.workers), "--format", "jsonl", "-q", "--flows", flows, audit}
	// pigz is the reference; zcat stands in where it is not installed.
	dec := "pigz"
	if _, err := exec.LookPath("pigz"); err != nil {
		dec = "zcat"
	}
	pigz := append([]string{dec, "-dc"}, list...)
	results := map[string][]measurement{}
	for i := range c.runs {
		for _, argv := range [][]string{pigz, scanArgv} {
			r, err := measure(ctx, argv)
			if err != nil {
				return false, err
			}
			name := filepath.Base(argv[0])
			results[name] = append(results[name], r)
			logf("run %d %s: %.2fs, %d MiB", i+1, name, r.wall.Seconds(), r.rss>>20)
		}
	}
	p, s := median(results[dec]), median(results["cloudwall"])
	fmt.Fprintf(stdout, "\nflow logs %d MB uncompressed (%d MB gzip, %d files, %d records) + audit logs %d MB; medians of %d runs, %d workers\n",
		flowBytes/1e6, stored/1e6, len(files), records, auditBytes/1e6, c.runs, c.workers)
	fmt.Fprintf(stdout, "| tool | median s | flow MB/s | peak RSS MiB |\n|---|---:|---:|---:|\n")
	fmt.Fprintf(stdout, "| `%s -dc` (flow files) | %.2f | %.0f | %d |\n", dec, p.wall.Seconds(), float64(flowBytes)/1e6/p.wall.Seconds(), p.rss>>20)
	fmt.Fprintf(stdout, "| `cloudwall scan --flows` | %.2f | %.0f | %d |\n", s.wall.Seconds(), float64(flowBytes)/1e6/s.wall.Seconds(), s.rss>>20)
	fmt.Fprintf(stdout, "throughput vs "+dec+": %.2fx (target >= 0.8x); peak RSS %d MiB (target < 256)\n", p.wall.Seconds()/s.wall.Seconds(), s.rss>>20)
	return ok, nil
}

// scanFindings runs cloudwall scan over the audit corpus (with flows when
// given) and returns every finding.
func scanFindings(ctx context.Context, bin, audit, flows string) ([]model.Finding, error) {
	args := []string{"scan", "--no-store", "--format", "jsonl", "--min-severity", "info", "-q"}
	if flows != "" {
		args = append(args, "--flows", flows)
	}
	cmd := exec.CommandContext(ctx, bin, append(args, audit)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	var fs []model.Finding
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var f model.Finding
		if err := json.Unmarshal(sc.Bytes(), &f); err == nil {
			fs = append(fs, f)
		}
	}
	if err := cmd.Wait(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 0 {
			return nil, fmt.Errorf("cloudwall scan: %w: %s", err, stderr.String())
		}
	}
	return fs, nil
}

func checkPlants(w io.Writer, plants []simulate.FlowPlant, found []model.Finding) bool {
	byID := map[string]*model.Finding{}
	for i := range found {
		byID[found[i].ID] = &found[i]
	}
	ok := true
	right := 0
	for _, p := range plants {
		f := byID[p.Key]
		got := "missing"
		if f != nil && f.Traffic != nil {
			got = f.Traffic.Verdict
		}
		want := "not used"
		if p.Used {
			want = model.TrafficUsed
		}
		if (got == model.TrafficUsed) == p.Used && got != "missing" {
			right++
			continue
		}
		ok = false
		fmt.Fprintf(w, "WRONG: %s %s port %d opened %s: verdict %s, want %s\n", p.Cloud, p.Account, p.Port, p.Opened.Format(time.RFC3339), got, want)
	}
	fmt.Fprintf(w, "planted openings judged right: %d/%d (used and near misses alternate)\n", right, len(plants))
	return ok
}

type measurement struct {
	wall time.Duration
	rss  int64
}

// measure runs argv with stdout discarded and returns its wall time and
// its own peak RSS (from its rusage, not this process's).
func measure(ctx context.Context, argv []string) (measurement, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	var errBuf strings.Builder
	cmd.Stderr = &errBuf
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return measurement{}, fmt.Errorf("%s: %w: %s", argv[0], err, errBuf.String())
	}
	m := measurement{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rss = ru.Maxrss << 10
	}
	return m, nil
}

func median(rs []measurement) measurement {
	s := slices.Clone(rs)
	slices.SortFunc(s, func(a, b measurement) int { return int(a.wall - b.wall) })
	m := s[len(s)/2]
	m.rss = slices.MaxFunc(s, func(a, b measurement) int { return int(a.rss - b.rss) }).rss
	return m
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(strings.ToUpper(s))
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		n      int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.n
			break
		}
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || v <= 0 {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return int64(v * float64(mult)), nil
}
