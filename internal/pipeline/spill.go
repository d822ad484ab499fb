package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"time"

	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/policy"
	"cloudwall/internal/spill"
	"cloudwall/internal/state"
	"cloudwall/internal/store"
)

// DefaultMaxHeld is how many firewall operations a scan folds in memory
// (about 2 KiB each) and findings it holds (about 5 KiB each with their
// guidance) before it folds and ranks them on disk.
const DefaultMaxHeld = 10_000

// DefaultMaxFirewalls is how many firewalls the state replay tracks
// (a few KiB each): events on further firewalls are judged without state.
const DefaultMaxFirewalls = 10_000

// DefaultMaxRules is how many rules the state replay holds across its
// firewalls (about 1 KiB each, with the versions that keep them): past
// it, further calls are judged without state. Ten per firewall tracked:
// a record naming thousands of peers on one firewall after another must
// not hold them all.
const DefaultMaxRules = 100_000

// Spilled holds the findings of a scan that had more than Options.MaxHeld
// of them: ranked in a temporary file, read back in order. Close removes
// the file.
type Spilled struct {
	shown, suppressed *spill.Sorter[model.Finding]
	// Held is how many operations and findings the scan held in memory
	// at a time: Options.MaxHeld, or fewer when their actors, user agents
	// and resources were long (see heldTextPerOp).
	Held int
}

// Findings calls fn with each reported finding, ranked as Rank ranks.
func (s *Spilled) Findings(fn func(model.Finding) error) error { return s.shown.Each(fn) }

// Suppressed calls fn with each suppressed finding, ranked.
func (s *Spilled) Suppressed(fn func(model.Finding) error) error { return s.suppressed.Each(fn) }

// Close removes the temporary file.
func (s *Spilled) Close() error {
	err := s.shown.Close()
	if e := s.suppressed.Close(); err == nil {
		err = e
	}
	return err
}

