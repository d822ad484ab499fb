package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cloudwall/internal/model"
)

// result is one run of one command.
type result struct {
	wall time.Duration
	// cpu is the user plus system CPU time of the command and the
	// descendants it waited for: on a shared machine it moves far less
	// than the wall time with the neighbours' load.
	cpu time.Duration
	// maxRSS is the peak RSS in KiB of the command's own processes: the
	// largest of the process and its waited-for descendants (for a
	// pipeline under sh, the largest member, not the sum).
	maxRSS int64
	exit   int
	stderr string
}

// maxArgBytes keeps command lines well under the kernel's ARG_MAX; longer
// file lists go through xargs.
const maxArgBytes = 1 << 20

// rssMeter says how peak RSS is measured. wait4's ru_maxrss of a child
// the harness starts is useless for small tools: Linux records the high
// water mark of the address space the child leaves at exec, and Go starts
// children with vfork (CLONE_VM), so that is the harness's own, often far
// larger than zcat or pigz. GNU time forks the tool from its own small
// process (about 1 MiB) and reports the tool's ru_maxrss (%M), so each
// tool is measured on its own. Without GNU time the wait4 value is kept
// and the report says it is an upper bound.
type rssMeter struct {
	gnuTime string // path of GNU time, or ""
}

// newRSSMeter finds GNU time (`time -f %M`); the shell builtin and BSD
// time do not do.
func newRSSMeter() rssMeter {
	for _, p := range []string{"/usr/bin/time", "/bin/time"} {
		out, err := exec.Command(p, "--version").CombinedOutput()
		if err == nil && bytes.Contains(out, []byte("GNU")) {
			return rssMeter{gnuTime: p}
		}
	}
	return rssMeter{}
}

// describe says in the report how peak RSS was measured.
func (m rssMeter) describe() string {
	if m.gnuTime != "" {
		return "peak RSS: each command's own process tree (GNU time %M, whose own process adds about 1 MiB at most)"
	}
	return "peak RSS: wait4 of the harness's child, an upper bound that includes the harness's own RSS (install GNU time, Debian package `time`, to measure each tool on its own)"
}

var meter = newRSSMeter()

