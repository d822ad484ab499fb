// Package pipeline runs a scan: the only package that knows the order of
// the stages. Inputs are read by a pool of workers (decompress, split,
// prefilter, parse); firewall events flow to one collector, which folds
// multi-record operations together; then detection, filtering and ranking.
package pipeline

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"cloudwall/internal/config"
	"cloudwall/internal/content"
	"cloudwall/internal/correlate"
	"cloudwall/internal/detect"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/policy"
	"cloudwall/internal/store"
)

// Filter narrows which findings a scan reports.
type Filter struct {
	MinSeverity model.Severity
	Since       time.Time // zero: no lower bound
	Until       time.Time // zero: no upper bound
	Clouds      []model.Cloud
	Accounts    []string
}

// Options configures a scan.
type Options struct {
	// Workers is how many inputs are read at once; 0 means GOMAXPROCS.
	Workers int
	Content *content.Content
	Filter  Filter
	// MaxRecord bounds one record's size; 0 means the splitter's default.
	MaxRecord int
	// NoPrefilter decodes every record (slower; for checking the prefilter).
	NoPrefilter bool
	// LargeInput is the input size from which one input gets a second
	// goroutine (decompression ahead, or parsing beside splitting); 0
	// means 8 MiB. Tests set 1 to run every input through that path.
	LargeInput int64
	// RawBytes, when set, counts bytes read from inputs as the scan goes
	// (for a progress bar).
	RawBytes *atomic.Int64
	// Logger receives one message per problem; nil discards them.
	Logger *slog.Logger
	// Enrich, when set, sees every finding after detection and before
	// filtering and ranking, and may change them (the flow-log join raises
	// findings whose opening was used). It may add to the summary.
	Enrich func(ctx context.Context, findings []model.Finding, sum *model.Summary) error
	// Config is the user's configuration (trusted networks, automation,
	// approvals, suppressions); nil for none.
	Config *config.Config
	// Now is the wall-clock time suppressions expire against; zero means
	// time.Now().
	Now time.Time
	// State configures the replay of firewall events onto state: a
	// baseline, the short-window threshold, a timeline. Nil replays from
	// the logs alone.
	State *StateOptions
	// Store, when set, keeps the scan's findings and first-seen facts.
	Store store.Store
	// MaxHeld bounds the firewall operations and the findings held in
	// memory; past it records are folded, findings correlated one account
	// at a time and ranked on disk (Result.Spill). 0 means DefaultMaxHeld.
	// A timeline holds every event whatever it says.
	MaxHeld int
	// MaxFirewalls bounds the firewalls the state replay tracks; 0 means
	// DefaultMaxFirewalls.
	MaxFirewalls int
	// MaxRules bounds the rules the state replay holds; 0 means
	// DefaultMaxRules.
	MaxRules int
	// historyKeys, when set, bounds the cross-call history (tests).
	historyKeys int
	// Learn records first-seen facts (and the scan) in the Store without
	// reporting anything new: the baseline period (cloudwall learn).
	Learn bool
	// NoCorrelate turns the correlations off: single findings only.
	NoCorrelate bool
	// Correlate tunes the correlations (windows, bounds); zero values
	// take the defaults.
	Correlate correlate.Options
}

// MaxProblemsPerFile bounds how many problems one file adds to the
// summary's list; all of them are still counted.
const MaxProblemsPerFile = 5

// defaultLargeInput is the input size from which decompression or parsing
// runs in a goroutine of its own: large files are where one worker would
// otherwise leave a core idle.
const defaultLargeInput = 8 << 20

// maxProblems bounds the summary's problem list over the whole scan.
const maxProblems = 200

// Result is what a scan found.
type Result struct {
	Findings []model.Finding
	// Suppressed are the findings an active suppression hides, ranked.
	Suppressed []model.Finding
	Summary    model.Summary
	// Windows are the exposure windows the replayed state shows, filtered
	// like the findings, most severe first.
	Windows []model.Window
	// Timeline is the per-firewall history (with StateOptions.Timeline).
	Timeline []model.FirewallTimeline
	// Spill, when set, holds the findings instead of Findings and
	// Suppressed: there were more than Options.MaxHeld. Read them with
	// EachFinding and EachSuppressed; Close removes the file.
	Spill *Spilled
}

