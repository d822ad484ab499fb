package traffic

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/valyala/fastjson"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/normalize/jv"
)

// maxLine bounds one text record; VPC flow-log lines are a few hundred
// bytes even with every field.
const maxLine = 64 << 10

// Counts is what reading flow logs saw.
type Counts struct {
	Files   int64 `json:"files"`
	Records int64 `json:"records"`
	Flows   int64 `json:"flows"`
	// Unreadable counts unreadable records, and within an Azure record
	// each unreadable flow tuple (a record of many tuples loses only the
	// bad ones).
	Unreadable int64 `json:"unreadable"`
	// Skipped counts records that carry no flow: headers, NODATA and
	// SKIPDATA records, entries of other logs. (A NODATA record is still
	// handed on, as Flow.Idle, for coverage.)
	Skipped  int64           `json:"skipped"`
	Problems []model.Problem `json:"problems,omitempty"`
	// last is the end of the latest flow of each cloud and account
	// (coverageKey with no scope), set by Join.
	last map[string]time.Time
}

// lastByAccount folds coverage, kept per scope (an Azure NSG, VNet or
// NIC), into the end of the latest flow of each cloud and account.
func lastByAccount(cov coverage) map[string]time.Time {
	last := map[string]time.Time{}
	for k, s := range cov {
		if s == nil || !s.set {
			continue
		}
		i := strings.LastIndexByte(k, '|')
		if i < 0 {
			continue
		}
		acct := k[:i+1] // coverageKey(cloud, account, "")
		if s.to.After(last[acct]) {
			last[acct] = s.to
		}
	}
	return last
}

// Last is the end of the latest flow of the cloud and account that Join
// read; zero when it read none of that account (flows that do not say
// their account are not counted for any).
func (c Counts) Last(cloud model.Cloud, account string) time.Time {
	if account == "" {
		return time.Time{}
	}
	return c.last[coverageKey(string(cloud), account, "")]
}

func (c *Counts) add(o Counts) {
	c.Files += o.Files
	c.Records += o.Records
	c.Flows += o.Flows
	c.Unreadable += o.Unreadable
	c.Skipped += o.Skipped
	c.Problems = append(c.Problems, o.Problems...)
}

// maxProblemsPerFile bounds the messages one file adds; all are counted.
const maxProblemsPerFile = 5

// fileReader reads the streams of one worker, one at a time.
type fileReader struct {
	counts    Counts
	perFile   int
	aws       awsParser
	split     *normalize.Splitter
	maxRecord int
	json      fastjson.Parser
	in        interner
}

func (r *fileReader) problem(file string, index, offset int64, msg string) {
	r.counts.Unreadable++
	if r.perFile < maxProblemsPerFile {
		r.counts.Problems = append(r.counts.Problems, model.Problem{File: file, Index: index, Offset: offset, Message: msg})
	}
	r.perFile++
}

// ReadStream reads every flow in one decompressed stream, calling emit for
// each; bad records are counted and reported, never fatal. It returns only
// the stream's read error or the context's.
func (r *fileReader) ReadStream(ctx context.Context, name string, in io.Reader, emit func(*Flow)) error {
	r.counts.Files++
	r.perFile = 0
	r.aws = awsParser{in: &r.in, need: r.aws.need}
	br := bufio.NewReaderSize(in, 64<<10)
	first, err := firstByte(br)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return err
	}
	if first == '{' && r.flowPerLine(br) {
		return r.readJSONLines(ctx, name, br, emit)
	}
	if first == '{' || first == '[' {
		return r.readJSON(ctx, name, br, emit)
	}
	if bytes.HasPrefix(peek(br, 4), []byte("PAR1")) {
		return r.readParquet(ctx, name, br, emit)
	}
	return r.readText(ctx, name, br, emit)
}

func peek(br *bufio.Reader, n int) []byte {
	b, _ := br.Peek(n)
	return b
}

// firstByte returns the first byte that is not white space or a BOM,
// without consuming it.
func firstByte(br *bufio.Reader) (byte, error) {
	for i := 0; ; i++ {
		b, err := br.Peek(1)
		if err != nil {
			return 0, err
		}
		switch b[0] {
		case ' ', '\t', '\r', '\n':
			br.ReadByte()
			continue
		case 0xEF:
			if bom, _ := br.Peek(3); bytes.Equal(bom, []byte{0xEF, 0xBB, 0xBF}) {
				br.Discard(3)
				continue
			}
		}
		return b[0], nil
	}
}

