package normalize

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Splitter cuts a stream of JSON into records without decoding them. It
// accepts, freely mixed in one stream: JSON lines, pretty-printed values,
// top-level arrays of records, and wrapper objects whose records sit in an
// array under a known key ({"Records":[...]}, {"records":[...]},
// {"value":[...]}, {"Events":[...]}, {"logEvents":[...]}). Wrapper arrays are
// streamed element by element, so a 2 GB CloudTrail file never sits in
// memory; only one record at a time is buffered, up to MaxRecord bytes.
//
// The splitter checks structure (balanced brackets, terminated strings, no
// raw newline inside a string) but not full JSON grammar: records that are
// decoded later get the full check.
type Splitter struct {
	r   io.Reader
	buf []byte
	// buf[:hi] holds data read so far; keep <= pos marks the first byte
	// that must survive a refill (the start of the record being scanned).
	hi, pos, keep int
	base          int64 // stream offset of buf[0]
	readErr       error
	eof           bool

	// MaxRecord is the largest record kept; larger ones are reported and
	// skipped. Zero means DefaultMaxRecord.
	MaxRecord int

	modes    []mode
	index    int64
	started  bool
	objStart int  // buf index where the pending top-level object began
	objBig   bool // pending top-level object grew past MaxRecord
	objWrap  bool // pending top-level object turned out to be a wrapper
	objKeyed bool // a key of the pending top-level object has been read
	sc       valueScanner

	// Resynchronisation. In JSON lines a record cut off mid-line (a
	// truncated write, a crash) must not take the lines after it along.
	recAt int64 // stream offset where the record being scanned began
	// cand is the stream offset of the first '{' inside the record being
	// scanned that starts a line (column 0), or -1: where the next record
	// begins if this one turns out to be cut off.
	cand int64
	prev byte // the byte before buf[0], once fill has slid data out
	// comma says an array of records had a comma since its last element.
	comma bool
	// resumed is the depth (len(modes)) of the array of records in which
	// reading resumed after a bad element (see resumeArray), or 0.
	resumed int

	// Lists are more top-level keys whose arrays are streamed element by
	// element, for readers of one document (a snapshot of 30,000 security
	// groups): unlike a wrapper's records, the elements stay parts of
	// their document (see RawRecord.List).
	Lists map[string]bool
	list  listState
}

// listState is the document list being streamed, if any.
type listState struct {
	key   string // its key; "" when none
	depth int    // len(modes) inside it
	index int64  // its document's record index
	at    int64  // its document's offset
	seen  bool   // the pending top-level object holds a list
}

// DefaultMaxRecord bounds one record's size. Real audit records are far
// smaller (CloudTrail caps request data at 100 KB); this leaves room for
// Azure bodies and guards memory against a runaway field.
const DefaultMaxRecord = 8 << 20

const initialBuffer = 1 << 20

type mode uint8

const (
	modeTop    mode = iota // between top-level values
	modeArray              // inside an array whose elements are records
	modeObject             // inside a top-level object, at its keys
)

// wrapperKeys are the keys whose array value holds records.
var wrapperKeys = map[string]bool{
	"Records": true, "records": true, // CloudTrail S3 files; Azure Event Hubs
	"value":  true,                    // Azure REST list responses
	"Events": true,                    // aws cloudtrail lookup-events
	"events": true, "logEvents": true, // CloudWatch Logs exports and subscriptions
}

// RawRecord is one record's undecoded bytes. Data is valid until the next
// call to Next.
type RawRecord struct {
	Data   []byte
	Index  int64 // 0-based position among the stream's records
	Offset int64 // byte offset of the record in the decompressed stream
	// List is set for an element of a list of Splitter.Lists: Data is
	// the element, Index and Offset are its document's. The list's last
	// record has End set and no Data, so that an empty list is seen too.
	List string
	End  bool
}