// Scan reads every input and returns the findings, ranked: most severe
// first, then by time. Problems with single inputs or records are counted
// and reported in the summary, never fatal; an error is returned only when
// the scan could not run.
//
// When ctx is cancelled the scan stops within StopGrace plus the time
// detection takes, and returns what it found so far with
// Summary.Interrupted set: inputs still open are abandoned, even one
// blocked in a system call (a FIFO with no writer, a terminal).
func Scan(ctx context.Context, inputs []ingest.Input, opts Options) (Result, error) {
	start := time.Now()
	if opts.Content == nil {
		return Result{}, errors.New("scan: no detection content")
	}
	// Records are read, judged and dropped fast: without a limit the
	// heap may reach twice what is live before a collection, and a
	// hostile record's garbage then counts double.
	defer softMemoryLimit(max(cmp.Or(opts.MaxHeld, DefaultMaxHeld), 0))()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	// Bytes read are counted as they are read, which also covers stdin.
	if opts.RawBytes == nil {
		opts.RawBytes = new(atomic.Int64)
	}
	rawStart := opts.RawBytes.Load()
	var pre *normalize.Prefilter
	anchors, ok := normalize.AnchorsFor(opts.Content.OperationKeys())
	var context []string
	if !opts.NoCorrelate {
		// The few operations the sequences read around a change: a
		// record naming only them is decoded lean.
		var anchored bool
		context, anchored = normalize.AnchorsFor(correlate.ContextAnchors())
		ok = ok && anchored
	}
	if ok && !opts.NoPrefilter {
		var err error
		if pre, err = normalize.NewPrefilter(anchors, context...); err != nil {
			return Result{}, fmt.Errorf("scan: %w", err)
		}
	} else if !ok {
		opts.Logger.Warn("an operation name in the detection content is too short for the prefilter; decoding every record")
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}

	jobs := make(chan ingest.Input)
	events := make(chan model.Event, 256)
	tally := &tally{}
	var wg sync.WaitGroup
	ctxBufs := make([]*contextBuffer, workers)
	defer func() {
		for _, b := range ctxBufs {
			b.close() // a temporary file's removal: nothing to tell the user
		}
	}()
	for i := range workers {
		wg.Add(1)
		ctxBufs[i] = newContextBuffer(!opts.NoCorrelate, workers)
		go func() {
			defer wg.Done()
			w := worker{opts: &opts, pre: pre, events: events, done: ctx.Done(), c: &counters{}, tally: tally, ctx: ctxBufs[i]}
			for in := range jobs {
				w.input(ctx, in)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, in := range inputs {
			select {
			case jobs <- in:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		wg.Wait()
		close(events)
	}()

	// Past --max-held operations, the records of further ones are folded
	// on disk; a timeline holds every event whatever it says.
	maxHeld := cmp.Or(opts.MaxHeld, DefaultMaxHeld)
	fo := newFolder(maxHeld)
	if opts.State != nil && opts.State.Timeline {
		fo.max = 0
	}
	defer fo.close()
	interrupted := collect(ctx, events, fo.add)

	sum := tally.close()
	sum.Interrupted = interrupted
	sum.Bytes = opts.RawBytes.Load() - rawStart
	slices.SortStableFunc(sum.Problems, func(a, b model.Problem) int {
		return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Index, b.Index))
	})
	if len(sum.Problems) > maxProblems {
		sum.Problems = sum.Problems[:maxProblems]
	}

	det := detect.New(opts.Content, detectOptions(opts)...)
	sum.Findings = map[string]int64{}
	if fo.spilled() {
		return finishSpilled(ctx, opts, det, fo, ctxBufs, sum, start, len(inputs), fo.heldMax())
	}
	merged := fo.drain()
	normalize.CompareWebACLs(merged)
	sum.Duplicates = fo.duplicates()
	var evs []evaluated
	// In time order, each event is judged with what earlier ones opened
	// on the same firewall and port, and with the prefix lists they set.
	detect.SortForHistory(merged)
	hist := det.NewHistory()
	if opts.historyKeys > 0 {
		hist.SetLimit(opts.historyKeys)
	}
	// A stop ends each stage below within StopBudget: the findings
	// evaluated by then are reported (interrupted).
	stop := &stopper{ctx: ctx}
	for i := range merged {
		if stop.check() != nil {
			break
		}
		f, ok := hist.Evaluate(&merged[i])
		if !ok {
			if f, ok = rangesFinding(det, &merged[i]); ok {
				evs = append(evs, evaluated{ev: &merged[i], f: f, quiet: true})
			} else {
				noFinding(ctxBufs, &merged[i])
			}
			continue
		}
		sum.FirewallEvents++
		evs = append(evs, evaluated{ev: &merged[i], f: f})
	}
	// State first: windows and rollback are part of the finding that the
	// enrichers (flow-log join) and the configuration see.
	eng, windows, notices := replay(opts, det, evs, hist, stop)
	evs, kept := keepRemovedRanges(evs)
	sum.FirewallEvents += kept
	sum.Notices = append(sum.Notices, notices...)
	evs = foldRepeats(evs, newRepeats(repeatBound(&opts), opts.Filter.Since), &sum)
	all := make([]model.Finding, len(evs))
	for i := range evs {
		all[i] = evs[i].f
	}
	if ctx.Err() != nil {
		sum.Interrupted = true
	}
	if opts.Enrich != nil && !sum.Interrupted {
		if err := opts.Enrich(ctx, all, &sum); err != nil {
			if ctx.Err() == nil {
				return Result{}, err
			}
			// Stopped while enriching: keep the findings as detected.
			sum.Interrupted = true
		}
	}
	scanID := store.NewScanID(start)
	// Approvals first: the correlations read whether a member was
	// approved; suppressions last, so a correlation can be suppressed by
	// its rule id and a suppressed member still counts in its sequence.
	for i := range all {
		all[i].Identity = opts.Config.IdentityOf(all[i].Cloud, all[i].Actor)
	}
	policy.Approve(opts.Config, all)
	if !opts.NoCorrelate && !stop.over {
		cor := correlate.Run(all, opts.Correlate)
		all = cor.Findings
		guideCorrelations(opts.Content, all[len(all)-cor.Made:])
		cx, cst := mergeContext(ctxBufs, contextKeys(all))
		sum.Notices = append(sum.Notices, cst.notices()...)
		before := len(all)
		all = correlate.Sequences(all, cx, opts.Correlate)
		guideCorrelations(opts.Content, all[before:])
		sum.Correlations += int64(cor.Made + len(all) - before)
		sum.Notices = append(sum.Notices, cor.Capped...)
	}
	if ctx.Err() != nil {
		sum.Interrupted = true
	}
	storing := opts.Store != nil && !sum.Interrupted
	if storing {
		sc := store.Scan{ID: scanID, Command: "scan", Started: start, Inputs: int64(len(inputs))}
		if opts.Learn {
			sc.Command = "learn"
		}
		if err := opts.Store.StartScan(ctx, sc); err != nil {
			return Result{}, err
		}
		var err error
		fresh := freshAccounts{}
		if all, err = firstSeen(ctx, opts.Store, scanID, opts.Config, opts.Content, all, opts.Learn, fresh, &sum); err != nil {
			return Result{}, err
		}
		if !opts.Learn {
			sum.Notices = append(sum.Notices, fresh.notices()...)
		}
	}
	judged := policy.Apply(opts.Config, all, cmp.Or(opts.Now, time.Now()))
	sum.Notices = append(sum.Notices, judged.Notices...)
	var findings, suppressed []model.Finding
	for _, f := range judged.Shown {
		if !opts.Filter.keep(f) {
			sum.FindingsFiltered++
			continue
		}
		if opts.Filter.Undated(f) {
			sum.Undated++
		}
		sum.Findings[f.Severity.String()]++
		findings = append(findings, f)
	}
	for _, f := range judged.Suppressed {
		if opts.Filter.keep(f) {
			sum.Suppressed++
			suppressed = append(suppressed, f)
		} else {
			sum.FindingsFiltered++
		}
	}
	var res Result
	for _, w := range windows {
		if opts.Filter.keepWindow(w) {
			res.Windows = append(res.Windows, w)
		}
	}
	if opts.State != nil && opts.State.Timeline {
		res.Timeline = timeline(eng, evs, judged.Shown, windows, opts.Filter)
	}
	Rank(findings)
	Rank(suppressed)
	switch {
	case opts.Store != nil && sum.Interrupted:
		sum.Notices = append(sum.Notices, "the scan was interrupted: nothing was written to the store")
	case storing:
		if written, err := record(ctx, opts.Store, scanID, start, len(inputs), &sum, judged, opts.Learn); err != nil {
			if ctx.Err() == nil {
				return Result{}, err
			}
			// Stopped while writing: the findings are still reported.
			sum.Interrupted = true
			sum.Notices = append(sum.Notices, storeStopped(written))
		}
	}
	sum.Elapsed = time.Since(start)
	res.Findings, res.Suppressed, res.Summary = findings, suppressed, sum
	return res, nil
}

// record writes every finding the scan judged (suppressed ones too; none
// when only learning) and the scan's counters to the store; the scan was
// started, and its facts learned, before. It returns how many findings
// were written (all or none: one transaction).
func record(ctx context.Context, st store.Store, id string, start time.Time, inputs int, sum *model.Summary, judged policy.Result, learn bool) (int64, error) {
	sc := store.Scan{ID: id, Command: "scan", Started: start, Inputs: int64(inputs), Records: sum.Records}
	if learn {
		sc.Command = "learn"
	} else {
		all := append(slices.Clip(judged.Shown), judged.Suppressed...)
		if err := st.PutFindings(ctx, id, all); err != nil {
			return 0, err
		}
		sc.Findings = int64(len(all))
	}
	sc.Finished = time.Now()
	return sc.Findings, st.FinishScan(ctx, sc)
}

// guideCorrelations gives correlation findings their rule's guidance from
// the catalogue (text only: the members carry the commands).
func guideCorrelations(c *content.Content, made []model.Finding) {
	for i := range made {
		cr, ok := c.Correlation(made[i].Rule)
		if !ok {
			continue
		}
		g := &model.Guidance{}
		for _, st := range cr.Guidance.Investigate {
			g.Investigate = append(g.Investigate, st.Text)
		}
		for _, st := range cr.Guidance.Respond {
			g.Respond = append(g.Respond, st.Text)
		}
		made[i].Guidance = g
	}
}

// TrustedNetworks is the detector option for cfg's trusted networks (none
// for a nil cfg): scan, timeline, audit and diff judge peers alike.
func TrustedNetworks(cfg *config.Config) detect.Option {
	var trusted []detect.TrustedNetwork
	if cfg != nil {
		for _, t := range cfg.Trusted {
			trusted = append(trusted, detect.TrustedNetwork{Name: t.Name, Prefixes: t.Prefixes})
		}
	}
	return detect.Trusted(trusted...)
}

// detectOptions turns the configuration into what the detector reads.
func detectOptions(opts Options) []detect.Option {
	var o []detect.Option
	cfg := opts.Config
	if cfg == nil {
		return o
	}
	o = append(o, TrustedNetworks(cfg))
	if len(cfg.Automation) > 0 {
		o = append(o, detect.AutomationMatcher(func(ev *model.Event) (detect.AutomationMatch, bool) {
			a, ok := cfg.AutomationFor(ev)
			if !ok {
				return detect.AutomationMatch{}, false
			}
			tag := content.TagIaC
			switch a.Kind {
			case config.KindServiceLinked:
				tag = content.TagServiceLinked
			case config.KindController:
				tag = "controller"
			}
			return detect.AutomationMatch{Name: a.Name + ", a configured " + a.Kind + " identity", Tag: tag, DrivenBy: cfg.DrivenBy(ev.Actor)}, true
		}))
	}
	return o
}

// Rank orders findings most severe first, then oldest first, with the id
// as the final tie-break so output is reproducible.
func Rank(fs []model.Finding) {
	slices.SortFunc(fs, func(a, b model.Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			a.Time.Compare(b.Time),
			cmp.Compare(a.ID, b.ID),
		)
	})
}

// Keep reports whether a finding passes the filter; audit and diff apply
// the scan's filters with it.
func (f Filter) Keep(x model.Finding) bool { return f.keep(x) }

// Undated reports whether x, kept, is kept only because its time is
// unknown while --since or --until was given (Summary.Undated counts it).
func (f Filter) Undated(x model.Finding) bool {
	return x.Time.IsZero() && (!f.Since.IsZero() || !f.Until.IsZero())
}

// A finding whose time is unknown (zero: the record's time was absent or
// unreadable) passes --since and --until: they cannot place it, and a
// critical finding must not vanish because its time could not be read.
// Undated says when that happened, for the summary to count.
func (f Filter) keep(x model.Finding) bool {
	if x.Severity < f.MinSeverity {
		return false
	}
	if !f.Since.IsZero() && !x.Time.IsZero() && x.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && !x.Time.IsZero() && x.Time.After(f.Until) {
		return false
	}
	if len(f.Clouds) > 0 && !slices.Contains(f.Clouds, x.Cloud) {
		return false
	}
	if len(f.Accounts) > 0 && !slices.ContainsFunc(f.Accounts, func(a string) bool { return strings.EqualFold(a, x.Account) }) {
		return false
	}
	return true
}

// counters is one worker's share of the summary; merged at the end so the
// hot path takes no locks.
type counters struct {
	files, filesFailed, uncompressed int64
	records, unreadable, skipped     int64
	recognised                       int64
	problems                         []model.Problem
}

func (c *counters) addTo(s *model.Summary) {
	s.Files += c.files
	s.FilesFailed += c.filesFailed
	s.BytesUncompressed += c.uncompressed
	s.Records += c.records
	s.Unreadable += c.unreadable
	s.Skipped += c.skipped
	s.Recognised += c.recognised
	s.Problems = append(s.Problems, c.problems...)
}

type worker struct {
	opts   *Options
	pre    *normalize.Prefilter
	events chan<- model.Event
	done   <-chan struct{} // the scan's ctx.Done(): stop sending events
	// c counts the current input; it goes to tally when the input ends.
	c     *counters
	tally *tally
	// fileProblems counts problems reported for the current input.
	fileProblems int
	// splitter and opener are reused across inputs to keep their buffers.
	splitter *normalize.Splitter
	opener   *ingest.Opener
	// ctx keeps the context operations this worker read (recon, new
	// keys, logging changes) for the sequences.
	ctx *contextBuffer
	// scratch holds the event of the last record read, for the next one
	// (normalize.ParseInto): each is sent or kept as context by value.
	scratch []model.Event
}

func (w *worker) problem(file string, index, offset int64, msg string) {
	w.opts.Logger.Warn("unreadable input", "file", file, "record", index, "offset", offset, "problem", msg)
	w.fileProblems++
	if w.fileProblems <= MaxProblemsPerFile {
		w.c.problems = append(w.c.problems, model.Problem{File: file, Index: index, Offset: offset, Message: msg})
	}
}

// input reads one input to the end.
func (w *worker) input(ctx context.Context, in ingest.Input) {
	defer w.flush()
	w.c.files++
	w.fileProblems = 0
	before := w.c.records
	// A large input keeps a second core busy: a compressed one by
	// decompressing ahead (ingest), a plain one by parsing on a goroutine
	// of its own while this one splits.
	largeMin := cmp.Or(w.opts.LargeInput, defaultLargeInput)
	large := in.Size < 0 || in.Size >= largeMin
	if w.opener == nil {
		w.opener = ingest.NewOpener(ingest.Options{RawBytes: w.opts.RawBytes, ReadAheadMin: largeMin})
	}
	err := w.opener.Open(ctx, in, func(st ingest.Stream) error {
		st.R = ingest.ContextReader(ctx, st.R)
		if large && len(st.Formats) == 0 {
			return w.streamParallel(ctx, st)
		}
		return w.stream(ctx, st)
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		if w.c.records == before {
			w.c.filesFailed++
		}
		// An archive reports each bad member and goes on: one problem each.
		errs := []error{err}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			// The problem names the input: a message that starts
			// with it too would print it twice.
			w.problem(in.Name, -1, 0, strings.TrimPrefix(e.Error(), in.Name+": "))
		}
	}
}

// stream splits one decompressed stream into records and parses them.
func (w *worker) stream(ctx context.Context, st ingest.Stream) error {
	p := recordParser{w: w, file: st.Name, first: true, probe: probeRecords}
	return w.split(ctx, st, p.parse)
}

// streamParallel is stream with parsing moved to a second goroutine, fed
// batches of records copied out of the splitter's buffer.
func (w *worker) streamParallel(ctx context.Context, st ingest.Stream) error {
	// The sub-worker parses while this one only splits: it may keep the
	// context operations in this worker's buffer.
	sub := &worker{opts: w.opts, pre: w.pre, events: w.events, done: w.done, c: &counters{}, ctx: w.ctx}
	p := recordParser{w: sub, file: st.Name, first: true, probe: probeRecords}
	batches := make(chan *recordBatch, 4)
	free := make(chan *recordBatch, 6)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range batches {
			for i := range b.recs {
				p.parse(b.record(i))
			}
			b.reset()
			free <- b
		}
	}()
	b := &recordBatch{}
	err := w.split(ctx, st, func(raw normalize.RawRecord) {
		b.add(raw)
		if len(b.data) >= batchBytes {
			batches <- b
			select {
			case b = <-free:
			default:
				b = &recordBatch{}
			}
		}
	})
	if len(b.recs) > 0 {
		batches <- b
	}
	close(batches)
	<-done
	w.c.skipped += sub.c.skipped
	w.c.recognised += sub.c.recognised
	w.c.unreadable += sub.c.unreadable
	// sub already logged these; keep the per-file cap across both.
	for _, pr := range sub.c.problems {
		w.fileProblems++
		if w.fileProblems <= MaxProblemsPerFile {
			w.c.problems = append(w.c.problems, pr)
		}
	}
	return err
}

