package traffic

import (
	"context"
	"runtime"
	"sync"
	"time"

	"cloudwall/internal/ingest"
	"cloudwall/internal/model"
)

// Join reads the flow logs in inputs and says, for each opening, whether
// traffic from outside used it. Results are in the order of openings.
//
// The first pass reads every file once, in parallel, matching inbound
// flows to openings by port, time and the strongest evidence the records
// carry. When an opening was used, a second pass reads again only the files
// whose time span and interfaces can hold outbound flows from the
// interfaces that received the traffic (possible exfiltration or command
// and control).
func Join(ctx context.Context, inputs []ingest.Input, openings []Opening, opts Options) ([]model.Traffic, Counts, error) {
	opts.defaults()
	m := newMatcher(openings, opts)
	spans := make([]fileSpan, len(inputs))
	seen := newCountedSet()
	ws, counts, err := run(ctx, inputs, nil, opts, func() *worker {
		return &worker{m: m, use: make([]usage, len(openings)), cov: coverage{}, spans: spans, served: servedSet{},
			counted: counted{seen: seen}}
	})
	if err != nil {
		return nil, counts, err
	}
	use, cov, srv := mergeWorkers(ws, len(openings), opts.MaxTracked)
	settleICMP(ws, use, opts.MaxTracked)
	for i := range use {
		use[i].settle()
	}
	counts.last = lastByAccount(cov)

	watch := outboundWatch(m, use)
	if len(watch) > 0 {
		var again []int
		for i := range inputs {
			if spans[i].mayHold(watch) {
				again = append(again, i)
			}
		}
		seen := newCountedSet()
		ws2, _, err := run(ctx, inputs, again, opts, func() *worker {
			return &worker{m: m, use: make([]usage, len(openings)), watch: watch, served: srv, counted: counted{seen: seen}}
		})
		if err != nil {
			return nil, counts, err
		}
		out, _, _ := mergeWorkers(ws2, len(openings), opts.MaxTracked)
		for i := range use {
			use[i].outFlows, use[i].outBytes = out[i].outFlows, out[i].outBytes
			use[i].dests, use[i].outUntracked = out[i].dests, out[i].outUntracked
		}
	}
	res := make([]model.Traffic, len(openings))
	for i := range openings {
		res[i] = result(&openings[i], &use[i], cov, opts)
	}
	return res, counts, nil
}

// worker is one goroutine's share of a pass; merged at the end so the
// hot path takes no locks.
type worker struct {
	m     *matcher
	use   []usage
	cov   coverage
	spans []fileSpan
	cur   *fileSpan
	watch map[string][]watchItem
	// served: written by the first pass, read by the outbound pass;
	// lastServed is the entry of the last interface written
	served          servedSet
	lastServed      *served
	lastServedIface string
	reader          fileReader
	// counted remembers (with the other workers) the records counted in
	// the pass, so an identical one is counted once (see dedupe.go)
	counted counted
	// the coverage span of the last flow's cloud, account and scope,
	// reused while they do not change
	covCloud            model.Cloud
	covAccount          string
	covFirewall, covNet string
	covSpan             *span
	// the same for the last watched interface (see coverage.coversOpening)
	ifaceCov, ifaceCovAccount string
	ifaceSpan                 *span
	// icmp and pending tell ICMP replies from use (see icmp.go)
	icmp    map[icmpKey]icmpPair
	pending []pendingICMP
}

func run(ctx context.Context, inputs []ingest.Input, only []int, opts Options, mk func() *worker) ([]*worker, Counts, error) {
	n := opts.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan int)
	ws := make([]*worker, n)
	var wg sync.WaitGroup
	for i := range ws {
		w := mk()
		w.reader.maxRecord = opts.MaxRecord
		ws[i] = w
		wg.Add(1)
		go func() {
			defer wg.Done()
			op := ingest.NewOpener(ingest.Options{})
			for idx := range jobs {
				w.input(ctx, op, inputs[idx], idx)
			}
		}()
	}
	go func() {
		defer close(jobs)
		send := func(i int) bool {
			select {
			case jobs <- i:
				return true
			case <-ctx.Done():
				return false
			}
		}
		if only != nil {
			for _, i := range only {
				if !send(i) {
					return
				}
			}
			return
		}
		for i := range inputs {
			if !send(i) {
				return
			}
		}
	}()
	wg.Wait()
	var c Counts
	for _, w := range ws {
		c.add(w.reader.counts)
	}
	return ws, c, ctx.Err()
}

func (w *worker) input(ctx context.Context, op *ingest.Opener, in ingest.Input, idx int) {
	if w.spans != nil {
		w.cur = &w.spans[idx]
	}
	emit := w.pass()
	err := op.Open(ctx, in, func(st ingest.Stream) error {
		return w.reader.ReadStream(ctx, st.Name, st.R, emit)
	})
	if err != nil && ctx.Err() == nil {
		w.reader.counts.Files++
		w.reader.perFile = 0
		w.reader.problem(in.Name, -1, 0, err.Error())
	}
}

