package cli

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"cloudwall/internal/audit"
	"cloudwall/internal/config"
	"cloudwall/internal/content"
	"cloudwall/internal/detect"
	"cloudwall/internal/model"
	"cloudwall/internal/output"
	"cloudwall/internal/pipeline"
	"cloudwall/internal/snapshot"
)

// reportFlags are the flags audit and diff share with scan: output,
// filters, exit status.
type reportFlags struct {
	scanFlags
	staleAfter string
	asOf       string
}

func (f *reportFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVarP(&f.format, "format", "f", "", "output format: "+strings.Join(output.Formats(), ", ")+" (default table on a terminal, jsonl otherwise)")
	fl.StringVarP(&f.outputPath, "output", "o", "", "write findings to this file instead of stdout")
	fl.StringVar(&f.minSeverity, "min-severity", "low", "report findings at or above this severity: info, low, medium, high, critical")
	fl.StringVar(&f.failOn, "fail-on", "", "exit with status 3 when a reported finding is at or above this severity")
	fl.StringSliceVar(&f.clouds, "cloud", nil, "only these clouds: aws, azure, gcp (repeat or comma-separate)")
	fl.StringSliceVar(&f.accounts, "account", nil, "only these AWS accounts, Azure subscriptions or GCP projects")
	fl.StringArrayVar(&f.contentPath, "content", nil, "YAML file extending or overriding the detection content, as for scan; repeatable; applied after the configuration's content files")
	fl.StringVar(&f.configPath, "config", "", "configuration file, as for scan: trusted networks, suppressions, content (default ./"+config.DefaultName+" when present)")
	fl.Var(&f.maxRecord, "max-record-size", "largest JSON document: bytes or a size such as 64MiB (default 64 MiB)")
	fl.StringVar(&f.color, "color", "auto", "colour the table: auto, always, never (NO_COLOR is honoured)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "do not print the summary on stderr")
	fl.BoolVar(&f.showSupp, "show-suppressed", false, "also list the findings a suppression hides, tagged suppressed")
}

func newAuditCommand(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "audit [flags] SNAPSHOT... | -",
		Short: "Judge firewall snapshots and Terraform plans: overly broad, shadowed, temporary and stale rules",
		Long: `audit reads configuration snapshots (aws ec2 describe-security-groups,
describe-network-acls, describe-network-interfaces, AWS Config items, az network
nsg list/show, ARM GETs, gcloud compute firewall-rules list --format=json, Cloud
Asset Inventory exports, terraform show -json of a state or a plan) and judges
every rule in force with the scan's exposure logic: what it opens, what the
snapshot says it reaches, whether an earlier rule shadows it, whether it was
meant to be temporary. A Terraform plan is judged by what it would change.

Files are recognised by content (any compression, archives, folders); a file
of unknown shape is reported and skipped. API recordings around a snapshot
(boto placebo, VCR cassettes, HTTP flights, Azure REST spec examples) are read
inside their wrapper: a cassette's successful GETs in order, the later winning.

Exit status: 0 the audit completed, 1 it could not run, 2 usage error,
3 a finding at or above --fail-on was reported.`,
		Example: `  aws ec2 describe-security-groups > sg.json; aws ec2 describe-network-interfaces > eni.json
  cloudwall audit sg.json eni.json
  cloudwall audit testdata/snapshots
  terraform show -json tfplan > tfplan.json; cloudwall audit tfplan.json --fail-on high --format sarif`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("audit needs at least one SNAPSHOT path (or - for stdin)")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.maxHeld < 1 {
				return usagef("--max-held must be at least 1")
			}
			return runReport(cmd.Context(), f, stdout, stderr, func(a *audit.Auditor, opts snapshot.Options, add func(model.Finding) error) (model.Summary, error) {
				set, err := snapshot.ReadPaths(cmd.Context(), args, stdin, opts)
				if err != nil {
					return model.Summary{}, err
				}
				defer set.Close()
				if err := a.Each(set, add); err != nil {
					return model.Summary{}, err
				}
				if set.Spilled() {
					fmt.Fprintf(stderr, "cloudwall: more than --max-held %d firewalls: sorted on disk in a temporary file (removed at exit) and judged one at a time; all are reported\n", f.maxHeld)
				}
				return set.Summary, nil
			})
		},
	}
	f.register(cmd)
	cmd.Flags().IntVar(&f.maxHeld, "max-held", pipeline.DefaultMaxHeld, "firewalls held in memory while reading; past it they are sorted in a temporary file and judged one at a time, so memory stays bounded (all are still judged)")
	cmd.Flags().StringVar(&f.staleAfter, "stale-after", "90d", "report broad rules created longer ago than this (where the snapshot has dates): 90d, 12w, 2160h")
	cmd.Flags().StringVar(&f.asOf, "as-of", "", "measure rule ages from this time instead of now (RFC 3339 or a date), for reproducible reports")
	return cmd
}

