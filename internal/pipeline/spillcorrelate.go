package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cloudwall/internal/correlate"
	"cloudwall/internal/model"
	"cloudwall/internal/policy"
)

// Every correlation, the session timelines and the first-seen facts
// stay inside one account of one cloud (mass-change and the timelines
// within one actor there, short-lived-exposure within one firewall): a
// spilled scan sorts its findings on disk by account, then time, and
// correlates one account at a time (a scan of one account skips the
// sort: time order is then account order). An account with more than maxHeld
// findings is cut where nothing can join across the cut (a gap longer
// than correlate.Options.Span); only when there is no such gap is it cut
// anyway (at the widest gap in the second half of what is held), and a
// notice says so.

// groupedFinding is a finding on its way to its account's group, with its
// place in time order (the order of the in-memory scan).
type groupedFinding struct {
	Seq int64         `json:"q"`
	F   model.Finding `json:"f"`
}

func accountOrder(a, b groupedFinding) int {
	return cmp.Or(cmp.Compare(a.F.Cloud, b.F.Cloud), cmp.Compare(a.F.Account, b.F.Account), cmp.Compare(a.Seq, b.Seq))
}

// groupCorrelator correlates the findings of one account at a time, as
// Scan does with all of them, and passes every finding (members linked,
// correlations appended) to out.
type groupCorrelator struct {
	ctx     context.Context
	opts    *Options
	cx      correlate.Context
	storing bool
	scanID  string
	sum     *model.Summary
	out     func(model.Finding) error
	max     int
	span    time.Duration

	cur   []model.Finding
	mins  []time.Time // scratch for cut
	caps  correlate.Caps
	fresh freshAccounts
	// cuts counts the pieces cut where findings were closer than span,
	// cutAccounts the accounts cut (in account order, one after another);
	// cutIn names the first three.
	cuts, cutAccounts int
	cutIn             []string
	lastCut           acct
}

// newGroupCorrelator returns a groupCorrelator passing findings to out,
// with the workers' context operations merged. Set storing and scanID
// before the first add.
func newGroupCorrelator(ctx context.Context, opts *Options, ctxBufs []*contextBuffer, maxHeld int, sum *model.Summary, out func(model.Finding) error) *groupCorrelator {
	g := &groupCorrelator{ctx: ctx, opts: opts, sum: sum, out: out, max: maxHeld, span: opts.Correlate.Span(), fresh: freshAccounts{}}
	if !opts.NoCorrelate {
		// The findings are still to come: the context is built for the
		// actors that changed firewalls, near the hours they did.
		cx, cst := mergeContext(ctxBufs, changeTimes(ctxBufs))
		sum.Notices = append(sum.Notices, cst.notices()...)
		g.cx = cx
	}
	return g
}

// finish correlates what is still held and adds the notices.
func (g *groupCorrelator) finish() error {
	if err := g.flush(); err != nil {
		return err
	}
	opts, sum := g.opts, g.sum
	if !opts.NoCorrelate {
		sum.Notices = append(sum.Notices, g.caps.Notices(opts.Correlate)...)
	}
	if g.cuts > 0 {
		more := ""
		if g.cutAccounts > len(g.cutIn) {
			more = ", ..."
		}
		sum.Notices = append(sum.Notices, fmt.Sprintf("correlations: %d time(s) more than --max-held (%d) findings of one account (%s%s) followed each other with no gap of %s, so they were correlated in pieces of %d: a mass change, failed-then-succeeded, short-lived exposure or recon-then-change spanning a cut may be missed or split in two, and timelines near a cut lack the other piece's findings (a larger --max-held correlates them whole)",
			g.cuts, g.max, strings.Join(g.cutIn, ", "), more, g.span, g.max))
	}
	if g.storing && !opts.Learn {
		sum.Notices = append(sum.Notices, g.fresh.notices()...)
	}
	return nil
}

