package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"cloudwall/internal/config"
	"cloudwall/internal/content"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/output"
	"cloudwall/internal/pipeline"
	"cloudwall/internal/state"
	"cloudwall/internal/store"
	"cloudwall/internal/traffic"
)

type scanFlags struct {
	format      string
	outputPath  string
	minSeverity string
	failOn      string
	since       string
	until       string
	clouds      []string
	accounts    []string
	workers     int
	contentPath []string
	maxRecord   sizeFlag
	color       string
	progress    string
	quiet       bool
	noPrefilter bool
	verbose     bool
	show        string
	flows       []string
	configPath  string
	showSupp    bool
	shortWindow time.Duration
	baseline    []string
	storeSpec   string
	noStore     bool
	maxHeld     int
	noCorrelate bool
}

func newScanCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "scan [flags] PATH... | -",
		Short: "Hunt for firewall tampering in audit-log files, folders, archives or stdin",
		Long: `scan reads audit logs of AWS CloudTrail, Azure Activity Log and GCP Cloud Audit
Logs and reports every firewall change, ranked by exposure.

PATH is a file, a folder (read recursively) or - for stdin. Compression
(gzip, zstd, bzip2) and archives (tar, zip) are recognised by content, and
formats are recognised per file, so clouds and shapes mix freely in one run.

Exit status: 0 the scan completed; 1 it could not run; 2 usage error;
3 a finding at or above --fail-on was reported (they are listed on stderr);
4 nothing was read (no input, or not one readable record); 130 or 143
stopped by SIGINT or SIGTERM (the findings so far are written).`,
		Example: `  cloudwall scan ./AWSLogs/ ./insights-activity-logs/ gcp-export.json.gz
  aws s3 cp s3://trail-bucket/AWSLogs/123456789012/CloudTrail/us-east-1/2026/03/14/x.json.gz - | cloudwall scan -
  cloudwall scan --since 2026-03-01 --min-severity high --format jsonl ./logs > findings.jsonl
  cloudwall scan --fail-on high ./logs   # exit 3 when anything high or critical is found`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("scan needs at least one PATH (or - for stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd.Context(), f, args, stdin, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "", "output format: "+strings.Join(output.Formats(), ", ")+" (default table on a terminal, jsonl otherwise)")
	fl.StringVarP(&f.outputPath, "output", "o", "", "write findings to this file instead of stdout")
	fl.StringVar(&f.minSeverity, "min-severity", "low", "report findings at or above this severity: info, low, medium, high, critical")
	fl.StringVar(&f.failOn, "fail-on", "", "exit with status 3 when a reported finding is at or above this severity")
	fl.StringVar(&f.since, "since", "", "only events at or after this time: RFC 3339, a date (2026-03-01), or an age (36h, 7d, 2w)")
	fl.StringVar(&f.until, "until", "", "only events at or before this time (same forms as --since)")
	fl.StringSliceVar(&f.clouds, "cloud", nil, "only these clouds: aws, azure, gcp (repeat or comma-separate)")
	fl.StringSliceVar(&f.accounts, "account", nil, "only these AWS accounts, Azure subscriptions or GCP projects")
	fl.IntVar(&f.workers, "workers", 0, "inputs read in parallel (default: number of CPUs)")
	fl.StringArrayVar(&f.contentPath, "content", nil, "YAML file extending or overriding the detection content (ports, severity weights, operations); repeatable; applied after the configuration's content files")
	fl.StringVar(&f.configPath, "config", "", "configuration file (trusted networks, automation, approvals, suppressions) (default ./"+config.DefaultName+" when present)")
	fl.StringVar(&f.storeSpec, "store", "", "history store: a SQLite file or a postgres:// URL (default $CLOUDWALL_STORE, else ~/.local/share/cloudwall/cloudwall.db)")
	fl.BoolVar(&f.noStore, "no-store", false, "keep no history: nothing is read from or written to a store")
	fl.IntVar(&f.maxHeld, "max-held", pipeline.DefaultMaxHeld, "firewall operations and findings held in memory; past it records are folded and findings ranked in a temporary file, so memory stays bounded (all are still reported)")
	fl.BoolVar(&f.noCorrelate, "no-correlate", false, "report single findings only: no mass-change, failed-then-succeeded, short-lived-exposure or other correlation findings")
	fl.BoolVar(&f.showSupp, "show-suppressed", false, "also list the findings a suppression hides, tagged suppressed")
	fl.Var(&f.maxRecord, "max-record-size", "largest record, in bytes or with a unit (8MiB, 16MB, 1g); larger ones are reported and skipped (default 8MiB)")
	fl.StringVar(&f.color, "color", "auto", "colour the table: auto, always, never (NO_COLOR is honoured)")
	fl.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always, never")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "do not print the summary on stderr")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print each finding in full (reasons, changes, exposure, guidance) instead of a table row")
	fl.StringVar(&f.show, "show", "", "print in full only the findings whose id starts with `ID` (the table's ID column)")
	fl.BoolVar(&f.noPrefilter, "no-prefilter", false, "decode every record instead of only possible firewall events (slower; for verification)")
	_ = fl.MarkHidden("no-prefilter")
	fl.StringArrayVar(&f.baseline, "baseline", nil, "configuration snapshots (aws ec2 describe-*, az network nsg list, gcloud ... --format=json, Terraform state) the replay starts from: findings gain before and after and a severity that uses them; repeatable")
	fl.DurationVar(&f.shortWindow, "short-window", state.DefaultShortWindow, "call out exposure windows opened and closed within this long")
	fl.StringArrayVar(&f.flows, "flows", nil, "flow logs (AWS VPC, Azure NSG/VNet, GCP VPC and firewall-rules logging) to tell whether each opening was used; file or folder, repeatable")
	completeValues(cmd, "format", output.Formats()...)
	completeValues(cmd, "min-severity", severityNames()...)
	completeValues(cmd, "fail-on", severityNames()...)
	completeValues(cmd, "cloud", cloudNames...)
	completeValues(cmd, "color", "auto", "always", "never")
	completeValues(cmd, "progress", "auto", "always", "never")
	return cmd
}