// pass returns the flow handler of the worker's pass and tells the reader
// which flows it can skip the addresses of.
func (w *worker) pass() func(*Flow) {
	if w.watch != nil {
		w.reader.aws.need = func(_ int, iface string) bool { return len(w.watch[iface]) > 0 }
		return w.outboundFlow
	}
	m := w.m
	w.reader.aws.need = func(port int, _ string) bool { return len(m.wide) > 0 || len(m.byPort[port]) > 0 }
	return w.inboundFlow
}

// inboundFlow is the first pass: coverage, file spans and inbound use.
func (w *worker) inboundFlow(f *Flow) {
	w.counted.next()
	if f.Cloud != w.covCloud || f.Account != w.covAccount || f.Firewall != w.covFirewall || f.Network != w.covNet || w.covSpan == nil {
		w.covCloud, w.covAccount, w.covFirewall, w.covNet = f.Cloud, f.Account, f.Firewall, f.Network
		w.covSpan = w.cov.slot(coverageKey(string(f.Cloud), f.Account, flowScope(f)))
	}
	if w.covSpan != nil {
		w.covSpan.add(f.Start, f.End)
	}
	if f.Cloud == model.AWS && w.m.covIfaces[f.Interface] {
		if f.Interface != w.ifaceCov || f.Account != w.ifaceCovAccount || w.ifaceSpan == nil {
			w.ifaceCov, w.ifaceCovAccount = f.Interface, f.Account
			w.ifaceSpan = w.cov.slot(coverageKey(string(f.Cloud), f.Account, ifaceScope(f.Interface)))
		}
		if w.ifaceSpan != nil {
			w.ifaceSpan.add(f.Start, f.End)
		}
	}
	if w.cur != nil && !f.Idle {
		w.cur.add(f)
	}
	if !f.Src.IsValid() || f.Idle {
		return
	}
	undir := undirected(f)
	if portless(f.Protocol) && f.Decision != Reject && !undir {
		if d := direction(f); d == DirOut && !isInternal(f.Dst) || d == DirIn && (f.External || !isInternal(f.Src)) {
			w.noteICMP(f, d)
		}
	}
	if !undir {
		if direction(f) != DirIn || !(f.External || !isInternal(f.Src)) {
			return
		}
		if f.Decision == Accept {
			w.learn(f)
		}
	}
	m := w.m
	if f.DstPort >= 0 {
		for _, i := range m.byPort[f.DstPort] {
			w.match(i, f, undir)
		}
	}
	for _, i := range m.wide {
		w.match(i, f, undir)
	}
}

// match counts flow f against opening i. An undirected flow (see
// undirected) counts only where the opening's ports orient it; where they
// cannot, an accepted one in the window is counted as unoriented.
func (w *worker) match(i int32, f *Flow, undir bool) {
	o := &w.m.open[i]
	ev := w.m.tie(o, f)
	if ev == evNone || !peerAllowed(o, f.Src) {
		return
	}
	if (len(o.Ports) == 0 || o.Ports.All()) && looksLikeReply(f) {
		return
	}
	if w.counted.isRepeat(f) {
		return // the same record again in this input: counted once
	}
	u := &w.use[i]
	if undir {
		if !inboundByPort(o, f) {
			if f.Decision == Accept && (o.Unbounded || !f.End.Before(o.Start)) && (o.End.IsZero() || !f.Start.After(o.End)) {
				u.undirected++
			}
			return
		}
		if f.Decision == Accept {
			w.learn(f)
		}
	}
	trusted := w.m.trusted(f.Src)
	switch {
	case f.End.Before(o.Start) && !o.Unbounded:
		from := o.Start
		if !o.Opened.IsZero() {
			from = o.Opened // flows since are through the exposure it carries on
		}
		if f.Decision == Accept && !trusted && f.End.Before(from) && !f.Start.Before(from.Add(-w.m.opts.Lookback)) {
			u.before++
		}
	case !o.End.IsZero() && f.Start.After(o.End):
		// after the opening closed
	case trusted:
		if f.Decision != Reject {
			u.trusted++
		}
	case f.Decision == DecisionUnknown:
		u.unknown++ // seen, not known let in: no action field
	case f.Decision == Reject:
		u.reject(f, ev)
	case w.counted.continues(f):
		u.more(f, w.m.opts.MaxTracked) // a later tuple of a connection already counted
	case portless(f.Protocol) && len(w.pending) < maxPendingICMP && w.watch == nil:
		w.pending = append(w.pending, pendingICMP{open: i, f: *f, ev: ev, undir: undir}) // a reply? told at the end
	default:
		u.inbound(f, ev, w.m.opts.MaxTracked)
		if undir {
			u.byPorts++
		}
		if ev == evRule && nameOnly(o, f) {
			u.byName(f.ACL)
		}
	}
}