// RecordError reports a record, or a stretch of bytes, that could not be
// split out. The splitter has already resynchronised: call Next again.
type RecordError struct {
	Index  int64
	Offset int64
	Msg    string
}

func (e *RecordError) Error() string {
	return fmt.Sprintf("record %d (byte %d): %s", e.Index, e.Offset, e.Msg)
}

// NewSplitter reads records from r.
func NewSplitter(r io.Reader) *Splitter { return newSplitterSize(r, initialBuffer) }

// newSplitterSize starts with a buffer of n bytes; tests and fuzzing use
// small ones, so that refills land everywhere.
func newSplitterSize(r io.Reader, n int) *Splitter {
	return &Splitter{r: r, buf: make([]byte, n), cand: -1, prev: '\n'}
}

// Reset makes s read a new stream, keeping its buffer (a scan of many
// small files would otherwise allocate one per file). A buffer that grew
// for an unusually large record is given back.
func (s *Splitter) Reset(r io.Reader) {
	buf := s.buf
	if cap(buf) > 4*initialBuffer || cap(buf) == 0 {
		buf = make([]byte, initialBuffer)
	}
	*s = Splitter{r: r, buf: buf[:cap(buf)], MaxRecord: s.MaxRecord, Lists: s.Lists, modes: s.modes[:0], sc: valueScanner{stack: s.sc.stack[:0]}, cand: -1, prev: '\n'}
}

func (s *Splitter) maxRecord() int {
	if s.MaxRecord > 0 {
		return s.MaxRecord
	}
	return DefaultMaxRecord
}

// Next returns the next record, a *RecordError for an unreadable record
// (after which Next may be called again), io.EOF at the end, or the
// stream's read error (decompression failures), which ends the stream.
func (s *Splitter) Next() (RawRecord, error) {
	for {
		if !s.started {
			s.started = true
			s.skipBOM()
		}
		m := modeTop
		if n := len(s.modes); n > 0 {
			m = s.modes[n-1]
		}
		switch m {
		case modeTop:
			c, ok := s.skipSpace(true)
			if !ok {
				return RawRecord{}, s.endErr()
			}
			s.recAt, s.cand = s.base+int64(s.pos), -1
			switch c {
			case '[':
				s.pos++
				s.comma = true
				s.modes = append(s.modes, modeArray)
			case '{':
				s.objStart, s.objBig, s.objWrap, s.objKeyed = s.pos, false, false, false
				s.keep = s.pos
				s.pos++
				s.modes = append(s.modes, modeObject)
			default:
				if c == 0 {
					// NUL padding (the zeroed blocks a crash or a
					// preallocated file leaves): before a record it is
					// skipped (skipPrefix), at the end of the stream
					// it is no record; a line of it alone is reported
					// as what it is, not as UTF-16 text.
					at := s.base + int64(s.pos)
					s.skipNULs()
					n := s.base + int64(s.pos) - at
					if s.pos >= s.hi {
						return RawRecord{}, s.endErr()
					}
					if b := s.buf[s.pos]; b == '\n' || b == '\r' {
						return RawRecord{}, s.resync(fmt.Sprintf("a line of %d NUL bytes and no record (the zeroed blocks a crash or a preallocated file leaves)", n))
					}
					if s.pos+1 >= s.hi || s.buf[s.pos+1] != 0 {
						c = s.buf[s.pos] // NULs, then text that is not UTF-16
					}
				}
				what := describe(c)
				if bytes.HasPrefix(s.buf[s.pos:s.hi], []byte("\uFFFD")) {
					what = replacementChar
				}
				msg := fmt.Sprintf("not JSON: unexpected %s at top level", what) + textHint(s.buf[s.pos:s.hi])
				if s.skipPrefix() {
					continue // a syslog prefix or NULs before the record
				}
				return RawRecord{}, s.resync(msg)
			}
		case modeArray:
			c, ok := s.skipSpace(false)
			if !ok {
				return RawRecord{}, s.truncated()
			}
			switch c {
			case ']':
				if s.comma && s.afterComma() {
					// [...,] is no JSON: a stray bracket, if records
					// follow it.
					if err := s.strayCloser(); err != nil {
						return RawRecord{}, err
					}
				}
				if s.resumed == len(s.modes) && !s.closesResumed() {
					continue
				}
				s.pos++
				if s.list.key != "" && s.list.depth == len(s.modes) {
					end := RawRecord{Index: s.list.index, Offset: s.list.at, List: s.list.key, End: true}
					s.list.key = ""
					s.modes = s.modes[:len(s.modes)-1]
					return end, nil
				}
				s.modes = s.modes[:len(s.modes)-1]
			case ',':
				s.pos++
				s.comma = true
			default:
				if !s.comma && c == '{' && s.prevByte() == '\n' {
					// No comma after the last record, and a line that
					// starts a record: the array was cut off there.
					s.recAt, s.cand = s.base+int64(s.pos), s.base+int64(s.pos)
					return RawRecord{}, s.resync("array of records cut off (truncated line?): no ',' or ']' after its last record")
				}
				s.comma = false
				return s.record()
			}
		case modeObject:
			rec, done, err := s.objectStep()
			if err != nil || done {
				return rec, err
			}
		}
	}
}

