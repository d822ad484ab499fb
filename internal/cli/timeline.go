package cli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"cloudwall/internal/config"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/output"
	"cloudwall/internal/pipeline"
	"cloudwall/internal/state"
	"cloudwall/internal/traffic"
)

func newTimelineCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f scanFlags
	cmd := &cobra.Command{
		Use:   "timeline [flags] PATH... | -",
		Short: "Replay firewall changes: each firewall's history and exposure windows",
		Long: `timeline replays every firewall change in the audit logs, in event-time
order whatever the order of the files, and prints per firewall what each
call did and when the internet could reach what: exposure windows such as
"sg-0abc tcp/22 open to 0.0.0.0/0 from 10:02:11 to 10:47:40 (45m29s),
opened by X from 203.0.113.9, closed by Y". Windows still open at the end
of the logs are marked open; windows closed within --short-window are
called out. Firewalls are sorted by exposure. Each window and change
carries the commands that undo it (printed, never run).

Without a baseline the state is what the logs show: rules added,
removed or replaced; what came before the first event is reported as
unknown.

Inputs, filters and exit status are those of scan: 0 completed, 1 could
not run, 2 usage error, 3 a window or change at or above --fail-on (the
firewalls are named on stderr), 4 nothing was read, 130 or 143 stopped
by a signal.`,
		Example: `  cloudwall timeline testdata/samples
  cloudwall timeline --min-severity high --format markdown ./AWSLogs/ > timeline.md`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("timeline needs at least one PATH (or - for stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTimeline(cmd.Context(), f, args, stdin, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "", "output format: "+strings.Join(output.TimelineFormats(), ", ")+" (default table on a terminal, jsonl otherwise)")
	fl.StringVarP(&f.outputPath, "output", "o", "", "write the timeline to this file instead of stdout")
	fl.StringVar(&f.minSeverity, "min-severity", "low", "show windows and changes at or above this severity: info, low, medium, high, critical")
	fl.StringVar(&f.failOn, "fail-on", "", "exit with status 3 when a shown window or change is at or above this severity")
	fl.StringVar(&f.since, "since", "", "only events at or after this time: RFC 3339, a date (2026-03-01), or an age (36h, 7d, 2w)")
	fl.StringVar(&f.until, "until", "", "only events at or before this time (same forms as --since)")
	fl.StringSliceVar(&f.clouds, "cloud", nil, "only these clouds: aws, azure, gcp (repeat or comma-separate)")
	fl.StringSliceVar(&f.accounts, "account", nil, "only these AWS accounts, Azure subscriptions or GCP projects")
	fl.IntVar(&f.workers, "workers", 0, "inputs read in parallel (default: number of CPUs)")
	fl.StringArrayVar(&f.flows, "flows", nil, "flow logs to tell whether each window was used from outside (as for scan); repeatable")
	fl.StringArrayVar(&f.contentPath, "content", nil, "YAML file extending or overriding the detection content, as for scan; repeatable")
	fl.StringVar(&f.configPath, "config", "", "configuration file, as for scan (default ./"+config.DefaultName+" when present)")
	fl.Var(&f.maxRecord, "max-record-size", "largest record, in bytes or with a unit (8MiB, 16MB, 1g) (default 8MiB)")
	fl.StringVar(&f.color, "color", "auto", "colour the table: auto, always, never (NO_COLOR is honoured)")
	fl.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when stderr is a terminal), always, never")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "do not print the summary on stderr")
	fl.StringArrayVar(&f.baseline, "baseline", nil, "configuration snapshots the replay starts from (as for scan --baseline); repeatable")
	fl.DurationVar(&f.shortWindow, "short-window", state.DefaultShortWindow, "call out exposure windows opened and closed within this long")
	completeValues(cmd, "format", output.TimelineFormats()...)
	completeValues(cmd, "min-severity", severityNames()...)
	completeValues(cmd, "fail-on", severityNames()...)
	completeValues(cmd, "cloud", cloudNames...)
	return cmd
}