func (r *fileReader) readText(ctx context.Context, name string, br *bufio.Reader, emit func(*Flow)) error {
	var f Flow
	var line, offset int64
	flowsBefore := r.counts.Flows
	for {
		if line&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		offset += skipNULs(br)
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than any flow record: skip to its end.
			n := int64(len(b))
			for errors.Is(err, bufio.ErrBufferFull) && n < 1<<40 {
				b, err = br.ReadSlice('\n')
				n += int64(len(b))
			}
			line++
			r.counts.Records++
			r.problem(name, line, offset, fmt.Sprintf("line of %d bytes is longer than any flow record (%d): skipped", n, maxLine))
			offset += n
			if err != nil {
				return endErr(err)
			}
			continue
		}
		if len(b) > 0 {
			line++
			offset += int64(len(b))
			if len(bytes.TrimSpace(b)) > 0 {
				r.counts.Records++
				ok, perr := r.aws.line(bytes.TrimRight(b, "\n"), &f)
				if perr == errAWSLayout && r.counts.Flows == flowsBefore && r.perFile == 0 {
					// The first record already names no known format:
					// the file is not a flow log. Say so once, not per line.
					r.problem(name, line, offset-int64(len(b)), "not a flow log this version reads (no VPC flow-log header line, not JSON): file skipped; first line: "+strconv.Quote(truncate(string(bytes.TrimSpace(b)), 80)))
					return nil
				}
				if j := r.aws.junk; perr == nil && j > 0 {
					// The junk is a record of its own, lost; the one
					// after it on the line is read.
					r.counts.Records++
					r.problem(name, line, offset-int64(len(b)), fmt.Sprintf("%d bytes of junk before the record on this line (%s): dropped, the record after it read", j, strconv.Quote(truncate(string(b[:j]), 40))))
				}
				switch {
				case perr != nil:
					r.problem(name, line, offset-int64(len(b)), perr.Error())
				case ok:
					f.Line = line
					r.counts.Flows++
					emit(&f)
				default:
					r.counts.Skipped++
					if f.Idle {
						emit(&f) // coverage only
					}
				}
			}
		}
		if err != nil {
			return endErr(err)
		}
	}
}

// skipNULs discards a run of NULs at the start of a line, however long
// (the zeroed blocks a crash leaves in a file being written), and says
// how many bytes it dropped.
func skipNULs(br *bufio.Reader) int64 {
	var n int64
	for {
		if b, err := br.Peek(1); err != nil || b[0] != 0 {
			return n
		}
		b, _ := br.Peek(br.Buffered())
		k := 0
		for k < len(b) && b[k] == 0 {
			k++
		}
		br.Discard(k)
		n += int64(k)
	}
}

func endErr(err error) error {
	if errors.Is(err, io.EOF) {
		return nil
	}
	return err
}

// Raw-byte markers that decide how a JSON record is decoded.
var (
	markTuples  = []byte(`"flowTuples"`)
	markPayload = []byte(`"jsonPayload"`)
	markMessage = []byte(`"message"`)
)

func (r *fileReader) readJSON(ctx context.Context, name string, br *bufio.Reader, emit func(*Flow)) error {
	if r.split == nil {
		r.split = normalize.NewSplitter(br)
	} else {
		r.split.Reset(br)
	}
	r.split.MaxRecord = r.maxRecord
	var f Flow
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		raw, err := r.split.Next()
		if err != nil {
			var re *normalize.RecordError
			if errors.As(err, &re) {
				r.counts.Records++
				r.problem(name, re.Index, re.Offset, re.Msg)
				continue
			}
			return endErr(err)
		}
		r.counts.Records++
		bad := r.counts.Unreadable
		n, perr := r.jsonRecord(raw.Data, &f, emit, func(err error) {
			r.problem(name, raw.Index, raw.Offset, err.Error())
		})
		switch {
		case perr != nil:
			r.problem(name, raw.Index, raw.Offset, perr.Error())
		case n == 0 && r.counts.Unreadable == bad:
			// Skipped: a record of another kind. One whose every flow
			// tuple was unreadable is counted there, per tuple.
			r.counts.Skipped++
		default:
			r.counts.Flows += int64(n)
		}
	}
}

// flowPerLine reports whether the stream is JSON lines of flow records
// (one GCP LogEntry or CloudWatch Logs event per line, as exports write
// them): its first line is a whole JSON object that is itself a flow
// record, not a wrapper. Such streams are read line by line, which is
// cheaper than the record splitter and resynchronises at the next line
// after a damaged one.
func (r *fileReader) flowPerLine(br *bufio.Reader) bool {
	n := br.Buffered()
	var b []byte
	for {
		var err error
		b, err = br.Peek(n)
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			b = b[:i]
			break
		}
		if err != nil || len(b) >= maxLine {
			break // a one-line stream, or a first line too long to be a flow
		}
		n = min(2*len(b)+512, maxLine)
	}
	v, err := r.json.ParseBytes(bytes.TrimSpace(b))
	if err != nil || v.Type() != fastjson.TypeObject {
		return false
	}
	return v.Exists("jsonPayload") || v.Exists("message") && !v.Exists("logEvents")
}

