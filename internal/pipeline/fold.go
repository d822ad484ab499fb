package pipeline

import (
	"cmp"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize"
	"cloudwall/internal/spill"
)

// folder is the Coalescer with a bound on the operations it holds: past
// max, or once their caller-chosen texts pass heldTextPerOp bytes an
// operation on average, records of further operations go to a temporary
// file, sorted by operation key, and are folded when read back, so the
// events of a scan of many distinct operations are never all in memory.
// The events it gives are those the Coalescer alone would give.
type folder struct {
	co *normalize.Coalescer
	// max bounds the operations held; 0 for no bound. Once text passes
	// textMax it is lowered to the operations then held, and the rest of
	// the scan holds that many at a time (heldMax).
	max int
	// text is the bytes of the texts of the operations held (heldText),
	// textMax its bound.
	text, textMax int64
	// disk holds the records of operations past max, by key; written is
	// how many.
	disk    *spill.Sorter[keyedRecord]
	written int64
	err     error
	// dups counts the records folded into others among those on disk.
	dups int64
}

// keyedRecord is one record on its way through the spill file.
type keyedRecord struct {
	Key string `json:"k"`
	// Seq is the record's rank among the records of operations past max,
	// plus max: the first record of an operation gives it its place among
	// every operation, the held ones (all seen before) included.
	Seq int64       `json:"q"`
	Ev  model.Event `json:"e"`
}

// heldTextPerOp is what an operation's caller-chosen texts (actor, user
// agent, resource: each up to normalize.MaxText) may take on average
// before a scan holds fewer than --max-held: each finding copies them
// several times (reasons, guidance, commands, its window), and the
// bound of --max-held alone assumes short ones. Real names are a few
// dozen bytes, an Azure resource id or a gcloud user agent a few
// hundred; past the bound the scan is the same, spilled sooner (only
// correlations are cut in smaller pieces, with a notice).
const heldTextPerOp = 512

func newFolder(max int) *folder {
	return &folder{co: normalize.NewCoalescer(), max: max, textMax: int64(max) * heldTextPerOp}
}

// heldText is the bytes of ev's texts that a caller chooses freely and
// that the finding of its operation copies.
func heldText(ev *model.Event) int64 {
	a := &ev.Actor
	n := len(a.ID) + len(a.Name) + len(a.Session) + len(a.AccessKey) + len(a.Role) + len(ev.UserAgent) +
		len(ev.SourceIP) + len(ev.Resource.ID) + len(ev.Resource.Name) + len(ev.ErrorMessage) + len(ev.Account)
	return int64(n)
}

// heldMax is how many operations the rest of the scan holds at a time:
// --max-held, or fewer when their texts were long.
func (f *folder) heldMax() int { return f.max }

// add takes one record.
func (f *folder) add(ev model.Event) {
	if f.max <= 0 {
		f.co.Add(ev)
		return
	}
	held := f.co.Held()
	if f.co.AddHeld(ev, f.max) {
		if f.co.Held() > held {
			if f.text += heldText(&ev); f.text > f.textMax && f.disk == nil {
				// Hold no more operations: the next new one spills.
				f.max = max(f.co.Held(), 1)
			}
		}
		return
	}
	if f.err != nil {
		return
	}
	if f.disk == nil {
		f.disk = spill.New(f.max, func(a, b keyedRecord) int { return cmp.Compare(a.Key, b.Key) })
	}
	f.err = f.disk.Add(keyedRecord{Key: normalize.OperationKey(&ev), Seq: int64(f.max) + f.written, Ev: ev})
	f.written++
}

// spilled reports whether there were more than max operations.
func (f *folder) spilled() bool { return f.disk != nil }

// drain is Coalescer.Drain for a folder that did not spill.
func (f *folder) drain() []model.Event { return f.co.Drain() }

// each calls fn with one event per operation and the operation's rank in
// the order operations were first seen (the order Coalescer.Drain gives
// them in): the held ones first, in that order, then those on disk, in
// key order. The folder is empty afterwards.
func (f *folder) each(fn func(ev model.Event, seq int64) error) error {
	if f.err != nil {
		return f.err
	}
	held := f.co.Drain()
	for i := range held {
		if err := fn(held[i], int64(i)); err != nil {
			return err
		}
		held[i] = model.Event{}
	}
	held = nil
	if f.disk == nil {
		return nil
	}
	// Records of one operation are adjacent: fold them with a Coalescer
	// of their own, one operation at a time.
	g := normalize.NewCoalescer()
	var (
		key   string
		first int64
		open  bool
	)
	emit := func() error {
		evs := g.Drain()
		open = false
		return fn(evs[0], first)
	}
	err := f.disk.Each(func(r keyedRecord) error {
		if open && r.Key != key {
			if err := emit(); err != nil {
				return err
			}
		}
		if !open {
			key, first, open = r.Key, r.Seq, true
		}
		g.Add(r.Ev)
		return nil
	})
	if err == nil && open {
		err = emit()
	}
	f.dups = g.Duplicates()
	return err
}

// duplicates is Coalescer.Duplicates over every record, after each.
func (f *folder) duplicates() int64 { return f.co.Duplicates() + f.dups }

// close removes the temporary file.
func (f *folder) close() error {
	if f.disk == nil {
		return nil
	}
	return f.disk.Close()
}
