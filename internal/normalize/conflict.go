package normalize

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// maxReadings bounds the extra readings of one record with conflicting
// keys: each is a parse of the whole record.
const maxReadings = 16

// Keys given more than once in one object (repeated, or in letter-case
// variants) give a record more than one reading. An exporter would not
// write that; an attacker might, hoping the benign reading is the one
// read. Every reading is parsed: rule changes a reading adds to the same
// operation join the event (so the detector judges the worst), a reading
// naming another operation or resource becomes an event of its own, and
// each event says which keys conflicted.

// parseReadings parses the other readings of a record whose decoding
// found conflicts, in the record or in JSON text inside it (emb), and
// folds them into res.
func parseReadings(v any, conflicts []jv.Conflict, emb []embedded, more int, src model.SourceRef, res Result) Result {
	var notes []string
	var alts []model.Event
	readings := 0
	read := func(set func() (restore func())) {
		readings++
		restore := set()
		r := dispatch(v, src, 0)
		restore()
		if r.Kind == Parsed {
			alts = append(alts, r.Events...)
		}
	}
	for i := range conflicts {
		c := &conflicts[i]
		if handledByAWS(c) {
			continue
		}
		notes = append(notes, conflictNote(c))
		for j := range c.Values {
			if j == len(c.Values)-1 && !caseVariants(c) || readings >= maxReadings {
				continue // the decoded object already reads the last value
			}
			read(func() func() { return c.Reading(j) })
		}
	}
	for i := range emb {
		e := &emb[i]
		if handledByAWS(&e.c) {
			continue
		}
		notes = append(notes, fmt.Sprintf("the JSON text in %s gives %s", e.where, conflictNote(&e.c)))
		for j := 0; j < e.readings() && readings < maxReadings; j++ {
			read(func() func() { return e.reading(j) })
		}
	}
	if more > 0 {
		notes = append(notes, fmt.Sprintf("… and %d more keys given more than once, not each judged", more))
	}
	if len(notes) == 0 {
		return res
	}
	if res.Kind != Parsed && len(alts) > 0 {
		res = Result{Kind: Parsed}
	}
	for _, a := range alts {
		i := slices.IndexFunc(res.Events, func(e model.Event) bool {
			return e.Cloud == a.Cloud && e.OperationKey == a.OperationKey && e.Resource.ID == a.Resource.ID
		})
		if i >= 0 && !maps.Equal(res.Events[i].Settings, a.Settings) {
			// Settings have no worst to merge into (disabled true or
			// false): a reading that sets them otherwise is judged as
			// an event of its own, so a rule created "disabled" in one
			// reading and enabled in the other is judged enabled too.
			i = -1
		}
		if i < 0 {
			a.OperationID += fmt.Sprintf("|reading %d", len(res.Events))
			res.Events = append(res.Events, a)
			continue
		}
		e := &res.Events[i]
		if a.Written == model.WriteUpdated {
			// A reading saying the resource existed wins (Event.Written).
			e.Written = a.Written
		}
		for _, ch := range a.Changes {
			if !slices.ContainsFunc(e.Changes, func(x model.RuleChange) bool { return sameChange(x, ch) }) {
				e.Changes = append(e.Changes, ch)
			}
		}
	}
	for i := range res.Events {
		res.Events[i].Notes = model.CapNotes(append(res.Events[i].Notes, notes...))
	}
	return res
}

// handledByAWS: letter-case variants of eventName and eventSource are
// read by the AWS parser itself, one event per operation they name.
func handledByAWS(c *jv.Conflict) bool {
	k := strings.ToLower(c.Keys[0])
	return caseVariants(c) && (k == "eventname" || k == "eventsource")
}

// caseVariants says the keys differ only in letter case (none repeated
// exactly): the decoded object holds every value.
func caseVariants(c *jv.Conflict) bool {
	for i, k := range c.Keys {
		if slices.Contains(c.Keys[i+1:], k) {
			return false
		}
	}
	return true
}

func conflictNote(c *jv.Conflict) string {
	kind := "keys differing in letter case: " + strings.Join(c.Keys, ", ")
	if !caseVariants(c) {
		kind = "duplicate key"
	}
	vals := make([]string, len(c.Values))
	for i, v := range c.Values {
		switch t := v.(type) {
		case map[string]any, []any:
			vals[i] = fmt.Sprintf("%.80s", encode(t)) // ["10.0.0.0/8"] / ["0.0.0.0/0"]
		default:
			vals[i] = fmt.Sprintf("%.80q", jv.Str(v))
			if jv.Str(v) == "" {
				vals[i] = jv.TypeName(v)
			}
		}
	}
	return fmt.Sprintf("conflicting values for %q (%s): %s; every reading is judged", c.Keys[0], kind, strings.Join(vals, " / "))
}

func sameChange(a, b model.RuleChange) bool {
	return a.Effect == b.Effect && a.Direction == b.Direction && a.Action == b.Action && a.Protocol == b.Protocol &&
		slices.Equal(a.Ports, b.Ports) && slices.Equal(a.Peers, b.Peers) && a.Name == b.Name && slices.Equal(a.Targets, b.Targets) &&
		(a.Priority == nil) == (b.Priority == nil) && (a.Priority == nil || *a.Priority == *b.Priority)
}
