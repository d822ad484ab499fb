// Command statebench measures the state engine (internal/state) that
// timeline, --baseline and the exposure windows replay on: it generates
// an estate of security groups, NACLs, NSGs and GCP networks, loads it as
// the baseline, streams calls onto it one at a time as a scan feeds them,
// collects the windows, and prints the time (wall and CPU), the peak
// resident memory and what the replay produced.
//
//	go run ./bench/statebench                            # 100,000 rules, 1,000,000 calls
//	go run ./bench/statebench -rules 20000 -events 200000
//
// Exit status 0 when the replay opened windows, 1 when it opened none (the
// generated calls no longer exercise the engine) or failed, 2 for usage
// errors.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cloudwall/internal/content"
	"cloudwall/internal/state"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// result is what one replay measured.
type result struct {
	rules, events, firewalls int
	windows, open            int
	unwindowed               int64
	load, replay, collect    time.Duration
	cpu, user, sys           time.Duration // user+sys of the whole process, and each
	gcCPU, gcIdle            time.Duration // of which the garbage collector, and its idle workers
	numGC                    uint32
	peakRSS                  int64 // bytes, VmHWM
	heap                     uint64
	allocBytes, allocs       uint64 // allocated from load to the end
	err                      error
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("statebench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rules := fs.Int("rules", 100_000, "baseline rules")
	events := fs.Int("events", 1_000_000, "calls replayed")
	network := fs.Int("network", 50, "rules per GCP network")
	seed := fs.Uint64("seed", 1, "generator seed")
	history := fs.Bool("history", false, "keep every version of every firewall (state.Options.History)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of load, replay and windows to this file")
	memProfile := fs.String("memprofile", "", "write a heap profile (what the engine holds at the end, and every allocation) to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *rules <= 0 || *events < 0 || *network <= 0 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "statebench: -rules and -network must be positive, -events not negative; no arguments")
		return 2
	}
	c, err := content.Default()
	if err != nil {
		fmt.Fprintln(stderr, "statebench:", err)
		return 1
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "statebench:", err)
			return 1
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	r := replay(c, *rules, *events, *network, *seed, *history, *memProfile, *cpuProfile != "")
	if r.err != nil {
		fmt.Fprintln(stderr, "statebench:", r.err)
		return 1
	}
	report(stdout, r)
	if r.windows == 0 && *events > 0 {
		fmt.Fprintln(stderr, "statebench: no exposure window in the whole replay")
		return 1
	}
	return 0
}

// replay generates the estate and replays the calls: the calls are made
// one at a time as they are applied, so the memory measured is the
// engine's.
func replay(c *content.Content, nRules, nEvents, network int, seed uint64, history bool, memProfile string, labels bool) result {
	base, next := estate(nRules, network, seed)
	res := result{events: nEvents, firewalls: len(base)}
	for _, f := range base {
		res.rules += len(f.Rules)
	}
	var ms0 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	user0, sys0 := cpuTime()
	gc0, idle0 := gcCPU()
	e := state.New(state.Options{Content: c, History: history})
	start := time.Now()
	e.Load(base)
	base = nil
	res.load = time.Since(start)
	start = time.Now()
	for i := range nEvents {
		ev := next(i)
		if labels {
			// The CPU profile tells the operations apart (pprof -tags).
			pprof.Do(context.Background(), pprof.Labels("op", ev.OperationKey), func(context.Context) { e.Apply(&ev, "") })
			continue
		}
		e.Apply(&ev, "")
	}
	res.replay = time.Since(start)
	start = time.Now()
	ws := e.Windows()
	res.collect = time.Since(start)
	user1, sys1 := cpuTime()
	gc1, idle1 := gcCPU()
	res.user, res.sys, res.gcCPU, res.gcIdle = user1-user0, sys1-sys0, gc1-gc0, idle1-idle0
	res.cpu = res.user + res.sys
	res.windows, res.unwindowed = len(ws), e.Unwindowed()
	for _, w := range ws {
		if w.End == nil {
			res.open++
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	res.numGC, res.heap = ms.NumGC-ms0.NumGC, ms.HeapAlloc
	res.allocBytes, res.allocs = ms.TotalAlloc-ms0.TotalAlloc, ms.Mallocs-ms0.Mallocs
	res.peakRSS = peakRSS()
	if memProfile != "" {
		res.err = writeHeapProfile(memProfile)
	}
	runtime.KeepAlive(e)
	return res
}

func report(w io.Writer, r result) {
	mib := func(b int64) string { return fmt.Sprintf("%.0f MiB", float64(b)/(1<<20)) }
	fmt.Fprintf(w, "estate      %d rules in %d firewalls; %d calls replayed\n", r.rules, r.firewalls, r.events)
	fmt.Fprintf(w, "wall        %.2f s (load %.2f s, replay %.2f s, windows %.2f s)\n",
		(r.load + r.replay + r.collect).Seconds(), r.load.Seconds(), r.replay.Seconds(), r.collect.Seconds())
	perCall := 0.0
	if r.events > 0 {
		perCall = float64(r.cpu.Microseconds()) / float64(r.events)
	}
	fmt.Fprintf(w, "cpu         %.2f s user+sys (user %.2f s, sys %.2f s; %.1f µs per call; garbage collector %.2f s in %d cycles, %.2f s of it on idle cores)\n",
		r.cpu.Seconds(), r.user.Seconds(), r.sys.Seconds(), perCall, r.gcCPU.Seconds(), r.numGC, r.gcIdle.Seconds())
	fmt.Fprintf(w, "memory      peak rss %s (VmHWM); heap at the end %s; allocated %s in %d allocations",
		mib(r.peakRSS), mib(int64(r.heap)), mib(int64(r.allocBytes)), r.allocs)
	if r.events > 0 {
		fmt.Fprintf(w, " (%.0f bytes, %.1f allocations per call)", float64(r.allocBytes)/float64(r.events), float64(r.allocs)/float64(r.events))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "windows     %d (%d still open at the end, %d exposures past the per-firewall bound)\n", r.windows, r.open, r.unwindowed)
}

// writeHeapProfile writes the heap profile after a collection, so that
// its in-use figures are what the engine holds.
func writeHeapProfile(name string) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cpuTime is the process's user and system CPU time so far. The
// generator's share is in it: it makes one event per call, far less work
// than the call.
func cpuTime() (user, sys time.Duration) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// gcCPU is the CPU time the garbage collector has taken so far, as the
// runtime estimates it, and the part of it its idle-priority workers
// took: marking on a core nothing else wanted at the time.
func gcCPU() (total, idle time.Duration) {
	s := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/cpu/classes/gc/mark/idle:cpu-seconds"}}
	metrics.Read(s)
	d := func(v metrics.Value) time.Duration {
		if v.Kind() != metrics.KindFloat64 {
			return 0
		}
		return time.Duration(v.Float64() * float64(time.Second))
	}
	return d(s[0].Value), d(s[1].Value)
}

// peakRSS reads the process's peak resident set size (Linux VmHWM); 0
// where /proc does not say.
func peakRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				return 0
			}
			return kb << 10
		}
	}
	return 0
}