// objectStep advances through one key of a pending top-level object. It
// returns done when the object itself turned out to be a record.
func (s *Splitter) objectStep() (RawRecord, bool, error) {
	if !s.objWrap && !s.objBig {
		s.keep = s.objStart
	}
	c, ok := s.skipSpace(false)
	if !ok {
		return RawRecord{}, true, s.truncated()
	}
	switch c {
	case '}':
		s.pos++
		s.modes = s.modes[:len(s.modes)-1]
		s.keep = s.pos
		if s.list.seen {
			s.list.seen = false
			s.index++
		}
		if s.objWrap {
			return RawRecord{}, false, nil
		}
		idx, off := s.index, s.base+int64(s.objStart)
		s.index++
		if s.objBig || s.pos-s.objStart > s.maxRecord() {
			return RawRecord{}, true, &RecordError{Index: idx, Offset: off, Msg: fmt.Sprintf("record larger than the %d-byte limit; skipped", s.maxRecord())}
		}
		return RawRecord{Data: s.buf[s.objStart:s.pos], Index: idx, Offset: off}, true, nil
	case ',':
		s.pos++
		return RawRecord{}, false, nil
	case '"':
	default:
		return RawRecord{}, true, s.resync(fmt.Sprintf("malformed object: unexpected %s where a key was expected", describe(c)))
	}
	// The key must survive refills while it is scanned: buffer indices
	// move when fill slides data, so remember the stream offset.
	if s.objWrap || s.objBig {
		s.keep = s.pos
	}
	keyAt := s.base + int64(s.pos)
	firstKey := !s.objKeyed
	s.objKeyed = true
	if err := s.scanValue(); err != nil {
		return RawRecord{}, true, s.scanFailed(err)
	}
	keyStart := int(keyAt - s.base)
	var key string
	if keyStart >= 0 && keyStart+1 <= s.pos-1 {
		key = string(s.buf[keyStart+1 : s.pos-1])
	}
	isList := s.Lists[key] && (!s.objWrap || s.list.seen)
	isWrapper := wrapperKeys[key] && !s.list.seen || isList
	c, ok = s.skipSpace(false)
	if !ok {
		return RawRecord{}, true, s.truncated()
	}
	if c != ':' {
		return RawRecord{}, true, s.resync(fmt.Sprintf("malformed object: unexpected %s after key", describe(c)))
	}
	s.pos++
	c, ok = s.skipSpace(false)
	if !ok {
		return RawRecord{}, true, s.truncated()
	}
	if c == '{' && s.cand < 0 && s.prevByte() == '\n' {
		s.cand = s.base + int64(s.pos)
	}
	if c == '[' && isWrapper {
		// A wrapper's array holds objects. Look past the bracket: an array
		// of anything else after other keys ({"cloud":"aws","records":
		// [4493]}) is an ordinary value. Under the object's first key, the
		// way clouds write their files, it is a wrapper whatever its first
		// element: a null, a number or a value nested too deep there is
		// one bad record, and must not take the records after it along.
		// After other keys (a CloudWatch Logs subscription's logEvents),
		// so is an array in which an object follows such elements.
		bracketAt := s.base + int64(s.pos)
		s.pos++
		first, ok := s.skipSpace(false)
		if !ok {
			return RawRecord{}, true, s.truncated()
		}
		if firstKey || first == '{' || first == ']' || s.holdsRecords() {
			s.objWrap = true
			s.keep = s.pos
			s.comma = true
			s.modes = append(s.modes, modeArray)
			if isList {
				s.list = listState{key: key, depth: len(s.modes), index: s.index, at: s.base + int64(s.objStart), seen: true}
			}
			return RawRecord{}, false, nil
		}
		s.pos = int(bracketAt - s.base)
	}
	if err := s.scanValue(); err != nil {
		return RawRecord{}, true, s.scanFailed(err)
	}
	return RawRecord{}, false, nil
}