// learn records an accepted inbound flow from outside in what its
// interface served.
func (w *worker) learn(f *Flow) {
	if f.Interface == "" {
		return
	}
	if w.lastServed == nil || f.Interface != w.lastServedIface {
		w.lastServed, w.lastServedIface = w.served.get(f.Interface), f.Interface
	}
	if w.lastServed != nil {
		w.lastServed.add(f, w.m.opts.MaxTracked)
	}
}

// watchItem is one used opening whose interface is watched for outbound
// flows from the given time on.
type watchItem struct {
	open  int32
	after time.Time
	ports model.PortList
}

func outboundWatch(m *matcher, use []usage) map[string][]watchItem {
	watch := map[string][]watchItem{}
	for i := range use {
		u := &use[i]
		if u.flows == 0 {
			continue
		}
		o := &m.open[i]
		for in, t := range u.ifaces {
			watch[in] = append(watch[in], watchItem{open: int32(i), after: t, ports: o.Ports})
		}
		for _, in := range o.Interfaces {
			if _, seen := u.ifaces[in]; !seen && in != "" {
				watch[in] = append(watch[in], watchItem{open: int32(i), after: u.first, ports: o.Ports})
			}
		}
	}
	return watch
}

// outboundFlow is the second pass: flows to outside from watched
// interfaces, after the first inbound arrival, that left (not rejected)
// and are not replies to inbound traffic the interface accepted, through
// any opening.
func (w *worker) outboundFlow(f *Flow) {
	w.counted.next()
	items := w.watch[f.Interface]
	if len(items) == 0 || !f.Src.IsValid() || f.Idle || f.Decision == Reject {
		return
	}
	sv := w.served[f.Interface]
	dir := direction(f)
	if dir == DirUnknown && undirected(f) && sv.isSelf(f.Src) {
		dir = DirOut // sent from the interface's own (public IPv6) address
	}
	if dir != DirOut || !(f.External || !isInternal(f.Dst)) || sv.reply(f) {
		return
	}
	if sv.isSelf(f.Dst) {
		return // to the interface's own (public IPv6) address from a private (ULA) one: inbound
	}
	for _, it := range items {
		if f.Start.Before(it.after) {
			continue
		}
		if f.SrcPort >= 0 && len(it.ports) > 0 && !it.ports.All() && portIn(it.ports, f.SrcPort) {
			continue // the server's reply to an inbound connection
		}
		if w.counted.isRepeat(f) {
			return // the same record again in this input: counted once
		}
		if w.counted.continues(f) {
			w.use[it.open].moreOut(f)
			continue
		}
		w.use[it.open].outbound(f, w.m.opts.MaxTracked)
	}
}

func mergeWorkers(ws []*worker, n, limit int) ([]usage, coverage, servedSet) {
	use := make([]usage, n)
	cov := coverage{}
	srv := servedSet{}
	for _, w := range ws {
		for i := range w.use {
			use[i].merge(&w.use[i], limit)
		}
		cov.merge(w.cov)
		srv.merge(w.served, limit)
	}
	for i := range use {
		use[i].settle()
	}
	return use, cov, srv
}

// fileSpan is what the first pass remembers of one input, so the second
// pass reads only files that can hold a watched interface's flows.
type fileSpan struct {
	from, to time.Time
	ifaces   map[string]struct{}
	last     string // the last flow's interface, already in ifaces
	many     bool
	flows    bool
}

const maxSpanIfaces = 64

func (s *fileSpan) add(f *Flow) {
	if !s.flows || f.Start.Before(s.from) {
		s.from = f.Start
	}
	if !s.flows || f.End.After(s.to) {
		s.to = f.End
	}
	s.flows = true
	if s.many || f.Interface == s.last && s.ifaces != nil {
		return
	}
	if _, ok := s.ifaces[f.Interface]; ok {
		s.last = f.Interface
		return
	}
	if len(s.ifaces) >= maxSpanIfaces {
		s.many, s.ifaces = true, nil
		return
	}
	if s.ifaces == nil {
		s.ifaces = map[string]struct{}{}
	}
	s.ifaces[f.Interface] = struct{}{}
	s.last = f.Interface
}

func (s *fileSpan) mayHold(watch map[string][]watchItem) bool {
	if !s.flows {
		return false
	}
	if s.many {
		for _, items := range watch {
			for _, it := range items {
				if !s.to.Before(it.after) {
					return true
				}
			}
		}
		return false
	}
	for in := range s.ifaces {
		for _, it := range watch[in] {
			if !s.to.Before(it.after) {
				return true
			}
		}
	}
	return false
}