func runTimeline(ctx context.Context, f scanFlags, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	now := time.Now()
	filter, err := f.filter(now)
	if err != nil {
		return err
	}
	s, err := f.setup(ctx, output.TimelineFormats(), stdout, stderr)
	if err != nil {
		return err
	}
	if s.outFile != nil {
		defer s.outFile.Close()
	}
	cfg, c := s.cfg, s.content
	inputs, err := ingest.Expand(ctx, args, stdin)
	if err != nil {
		return err
	}
	flowIn, err := flowInputs(ctx, f.flows)
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
	var enrich func(context.Context, []model.Finding, *model.Summary) error
	if len(f.flows) > 0 {
		enrich = func(_ context.Context, all []model.Finding, _ *model.Summary) error {
			// every call, before the display filters: the group sets calls
			// put on interfaces tie the windows' flows to them
			base.attach = withCalls(base.attach, all)
			return nil
		}
	}
	var raw atomic.Int64
	stopProgress := func() {}
	if s.progress {
		stopProgress = startProgress(stderr, inputs, &raw)
	}
	res, err := pipeline.Scan(ctx, inputs, pipeline.Options{
		Workers: f.workers, Content: c, Filter: filter, MaxRecord: int(f.maxRecord),
		NoPrefilter: f.noPrefilter, RawBytes: &raw, Config: cfg, Now: now,
		State:  &pipeline.StateOptions{ShortWindow: f.shortWindow, Timeline: true, Baseline: base.firewalls},
		Enrich: enrich,
	})
	stopProgress()
	if err != nil {
		return fmt.Errorf("timeline: %w", err)
	}
	defer res.Close() // the findings ranked on disk, past the default --max-held
	if len(f.flows) > 0 {
		fc, err := joinWindows(ctx, flowIn, res.Timeline, base.attach, traffic.Options{Workers: f.workers, MaxRecord: int(f.maxRecord), Trusted: trustedPrefixes(cfg)})
		if err != nil {
			return err
		}
		res.Summary.Flows = fc
	}
	t := output.Timeline{Firewalls: res.Timeline, End: timelineEnd(res)}
	if err := output.WriteTimeline(s.out, s.format, t, output.Options{Color: s.color, Version: Version}); err != nil {
		return fmt.Errorf("write timeline: %w", err)
	}
	if s.outFile != nil {
		if err := s.outFile.Close(); err != nil {
			return fmt.Errorf("write timeline: %w", err)
		}
	}
	// As scan ends: the summary (only its problems under -q), then an
	// interruption or an empty run, then --fail-on naming what tripped it.
	if err := reportRun(ctx, res.Summary, runEnd{command: "timeline", stopped: coveredBeforeStop, quiet: f.quiet}, stderr); err != nil {
		return err
	}
	failOn := s.failOn
	if failOn == nil {
		return nil
	}
	var tripped []model.FirewallTimeline
	for _, ft := range res.Timeline {
		if ft.Severity >= *failOn {
			tripped = append(tripped, ft)
		}
	}
	if len(tripped) == 0 {
		return nil
	}
	fmt.Fprintf(stderr, "cloudwall: --fail-on %s: %s with a window or change at or above %s:\n", failOn, plural(int64(len(tripped)), "firewall", "firewalls"), failOn)
	const show = 20
	for i, ft := range tripped {
		if i == show {
			fmt.Fprintf(stderr, "  ... and %d more\n", len(tripped)-show)
			break
		}
		fmt.Fprintf(stderr, "  %-8s %s (%s %s): %s, %s\n", ft.Severity, oneLine(ft.Firewall.ID), ft.Cloud, oneLine(ft.Account),
			plural(int64(len(ft.Windows)), "window", "windows"), plural(int64(len(ft.Changes)), "change", "changes"))
	}
	return errFindings
}

// timelineEnd is the latest event time in the result: open windows are
// measured up to it.
func timelineEnd(res pipeline.Result) time.Time {
	var end time.Time
	for _, ft := range res.Timeline {
		for _, c := range ft.Changes {
			if c.Time.After(end) {
				end = c.Time
			}
		}
	}
	return end
}