// batchBytes is how many record bytes go to the parsing goroutine at once.
const batchBytes = 1 << 20

// recordBatch holds copies of records, valid after the splitter moves on.
type recordBatch struct {
	data []byte
	recs []batchRecord
}

type batchRecord struct {
	start, end    int
	index, offset int64
}

func (b *recordBatch) add(raw normalize.RawRecord) {
	start := len(b.data)
	b.data = append(b.data, raw.Data...)
	b.recs = append(b.recs, batchRecord{start: start, end: len(b.data), index: raw.Index, offset: raw.Offset})
}

func (b *recordBatch) record(i int) normalize.RawRecord {
	r := b.recs[i]
	return normalize.RawRecord{Data: b.data[r.start:r.end], Index: r.index, Offset: r.offset}
}

func (b *recordBatch) reset() { b.data, b.recs = b.data[:0], b.recs[:0] }

// split runs the splitter over st, counting every record and reporting
// the ones it cannot cut out; each good record goes to handle.
func (w *worker) split(ctx context.Context, st ingest.Stream, handle func(normalize.RawRecord)) error {
	if w.splitter == nil {
		w.splitter = normalize.NewSplitter(st.R)
	} else {
		w.splitter.Reset(st.R)
	}
	sp := w.splitter
	sp.MaxRecord = w.opts.MaxRecord
	defer func() { w.c.uncompressed += sp.Offset() }()
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		raw, err := sp.Next()
		var re *normalize.RecordError
		switch {
		case errors.As(err, &re):
			w.c.records++
			w.c.unreadable++
			w.problem(st.Name, re.Index, re.Offset, re.Msg)
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("read %s: %w", st.Name, err)
		}
		w.c.records++
		handle(raw)
	}
}

