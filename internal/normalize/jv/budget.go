package jv

import "fmt"

// A value decoded from JSON costs memory several times its bytes at best:
// the two bytes of {} become a map, the two of 0, in a list, a 16-byte
// slot; and the reading after decoding (rules, peers, exposures) costs
// more per value again. Whoever writes a record chooses how dense it is,
// so the readers here (the decoder, DecodeLean's check of the members it
// leaves out, Raw.Index) count every value they pass, built or not, and
// refuse a record that holds more than its length allows. The allowance
// decides nothing but that: it depends only on the record's bytes, so the
// three readers refuse the same records, and it is far above what a cloud
// writes (a CloudTrail or Cloud Logging entry is at most 256 KB, with
// tens of bytes per value; a Log Analytics answer of 8 MiB holds some
// 250,000 values).
const (
	// BaseContainers objects and arrays are allowed in any record, and
	// one more per BytesPerContainer bytes of it.
	BaseContainers    = 1 << 14
	BytesPerContainer = 128
	// BaseScalars strings, numbers, booleans and nulls are allowed in any
	// record, and one more per BytesPerScalar bytes of it.
	BaseScalars    = 1 << 16
	BytesPerScalar = 16
)

// A document a user gives on purpose (a snapshot, a Terraform plan) may be
// denser than any audit record: the densest real ones hold one object or
// array per 27 bytes and one other value per 22 (compact JSON; the shared
// snapshot samples). Documents get the same base and one value per
// DocBytesPerContainer or DocBytesPerScalar bytes: a margin of some two
// over those, while a document of 64 MiB of "{}," or "0," can no longer
// decode into some 50 times its size (3.5 GiB) but is refused.
const (
	DocBytesPerContainer = 16
	DocBytesPerScalar    = 8
)

// budget is what a reader may still pass: objects and arrays, and other
// values.
type budget struct{ containers, scalars int }

// density is how many bytes buy one more value of each kind.
type density struct{ perContainer, perScalar int }

var (
	recordDensity   = density{BytesPerContainer, BytesPerScalar}
	documentDensity = density{DocBytesPerContainer, DocBytesPerScalar}
)

func (d density) budget(n int) budget {
	return budget{BaseContainers + n/d.perContainer, BaseScalars + n/d.perScalar}
}

func budgetFor(n int) budget { return recordDensity.budget(n) }

// BudgetError is the error of a record or document that holds more values
// than its length allows.
type BudgetError struct {
	Size                int // the record's bytes
	Containers, Scalars int // what a record of Size bytes may hold
	d                   density
}

func (e *BudgetError) Error() string {
	what := "record"
	if e.d == documentDensity {
		what = "document"
	}
	return fmt.Sprintf("more JSON values than a %s of %d bytes may hold (%d objects and arrays, %d other values: %d and %d plus one per %d and %d bytes); not read",
		what, e.Size, e.Containers, e.Scalars, BaseContainers, BaseScalars, e.d.perContainer, e.d.perScalar)
}

func budgetError(n int) *BudgetError { return recordDensity.error(n) }

func (d density) error(n int) *BudgetError {
	b := d.budget(n)
	return &BudgetError{Size: n, Containers: b.containers, Scalars: b.scalars, d: d}
}

// CheckBudget tells, building nothing, whether b holds more values than
// its length allows (a *BudgetError): for readers whose own parser would
// build them all first. b that is not JSON gives nil, for that parser to
// say why.
func CheckBudget(b []byte) error {
	p := newParser(b, nil)
	if !p.skipValue(0) && p.over {
		return budgetError(len(b))
	}
	return nil
}

// newParser is a parser of b with the budget of b's length.
func newParser(b []byte, skip []string) fastParser {
	return fastParser{b: b, skip: skip, left: budgetFor(len(b))}
}

// reread points p at b from i, with the whole budget of b: to read again
// a value that was checked within it.
func (p *fastParser) reread(b []byte, i int, skip []string) {
	p.b, p.i, p.skip = b, i, skip
	p.left, p.over = budgetFor(len(b)), false
}

// container takes an object or array from the budget; false (and over
// set) when there is none left.
func (p *fastParser) container() bool {
	p.left.containers--
	if p.left.containers < 0 {
		p.over = true
		return false
	}
	return true
}

// scalar takes any other value from the budget.
func (p *fastParser) scalar() bool {
	p.left.scalars--
	if p.left.scalars < 0 {
		p.over = true
		return false
	}
	return true
}
