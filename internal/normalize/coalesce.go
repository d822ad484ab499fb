package normalize

import (
	"cmp"
	"slices"
	"strconv"

	"cloudwall/internal/model"
)

// Coalescer folds the records of one logical operation into one event, so
// one change gives one finding: Azure logs a Start and a Success record
// for one PUT, GCP the first and last entry of a long-running operation,
// and the same CloudTrail record can sit in an account trail and an
// organisation trail. It keeps firewall events only, which are rare, so
// holding them until the end of a scan is cheap.
type Coalescer struct {
	groups map[string][]model.Event
	order  []string
	// duplicates counts records folded into another.
	duplicates int64
}

// NewCoalescer returns an empty Coalescer.
func NewCoalescer() *Coalescer {
	return &Coalescer{groups: map[string][]model.Event{}}
}

// Add takes one event. Not safe for concurrent use.
func (c *Coalescer) Add(ev model.Event) {
	id := ev.OperationID
	if id == "" {
		id = ev.EventID
	}
	if id == "" {
		// Nothing to match on: keep it as its own operation.
		id = ev.Source.File + "#" + strconv.FormatInt(ev.Source.Index, 10) + "#" + ev.Operation
	}
	key := string(ev.Cloud) + "|" + id
	g, ok := c.groups[key]
	if !ok {
		c.order = append(c.order, key)
	}
	c.groups[key] = append(g, ev)
}

// Duplicates reports how many records Events folded into others.
func (c *Coalescer) Duplicates() int64 { return c.duplicates }

// Events returns one event per operation, in the order operations were
// first seen.
func (c *Coalescer) Events() []model.Event {
	out := make([]model.Event, 0, len(c.order))
	c.duplicates = 0
	for _, key := range c.order {
		g := c.groups[key]
		c.duplicates += int64(len(g) - 1)
		out = append(out, merge(g))
	}
	return out
}

// merge folds the records of one operation. Rule content comes from the
// record that carries it (Azure's Start record has the request body, GCP's
// first entry the request), the outcome from the last completion record,
// the time from the earliest record.
func merge(g []model.Event) model.Event {
	if len(g) == 1 {
		return g[0]
	}
	// Order by input position so the result does not depend on which
	// worker delivered first.
	slices.SortStableFunc(g, func(a, b model.Event) int {
		return cmp.Or(
			a.Time.Compare(b.Time),
			cmp.Compare(phaseRank(a.Phase), phaseRank(b.Phase)),
			cmp.Compare(a.Source.File, b.Source.File),
			cmp.Compare(a.Source.Index, b.Source.Index),
		)
	})
	primary := 0
	for i, ev := range g {
		if hasContent(ev) && (!hasContent(g[primary]) || g[primary].Phase != model.PhaseStart && ev.Phase == model.PhaseStart) {
			primary = i
		}
	}
	out := g[primary]
	out.Time = g[0].Time
	// Start and end records can spell a name in different case; Notes
	// keeps each once and caps them.
	var notes model.Notes
	for _, ev := range g {
		for _, n := range ev.Notes {
			notes.Add(n)
		}
		if ev.Phase == model.PhaseEnd || ev.Phase == model.PhaseOnly && ev.Outcome != model.Unknown {
			// A later completion record decides; a failure is never
			// overwritten by a duplicate success.
			if out.Outcome != model.Failure || ev.Outcome == model.Failure {
				out.Outcome = ev.Outcome
				out.ErrorCode, out.ErrorMessage = ev.ErrorCode, ev.ErrorMessage
			}
		}
		if out.SourceIP == "" {
			out.SourceIP = ev.SourceIP
		}
		if out.UserAgent == "" {
			out.UserAgent = ev.UserAgent
		}
		if out.Actor.ID == "" && out.Actor.Name == "" {
			out.Actor = ev.Actor
		}
	}
	out.Notes = notes.List()
	return out
}

func hasContent(ev model.Event) bool {
	return len(ev.Changes) > 0 || len(ev.Settings) > 0 || len(ev.Targets) > 0
}

func phaseRank(p model.Phase) int {
	switch p {
	case model.PhaseStart:
		return 0
	case model.PhaseOnly:
		return 1
	}
	return 2
}