// measure runs argv in dir with stdout sent to out (nil: /dev/null) and
// returns wall time and peak RSS (see rssMeter).
func measure(ctx context.Context, dir string, argv []string, stdin io.Reader, out io.Writer) (result, error) {
	var rssFile string
	if meter.gnuTime != "" {
		f, err := os.CreateTemp("", "cloudwall-bench-rss-")
		if err != nil {
			return result{}, fmt.Errorf("rss file: %w", err)
		}
		rssFile = f.Name()
		f.Close()
		defer os.Remove(rssFile)
		argv = append([]string{meter.gnuTime, "-f", "%M", "-o", rssFile, "--"}, argv...)
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Stdin = stdin
	// Its own process group, so that a cancelled run stops the tool and
	// not only time or sh in front of it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if out == nil {
		devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		if err != nil {
			return result{}, fmt.Errorf("open %s: %w", os.DevNull, err)
		}
		defer devnull.Close()
		cmd.Stdout = devnull // an *os.File: the child writes to it directly
	} else {
		cmd.Stdout = out
	}
	var errBuf tailBuffer
	cmd.Stderr = &errBuf
	start := time.Now()
	err := cmd.Run()
	res := result{wall: time.Since(start), stderr: errBuf.String()}
	if cmd.ProcessState != nil {
		res.exit = cmd.ProcessState.ExitCode()
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.maxRSS = int64(ru.Maxrss)
			res.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, fmt.Errorf("run %s: %w", argv[0], err)
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	if rssFile != "" {
		kib, err := readRSS(rssFile)
		if err != nil {
			return res, fmt.Errorf("%s: %w", argv[len(argv)-1], err)
		}
		res.maxRSS = kib
	}
	return res, nil
}

// readRSS reads GNU time's %M (KiB) from the last line of its output
// file; a line before it may report a signal that ended the command.
func readRSS(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("peak RSS: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	kib, err := strconv.ParseInt(strings.TrimSpace(lines[len(lines)-1]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("peak RSS: GNU time wrote %q", data)
	}
	return kib, nil
}

// tailBuffer keeps the last 16 KiB written to it: enough to show why a
// tool failed without holding a runaway log.
type tailBuffer struct{ b []byte }

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if over := len(t.b) - 16<<10; over > 0 {
		t.b = t.b[over:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.b) }

// tool is one command in the comparison.
type tool struct {
	name    string
	argv    []string // files are appended (or fed through xargs)
	files   []string
	cloud   model.Cloud // data volume the rates are computed on ("" = all)
	okExits []int
	missing string // why the tool cannot run, if it cannot
	// fresh is a SQLite store removed (with its -wal and -shm) before
	// each run.
	fresh string
}

// command returns the argv and stdin that run the tool over its files.
func (t *tool) command(listFile string) ([]string, io.Reader, error) {
	n := 0
	for _, f := range t.files {
		n += len(f) + 1
	}
	if n < maxArgBytes {
		return append(slices.Clone(t.argv), t.files...), nil, nil
	}
	var list bytes.Buffer
	for _, f := range t.files {
		list.WriteString(f)
		list.WriteByte(0)
	}
	if err := os.WriteFile(listFile, list.Bytes(), 0o644); err != nil {
		return nil, nil, fmt.Errorf("write file list: %w", err)
	}
	f, err := os.Open(listFile)
	if err != nil {
		return nil, nil, fmt.Errorf("open file list: %w", err)
	}
	return append([]string{"xargs", "-0"}, t.argv...), f, nil
}

func (b *bench) tools(bin string, c *corpus) []*tool {
	all := c.files("")
	aws := c.files(model.AWS)
	look := func(name string) string {
		if _, err := exec.LookPath(name); err != nil {
			return name + " not found in PATH"
		}
		return ""
	}
	var ts []*tool
	for _, w := range b.cfg.workers {
		ts = append(ts, &tool{
			name:    fmt.Sprintf("cloudwall scan --workers %d", w),
			argv:    scanArgv(bin, w),
			files:   presentSubtrees(c),
			okExits: []int{0, 3},
		})
	}
	if b.cfg.withStore {
		w := b.cfg.workers[len(b.cfg.workers)-1]
		db := filepath.Join(os.TempDir(), fmt.Sprintf("cloudwall-bench-store-%d.db", os.Getpid()))
		ts = append(ts, &tool{
			name:    fmt.Sprintf("cloudwall scan --workers %d --store (SQLite)", w),
			argv:    append(scanArgv(bin, w)[:len(scanArgv(bin, w))-1], "--store", db),
			fresh:   db,
			files:   presentSubtrees(c),
			okExits: []int{0, 3},
		}, &tool{
			// Neither store nor correlations: what the store and the
			// correlations cost is measured against this one.
			name:    fmt.Sprintf("cloudwall scan --workers %d --no-store --no-correlate", w),
			argv:    append(scanArgv(bin, w), "--no-correlate"),
			files:   presentSubtrees(c),
			okExits: []int{0, 3},
		})
	}
	ts = append(ts,
		&tool{name: "pigz -dc", argv: []string{"pigz", "-dcf", "--"}, files: all, okExits: []int{0}, missing: look("pigz")},
		&tool{name: "zcat", argv: []string{"zcat", "-f", "--"}, files: all, okExits: []int{0}, missing: look("zcat")},
		// rg -z decompresses by running gzip per file; exit 1 means no match.
		&tool{name: "rg -z -c", argv: []string{"rg", "-z", "-c", "AuthorizeSecurityGroupIngress", "--"}, files: all, okExits: []int{0, 1}, missing: look("rg")},
	)
	if !b.cfg.skipJQ {
		missing := look("jq")
		if missing == "" {
			missing = look("zcat")
		}
		ts = append(ts, &tool{
			name:    "zcat | jq (AWS only)",
			argv:    []string{"sh", "-c", `zcat -f -- "$@" | jq -c '.Records[]? | select(.eventName == "AuthorizeSecurityGroupIngress")'`, "sh"},
			files:   aws,
			cloud:   model.AWS,
			okExits: []int{0},
			missing: missing,
		})
	}
	return ts
}

// scanArgv is the cloudwall command line every measurement uses; the
// paths (cloud subtrees) are appended.
func scanArgv(bin string, workers int) []string {
	// --no-store last: the history store is measured on its own (-with-store).
	return []string{bin, "scan", "--format", "jsonl", "--min-severity", "info", "--workers", strconv.Itoa(workers), "--progress", "never", "-q", "--no-store"}
}

// presentSubtrees lists the cloud subtrees the corpus has: scanning them,
// not the root, keeps corpus.json and planted.jsonl out of the scan, so
// cloudwall reads exactly the files the other tools read.
func presentSubtrees(c *corpus) []string {
	var out []string
	for _, cl := range []model.Cloud{model.AWS, model.Azure, model.GCP} {
		if len(c.files(cl)) > 0 {
			out = append(out, subtree[cl])
		}
	}
	return out
}

// timeTools runs every available tool b.cfg.runs times, interleaved so
// that drift (thermal, page cache, neighbours) spreads over all tools.
func (b *bench) timeTools(ctx context.Context, bin string, c *corpus) (map[string][]result, error) {
	ts := b.tools(bin, c)
	out := map[string][]result{}
	for _, t := range ts {
		if t.missing != "" {
			b.logf("skipping %s: %s", t.name, t.missing)
		}
	}
	for run := 1; run <= b.cfg.runs; run++ {
		for _, t := range ts {
			if t.missing != "" {
				continue
			}
			argv, stdin, err := t.command(filepath.Join(b.tmp, "files.list"))
			if err != nil {
				return nil, err
			}
			if t.fresh != "" {
				// Every run starts with an empty store.
				for _, suffix := range []string{"", "-wal", "-shm"} {
					if err := os.Remove(t.fresh + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
						return nil, err
					}
				}
			}
			res, err := measure(ctx, c.dir, argv, stdin, nil)
			if cl, ok := stdin.(io.Closer); ok {
				cl.Close()
			}
			if err != nil {
				return nil, fmt.Errorf("%s: %w", t.name, err)
			}
			if !slices.Contains(t.okExits, res.exit) {
				b.logf("%s exited %d: %s", t.name, res.exit, failureSummary(res.stderr))
			}
			b.logf("run %d/%d %-28s %6.2fs (CPU %6.2fs) %6.0f MiB", run, b.cfg.runs, t.name, res.wall.Seconds(), res.cpu.Seconds(), float64(res.maxRSS)/1024)
			out[t.name] = append(out[t.name], res)
		}
	}
	b.toolList = ts
	return out, nil
}

// failureSummary picks the informative part of a failed tool's stderr:
// a Go panic line and the frame that raised it, or the last lines.
func failureSummary(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "panic:") || strings.HasPrefix(l, "fatal error:") {
			out := []string{l}
			for _, f := range lines[i+1:] {
				if strings.HasPrefix(f, "\t") {
					out = append(out, strings.TrimSpace(f))
					break
				}
				if strings.Contains(f, "(") && !strings.HasPrefix(f, "goroutine") && f != "" {
					out = append(out, f)
				}
			}
			return strings.Join(out, " | ")
		}
	}
	return lastLines(s, 5)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// summary condenses a tool's runs: median wall time, peak RSS over all
// runs, and whether every run exited as expected.
type summary struct {
	median time.Duration
	cpu    time.Duration // median CPU time (user + system)
	maxRSS int64
	failed int
}

func summarize(rs []result, okExits []int) summary {
	var s summary
	walls := make([]time.Duration, 0, len(rs))
	cpus := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		walls = append(walls, r.wall)
		cpus = append(cpus, r.cpu)
		s.maxRSS = max(s.maxRSS, r.maxRSS)
		if !slices.Contains(okExits, r.exit) {
			s.failed++
		}
	}
	s.median = median(walls)
	s.cpu = median(cpus)
	return s
}

func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