func newDiffCommand(stdout, stderr io.Writer) *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "diff [flags] SNAPSHOTS_A SNAPSHOTS_B",
		Short: "Compare two snapshot sets: rules added, removed, widened and narrowed",
		Long: `diff reads two snapshot sets (each a file or folder, read as audit reads them),
matches firewalls by id and rules by identity (NACL rule number, security group
permission, NSG and GCP rule name), and reports every rule added, removed,
widened or narrowed from A to B, judged with the scan's exposure logic.

Exit status: 0 the diff completed, 1 it could not run, 2 usage error,
3 a finding at or above --fail-on was reported.`,
		Example: `  cloudwall diff snapshots-monday/ snapshots-friday/
  cloudwall diff --min-severity high --fail-on high before.json after.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usagef("diff needs two snapshot sets (files or folders), got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runReport(cmd.Context(), f, stdout, stderr, func(a *audit.Auditor, opts snapshot.Options, add func(model.Finding) error) (model.Summary, error) {
				sa, err := snapshot.ReadPaths(cmd.Context(), args[:1], nil, opts)
				if err != nil {
					return model.Summary{}, err
				}
				sb, err := snapshot.ReadPaths(cmd.Context(), args[1:], nil, opts)
				if err != nil {
					return model.Summary{}, err
				}
				for _, x := range a.Diff(sa, sb) {
					if err := add(x); err != nil {
						return model.Summary{}, err
					}
				}
				return mergeSummaries(sa.Summary, sb.Summary), nil
			})
		},
	}
	f.register(cmd)
	return cmd
}

// fileMtime is a regular file's modification time.
func fileMtime(path string) (time.Time, bool) {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return time.Time{}, false
	}
	return st.ModTime(), true
}

func mergeSummaries(a, b model.Summary) model.Summary {
	a.Files += b.Files
	a.FilesFailed += b.FilesFailed
	a.Bytes += b.Bytes
	a.BytesUncompressed += b.BytesUncompressed
	a.Records += b.Records
	a.Unreadable += b.Unreadable
	a.Skipped += b.Skipped
	a.Recognised += b.Recognised
	a.Firewalls += b.Firewalls
	a.Rules += b.Rules
	a.Elapsed += b.Elapsed
	a.Problems = append(a.Problems, b.Problems...)
	return a
}

// runReport is audit's and diff's shared path: flags to options, read and
// judge, filter, write, exit status; as scan does. judge hands each
// finding to add as it is made: it is dated, suppressed and filtered
// there, and ranked holding at most --max-held (audit; diff holds its
// findings, having held both sets), the rest in a temporary file.
func runReport(ctx context.Context, f reportFlags, stdout, stderr io.Writer,
	judge func(a *audit.Auditor, opts snapshot.Options, add func(model.Finding) error) (model.Summary, error)) error {
	start := time.Now()
	now := start
	if f.asOf != "" {
		t, err := parseWhen(f.asOf, start, false)
		if err != nil {
			return usagef("--as-of: %v", err)
		}
		now = t
	}
	filter, err := f.filter(now)
	if err != nil {
		return err
	}
	stale := audit.DefaultStaleAfter
	if f.staleAfter != "" {
		at, err := parseWhen(f.staleAfter, now, false)
		if err != nil || !at.Before(now) {
			return usagef("--stale-after %q: want an age such as 90d, 12w or 2160h", f.staleAfter)
		}
		stale = now.Sub(at)
	}
	format := f.format
	stdoutTTY := isTerminal(stdout) && f.outputPath == ""
	if format == "" {
		format = output.FormatJSONL
		if stdoutTTY {
			format = output.FormatTable
		}
	}
	format, err = parseFormat(format)
	if err != nil {
		return err
	}
	var failOn *model.Severity
	if f.failOn != "" {
		s, err := model.ParseSeverity(f.failOn)
		if err != nil {
			return usagef("--fail-on: %v", err)
		}
		failOn = &s
	}
	color, err := parseChoice("--color", f.color, stdoutTTY && os.Getenv("NO_COLOR") == "")
	if err != nil {
		return err
	}
	// The scan's configuration, so that a peer in a trusted network is
	// judged trusted here too, and a suppression hides the same rule.
	cfgPath, err := config.Find(f.configPath, ".")
	if err != nil {
		return err
	}
	cfg, err := untilDone(ctx, func() (*config.Config, error) { return config.Load(cfgPath) })
	if err != nil {
		return err
	}
	c, err := content.Load(nil, append(slices.Clone(cfg.Content), f.contentPath...)...)
	if err != nil {
		return err
	}
	a := audit.New(detect.New(c, pipeline.TrustedNetworks(cfg)), audit.Options{StaleAfter: stale, Now: now})
	var asOf time.Time
	if f.asOf != "" {
		asOf = now
	}
	held := f.maxHeld
	if held <= 0 {
		held = math.MaxInt
	}
	ranked := pipeline.NewSpilled(held, audit.RankOrder)
	defer ranked.Close()
	sup := pipeline.NewSuppressor(cfg, now)
	var n model.Summary // what add counts
	n.Findings = map[string]int64{}
	add := func(x model.Finding) error {
		audit.Undated(&x, asOf, fileMtime, start)
		x, hidden := sup.Judge(x)
		switch {
		case !filter.Keep(x):
			n.FindingsFiltered++
			return nil
		case hidden:
			n.Suppressed++
			if !f.showSupp {
				return nil
			}
		default:
			if filter.Undated(x) {
				n.Undated++
			}
			n.Findings[x.Severity.String()]++
		}
		return ranked.Add(x, hidden)
	}
	// The options' --max-held bounds the firewalls read too.
	sum, err := judge(a, snapshot.Options{MaxRecord: int(f.maxRecord), MaxHeld: f.maxHeld}, add)
	if err != nil {
		return err
	}
	sum.Notices = append(sum.Notices, sup.Notices()...)
	sum.Findings, sum.FindingsFiltered, sum.Undated, sum.Suppressed = n.Findings, sum.FindingsFiltered+n.FindingsFiltered, sum.Undated+n.Undated, n.Suppressed
	sum.SuppressedShown = f.showSupp && sum.Suppressed > 0
	sum.Elapsed = time.Since(start)
	res := pipeline.Result{Summary: sum, Spill: ranked}
	each := func(fn func(model.Finding) error) error {
		err := ranked.Findings(fn)
		if err == nil && f.showSupp {
			err = ranked.Suppressed(fn)
		}
		return err
	}

	out := stdout
	var file *os.File
	if f.outputPath != "" {
		if file, err = os.Create(f.outputPath); err != nil {
			return err
		}
		defer file.Close()
		out = file
	}
	bv := currentVersion()
	opts := output.Options{Color: color, Version: bv.Version, Revision: bv.Revision, Rules: auditRuleHelp()}
	opts.Width = tableWidth(stdoutTTY)
	if output.Streams(format) {
		err = output.WriteEach(out, format, each, sum, opts)
	} else {
		findings := []model.Finding{}
		if err = each(func(x model.Finding) error { findings = append(findings, x); return nil }); err == nil {
			err = output.Write(out, format, findings, sum, opts)
		}
	}
	if err != nil {
		return fmt.Errorf("write findings: %w", err)
	}
	if file != nil {
		if err := file.Close(); err != nil {
			return fmt.Errorf("write findings: %w", err)
		}
	}
	// The scan's ending: summary, nothing-read (exit 4), --fail-on (exit 3
	// with the findings that tripped it).
	return report(ctx, res, format, f.scanFlags, failOn, stderr)
}

// auditRuleHelp describes the audit and diff rules for SARIF.
func auditRuleHelp() []output.RuleHelp {
	var out []output.RuleHelp
	for _, r := range audit.Rules() {
		out = append(out, output.RuleHelp{ID: r.ID, Description: r.Description, Severity: r.Severity})
	}
	return out
}