// record scans one array element and returns it.
func (s *Splitter) record() (RawRecord, error) {
	start := s.pos
	s.keep = start
	s.objBig = false
	s.recAt, s.cand = s.base+int64(start), -1
	err := s.scanValue()
	if err == errTooDeep {
		return RawRecord{}, s.skipDeep()
	}
	if err != nil {
		if err != errCutOff && !s.candInBuffer() {
			// Not a cut-off line: the next element may be on this one.
			return RawRecord{}, s.resumeArray(s.failMsg(err))
		}
		return RawRecord{}, s.scanFailed(err)
	}
	if !s.objBig && (s.pos >= s.hi || s.buf[s.pos] != ',' && s.buf[s.pos] != ']') && !s.followsElement() {
		// Its brackets balanced, but by chance: a string left open
		// inside it turned the bytes after it inside out.
		return RawRecord{}, s.resumeArray("record not followed by ',' or ']' (a string left open inside it?)")
	}
	idx := s.index
	off := s.base + int64(s.keep)
	inList := s.list.key != "" && s.list.depth == len(s.modes)
	if inList {
		idx = s.list.index
	} else {
		s.index++
	}
	if s.objBig {
		return RawRecord{}, &RecordError{Index: idx, Offset: off, Msg: fmt.Sprintf("record larger than the %d-byte limit; skipped", s.maxRecord())}
	}
	data := s.buf[s.keep:s.pos]
	s.keep = s.pos
	rec := RawRecord{Data: data, Index: idx, Offset: off}
	if inList {
		rec.List, rec.Offset = s.list.key, s.list.at
	}
	return rec, nil
}

var (
	errTruncated = errors.New("stream ends inside a record")
	errCutOff    = &syntaxError{"record cut off (truncated line?): a line inside it starts a new record"}
)

type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

// scanValue advances pos over one complete JSON value, refilling the
// buffer as needed. Bytes from keep on are retained unless the value
// outgrows MaxRecord, in which case objBig is set and bytes are dropped.
func (s *Splitter) scanValue() error {
	s.sc.reset()
	for {
		start := s.pos
		s.sc.prevNL = s.prevByte() == '\n'
		n, done, err := s.sc.scan(s.buf[s.pos:s.hi])
		s.pos += n
		if s.sc.cand >= 0 {
			if s.cand < 0 {
				s.cand = s.base + int64(start+s.sc.cand)
			}
			s.sc.cand = -1
		}
		if err != nil {
			return err
		}
		if s.pos-s.keep > s.maxRecord() || s.objBig {
			if s.cand >= 0 {
				// Over the limit with a line inside that starts a
				// record: a cut-off line swallowing the lines after
				// it. Give them back rather than skip them all.
				return errCutOff
			}
			s.objBig = true
			if !done {
				s.keep = s.pos // stop retaining what will be skipped anyway
			}
		}
		if done {
			return nil
		}
		if !s.fill() {
			if s.sc.scalarPending() && s.readErr == nil {
				return nil // a bare number or literal ends at EOF
			}
			return errTruncated
		}
	}
}

