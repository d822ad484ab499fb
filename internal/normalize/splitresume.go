package normalize

import "encoding/json"

// An element of an array of records that cannot be read (a mismatched
// bracket, a string left open, a record cut off and the next one written
// on after it) must not take the rest of the line along: a CloudTrail file
// is one line. The element is reported as one unreadable record and
// reading resumes at the next element that is a record.
//
// Where the bad element ends cannot be known, so the elements after it are
// looked for: each '{' after it whose last byte before (white space aside)
// is ',' or '[' is tried, and the first from which a complete, valid JSON
// object parses, followed by ',' or ']', is where reading resumes. Brackets
// inside strings do not count in that object, and it cannot reach over a
// well-formed record after it: its brackets balance, so it would have to be
// closed by brackets past that record's end, and past the last record come
// only the array's own ']' and what closes its file, not a ',' or ']'.
// Objects inside the bad element, after the point where it broke, may come
// out as records of their own (they are parsed, and found to be nothing);
// the ']' that closed what held them does not end the array while an
// element follows (closesResumed).
//
// A '{' that starts a line ends the search: JSON lines resume there, as in
// resync. The search keeps only the candidate it is trying (at most
// MaxRecord bytes) and gives up, as resync does, after scanning
// resumeBudget times MaxRecord bytes of candidates.
//
// Not caught here: an element whose brackets balance by chance after a
// string left open inside it, so that it swallows the elements after it
// (salvage reads them at parse time), and one left open exactly as deep
// as the array's own closers close it: it is read as one record holding
// the rest of the array, and the stream is reported as ending inside it.

// resumeBudget bounds the candidate bytes one search scans, in units of
// MaxRecord, so that many '{' that open and never close cost linear time.
const resumeBudget = 4

// resumeArray reports the element that began at recAt, inside an array of
// records, as unreadable and moves to the next element (see above).
func (s *Splitter) resumeArray(msg string) error {
	from := max(s.recAt+1, s.base+int64(s.keep))
	if at, ok := s.findElement(from, -1); ok {
		e := &RecordError{Index: s.index, Offset: s.recAt, Msg: msg}
		s.index++
		s.pos = int(at - s.base)
		s.keep, s.cand, s.comma, s.objBig = s.pos, -1, true, false
		s.resumed = len(s.modes)
		return e
	}
	// No element follows: report the bad one as resync does, from where
	// the search stopped (a '{' that starts a line is read next).
	s.cand = -1
	return s.resync(msg)
}

// closesResumed is called at the ']' that would close an array of records
// in which reading resumed after a bad element. That ']' may be one of the
// bad element's own (it closed an array of objects inside it, which came
// out as records): if an element follows within MaxRecord bytes, reading
// goes on there, in the array; otherwise pos is back at the ']'.
func (s *Splitter) closesResumed() bool {
	at := s.base + int64(s.pos)
	if next, ok := s.findElement(at+1, at); ok {
		s.pos = int(next - s.base)
		s.keep, s.comma = s.pos, true
		return false
	}
	s.pos, s.keep = int(at-s.base), int(at-s.base)
	s.resumed = 0
	return true
}

// afterComma says whether the last byte before pos that is not white
// space, if still in the buffer, is ','.
func (s *Splitter) afterComma() bool {
	for i := s.pos - 1; i >= 0; i-- {
		switch s.buf[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case ',':
			return true
		}
		return false
	}
	return false
}

// strayCloser is called at a ']' right after a ',' in an array of records:
// if an element follows within MaxRecord bytes, the bracket is reported as
// one unreadable record and reading goes on at that element; otherwise it
// returns nil with pos back at the ']'.
func (s *Splitter) strayCloser() error {
	at := s.base + int64(s.pos)
	if next, ok := s.findElement(at+1, at); ok {
		e := &RecordError{Index: s.index, Offset: at, Msg: "unexpected ']' after ','"}
		s.index++
		s.pos = int(next - s.base)
		s.keep, s.comma = s.pos, true
		s.resumed = len(s.modes)
		return e
	}
	s.pos, s.keep = int(at-s.base), int(at-s.base)
	return nil
}

// findElement looks from stream offset from for a '{' that starts the next
// record of the array, and reports its offset. It stops (false) at a '{'
// that starts a line, leaving pos there, at the end of the stream, or when
// the budget is spent. With hold >= 0 the bytes from hold on are kept and
// the search ends MaxRecord bytes past it.
func (s *Splitter) findElement(from, hold int64) (int64, bool) {
	budget := int64(resumeBudget) * int64(s.maxRecord())
	var last byte // the last byte before off that is not white space
	if i := int(from-s.base) - 1; i >= 0 && i < s.hi {
		last = s.buf[i]
	}
	s.pos = int(from - s.base)
	for {
		if hold >= 0 && s.base+int64(s.pos)-hold > int64(s.maxRecord()) {
			return 0, false
		}
		if s.pos >= s.hi {
			s.keep = s.pos
			if hold >= 0 {
				s.keep = int(hold - s.base)
			}
			if !s.fill() {
				return 0, false
			}
			continue
		}
		switch c := s.buf[s.pos]; c {
		case ' ', '\t', '\r', '\n':
			s.pos++
			continue
		case '{':
			if s.prevByte() == '\n' {
				s.keep = s.pos
				return 0, false // a line that starts a record
			}
			if last == ',' || last == '[' {
				at := s.base + int64(s.pos)
				if s.isElement(at, hold, &budget) {
					return at, true
				}
				if budget <= 0 {
					return 0, false
				}
				s.pos = int(at-s.base) + 1
				last = c
				continue
			}
		}
		last = s.buf[s.pos]
		s.pos++
	}
}

// isElement says whether a complete, valid JSON object starts at stream
// offset at, within MaxRecord bytes, and is followed by ',' or ']'. It
// keeps the object's bytes in the buffer (from hold, if that is >= 0) and
// leaves pos after it.
func (s *Splitter) isElement(at, hold int64, budget *int64) bool {
	s.pos, s.keep = int(at-s.base), int(at-s.base)
	if hold >= 0 {
		s.keep = int(hold - s.base)
	}
	s.sc.reset()
	for {
		n, done, err := s.sc.scan(s.buf[s.pos:s.hi])
		s.pos += n
		*budget -= int64(n)
		size := s.base + int64(s.pos) - at
		if err != nil || size > int64(s.maxRecord()) || *budget <= 0 && !done {
			return false
		}
		if done {
			break
		}
		if !s.fill() {
			return false
		}
	}
	end := s.base + int64(s.pos)
	for {
		if s.base+int64(s.pos)-at > 2*int64(s.maxRecord()) {
			return false // white space past the limit is kept no longer
		}
		for ; s.pos < s.hi; s.pos++ {
			switch s.buf[s.pos] {
			case ' ', '\t', '\r', '\n':
				continue
			case ',', ']':
				return json.Valid(s.buf[at-s.base : end-s.base])
			}
			return false
		}
		if !s.fill() {
			return false
		}
	}
}

// followsElement says whether what follows the element just scanned (at
// pos) can follow an element of an array: ',', ']', the '{' of a record
// written on without a comma, or the end of the stream. It consumes
// nothing; white space past maxLookahead is let pass.
func (s *Splitter) followsElement() bool {
	for i := s.pos; ; i++ {
		if i >= s.hi {
			if i-s.pos > maxLookahead {
				return true
			}
			at := i - s.pos
			if !s.fill() {
				return true
			}
			i = s.pos + at
		}
		switch s.buf[i] {
		case ' ', '\t', '\r', '\n':
			continue
		case ',', ']', '{':
			return true
		}
		return false
	}
}
