package content

import (
	"fmt"
	"strconv"
	"strings"

	"cloudwall/internal/model"
)

// Correlation is a rule that links findings rather than reading one
// operation: a mass change, failed attempts then a success, a short-lived
// exposure, reconnaissance before a change, a first sighting. Its findings
// carry its id; package correlate implements it, this is what `rules`,
// `explain` and the docs say about it.
type Correlation struct {
	ID string
	// Severity is the floor a correlation finding gets (never below its
	// members'), unless every member is known automation or approved.
	Severity    model.Severity
	Title       string
	Description string
	// Why says why the sequence matters to a defender.
	Why string
	// Reads lists what the correlation reads.
	Reads []string
	// Fires and Quiet describe, in words, a sequence it reports and a
	// near miss it does not.
	Fires, Quiet []string
	// Guidance is text only: a correlation's commands are its members'.
	Guidance Guidance
	Tuning   []string
	Origin   string
}

type rawCorrelation struct {
	ID          string      `yaml:"id"`
	Severity    string      `yaml:"severity"`
	Title       string      `yaml:"title"`
	Description string      `yaml:"description"`
	Why         string      `yaml:"why"`
	Reads       []string    `yaml:"reads"`
	Fires       []string    `yaml:"fires"`
	Quiet       []string    `yaml:"quiet"`
	Guidance    rawGuidance `yaml:"guidance"`
	Tuning      []string    `yaml:"tuning"`
}

func (b *builder) addCorrelations(d doc, raw []rawCorrelation) {
	nodes := d.items("correlations")
	for i, r := range raw {
		n := itemAt(nodes, i)
		c := Correlation{ID: strings.TrimSpace(r.ID), Title: strings.TrimSpace(r.Title), Description: strings.TrimSpace(r.Description),
			Why: strings.TrimSpace(r.Why), Reads: r.Reads, Fires: r.Fires, Quiet: r.Quiet, Tuning: r.Tuning, Origin: d.at(n)}
		bad := func(key, format string, args ...any) {
			b.errorf(d.at(n, key), "correlation %q: %s", c.ID, fmt.Sprintf(format, args...))
		}
		if c.ID == "" {
			b.errorf(d.at(n), "correlation without an id")
			continue
		}
		if s, ok := b.severity(d.at(n, "severity"), "correlation "+strconv.Quote(c.ID), r.Severity); ok {
			c.Severity = s
		}
		if c.Title == "" || c.Description == "" || c.Why == "" {
			bad("title", "title, description and why are required")
		}
		c.Guidance = d.guidance(r.Guidance, func(line int, format string, args ...any) {
			b.errorf(d.name+":"+strconv.Itoa(line), "correlation %q: %s", c.ID, fmt.Sprintf(format, args...))
		})
		for _, st := range append(append([]Step(nil), c.Guidance.Investigate...), c.Guidance.Respond...) {
			if st.Run != "" || st.When != "" {
				bad("guidance", "correlation guidance is text only (the members' guidance has the commands)")
				break
			}
		}
		if len(c.Guidance.Investigate) == 0 || len(c.Guidance.Respond) == 0 {
			bad("guidance", "guidance needs investigate and respond steps")
		}
		upsert(&b.c.Correlations, c, func(o Correlation) bool { return o.ID == c.ID })
	}
}

// Correlation returns the correlation rule with the given id.
func (c *Content) Correlation(id string) (*Correlation, bool) {
	for i := range c.Correlations {
		if c.Correlations[i].ID == id {
			return &c.Correlations[i], true
		}
	}
	return nil, false
}
