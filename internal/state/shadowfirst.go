package state

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
)

// firstMatches returns, for each probe of qs, the first of the rows up
// to k (in evaluation order) that matches it, or -1: what matching each
// probe against each row in turn finds (firstMatch). The rows in scope of
// a probe (its direction, protocol, port and targets) are listed once per
// firewall (scopes), and the address probes of one scope are matched in
// one sweep when every row in scope matches addresses by its prefixes
// alone: rows in order, each takes the probes its prefixes hold that no
// earlier row took. A network of tens of thousands of GCP rules has a
// world-open rule probed at thousands of addresses, each of which was
// matched against thousands of rules, and each rule's probes sorted the
// rules into scope anew.
func (e *Engine) firstMatches(rows []row, k int, qs []Query, sc scopes) []int {
	out := make([]int, len(qs))
	type scope struct {
		rows  []int // rows up to k in scope, with peers
		addrs []int // the scope's address probes
	}
	byKey := map[string]*scope{}
	var order []*scope
	for i, q := range qs {
		key := scopeKey(q)
		s := byKey[key]
		if s == nil {
			all := sc.of(rows, key, q)
			n, _ := slices.BinarySearch(all, k+1)
			s = &scope{rows: all[:n]}
			byKey[key] = s
			order = append(order, s)
		}
		if q.Named == nil && q.Peer.IsValid() && q.Peer.Zone() == "" {
			s.addrs = append(s.addrs, i)
			continue
		}
		out[i] = e.firstMatch(rows, s.rows, q)
	}
	for _, s := range order {
		if slices.ContainsFunc(s.rows, func(j int) bool { return !byPrefixes(rows[j].r) }) {
			for _, i := range s.addrs {
				out[i] = e.firstMatch(rows, s.rows, qs[i])
			}
			continue
		}
		sweep(rows, s.rows, s.addrs, qs, out)
	}
	return out
}

// scopes lists, by scopeKey, the rows of one firewall in scope of a query
// and with peers, ascending.
type scopes map[string][]int

func (sc scopes) of(rows []row, key string, q Query) []int {
	if l, ok := sc[key]; ok {
		return l
	}
	l := []int{}
	for j := range rows {
		if r := rows[j].r; inScope(r, q) && len(r.Peers) > 0 {
			l = append(l, j)
		}
	}
	sc[key] = l
	return l
}

// firstMatch is the first of the rows in (in order) that matches q, or -1.
func (e *Engine) firstMatch(rows []row, in []int, q Query) int {
	for _, j := range in {
		if ok, _ := e.matchesPeer(rows[j].r, q); ok {
			return j
		}
	}
	return -1
}

// sweep sets out for the address probes ps: each is taken by the first
// row of in whose prefixes hold its address. The probes are sorted by
// address, so those a prefix holds are one stretch; next skips the ones
// taken already.
func sweep(rows []row, in []int, ps []int, qs []Query, out []int) {
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b int) int { return qs[a].Peer.Unmap().Compare(qs[b].Peer.Unmap()) })
	addrs := make([]netip.Addr, len(ps))
	next := make([]int, len(ps)+1)
	for k, i := range ps {
		addrs[k] = qs[i].Peer.Unmap()
		next[k] = k
		out[i] = -1
	}
	next[len(ps)] = len(ps)
	find := func(k int) int {
		for next[k] != k {
			next[k] = next[next[k]]
			k = next[k]
		}
		return k
	}
	for _, j := range in {
		for _, n := range rows[j].r.nets {
			lo, _ := slices.BinarySearchFunc(addrs, n.Masked().Addr(), netip.Addr.Compare)
			for k := find(lo); k < len(ps) && n.Contains(addrs[k]); k = find(k + 1) {
				out[ps[k]] = j
				next[k] = k + 1
			}
		}
	}
}

// byPrefixes says r matches an address exactly when one of its parsed
// prefixes holds it: none of its peers is any address, a service tag or a
// prefix list, which match addresses otherwise.
func byPrefixes(r *rule) bool {
	return !slices.ContainsFunc(r.Peers, func(p model.Peer) bool {
		return p.Kind == model.PeerAny || p.Kind == model.PeerServiceTag || p.Kind == model.PeerPrefixList
	})
}

// scopeKey is what inScope reads of a query.
func scopeKey(q Query) string {
	return string(q.Direction) + "|" + q.Protocol + "|" + strconv.Itoa(q.Port) + "|" + strconv.FormatBool(q.Scoped) + "|" + strings.Join(q.Targets, "\x00")
}
