package cli

import (
	"context"
	"fmt"

	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
	"cloudwall/internal/traffic"
)

// baseline is what --baseline snapshots give a scan or timeline: the
// firewalls the replay starts from, and the network interfaces behind
// them for the flow-log join.
type baseline struct {
	firewalls []model.Firewall
	attach    *traffic.Attachments
}

// readBaseline reads --baseline snapshots into the firewalls the state
// engine starts from; managed prefix lists become prefix_list firewalls so
// rules that reference them resolve. Unreadable records are counted and
// reported in the returned summary, never fatal. maxRecord bounds one
// snapshot document when the user gave --max-record-size (0: the
// snapshot default, as audit reads them).
func readBaseline(ctx context.Context, paths []string, maxRecord int) (baseline, model.Summary, error) {
	if len(paths) == 0 {
		return baseline{}, model.Summary{}, nil
	}
	set, err := snapshot.ReadPaths(ctx, paths, nil, snapshot.Options{MaxRecord: maxRecord})
	if err != nil {
		return baseline{}, model.Summary{}, fmt.Errorf("--baseline: %w", err)
	}
	attach := traffic.NewAttachments()
	for _, eni := range set.Interfaces {
		attach.AddInterface(eni.ID, eni.Subnet, eni.Instance, eni.Groups)
	}
	for i := range set.Firewalls {
		attach.AddFirewall(&set.Firewalls[i])
	}
	fws := set.Firewalls
	for _, pl := range set.PrefixLists {
		r := model.Rule{}
		for _, c := range pl.CIDRs {
			r.Peers = append(r.Peers, model.Peer{Kind: model.PeerCIDR, Value: c})
		}
		fws = append(fws, model.Firewall{Cloud: model.AWS, Account: pl.Account,
			Resource: model.Resource{Type: "prefix_list", ID: pl.ID, Name: pl.Name}, Rules: []model.Rule{r}, Source: pl.Source})
	}
	return baseline{firewalls: fws, attach: attach}, set.Summary, nil
}