func runScan(ctx context.Context, f scanFlags, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	now := time.Now()
	filter, err := f.filter(now)
	if err != nil {
		return err
	}
	if f.maxHeld < 1 {
		return usagef("--max-held must be at least 1")
	}
	s, err := f.setup(ctx, output.Formats(), stdout, stderr)
	if err != nil {
		return err
	}
	if s.outFile != nil {
		defer s.outFile.Close()
	}
	format, failOn, cfg, c, out := s.format, s.failOn, s.cfg, s.content, s.out
	inputs, err := ingest.Expand(ctx, args, stdin)
	if err != nil {
		return err
	}
	base, baseSum, err := readBaseline(ctx, f.baseline, int(f.maxRecord))
	if err != nil {
		return err
	}
	for _, p := range baseSum.Problems {
		fmt.Fprintf(stderr, "cloudwall: baseline: %s: record %d: %s\n", p.File, p.Index, p.Message)
	}
	st, err := openStore(ctx, f.storeSpec, f.noStore)
	if err != nil {
		return err
	}
	if st != nil {
		defer st.Close()
	}
	flowIn, err := flowInputs(ctx, f.flows)
	if err != nil {
		return err
	}
	var enrich func(context.Context, []model.Finding, *model.Summary) error
	if len(f.flows) > 0 {
		enrich = flowJoin(flowIn, base.attach, traffic.Options{Workers: f.workers, MaxRecord: int(f.maxRecord), Trusted: trustedPrefixes(cfg)})
	}

	var raw atomic.Int64
	stopProgress := func() {}
	if s.progress {
		stopProgress = startProgress(stderr, inputs, &raw)
	}
	res, err := pipeline.Scan(ctx, inputs, pipeline.Options{
		Workers:     f.workers,
		Content:     c,
		Filter:      filter,
		MaxRecord:   int(f.maxRecord),
		NoPrefilter: f.noPrefilter,
		RawBytes:    &raw,
		Enrich:      enrich,
		Config:      cfg,
		Now:         now,
		State:       &pipeline.StateOptions{ShortWindow: f.shortWindow, Baseline: base.firewalls},
		Store:       st,
		MaxHeld:     f.maxHeld,
		NoCorrelate: f.noCorrelate,
	})
	stopProgress()
	if err != nil {
		if in, ok := interruption(ctx); ok {
			// A store call cut short by the stop: the scan's own error.
			fmt.Fprintf(stderr, "cloudwall: scan %s: %v\n", in, err)
			return errInterrupted
		}
		return fmt.Errorf("scan: %w", err)
	}

	defer res.Close()
	bv := currentVersion()
	opts := output.Options{Color: s.color, Version: bv.Version, Revision: bv.Revision, Verbose: f.verbose || f.show != "", Rules: catalogueHelp(c), Guide: catalogueGuide(c)}
	opts.Width = tableWidth(s.stdoutTTY)
	switch {
	case res.Spill != nil && res.Summary.Interrupted:
		fmt.Fprintf(stderr, "cloudwall: more than --max-held %d firewall operations: folded and ranked on disk in a temporary file (removed at exit); the scan was stopped: the %d findings ranked by then are reported\n", f.maxHeld, res.Summary.Spilled)
	case res.Spill != nil && res.Spill.Held < f.maxHeld:
		fmt.Fprintf(stderr, "cloudwall: firewall operations with long actors, user agents or resources: folded and ranked on disk in a temporary file (removed at exit), %d at a time (fewer than --max-held %d); all %d findings are reported\n", res.Spill.Held, f.maxHeld, res.Summary.Spilled)
	case res.Spill != nil:
		fmt.Fprintf(stderr, "cloudwall: more than --max-held %d firewall operations: folded and ranked on disk in a temporary file (removed at exit); all %d findings are reported\n", f.maxHeld, res.Summary.Spilled)
	}
	res.Summary.SuppressedShown = f.showSupp && res.Summary.Suppressed > 0
	if res.Spill != nil && output.Streams(format) && f.show == "" && !f.verbose {
		var written int64
		err = output.WriteEach(out, format, func(fn func(model.Finding) error) error {
			fn = untilStop(ctx, fn, &written)
			err := res.EachFinding(fn)
			if err == nil && f.showSupp {
				err = res.EachSuppressed(fn)
			}
			if errors.Is(err, errWriteStopped) {
				writeCut(stderr, written, res.Summary.Spilled)
				return nil // the document ends with the findings written
			}
			return err
		}, res.Summary, opts)
		if err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
	} else {
		if res.Spill != nil {
			fmt.Fprintf(stderr, "cloudwall: --format %s needs every finding at once: reading them back into memory (jsonl, csv and ocsf write them one at a time)\n", format)
		}
		shown, err := heldFindings(ctx, &res, f.showSupp, stderr)
		if err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
		if format, shown, err = detailView(f, format, shown); err != nil {
			return err
		}
		if err := output.Write(out, format, shown, res.Summary, opts); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
	}
	if s.outFile != nil {
		if err := s.outFile.Close(); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
	}
	return report(ctx, res, format, f, failOn, stderr)
}