// readJSONLines reads a stream of one JSON flow record per line.
func (r *fileReader) readJSONLines(ctx context.Context, name string, br *bufio.Reader, emit func(*Flow)) error {
	var f Flow
	var index, offset int64
	var long []byte
	for {
		if index&1023 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		b, err := br.ReadSlice('\n')
		n := int64(len(b))
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line past the reader's buffer: gather it up to the record
			// bound, count the rest.
			long = append(long[:0], b...)
			for errors.Is(err, bufio.ErrBufferFull) {
				b, err = br.ReadSlice('\n')
				n += int64(len(b))
				if len(long)+len(b) <= r.maxRecordSize() {
					long = append(long, b...)
				}
			}
			b = long
		}
		if line := bytes.TrimSpace(b); len(line) > 0 {
			if i := bytes.IndexByte(line, '{'); i > 0 {
				// A syslog or collector prefix, NULs left by a crash: the
				// record starts at its first brace.
				line = line[i:]
			}
			r.counts.Records++
			if n > int64(r.maxRecordSize()) {
				r.problem(name, index, offset, fmt.Sprintf("record of %d bytes is larger than --max-record-size (%d): skipped", n, r.maxRecordSize()))
			} else {
				bad := r.counts.Unreadable
				k, perr := r.jsonRecord(line, &f, emit, func(err error) { r.problem(name, index, offset, err.Error()) })
				switch {
				case perr != nil:
					r.problem(name, index, offset, perr.Error())
				case k == 0 && r.counts.Unreadable == bad:
					r.counts.Skipped++
				default:
					r.counts.Flows += int64(k)
				}
			}
			index++
		}
		offset += n
		if err != nil {
			return endErr(err)
		}
	}
}

func (r *fileReader) maxRecordSize() int {
	if r.maxRecord > 0 {
		return r.maxRecord
	}
	return normalize.DefaultMaxRecord
}

// checkedSize is the size past which a JSON record is checked for
// density before it is parsed: the parser keeps a value for each value
// of the record, and a dense record of a few megabytes ({} by the
// million) would cost gigabytes.
const checkedSize = 64 << 10

// jsonRecord decodes one record and emits its flows; it returns how many.
func (r *fileReader) jsonRecord(data []byte, f *Flow, emit func(*Flow), bad func(error)) (int, error) {
	if len(data) > checkedSize {
		if err := jv.CheckBudget(data); err != nil {
			return 0, err
		}
	}
	switch {
	case bytes.Contains(data, markTuples):
		v, err := r.json.ParseBytes(data)
		if err != nil {
			return 0, fmt.Errorf("azure flow-log record: %w", err)
		}
		if v.GetArray("properties", "flows") == nil && v.GetArray("flowRecords", "flows") == nil {
			return 0, errors.New("azure flow-log record without properties.flows or flowRecords.flows arrays")
		}
		return r.azureFlows(v, emit, bad), nil
	case bytes.Contains(data, markPayload):
		v, err := r.json.ParseBytes(data)
		if err != nil {
			return 0, fmt.Errorf("GCP log entry: %w", err)
		}
		ok, err := r.gcpFlow(v, f)
		if err != nil || !ok {
			return 0, err
		}
		emit(f)
		return 1, nil
	case bytes.Contains(data, markAwslogs):
		v, err := r.json.ParseBytes(data)
		if err != nil {
			return 0, fmt.Errorf("CloudWatch Logs subscription event: %w", err)
		}
		if v.Get("awslogs", "data") != nil {
			return r.awslogsFlows(v, f, emit, bad)
		}
		if !bytes.Contains(data, markMessage) {
			return 0, nil
		}
		fallthrough
	case bytes.Contains(data, markMessage):
		// CloudWatch Logs: one VPC flow-log record per log event.
		v, err := r.json.ParseBytes(data)
		if err != nil {
			return 0, fmt.Errorf("CloudWatch Logs event: %w", err)
		}
		msg := v.Get("message")
		if msg == nil || msg.Type() != fastjson.TypeString {
			return 0, nil
		}
		b, _ := msg.StringBytes()
		ok, err := r.aws.line(b, f)
		if f.Idle {
			emit(f) // coverage only: the record is counted as skipped
		}
		if err != nil || !ok {
			return 0, err
		}
		emit(f)
		return 1, nil
	}
	return 0, nil
}
