package cli

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"cloudwall/internal/config"
	"cloudwall/internal/content"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/pipeline"
)

// newLearnCommand records first-seen history from logs without reporting:
// the baseline period before first-seen findings mean something.
func newLearnCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var (
		storeSpec  string
		configPath string
		workers    int
		maxRecord  sizeFlag
		quiet      bool
	)
	cmd := &cobra.Command{
		Use:   "learn [flags] PATH... | -",
		Short: "Record who changes firewalls where (first-seen history) from older logs, without reporting findings",
		Long: `learn reads audit logs as scan does and records in the store, for each
account, the identities, access keys, source networks, network classes,
user agent families and regions that changed firewalls. Later scans report
a first-seen finding when a change comes from something the account's
history does not hold. Nothing is reported: run learn over a baseline
period (older logs) before the first scan.

Exit status: 0 learned; 1 it could not run (no store: learn needs one);
2 usage error; 4 nothing was read.`,
		Example: `  cloudwall learn --store /tmp/cw.db ./AWSLogs/2026/01/ ./AWSLogs/2026/02/
  cloudwall scan --store /tmp/cw.db ./AWSLogs/2026/03/`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("learn needs at least one PATH (or - for stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			if workers < 0 {
				return usagef("--workers must be positive")
			}
			cfgPath, err := config.Find(configPath, ".")
			if err != nil {
				return err
			}
			cfg, err := config.Load(cfgPath)
			if err != nil {
				return err
			}
			c, err := content.Load(nil, slices.Clone(cfg.Content)...)
			if err != nil {
				return err
			}
			inputs, err := ingest.Expand(ctx, args, stdin)
			if err != nil {
				return err
			}
			st, err := openStore(ctx, storeSpec, false)
			if err != nil {
				return err
			}
			if st == nil {
				return fmt.Errorf("learn needs a store: $CLOUDWALL_STORE is none; give one with --store PATH")
			}
			defer st.Close()
			// learn reports no finding, so it hides none: without the
			// suppressions its summary has no suppressed count to list
			// with a flag learn lacks, nor notices of suppressions that
			// "expired: shown again" or "matched no finding". What it
			// learns does not depend on them.
			noSup := *cfg
			noSup.Suppressions = nil
			res, err := pipeline.Scan(ctx, inputs, pipeline.Options{
				Workers: workers, Content: c, MaxRecord: int(maxRecord), Config: &noSup, Store: st,
				Learn: true, NoCorrelate: true, Filter: pipeline.Filter{MinSeverity: model.Info},
			})
			if err != nil {
				return fmt.Errorf("learn: %w", err)
			}
			defer res.Close() // the findings ranked on disk, past --max-held
			return learnReport(ctx, res.Summary, quiet, stdout, stderr)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&storeSpec, "store", "", "history store: a SQLite file or a postgres:// URL (default $CLOUDWALL_STORE, else ~/.local/share/cloudwall/cloudwall.db)")
	fl.StringVar(&configPath, "config", "", "configuration file (network classes, automation) (default ./"+config.DefaultName+" when present)")
	fl.IntVar(&workers, "workers", 0, "inputs read in parallel (default: number of CPUs)")
	fl.Var(&maxRecord, "max-record-size", "largest record, in bytes or with a unit (8MiB, 16MB, 1g); larger ones are reported and skipped (default 8MiB)")
	fl.BoolVarP(&quiet, "quiet", "q", false, "do not print the summary on stderr")
	return cmd
}

// learnReport says what was learned on stdout and ends like scan: the
// summary on stderr, interruption and an empty read in the exit status.
func learnReport(ctx context.Context, sum model.Summary, quiet bool, stdout, stderr io.Writer) error {
	if !sum.Interrupted {
		fmt.Fprintf(stdout, "learned %s from %s (%s): nothing reported\n",
			plural(sum.FactsLearned, "new first-seen fact", "new first-seen facts"), plural(sum.FirewallEvents, "firewall event", "firewall events"),
			plural(sum.Records, "record", "records"))
	}
	// Learn reports no finding: its summary must not count the scan's
	// findings by severity ("5 critical") as if they had been reported.
	sum.Findings, sum.Correlations, sum.FindingsFiltered, sum.Undated = nil, 0, 0, 0
	return reportRun(ctx, sum, runEnd{command: "learn", stopped: "nothing was written to the store", quiet: quiet}, stderr)
}
