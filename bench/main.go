// Command bench measures cloudwall scan against the standard decompress
// and search tools on a generated corpus with planted firewall tampering,
// and checks that every planted attack was found.
//
//	go run ./bench -size 1GB
//
// The corpus comes from internal/simulate and is cached in -dir (reused
// when its manifest matches size, seed and the other corpus options).
// Every tool reads the same files, so the table compares like with like:
// pigz and zcat give the floor (decompression alone), rg -z a byte search,
// jq a JSON-aware one-liner (AWS files only, scaled by bytes).
//
// Exit status: 0 all planted attacks found and no decoy reported above
// info; 1 otherwise, or when a step could not run; 2 usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cloudwall/internal/simulate"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// config is the parsed command line.
type config struct {
	size      int64
	seed      uint64
	dir       string
	runs      int
	workers   []int
	cloudwall string
	skipJQ    bool
	linearity bool
	perCloud  bool
	plantRate float64
	hugeFile  int64
	mix       simulate.Mix
	genOnly   bool
	findings  string
	memtest   bool
	memcase   string
	withStore bool
}

var errUsage = errors.New("usage")

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	size := fs.String("size", "1GB", "corpus size, uncompressed (e.g. 200MB, 1GB, 1.5GiB)")
	fs.Uint64Var(&c.seed, "seed", 1, "corpus seed")
	fs.StringVar(&c.dir, "dir", "", "corpus directory (default: <tmp>/cloudwall-bench/corpus-<bytes>-seed<seed>); reused when its manifest matches")
	fs.IntVar(&c.runs, "runs", 5, "timed runs per tool; medians are reported")
	workers := fs.String("workers", "", "comma-separated cloudwall --workers values to compare (default: 1 and the CPU count)")
	fs.StringVar(&c.cloudwall, "cloudwall", "", "cloudwall binary (default: build ./cmd/cloudwall into a temporary directory)")
	fs.BoolVar(&c.skipJQ, "skip-jq", false, "do not run the jq one-liner (the slowest tool)")
	fs.BoolVar(&c.linearity, "linearity", false, "also generate a corpus twice the size and compare scan times")
	fs.BoolVar(&c.perCloud, "per-cloud", true, "also scan each cloud's subtree alone")
	fs.Float64Var(&c.plantRate, "plant-rate", 1e-4, "planted attacks (and decoys) per record")
	huge := fs.String("huge-file", "", "add one CloudTrail file of this uncompressed size (counts toward -size)")
	mix := fs.String("mix", "70,15,15", "AWS,Azure,GCP shares of the corpus bytes")
	fs.StringVar(&c.findings, "findings", "", "save the checked scan's JSON-lines findings to this file")
	fs.BoolVar(&c.withStore, "with-store", false, "also time cloudwall scan writing to a history store (SQLite, fresh in a temporary folder), and one with neither store nor correlations (--no-store --no-correlate), to compare")
	fs.BoolVar(&c.genOnly, "generate-only", false, "generate (or validate) the corpus and stop")
	fs.StringVar(&c.memcase, "memcase", "", "with -memtest: only the cases whose name contains this")
	fs.BoolVar(&c.memtest, "memtest", false, "instead of timing: scan the hostile inputs of issue 7 (bombs, floods) and check peak RSS stays under 256 MiB")
	if err := fs.Parse(args); err != nil {
		return c, errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		return c, errUsage
	}
	var err error
	if c.size, err = parseSize(*size); err != nil {
		return c, fmt.Errorf("-size: %w", err)
	}
	if *huge != "" {
		if c.hugeFile, err = parseSize(*huge); err != nil {
			return c, fmt.Errorf("-huge-file: %w", err)
		}
	}
	if c.mix, err = parseMix(*mix); err != nil {
		return c, fmt.Errorf("-mix: %w", err)
	}
	if c.runs < 1 {
		return c, fmt.Errorf("-runs must be at least 1")
	}
	if *workers == "" {
		c.workers = []int{1}
		if n := runtime.NumCPU(); n > 1 {
			c.workers = append(c.workers, n)
		}
	} else {
		for _, f := range strings.Split(*workers, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return c, fmt.Errorf("-workers: %q is not a positive number", f)
			}
			c.workers = append(c.workers, n)
		}
	}
	if c.dir == "" {
		c.dir = defaultDir(c.size, c.seed)
	}
	return c, nil
}

