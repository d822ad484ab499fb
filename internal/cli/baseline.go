package cli

import (
	"context"
	"fmt"

	"cloudwall/internal/model"
	"cloudwall/internal/snapshot"
)

// readBaseline reads --baseline snapshots into the firewalls the state
// engine starts from; managed prefix lists become prefix_list firewalls so
// rules that reference them resolve. Unreadable records are counted and
// reported in the returned summary, never fatal.
func readBaseline(ctx context.Context, paths []string) ([]model.Firewall, model.Summary, error) {
	if len(paths) == 0 {
		return nil, model.Summary{}, nil
	}
	set, err := snapshot.ReadPaths(ctx, paths, nil, snapshot.Options{})
	if err != nil {
		return nil, model.Summary{}, fmt.Errorf("--baseline: %w", err)
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
	return fws, set.Summary, nil
}
