package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net/netip"
	"slices"

	"cloudwall/internal/config"
	"cloudwall/internal/content"
	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
	"cloudwall/internal/store"
)

// firstSeen learns the facts of the scan's changes into the store (who
// changed firewalls in which account, from where, with what) and, unless
// only learning, marks on each finding what is new for an account that
// has history from earlier scans, with a first-seen finding for it. An
// account without history learns and says so: with nothing to compare to,
// everything would be new.
//
// The accounts without history are counted in fresh, for freshNotices: a
// scan may call firstSeen once per account, or several times for one.
func firstSeen(ctx context.Context, st store.Store, scanID string, cfg *config.Config, c *content.Content,
	all []model.Finding, learnOnly bool, fresh freshAccounts, sum *model.Summary) ([]model.Finding, error) {
	var order []int
	for i := range all {
		if correlate.Learns(&all[i]) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return all[a].Time.Compare(all[b].Time) })
	classes := networkClasses(cfg)
	type key struct {
		cloud                model.Cloud
		account, kind, value string
	}
	seen := map[key]bool{}
	var facts []store.Fact
	var owners []int
	for _, i := range order {
		f := &all[i]
		for _, x := range correlate.FactsOf(f, classes) {
			k := key{f.Cloud, f.Account, x.Kind, x.Value}
			if seen[k] {
				continue
			}
			seen[k] = true
			facts = append(facts, store.Fact{Cloud: f.Cloud, Account: f.Account, Kind: x.Kind, Value: x.Value, Time: f.Time, FindingID: f.ID, ScanID: scanID})
			owners = append(owners, i)
		}
	}
	if len(facts) == 0 {
		return all, nil
	}
	history := map[acct]bool{}
	for _, f := range facts {
		a := acct{f.Cloud, f.Account}
		if _, ok := history[a]; ok {
			continue
		}
		h, err := st.HasHistory(ctx, f.Cloud, f.Account, scanID)
		if err != nil {
			return all, err
		}
		history[a] = h
	}
	isNew, err := st.LearnFacts(ctx, facts)
	if err != nil {
		return all, err
	}
	news := map[int][]model.FirstSeen{}
	for j, f := range facts {
		if !isNew[j] {
			continue
		}
		sum.FactsLearned++
		a := acct{f.Cloud, f.Account}
		if !history[a] {
			fresh[a]++
			continue
		}
		news[owners[j]] = append(news[owners[j]], model.FirstSeen{Kind: f.Kind, Value: f.Value})
	}
	if learnOnly || len(news) == 0 {
		return all, nil
	}
	floors := map[string]model.Severity{}
	for _, cr := range c.Correlations {
		floors[cr.ID] = cr.Severity
	}
	before := len(all)
	all = correlate.FirstSeen(all, news, floors)
	made := all[before:]
	guideCorrelations(c, made)
	sum.Correlations += int64(len(made))
	return all, nil
}

// acct is an account of one cloud.
type acct struct {
	cloud   model.Cloud
	account string
}

// freshAccounts counts the facts learned for accounts without history.
type freshAccounts map[acct]int

// notices say, per account without history, that its facts were learned
// and none reported.
func (fresh freshAccounts) notices() []string {
	var out []string
	for _, a := range slices.SortedFunc(maps.Keys(fresh), func(x, y acct) int {
		return cmp.Or(cmp.Compare(x.cloud, y.cloud), cmp.Compare(x.account, y.account))
	}) {
		out = append(out, fmt.Sprintf("no history for %s account %s in the store: %d first-seen facts learned, none reported (the next scan compares with them; cloudwall learn builds a baseline from older logs)",
			a.cloud, cmp.Or(a.account, "(none)"), fresh[a]))
	}
	return out
}

// networkClasses returns a function naming the configured network classes
// that hold an address, nil when none are configured.
func networkClasses(cfg *config.Config) func(netip.Addr) []string {
	if cfg == nil || len(cfg.NetworkClasses) == 0 {
		return nil
	}
	return cfg.ClassesOf
}