// errWriteStopped ends the writing of findings read back from disk at a
// stop: reading them is most of the time a large scan's output takes.
var errWriteStopped = errors.New("writing stopped")

// untilStop is fn until ctx is done (looked at every 64 findings), then
// errWriteStopped; written counts the findings fn took.
func untilStop(ctx context.Context, fn func(model.Finding) error, written *int64) func(model.Finding) error {
	n := 0
	return func(x model.Finding) error {
		n++
		if n%64 == 0 && ctx.Err() != nil {
			return errWriteStopped
		}
		*written++
		return fn(x)
	}
}

// writeCut says that a stop ended the writing of the findings ranked on
// disk: the summary counts all of them, the output holds fewer.
func writeCut(stderr io.Writer, written, ranked int64) {
	fmt.Fprintf(stderr, "cloudwall: the stop ended the writing of the findings ranked on disk: %d of %d written\n", written, ranked)
}

// heldFindings returns the findings to write (and the suppressed ones
// when asked), reading them back when the scan ranked them on disk.
//
// A stop ends the reading back: the findings read by then are written.
func heldFindings(ctx context.Context, res *pipeline.Result, withSuppressed bool, stderr io.Writer) ([]model.Finding, error) {
	if res.Spill == nil {
		shown := res.Findings
		if withSuppressed {
			shown = append(slices.Clone(shown), res.Suppressed...)
		}
		return shown, nil
	}
	var all []model.Finding
	var read int64
	add := untilStop(ctx, func(f model.Finding) error { all = append(all, f); return nil }, &read)
	err := res.EachFinding(add)
	if err == nil && withSuppressed {
		err = res.EachSuppressed(add)
	}
	if errors.Is(err, errWriteStopped) {
		writeCut(stderr, read, res.Summary.Spilled)
		err = nil
	}
	if err != nil {
		return nil, err
	}
	return all, nil
}