// add takes the next finding in account, then time order.
func (g *groupCorrelator) add(f model.Finding) error {
	if len(g.cur) > 0 && (g.cur[0].Cloud != f.Cloud || g.cur[0].Account != f.Account) {
		if err := g.flush(); err != nil {
			return err
		}
	}
	if len(g.cur) >= g.max {
		if err := g.cut(f.Time); err != nil {
			return err
		}
	}
	g.cur = append(g.cur, f)
	return nil
}

// flush correlates what is held: the rest of an account.
func (g *groupCorrelator) flush() error {
	err := g.piece(len(g.cur))
	g.cur = g.cur[:0]
	return err
}

// cut correlates the held findings up to the last gap longer than the
// span (nothing before it can join anything after it) and keeps the
// rest; next is the time of the finding that comes after them. Without
// such a gap, it cuts at the longest gap in the second half (a burst is
// less likely to span it) and counts the cut.
func (g *groupCorrelator) cut(next time.Time) error {
	n := len(g.cur)
	// mins[i] is the earliest time in cur[i:] (History order is time
	// order; this does not depend on it).
	g.mins = slices.Grow(g.mins[:0], n)[:n]
	for i := n - 1; i >= 0; i-- {
		g.mins[i] = g.cur[i].Time
		if i < n-1 && g.mins[i+1].Before(g.mins[i]) {
			g.mins[i] = g.mins[i+1]
		}
	}
	// The gap before i is from the latest time in cur[:i] to the
	// earliest after it.
	safe, lossy := 0, 0
	var latest time.Time
	var widest time.Duration
	for i := 1; i <= n; i++ {
		if t := g.cur[i-1].Time; i == 1 || t.After(latest) {
			latest = t
		}
		after := next
		if i < n && g.mins[i].Before(next) {
			after = g.mins[i]
		}
		gap := after.Sub(latest)
		if gap > g.span {
			safe = i
		}
		if i >= max(1, n/2) && (lossy == 0 || gap >= widest) {
			lossy, widest = i, gap
		}
	}
	at := safe
	if at == 0 {
		at = lossy
		g.cuts++
		if a := (acct{g.cur[0].Cloud, g.cur[0].Account}); g.cutAccounts == 0 || a != g.lastCut {
			g.cutAccounts++
			g.lastCut = a
			if len(g.cutIn) < 3 {
				g.cutIn = append(g.cutIn, fmt.Sprintf("%s %s", a.cloud, cmp.Or(a.account, "(none)")))
			}
		}
	}
	if err := g.piece(at); err != nil {
		return err
	}
	rest := copy(g.cur, g.cur[at:])
	clear(g.cur[rest:])
	g.cur = g.cur[:rest]
	return nil
}

// piece correlates cur[:n] as Scan correlates all findings in memory:
// approvals, correlations and sequences, first-seen facts; then passes
// them on.
func (g *groupCorrelator) piece(n int) error {
	if n == 0 {
		return nil
	}
	opts := g.opts
	all := slices.Clip(g.cur[:n])
	policy.Approve(opts.Config, all)
	if !opts.NoCorrelate {
		cor := correlate.Run(all, opts.Correlate)
		all = cor.Findings
		guideCorrelations(opts.Content, all[len(all)-cor.Made:])
		before := len(all)
		all = correlate.Sequences(all, g.cx, opts.Correlate)
		guideCorrelations(opts.Content, all[before:])
		g.sum.Correlations += int64(cor.Made + len(all) - before)
		g.caps = g.caps.Add(cor.Caps)
	}
	if g.storing {
		var err error
		if all, err = firstSeen(g.ctx, opts.Store, g.scanID, opts.Config, opts.Content, all, opts.Learn, g.fresh, g.sum); err != nil {
			return err
		}
	}
	for _, f := range all {
		if err := g.out(f); err != nil {
			return err
		}
	}
	clear(g.cur[:n])
	return nil
}
