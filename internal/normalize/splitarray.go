package normalize

// Arrays of records with elements that are not records: how the splitter
// tells a wrapper's array from an ordinary value, and passes an element
// nested too deep without losing the elements after it.

// maxLookahead bounds how far holdsRecords looks along an array.
const maxLookahead = 64 << 10

// holdsRecords says whether the array whose first element, not an object,
// is at pos holds records: whether an object follows among its elements,
// or an element too deep or broken to tell, within maxLookahead bytes.
// It moves neither pos nor keep, so the array can be read either way.
func (s *Splitter) holdsRecords() bool {
	var v valueScanner
	off := s.base + int64(s.pos)
	end, inValue := off+maxLookahead, false
	for off < end {
		i := int(off - s.base)
		if i >= s.hi {
			if !s.fill() {
				return false
			}
			continue
		}
		if !inValue {
			switch s.buf[i] {
			case ' ', '\t', '\n', '\r', ',':
				off++
				continue
			case '{':
				return true
			case ']':
				return false
			}
			v.reset()
			inValue = true
		}
		n, done, err := v.scan(s.buf[i:s.hi])
		if err != nil {
			return true
		}
		off += int64(n)
		inValue = !done
	}
	return true
}

// skipDeep skips the rest of an array element nested past MaxDepth,
// counting brackets without keeping them, and reports it: the elements
// after it are still read, even on the same line. pos is at the bracket
// that went too deep. A line inside it that starts with '{' (the element
// was cut off, or is a bomb with no end) is where reading resumes.
func (s *Splitter) skipDeep() error {
	depth, inStr, esc := len(s.sc.stack), false, false
	for {
		for ; s.pos < s.hi; s.pos++ {
			switch c := s.buf[s.pos]; {
			case esc:
				esc = false
			case inStr:
				// A line break ends a string that was left open.
				esc, inStr = c == '\\', c != '"' && c != '\n'
			case c == '"':
				inStr = true
			case c == '{' && s.prevByte() == '\n':
				s.cand = s.base + int64(s.pos)
				return s.resync(errTooDeep.Error())
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				if depth--; depth == 0 {
					s.pos++
					s.keep = s.pos
					e := &RecordError{Index: s.index, Offset: s.recAt, Msg: errTooDeep.Error()}
					s.index++
					return e
				}
			}
		}
		s.keep = s.pos
		if !s.fill() {
			return s.truncated()
		}
	}
}