// report ends a scan on stderr: the summary (the table already ends with
// it), then what decides the exit status. -q drops the counters but never
// a problem, an interruption or an empty scan.
func report(ctx context.Context, res pipeline.Result, format string, f scanFlags, failOn *model.Severity, stderr io.Writer) error {
	if _, ok := interruption(ctx); ok {
		// Stopped after the scan returned, while its findings were
		// written: the status still says so.
		res.Summary.Interrupted = true
	}
	summaryOnStdout := format == output.FormatTable && f.outputPath == ""
	end := runEnd{command: "scan", stopped: coveredBeforeStop, summaryOnStdout: summaryOnStdout, quiet: f.quiet}
	if err := reportRun(ctx, res.Summary, end, stderr); err != nil {
		return err
	}
	if failOn == nil {
		return nil
	}
	const show = 20
	var tripped []model.Finding // the first show of them
	var n int64
	err := res.EachFinding(func(x model.Finding) error {
		if x.Severity >= *failOn {
			n++
			if len(tripped) < show {
				tripped = append(tripped, x)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return nil
	}
	fmt.Fprintf(stderr, "cloudwall: --fail-on %s: %s at or above %s:\n", failOn, plural(n, "finding", "findings"), failOn)
	for _, x := range tripped {
		fmt.Fprintf(stderr, "  %-8s %s  %s (%s)\n", x.Severity, x.ID, oneLine(x.Title), model.RecordPlace(oneLine(x.Event.File), x.Event.Index))
	}
	if n > show {
		fmt.Fprintf(stderr, "  ... and %d more\n", n-show)
	}
	return errFindings
}

// coveredBeforeStop is what a stopped scan or timeline leaves behind.
const coveredBeforeStop = "the findings written cover only what was read before the stop"

// runEnd is how a command that reads logs ends its run.
type runEnd struct {
	command string // scan, timeline, learn
	// stopped says what a stop leaves behind.
	stopped         string
	summaryOnStdout bool // the table already holds the summary
	quiet           bool // -q: only the summary's problems
}

// reportRun writes the summary (unless the table already holds it on
// stdout; only its problems under -q) and says on stderr what makes the
// run's status other than 0 before --fail-on: an interruption (130/143)
// or nothing read (4). scan, timeline and learn end through it.
func reportRun(ctx context.Context, sum model.Summary, end runEnd, stderr io.Writer) error {
	summaryOnStdout, quiet := end.summaryOnStdout, end.quiet
	switch {
	case summaryOnStdout:
	case quiet:
		_ = output.WriteProblems(stderr, sum)
	default:
		_ = output.WriteSummary(stderr, sum, output.Options{Color: isTerminal(stderr) && os.Getenv("NO_COLOR") == ""})
	}
	if sum.Interrupted {
		cause := "interrupted"
		if in, ok := interruption(ctx); ok {
			cause = in.Error()
		}
		fmt.Fprintf(stderr, "cloudwall: %s %s: %s\n", end.command, cause, end.stopped)
		return errInterrupted
	}
	if sum.Records == sum.Unreadable {
		fmt.Fprintf(stderr, "cloudwall: error: nothing was read: %s, %s, none readable (exit status %d)\n",
			plural(sum.Files, "input", "inputs"), plural(sum.Records, "record", "records"), ExitNoInput)
		return errNothingRead
	}
	if sum.Recognised == 0 {
		// Valid JSON, but not one record of a shape cloudwall reads: the
		// scan watched the wrong files, which must not pass as clean.
		fmt.Fprintf(stderr, "cloudwall: error: nothing was read: %s, %s, none of a format cloudwall reads (exit status %d)\n",
			plural(sum.Files, "input", "inputs"), plural(sum.Records, "record", "records"), ExitNoInput)
		return errNothingRead
	}
	return nil
}

// create opens path for writing, truncating it, without holding up a
// stop: opening a FIFO waits for a reader, and a signal must still end
// the scan. (Write-only: os.Create's read-write open of a FIFO would
// never wait and would write into the void.)
func create(ctx context.Context, path string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o666)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		return o.f, o.err
	case <-ctx.Done():
		go func() {
			if o := <-ch; o.f != nil {
				o.f.Close()
			}
		}()
		return nil, context.Cause(ctx)
	}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(n, 10) + " " + many
}

// oneLine keeps a logged value from breaking the line or the terminal.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
}