// EachFinding calls fn with each reported finding in rank order, from
// memory or from the spill file.
func (r *Result) EachFinding(fn func(model.Finding) error) error {
	if r.Spill != nil {
		return r.Spill.Findings(fn)
	}
	for _, f := range r.Findings {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// EachSuppressed is EachFinding for the suppressed findings.
func (r *Result) EachSuppressed(fn func(model.Finding) error) error {
	if r.Spill != nil {
		return r.Spill.Suppressed(fn)
	}
	for _, f := range r.Suppressed {
		if err := fn(f); err != nil {
			return err
		}
	}
	return nil
}

// Close releases what the result holds on disk (nothing when it was
// ranked in memory).
func (r *Result) Close() error {
	if r.Spill == nil {
		return nil
	}
	return r.Spill.Close()
}

func rankOrder(a, b model.Finding) int {
	return cmp.Or(cmp.Compare(b.Severity, a.Severity), a.Time.Compare(b.Time), cmp.Compare(a.ID, b.ID))
}

// softMemoryLimit asks the garbage collector to keep the heap near what
// maxHeld events and findings need (about 10 KiB each, with the History
// and the state replay beside them) while a scan runs, unless GOMEMLIMIT
// or an earlier call says otherwise: reading records and the stages after
// a spill make garbage fast, and the default pacing lets the heap reach
// twice what is live. It returns the function that restores the limit.
func softMemoryLimit(maxHeld int) func() {
	prev := debug.SetMemoryLimit(-1)
	if prev != math.MaxInt64 {
		return func() {}
	}
	debug.SetMemoryLimit(96<<20 + min(int64(maxHeld), 1<<30)*10<<10)
	return func() { debug.SetMemoryLimit(prev) }
}

// rankedEvent is a folded event on its way through a spill file, with
// its operation's rank in the order operations were first seen: the tie
// break of an in-memory sort.
type rankedEvent struct {
	Seq int64       `json:"q"`
	Ev  model.Event `json:"e"`
}

// heldFinding is a finding on its way through the spill file; its window
// is the engine's own, read when the replay is over (a later call may
// close it).
type heldFinding struct {
	F   model.Finding `json:"f"`
	Win int           `json:"w"` // index into the windows, -1 for none
}

// finishSpilled is the end of Scan for more firewall operations than
// maxHeld: the same stages as in memory, with events and findings passed
// through temporary files in chunks of maxHeld, so memory is bounded by
// maxHeld whatever the number of events. The result is the same as in
// memory (tests check it), except that flow logs are read once per
// chunk and an account with more than maxHeld findings in a run without
// an hour's gap is correlated in pieces (correlateSpilled).
func finishSpilled(ctx context.Context, opts Options, det *detect.Detector, fo *folder, ctxBufs []*contextBuffer, sum model.Summary, start time.Time, inputs, maxHeld int) (Result, error) {
	// The folded events go to History order on disk; UpdateDistribution
	// calls pass through the web-ACL order first.
	byHistory := spill.New(maxHeld, func(a, b rankedEvent) int {
		return cmp.Or(detect.HistoryOrder(&a.Ev, &b.Ev), cmp.Compare(a.Seq, b.Seq))
	})
	defer byHistory.Close()
	byACL := spill.New(maxHeld, func(a, b rankedEvent) int {
		return cmp.Or(normalize.WebACLOrder(&a.Ev, &b.Ev), cmp.Compare(a.Seq, b.Seq))
	})
	defer byACL.Close()
	// Every loop below looks for a stop; the findings ranked by then
	// are reported (interrupted).
	stop := &stopper{ctx: ctx}
	sp := &Spilled{shown: spill.New(maxHeld, rankOrder), suppressed: spill.New(maxHeld, rankOrder), Held: maxHeld}
	var stored bool // the store has seen this scan (StartScan)
	stopped := func(err error) (Result, error) {
		// A store call cut short by the stop is the stop too.
		if !errors.Is(err, errStopped) && (ctx.Err() == nil || !errors.Is(err, ctx.Err())) {
			sp.Close()
			return Result{}, err
		}
		return interruptedSpill(sp, sum, opts.Store != nil, stored, start), nil
	}
	err := fo.each(func(ev model.Event, seq int64) error {
		if err := stop.check(); err != nil {
			return err
		}
		if normalize.FollowsWebACL(&ev) {
			return byACL.Add(rankedEvent{Seq: seq, Ev: ev})
		}
		return byHistory.Add(rankedEvent{Seq: seq, Ev: ev})
	})
	if err != nil {
		return stopped(err)
	}
	sum.Duplicates = fo.duplicates()
	var acls normalize.WebACLs
	err = byACL.Each(func(r rankedEvent) error {
		if err := stop.check(); err != nil {
			return err
		}
		acls.Follow(&r.Ev)
		return byHistory.Add(r)
	})
	if err != nil {
		return stopped(err)
	}
	if err := errors.Join(fo.close(), byACL.Close()); err != nil {
		return stopped(err)
	}

	zero := func(a, b heldFinding) int { return 0 } // keeps time order
	timeOrder := spill.New(maxHeld, zero)
	defer timeOrder.Close()
	hist := det.NewHistory()
	if opts.historyKeys > 0 {
		hist.SetLimit(opts.historyKeys)
	}
	rp := newReplayer(opts, det)
	rep := newRepeats(repeatBound(&opts), opts.Filter.Since)
	var wins []*model.Window
	// accounts counts the accounts of the findings, up to 2.
	var accounts int
	var first acct
	err = byHistory.Each(func(r rankedEvent) error {
		if err := stop.check(); err != nil {
			return err
		}
		f, ok := hist.Evaluate(&r.Ev)
		quiet := false
		if !ok {
			if f, quiet = rangesFinding(det, &r.Ev); !quiet {
				noFinding(ctxBufs, &r.Ev)
				return nil
			}
		}
		ch := rp.apply(&r.Ev, f.ID)
		if quiet && !rangesRemoved(&f, &ch) {
			return nil
		}
		if a := (acct{f.Cloud, f.Account}); accounts == 0 || accounts == 1 && a != first {
			first = a
			accounts++
		}
		sum.FirewallEvents++
		enrich(det, &r.Ev, &f, &ch, rp.baseline, rp.again)
		if rep.fold(&f) {
			return nil
		}
		h := heldFinding{F: f, Win: -1}
		if w := changeWindow(&ch); w != nil {
			h.Win, h.F.Window = len(wins), nil
			wins = append(wins, w)
		}
		return timeOrder.Add(h)
	})
	if err != nil {
		return stopped(err)
	}
	if err := byHistory.Close(); err != nil {
		return stopped(err)
	}
	sum.Notices = append(sum.Notices, rp.notices(hist)...)
	sum.Notices = append(sum.Notices, rep.notices()...)
	sum.Repeats = rep.folded
	windows := rp.eng.Windows()

	judge := policy.NewJudge(opts.Config, cmp.Or(opts.Now, time.Now()))
	all := spill.New(maxHeld, func(a, b model.Finding) int { return 0 }) // for the store
	defer all.Close()
	// route judges a finding and puts it where it is reported.
	route := func(f model.Finding) error {
		if err := stop.check(); err != nil {
			return err
		}
		f, hidden := judge.Judge(f)
		if opts.Store != nil {
			if err := all.Add(f); err != nil {
				return err
			}
		}
		switch {
		case !opts.Filter.keep(f):
			sum.FindingsFiltered++
			return nil
		case hidden:
			sum.Suppressed++
			return sp.suppressed.Add(f)
		default:
			if opts.Filter.Undated(f) {
				sum.Undated++
			}
			sum.Findings[f.Severity.String()]++
			return sp.shown.Add(f)
		}
	}
	// The correlations and first-seen facts read one account at a time:
	// the findings of one account go to them in time order, as they come,
	// unless an enricher may yet interrupt the scan (nothing is then
	// stored, first-seen facts included); those of several are sorted by
	// account first.
	grouping := !opts.NoCorrelate || opts.Store != nil
	var g *groupCorrelator
	if grouping {
		g = newGroupCorrelator(ctx, &opts, ctxBufs, maxHeld, &sum, route)
	}
	direct := grouping && accounts <= 1 && (opts.Store == nil || opts.Enrich == nil)
	scanID := store.NewScanID(start)
	storing := opts.Store != nil && !sum.Interrupted
	startScan := func() error {
		g.storing, g.scanID = storing, scanID
		if !storing {
			return nil
		}
		stored = true
		sc := store.Scan{ID: scanID, Command: "scan", Started: start, Inputs: int64(inputs)}
		if opts.Learn {
			sc.Command = "learn"
		}
		return opts.Store.StartScan(ctx, sc)
	}
	if direct {
		if err := startScan(); err != nil {
			return stopped(err)
		}
	}
	byAccount := spill.New(maxHeld, accountOrder)
	defer byAccount.Close()
	var seq int64
	chunk := make([]model.Finding, 0, maxHeld)
	flush := func() error {
		if opts.Enrich != nil && !sum.Interrupted {
			if err := opts.Enrich(ctx, chunk, &sum); err != nil {
				if ctx.Err() == nil {
					return err
				}
				sum.Interrupted = true
			}
		}
		for i, f := range chunk {
			if err := stop.check(); err != nil {
				return err
			}
			f.Identity = opts.Config.IdentityOf(f.Cloud, f.Actor)
			var err error
			switch {
			case direct:
				chunk[i] = model.Finding{}
				err = g.add(f)
			case grouping:
				err = byAccount.Add(groupedFinding{Seq: seq, F: f})
				seq++
			default:
				err = route(f)
			}
			if err != nil {
				return err
			}
		}
		clear(chunk)
		chunk = chunk[:0]
		return nil
	}
	err = timeOrder.Each(func(h heldFinding) error {
		if err := stop.check(); err != nil {
			return err
		}
		if h.Win >= 0 {
			w := *wins[h.Win]
			h.F.Window = &w
		}
		rep.annotate(&h.F)
		chunk = append(chunk, h.F)
		if len(chunk) >= maxHeld {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err == nil {
		err = timeOrder.Close()
	}
	chunk = nil
	if err == nil && grouping && !direct {
		storing = opts.Store != nil && !sum.Interrupted
		if err = startScan(); err == nil {
			err = byAccount.Each(func(x groupedFinding) error {
				if err := stop.check(); err != nil {
					return err
				}
				return g.add(x.F)
			})
		}
	}
	if err == nil && grouping {
		err = g.finish()
	}
	if ctx.Err() != nil {
		sum.Interrupted = true // stopped within StopBudget: nothing is stored
	}
	if err != nil {
		return stopped(err)
	}
	sum.Notices = append(sum.Notices, judge.Notices()...)
	n := sp.shown.Len() + sp.suppressed.Len()
	sum.Spilled = n
	if maxHeld < cmp.Or(opts.MaxHeld, DefaultMaxHeld) {
		sum.Notices = append(sum.Notices, fmt.Sprintf("%d findings were ranked on disk in a temporary file (removed at exit), %d at a time, fewer than --max-held (%d): their actors, user agents and resources were long (more than %d bytes an operation on average); every one is reported, in the same order", n, maxHeld, cmp.Or(opts.MaxHeld, DefaultMaxHeld), heldTextPerOp))
	} else {
		sum.Notices = append(sum.Notices, fmt.Sprintf("%d findings were ranked on disk in a temporary file (removed at exit), as more than --max-held (%d) firewall operations were read; every one is reported, in the same order", n, maxHeld))
	}

	var res Result
	for _, w := range windows {
		if opts.Filter.keepWindow(w) {
			res.Windows = append(res.Windows, w)
		}
	}
	switch {
	case opts.Store != nil && sum.Interrupted:
		sum.Notices = append(sum.Notices, storeNotice(stored))
	case storing:
		if written, err := recordSpilled(ctx, opts.Store, scanID, start, inputs, &sum, all, maxHeld, opts.Learn); err != nil {
			if ctx.Err() == nil {
				sp.Close()
				return Result{}, err
			}
			// Stopped while writing: the findings are still reported.
			sum.Interrupted = true
			sum.Notices = append(sum.Notices, storeStopped(written))
		}
	}
	sum.Elapsed = time.Since(start)
	res.Spill, res.Summary = sp, sum
	return res, nil
}

// interruptedSpill is the result of a scan stopped after reading, in
// one of the stages on disk: the findings ranked by then, and a notice
// that the others were dropped. A stop never waits for those stages.
func interruptedSpill(sp *Spilled, sum model.Summary, store, stored bool, start time.Time) Result {
	sum.Interrupted = true
	n := sp.shown.Len() + sp.suppressed.Len()
	sum.Spilled = n
	sum.Notices = append(sum.Notices, fmt.Sprintf("the scan was stopped while it judged and ranked the firewall operations it had read (on disk): the %d findings ranked by then are reported, the others are not", n))
	if store {
		sum.Notices = append(sum.Notices, storeNotice(stored))
	}
	sum.Elapsed = time.Since(start)
	return Result{Spill: sp, Summary: sum}
}

// storeNotice says what an interrupted scan left in the store: nothing,
// or the scan as started (and the first-seen facts of the findings
// correlated by then) without its findings.
func storeNotice(started bool) string {
	if started {
		return "the scan was interrupted: its findings were not written to the store"
	}
	return "the scan was interrupted: nothing was written to the store"
}

// storeStopped is the notice of a scan stopped while its findings were
// written to the store: written of them were (each batch is written
// whole or not at all).
func storeStopped(written int64) string {
	return fmt.Sprintf("the scan was interrupted while its findings were written to the store: %d were written; the store keeps the scan as unfinished (a rescan of the same inputs writes the rest)", written)
}

// recordSpilled is record for findings read back from disk, maxHeld at a
// time. It returns how many findings were written.
func recordSpilled(ctx context.Context, st store.Store, id string, start time.Time, inputs int, sum *model.Summary, all *spill.Sorter[model.Finding], maxHeld int, learn bool) (int64, error) {
	sc := store.Scan{ID: id, Command: "scan", Started: start, Inputs: int64(inputs), Records: sum.Records}
	if learn {
		sc.Command = "learn"
		sc.Finished = time.Now()
		return 0, st.FinishScan(ctx, sc)
	}
	var written int64
	batch := make([]model.Finding, 0, maxHeld)
	put := func() error {
		err := st.PutFindings(ctx, id, batch)
		if err == nil {
			written += int64(len(batch))
		}
		clear(batch)
		batch = batch[:0]
		return err
	}
	err := all.Each(func(f model.Finding) error {
		batch = append(batch, f)
		if len(batch) >= maxHeld {
			return put()
		}
		return nil
	})
	if err == nil && len(batch) > 0 {
		err = put()
	}
	if err != nil {
		return written, err
	}
	sc.Finished, sc.Findings = time.Now(), all.Len()
	return written, st.FinishScan(ctx, sc)
}

// changeWindow is the window enrich copies into a finding.
func changeWindow(ch *state.Change) *model.Window { return ch.Window() }

// replayer is the state engine with a bound on the firewalls it tracks.
type replayer struct {
	eng      *state.Engine
	baseline bool
	// again lowers calls that set again what earlier calls in the logs
	// put in force: logs alone, and no --since that could hide the
	// earlier call's finding.
	again   bool
	max     int
	tracked map[string]bool
	skipped int64
	// rules is how many rules the tracked firewalls hold, counts each
	// one's share, maxRules the bound on rules; overRules counts the
	// calls judged without state for it.
	rules, maxRules int
	counts          map[string]int
	overRules       int64
}

func newReplayer(opts Options, det *detect.Detector) *replayer {
	so := opts.State
	if so == nil {
		so = &StateOptions{}
	}
	eng := state.New(state.Options{Content: opts.Content, Detector: det, ShortWindow: so.ShortWindow})
	eng.Load(so.Baseline)
	return &replayer{eng: eng, baseline: len(so.Baseline) > 0, again: len(so.Baseline) == 0 && opts.Filter.Since.IsZero(), max: cmp.Or(opts.MaxFirewalls, DefaultMaxFirewalls), tracked: map[string]bool{},
		maxRules: cmp.Or(opts.MaxRules, DefaultMaxRules), counts: map[string]int{}}
}

// apply replays ev unless it is on a firewall past the bound.
func (r *replayer) apply(ev *model.Event, id string) state.Change {
	k := state.Key(ev.Cloud, ev.Resource)
	if r.rules > r.maxRules {
		r.overRules++
		return state.Change{Cloud: ev.Cloud, Firewall: ev.Resource}
	}
	if !r.tracked[k] {
		if len(r.tracked) >= r.max {
			r.skipped++
			return state.Change{Cloud: ev.Cloud, Firewall: ev.Resource}
		}
		r.tracked[k] = true
	}
	ch := r.eng.Apply(ev, id)
	n := r.eng.RuleCount(k)
	r.rules += n - r.counts[k]
	r.counts[k] = n
	return ch
}

// notices say which bounds the replay and the cross-call history hit.
func (r *replayer) notices(h *detect.History) []string {
	var out []string
	if r.skipped > 0 {
		out = append(out, fmt.Sprintf("state: more than %d firewalls changed; %d calls on further firewalls were judged without replayed state (no exposure window, no rollback commands, no before/after)", r.max, r.skipped))
	}
	if r.overRules > 0 {
		out = append(out, fmt.Sprintf("state: the replayed firewalls hold more than %d rules; %d further calls were judged without replayed state (no exposure window, no rollback commands, no before/after)", r.maxRules, r.overRules))
	}
	if n := r.eng.Unwindowed(); n > 0 {
		out = append(out, fmt.Sprintf("state: %d exposures opened no exposure window: their firewall already had %d open (the findings still judge every peer)", n, state.MaxOpenWindows))
	}
	if n := h.Full(); n > 0 {
		out = append(out, fmt.Sprintf("history: more than %d firewall ports held; %d calls were not remembered, so exposure split across those calls is not added up", h.Limit(), n))
	}
	return out
}
