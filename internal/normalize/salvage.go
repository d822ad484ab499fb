package normalize

import (
	"bytes"
	"encoding/json"
	"fmt"

	"cloudwall/internal/model"
)

// A record that is not valid JSON may hold whole records: in an array of
// records, a string left open in one element can turn the bytes after it
// inside out until, by chance, its brackets balance again, and the
// splitter (which checks brackets, not grammar) hands over the elements
// after it as part of it. Such a record is still reported, and the records
// inside it are read: each '{' whose last byte before (white space aside)
// is ',' or '[' and from which a complete, valid JSON object parses,
// followed by ',', ']' or the end, that is an audit record, is read as a
// record of its own, and the search goes on after it.

// salvageBudget bounds the bytes the search scans, in multiples of the
// record's length, so that many '{' that never close cost linear time.
const salvageBudget = 4

// salvage reads the records inside raw, which did not decode (why says
// why), and returns them as one result: Parsed with the events found, the
// reason naming the record and how many were read inside it, and Broken
// set; or Unreadable when none was found.
func salvage(raw []byte, src model.SourceRef, why string) Result {
	res := Result{Kind: Unreadable, Reason: why}
	if json.Valid(raw) {
		return res // refused for its density or depth, not its grammar
	}
	budget := salvageBudget * len(raw)
	found := 0
	var sc valueScanner
	for i := 1; i < len(raw) && budget > 0; i++ {
		if raw[i] != '{' || !afterSeparator(raw[:i]) {
			continue
		}
		sc.reset()
		n, done, err := sc.scan(raw[i:])
		budget -= n
		if err != nil || !done {
			continue
		}
		end := i + n
		rest := bytes.TrimLeft(raw[end:], " \t\r\n")
		if len(rest) > 0 && rest[0] != ',' && rest[0] != ']' {
			continue
		}
		if !json.Valid(raw[i:end]) {
			continue
		}
		// Only audit records count: objects that were parts of the
		// broken one are nothing of the kind.
		r := Parse(raw[i:end], src, nil)
		if r.Kind != Parsed && r.Kind != Skipped {
			continue
		}
		found++
		res.Events = append(res.Events, r.Events...)
		i = end - 1
	}
	if found == 0 {
		return res
	}
	return Result{Kind: Parsed, Events: res.Events, Broken: true,
		Reason: fmt.Sprintf("%s; %d whole records inside it read", why, found)}
}

// afterSeparator says whether the last byte of b that is not white space
// is ',' or '['.
func afterSeparator(b []byte) bool {
	b = bytes.TrimRight(b, " \t\r\n")
	return len(b) > 0 && (b[len(b)-1] == ',' || b[len(b)-1] == '[')
}
