package cli

import (
	"context"
	"fmt"
	"net/netip"
	"slices"

	"cloudwall/internal/config"
	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
	"cloudwall/internal/pipeline"
	"cloudwall/internal/traffic"
)

// flowInputs expands the --flows paths before the scan starts, so a typo
// fails at once rather than after the audit logs were read.
func flowInputs(ctx context.Context, paths []string) ([]ingest.Input, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	if slices.Contains(paths, ingest.StdinName) {
		return nil, usagef("--flows takes files and folders, not stdin (-)")
	}
	in, err := ingest.Expand(ctx, paths, nil)
	if err != nil {
		return nil, fmt.Errorf("--flows: %w", err)
	}
	return in, nil
}

// trustedPrefixes lists the configuration's trusted networks: flows from
// them are not use from outside.
func trustedPrefixes(cfg *config.Config) []netip.Prefix {
	if cfg == nil {
		return nil
	}
	var out []netip.Prefix
	for _, t := range cfg.Trusted {
		out = append(out, t.Prefixes...)
	}
	return out
}

// joinWindows joins flow logs to every exposure window of a timeline and
// attaches what they show to each window.
func joinWindows(ctx context.Context, inputs []ingest.Input, fts []model.FirewallTimeline, attach *traffic.Attachments, opts traffic.Options) (*model.FlowCounts, error) {
	var open []traffic.Opening
	var at []*model.Window
	for i := range fts {
		for j := range fts[i].Windows {
			w := &fts[i].Windows[j]
			if o, ok := traffic.FromWindow(w); ok {
				open = append(open, o)
				at = append(at, w)
			}
		}
	}
	attach.Apply(open)
	res, counts, err := traffic.Join(ctx, inputs, open, opts)
	if err != nil {
		return nil, fmt.Errorf("flow logs: %w", err)
	}
	fc := &model.FlowCounts{Files: counts.Files, Records: counts.Records, Flows: counts.Flows,
		Unreadable: counts.Unreadable, Skipped: counts.Skipped, Openings: int64(len(open))}
	for i := range res {
		at[i].Traffic = &res[i]
		if res[i].Verdict == model.TrafficUsed {
			fc.Used++
		}
	}
	// An account's flow logs are its data too: a window still open runs
	// to its latest flow when that is later than its latest call.
	pipeline.ExtendEnds(fts, counts.Last)
	return fc, nil
}

// withCalls adds to the --baseline attachments (nil: none) the security
// group sets that calls in the audit logs put on network interfaces.
func withCalls(attach *traffic.Attachments, findings []model.Finding) *traffic.Attachments {
	if attach == nil {
		attach = traffic.NewAttachments()
	}
	attach.AddCalls(findings)
	return attach
}

// flowJoin returns the pipeline hook that joins flow logs to what the
// findings opened: findings whose opening was used become critical and
// every finding that opened something says what the flows show. attach,
// from --baseline snapshots, names the interfaces behind each firewall.
func flowJoin(inputs []ingest.Input, attach *traffic.Attachments, opts traffic.Options) func(context.Context, []model.Finding, *model.Summary) error {
	return func(ctx context.Context, findings []model.Finding, sum *model.Summary) error {
		open, owner := traffic.Openings(findings)
		withCalls(attach, findings).Apply(open)
		res, counts, err := traffic.Join(ctx, inputs, open, opts)
		if err != nil {
			return fmt.Errorf("flow logs: %w", err)
		}
		traffic.Annotate(findings, owner, res, opts.TopN)
		fc := &model.FlowCounts{Files: counts.Files, Records: counts.Records, Flows: counts.Flows,
			Unreadable: counts.Unreadable, Skipped: counts.Skipped, Openings: int64(len(open))}
		for _, r := range res {
			if r.Verdict == model.TrafficUsed {
				fc.Used++
			}
		}
		sum.Flows = fc
		sum.Problems = append(sum.Problems, counts.Problems...)
		return nil
	}
}