// scanFailed turns a scan error into a RecordError and resynchronises.
func (s *Splitter) scanFailed(err error) error {
	if errors.Is(err, errTruncated) {
		return s.truncated()
	}
	return s.resync(err.Error())
}

// failMsg says why a record could not be scanned.
func (s *Splitter) failMsg(err error) string {
	if err != errTruncated {
		return err.Error()
	}
	if s.readErr != nil {
		return "stream ends inside a record: " + s.readErr.Error()
	}
	return "stream ends inside a record"
}

// truncated reports a record cut off by the end of the stream. When a
// line inside it starts a record, scanning resumes there: in JSON lines,
// a cut-off line must not hide the lines after it.
func (s *Splitter) truncated() error {
	msg := s.failMsg(errTruncated)
	if s.candInBuffer() {
		return s.resync("record cut off (truncated line?): " + msg)
	}
	e := &RecordError{Index: s.index, Offset: s.recAt, Msg: msg}
	s.index++
	top := s.atTop()
	s.modes, s.resumed, s.list = s.modes[:0], 0, listState{}
	if top && s.glued() {
		return e
	}
	s.keep, s.pos = s.hi, s.hi
	return e
}

func (s *Splitter) candInBuffer() bool {
	return s.cand >= s.base+int64(s.keep) && s.cand < s.base+int64(s.hi)
}

// resync reports an unreadable record or stretch of bytes and moves to
// where a JSON-lines stream picks up again: the first line inside the
// failed record that starts with '{' (a cut-off line took it along), else
// the failure point if it starts a line with '{', else the next line that
// starts with '{' or '['. Runs of unreadable lines are reported once.
func (s *Splitter) resync(msg string) error {
	e := &RecordError{Index: s.index, Offset: s.recAt, Msg: msg}
	s.index++
	top := s.atTop()
	s.modes, s.resumed, s.list = s.modes[:0], 0, listState{}
	if top && s.glued() {
		return e // a record written on after the broken one, on its line
	}
	if s.candInBuffer() {
		s.pos = int(s.cand - s.base)
		s.keep, s.cand = s.pos, -1
		return e
	}
	s.cand = -1
	if s.base+int64(s.pos) > s.recAt && s.pos < s.hi && s.buf[s.pos] == '{' && s.prevByte() == '\n' {
		s.keep = s.pos
		return e
	}
	for {
		s.keep = s.pos
		if !s.skipLine() {
			return e
		}
		c, ok := s.skipSpace(true)
		if !ok || c == '{' || c == '[' {
			return e
		}
	}
}

// skipLine advances past the next newline; false at end of stream.
func (s *Splitter) skipLine() bool {
	for {
		if i := bytes.IndexByte(s.buf[s.pos:s.hi], '\n'); i >= 0 {
			s.pos += i + 1
			return true
		}
		s.pos = s.hi
		s.keep = s.pos
		if !s.fill() {
			return false
		}
	}
}

// skipSpace advances over white space (and, at top level, stray commas
// between values) and returns the next byte without consuming it.
func (s *Splitter) skipSpace(top bool) (byte, bool) {
	for {
		for s.pos < s.hi {
			c := s.buf[s.pos]
			switch c {
			case ' ', '\t', '\n', '\r':
				s.pos++
				continue
			case ',':
				if top {
					s.pos++
					continue
				}
			}
			if top {
				s.keep = s.pos
			}
			return c, true
		}
		if top {
			s.keep = s.pos
		}
		if !s.fill() {
			return 0, false
		}
	}
}