// recordParser parses the records of one stream, in order.
type recordParser struct {
	w    *worker
	file string
	// The first record of a stream is always decoded, whatever the
	// prefilter says, so that a file of no known shape is reported once
	// rather than passing as clean. It decides nothing for the records
	// after it: a skipped first record (a custom EventBridge event anyone
	// can put on a bus, an Insights record, an empty Pub/Sub pull) is
	// skipped alone, and every later record is read on its own merits.
	first bool
	// probe counts down the records still decoded whatever the prefilter
	// says while none of the stream has been recognised, so that a stream
	// that starts with a record of unknown shape (a header, a custom
	// event) is still known to hold audit records; it stops at the first
	// recognised record. A stream of which none is recognised is what makes
	// a scan say it read nothing.
	probe int
}

// probeRecords bounds the records decoded in full at the start of a stream
// of no recognised shape.
const probeRecords = 32

func (p *recordParser) parse(raw normalize.RawRecord) {
	w := p.w
	pre := w.pre
	if p.first || p.probe > 0 {
		pre = nil
	}
	src := model.SourceRef{File: p.file, Index: raw.Index}
	res := normalize.ParseInto(w.scratch, raw.Data, src, pre)
	if cap(res.Events) == 1 {
		w.scratch = res.Events // the next record may reuse it: not a larger batch's
	}
	if p.probe > 0 {
		p.probe--
	}
	switch res.Kind {
	case normalize.Skipped, normalize.Parsed:
		w.c.recognised++
		p.probe = 0
	}
	switch res.Kind {
	case normalize.Skipped:
		w.c.skipped++
	case normalize.Unrecognised:
		w.c.skipped++
		if p.first {
			w.problem(p.file, raw.Index, raw.Offset, "unrecognised format: "+res.Reason+"; records of unknown shape are skipped")
		}
	case normalize.Unreadable:
		w.c.unreadable++
		w.problem(p.file, raw.Index, raw.Offset, res.Reason)
	case normalize.Parsed:
		if res.Broken {
			w.c.unreadable++
		}
		if res.Reason != "" {
			w.problem(p.file, raw.Index, raw.Offset, res.Reason)
		}
		for i := range res.Events {
			ev := &res.Events[i]
			if _, ok := w.opts.Content.Operation(ev.OperationKey); ok {
				w.ctx.change(ev)
				w.send(*ev)
			} else {
				w.ctx.add(ev)
			}
		}
	}
	p.first = false
}
