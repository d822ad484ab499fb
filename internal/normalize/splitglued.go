package normalize

import (
	"bytes"
	"encoding/json"
)

// A JSON-lines writer that dies in the middle of a record and is started
// again appends its next record right after the cut, on the same line:
// {"eventVersion":"1.08","userIde{"eventVersion":"1.08",...}. Resuming at
// the next line would lose that record, so when a record that began at the
// top level cannot be read, its first line is searched for a record
// written on after it: a '{' from which a complete, valid JSON object
// parses that ends the line (white space aside). The first such '{' is
// where reading resumes; the broken part is reported as one unreadable
// record. An object inside the broken part that happens to end the line
// (a line cut just after one) may come out as a record of its own, and is
// found to be nothing.
//
// The line is searched only while it is whole in the buffer and at most
// MaxRecord bytes long, and the candidates scanned cost at most
// resumeBudget times MaxRecord bytes, so many '{' that never close cost
// linear time.

// atTop says whether the record being read began at the top level of the
// stream (JSON lines), not inside an array or a wrapper's list.
func (s *Splitter) atTop() bool {
	return len(s.modes) == 0 || len(s.modes) == 1 && s.modes[0] == modeObject
}

// glued looks on the first line of the record that began at recAt for a
// record written on after it (see above). If it finds one it leaves pos
// there and reports true; otherwise pos is where it was.
func (s *Splitter) glued() bool {
	at := s.recAt
	if at < s.base+int64(s.keep) || at >= s.base+int64(s.hi) {
		return false // the record's first bytes are gone (over the limit)
	}
	pos := s.base + int64(s.pos)
	s.keep = int(at - s.base)
	end, from := int64(-1), at
	for end < 0 {
		if i := bytes.IndexByte(s.buf[from-s.base:s.hi], '\n'); i >= 0 {
			end = from + int64(i)
			break
		}
		from = s.base + int64(s.hi)
		if from-at > int64(s.maxRecord()) {
			s.pos = int(pos - s.base)
			return false
		}
		if !s.fill() {
			end = s.base + int64(s.hi)
		}
	}
	s.pos = int(pos - s.base)
	line := s.buf[at-s.base+1 : end-s.base]
	if t := bytes.TrimRight(line, " \t\r"); len(t) == 0 || t[len(t)-1] != '}' {
		return false // no object ends the line: most cut-off lines
	}
	budget := resumeBudget * s.maxRecord()
	for i := 0; i < len(line) && budget > 0; i++ {
		if line[i] != '{' {
			continue
		}
		s.sc.reset()
		s.sc.prevNL = false
		n, done, err := s.sc.scan(line[i:])
		budget -= n
		if err != nil || !done || len(bytes.TrimSpace(line[i+n:])) > 0 || !json.Valid(line[i:i+n]) {
			continue
		}
		s.pos = int(at-s.base) + 1 + i
		s.keep, s.cand = s.pos, -1
		return true
	}
	return false
}