func defaultDir(size int64, seed uint64) string {
	return filepath.Join(os.TempDir(), "cloudwall-bench", fmt.Sprintf("corpus-%d-seed%d", size, seed))
}

// parseSize reads 200MB, 1GB, 1.5GiB, 4096 (bytes). Decimal units are
// powers of 1000, binary ones (KiB, MiB, GiB) powers of 1024.
func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   float64
	}{
		{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30}, {"tib", 1 << 40},
		{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9}, {"tb", 1e12},
		{"k", 1e3}, {"m", 1e6}, {"g", 1e9}, {"b", 1},
	}
	mult := 1.0
	lower := strings.ToLower(t)
	for _, u := range units {
		if strings.HasSuffix(lower, u.suffix) {
			mult = u.mult
			t = strings.TrimSpace(t[:len(t)-len(u.suffix)])
			break
		}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("%q is not a size (want e.g. 200MB, 1GB, 1.5GiB)", s)
	}
	return int64(f * mult), nil
}

func parseMix(s string) (simulate.Mix, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return simulate.Mix{}, fmt.Errorf("%q: want three shares AWS,Azure,GCP", s)
	}
	var v [3]float64
	for i, p := range parts {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil || f < 0 {
			return simulate.Mix{}, fmt.Errorf("%q: %q is not a share", s, p)
		}
		v[i] = f
	}
	if v[0]+v[1]+v[2] == 0 {
		return simulate.Mix{}, fmt.Errorf("%q: all shares are zero", s)
	}
	return simulate.Mix{AWS: v[0], Azure: v[1], GCP: v[2]}, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if errors.Is(err, errUsage) {
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 2
	}
	b := &bench{cfg: cfg, out: stdout, log: stderr}
	ok, err := b.run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "bench: %v\n", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// bench holds one benchmark session's state.
type bench struct {
	cfg      config
	out, log io.Writer
	tmp      string
	toolList []*tool // set by timeTools
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(b.log, "bench: "+format+"\n", args...)
}

func (b *bench) run(ctx context.Context) (bool, error) {
	tmp, err := os.MkdirTemp("", "cloudwall-bench-run-")
	if err != nil {
		return false, fmt.Errorf("create temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)
	b.tmp = tmp

	if b.cfg.memtest {
		bin := b.cfg.cloudwall
		if bin == "" {
			if bin, err = b.buildCloudwall(ctx); err != nil {
				return false, err
			}
		}
		return b.memtest(ctx, bin)
	}

	c, err := b.corpus(ctx, b.cfg.dir, b.cfg.size)
	if err != nil {
		return false, err
	}
	if b.cfg.genOnly {
		b.describe(c)
		return true, nil
	}
	bin := b.cfg.cloudwall
	if bin == "" {
		if bin, err = b.buildCloudwall(ctx); err != nil {
			return false, err
		}
	}
	b.describe(c)
	b.warm(c)

	maxW := b.cfg.workers[0]
	for _, w := range b.cfg.workers {
		maxW = max(maxW, w)
	}
	check, err := b.check(ctx, bin, c, maxW)
	if err != nil {
		return false, err
	}

	results, err := b.timeTools(ctx, bin, c)
	if err != nil {
		return false, err
	}
	b.printTable(c, results)
	b.printCheck(check)
	b.printScaling(results)
	b.printStoreCost(results)

	if b.cfg.perCloud {
		if err := b.perCloud(ctx, bin, c, maxW, results); err != nil {
			return false, err
		}
	}
	if b.cfg.linearity {
		if err := b.linearity(ctx, bin, c, maxW, results); err != nil {
			return false, err
		}
	}
	return check.ok(), nil
}

// buildCloudwall compiles ./cmd/cloudwall of the enclosing module.
func (b *bench) buildCloudwall(ctx context.Context) (string, error) {
	bin := filepath.Join(b.tmp, "cloudwall")
	start := time.Now()
	res, err := measure(ctx, "", []string{"go", "build", "-o", bin, "cloudwall/cmd/cloudwall"}, nil, io.Discard)
	if err != nil {
		return "", fmt.Errorf("build cloudwall: %w", err)
	}
	if res.exit != 0 {
		return "", fmt.Errorf("build cloudwall: go build exited %d:\n%s", res.exit, res.stderr)
	}
	b.logf("built cloudwall in %.1fs", time.Since(start).Seconds())
	return bin, nil
}