func (f scanFlags) filter(now time.Time) (pipeline.Filter, error) {
	var flt pipeline.Filter
	var err error
	if flt.MinSeverity, err = model.ParseSeverity(f.minSeverity); err != nil {
		return flt, usagef("--min-severity: %v", err)
	}
	if flt.Since, err = parseWhen(f.since, now, false); err != nil {
		return flt, usagef("--since: %v", err)
	}
	if flt.Until, err = parseWhen(f.until, now, true); err != nil {
		return flt, usagef("--until: %v", err)
	}
	if !flt.Since.IsZero() && !flt.Until.IsZero() && flt.Until.Before(flt.Since) {
		return flt, usagef("--until %s is before --since %s", f.until, f.since)
	}
	if flt.Clouds, err = parseClouds(f.clouds); err != nil {
		return flt, err
	}
	for _, a := range f.accounts {
		if a = strings.TrimSpace(a); a != "" {
			flt.Accounts = append(flt.Accounts, a)
		}
	}
	return flt, nil
}

// openStore opens the history store the flags name; nil means none.
func openStore(ctx context.Context, spec string, none bool) (store.Store, error) {
	if none {
		if spec != "" {
			return nil, usagef("--store and --no-store exclude each other")
		}
		return nil, nil
	}
	st, err := store.Open(ctx, spec)
	if errors.Is(err, store.ErrNoStore) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%w (choose another with --store PATH, or run with --no-store)", err)
	}
	return st, nil
}

// parseWhen reads a time bound: RFC 3339, a date, a date and minute, or an
// age before now ("36h", "7d", "2w"). A bare date as an upper bound means
// the end of that day.
func parseWhen(s string, now time.Time, upper bool) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		if upper {
			t = t.Add(24*time.Hour - time.Nanosecond)
		}
		return t, nil
	}
	if n := len(s); n > 1 {
		unit := map[byte]time.Duration{'d': 24 * time.Hour, 'w': 7 * 24 * time.Hour}[s[n-1]]
		if unit != 0 {
			if k, err := strconv.ParseInt(s[:n-1], 10, 64); err == nil && k >= 0 {
				if k > math.MaxInt64/int64(unit) {
					return time.Time{}, fmt.Errorf("age %q is too large: at most %d%c (about 292 years)", s, math.MaxInt64/int64(unit), s[n-1])
				}
				return now.Add(-time.Duration(k) * unit).UTC(), nil
			}
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 (2026-03-01T10:00:00Z), a date (2026-03-01) or an age (36h, 7d, 2w)", s)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// startProgress draws a byte-count progress bar on w until the returned
// function is called.
func startProgress(w io.Writer, inputs []ingest.Input, raw *atomic.Int64) func() {
	total := int64(0)
	for _, in := range inputs {
		if in.Size < 0 {
			total = -1 // stdin: size unknown, show a spinner
			break
		}
		total += in.Size
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetDescription("scanning"),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSetWidth(30),
	)
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(150 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				_ = bar.Set64(raw.Load())
				_ = bar.Finish()
				return
			case <-t.C:
				_ = bar.Set64(raw.Load())
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// catalogueHelp describes the operation catalogue's rules for SARIF.
func catalogueHelp(c *content.Content) []output.RuleHelp {
	var out []output.RuleHelp
	for _, op := range c.Operations {
		texts := func(steps []content.Step) string {
			var out []string
			for _, s := range steps {
				out = append(out, s.Text)
			}
			return strings.Join(out, " ")
		}
		help := ""
		if g := op.Guidance; len(g.Investigate)+len(g.Respond) > 0 {
			help = "Investigate: " + texts(g.Investigate) + " Respond: " + texts(g.Respond)
		}
		out = append(out, output.RuleHelp{ID: op.ID, Description: op.Description, Help: help, Severity: op.Severity})
	}
	for _, cr := range c.Correlations {
		out = append(out, output.RuleHelp{ID: cr.ID, Description: cr.Description, Help: cr.Why, Severity: cr.Severity})
	}
	return out
}