// skipPrefix moves past the bytes before the first '{' of the current
// line (a syslog prefix, NUL padding) and reports whether it found one;
// otherwise pos stays put. If the bytes were the tail of a cut-off record
// instead, its unmatched closing brackets are still reported.
func (s *Splitter) skipPrefix() bool {
	s.skipNULs()
	for off := 0; off < maxPrefix; off++ {
		for s.pos+off >= s.hi {
			s.keep = s.pos
			if !s.fill() {
				return false
			}
		}
		switch s.buf[s.pos+off] {
		case '{':
			s.pos += off
			s.keep = s.pos
			return true
		case '\n':
			return false
		}
	}
	return false
}

// maxPrefix bounds the bytes skipped before the JSON on a line.
const maxPrefix = 4096

// skipNULs moves past a run of NULs at pos, however long: the zeroed
// blocks a crash or a preallocated log file leaves before the writing
// resumed, often a page or more with no newline. The run is dropped as it
// is read, so it costs no memory.
func (s *Splitter) skipNULs() {
	for {
		for s.pos < s.hi && s.buf[s.pos] == 0 {
			s.pos++
		}
		if s.pos < s.hi {
			return
		}
		s.keep = s.pos
		if !s.fill() {
			return
		}
	}
}

// prevByte is the byte before pos ('\n' at the start of the stream).
func (s *Splitter) prevByte() byte {
	if s.pos > 0 {
		return s.buf[s.pos-1]
	}
	return s.prev
}

func (s *Splitter) skipBOM() {
	for s.hi-s.pos < 3 && s.fill() {
	}
	if s.hi-s.pos >= 3 && s.buf[s.pos] == 0xEF && s.buf[s.pos+1] == 0xBB && s.buf[s.pos+2] == 0xBF {
		s.pos += 3
		s.keep = s.pos
	}
}

// fill reads more data, keeping buf[keep:]. It returns false when no more
// data can come.
func (s *Splitter) fill() bool {
	if s.eof {
		return false
	}
	if s.keep > 0 {
		// Slide retained bytes to the front.
		s.prev = s.buf[s.keep-1]
		n := copy(s.buf, s.buf[s.keep:s.hi])
		s.base += int64(s.keep)
		s.pos -= s.keep
		s.objStart -= s.keep
		s.hi = n
		s.keep = 0
	}
	if s.hi == len(s.buf) {
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.hi])
		s.buf = nb
	}
	for tries := 0; tries < 100; tries++ {
		n, err := s.r.Read(s.buf[s.hi:])
		s.hi += n
		if err != nil {
			s.eof = true
			if !errors.Is(err, io.EOF) {
				s.readErr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.eof = true
	s.readErr = io.ErrNoProgress
	return false
}

func (s *Splitter) endErr() error {
	if s.readErr != nil {
		return s.readErr
	}
	return io.EOF
}

// Records reports how many records (readable or not) the stream held so far.
func (s *Splitter) Records() int64 { return s.index }

// Offset is the number of decompressed bytes consumed so far.
func (s *Splitter) Offset() int64 { return s.base + int64(s.pos) }

// replacementChar describes U+FFFD at top level: what a decoder writes
// for bytes it could not read, most often the odd last byte of UTF-16
// text (a NUL of padding after it).
const replacementChar = "U+FFFD (bytes the text decoding could not read: in UTF-16 text, an odd byte at its end, such as one NUL of padding)"

func describe(c byte) string {
	switch {
	case c >= 0x20 && c < 0x7f:
		return fmt.Sprintf("%q", rune(c))
	case c == 0:
		// NULs between the characters are UTF-16 whose start was not
		// recognised (no byte-order mark, not ASCII at first).
		return "byte 0x00 (a NUL: if the file is UTF-16, convert it with iconv -f UTF-16LE -t UTF-8)"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
