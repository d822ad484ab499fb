// Package spill sorts more values than should be held in memory: past a
// limit, sorted runs are written to a temporary file and merged back in
// order, so memory stays bounded by the limit whatever the input.
//
// The temporary file is created in os.TempDir with mode 0600 and removed
// as soon as it is created on systems that allow removing an open file
// (Linux, macOS): the open descriptor keeps the data, so a process that
// is killed, or a Sorter never closed, leaves nothing behind. Elsewhere
// Close removes it.
package spill

import (
	"bufio"
	"container/heap"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Sorter collects values and returns them sorted by cmp; ties keep the
// order values were added in, so the result is exactly that of
// slices.SortStableFunc over all of them.
type Sorter[T any] struct {
	cmp   func(a, b T) int
	limit int
	held  []item[T]
	seq   int64
	n     int64
	file  *os.File
	named bool  // file still has a name in the directory (Close removes it)
	runs  []run // byte ranges of sorted runs in file
	w     *bufio.Writer
	off   int64
}

type item[T any] struct {
	Seq int64 `json:"s"`
	V   T     `json:"v"`
}

type run struct{ start, end int64 }

// New returns a Sorter that holds at most limit values in memory (at
// least 1) before spilling a sorted run to disk.
func New[T any](limit int, cmp func(a, b T) int) *Sorter[T] {
	return &Sorter[T]{cmp: cmp, limit: max(limit, 1)}
}

// Add adds v. It fails only when a run cannot be written.
func (s *Sorter[T]) Add(v T) error {
	s.held = append(s.held, item[T]{Seq: s.seq, V: v})
	s.seq++
	s.n++
	if len(s.held) >= s.limit {
		return s.flush()
	}
	return nil
}

// Len is how many values were added.
func (s *Sorter[T]) Len() int64 { return s.n }

// Spilled reports whether values were written to disk.
func (s *Sorter[T]) Spilled() bool { return len(s.runs) > 0 }

// Bytes is how many bytes were written to disk.
func (s *Sorter[T]) Bytes() int64 { return s.off }

// Runs is how many sorted runs were written to disk.
func (s *Sorter[T]) Runs() int { return len(s.runs) }

func (s *Sorter[T]) less(a, b item[T]) int {
	if c := s.cmp(a.V, b.V); c != 0 {
		return c
	}
	switch {
	case a.Seq < b.Seq:
		return -1
	case a.Seq > b.Seq:
		return 1
	}
	return 0
}

// flush writes the held values as one sorted run.
func (s *Sorter[T]) flush() error {
	if len(s.held) == 0 {
		return nil
	}
	if s.file == nil {
		f, err := os.CreateTemp("", "cloudwall-spill-*")
		if err != nil {
			return fmt.Errorf("spill: %w", err)
		}
		s.file = f
		s.named = removeOpen(f.Name()) != nil
		s.w = bufio.NewWriterSize(f, 1<<16)
	}
	slices.SortFunc(s.held, s.less)
	cw := &countWriter{w: s.w}
	enc := json.NewEncoder(cw)
	enc.SetEscapeHTML(false)
	for i := range s.held {
		if err := enc.Encode(&s.held[i]); err != nil {
			return fmt.Errorf("spill: write %s: %w", s.file.Name(), err)
		}
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("spill: write %s: %w", s.file.Name(), err)
	}
	s.runs = append(s.runs, run{start: s.off, end: s.off + cw.n})
	s.off += cw.n
	clear(s.held)
	s.held = s.held[:0]
	return nil
}

// Each calls fn with every value added, in order. It may be called more
// than once; Add must not be called after it.
func (s *Sorter[T]) Each(fn func(T) error) error {
	slices.SortFunc(s.held, s.less)
	if len(s.runs) == 0 {
		for _, it := range s.held {
			if err := fn(it.V); err != nil {
				return err
			}
		}
		return nil
	}
	h := &merge[T]{less: s.less}
	for _, r := range s.runs {
		dec := json.NewDecoder(bufio.NewReaderSize(io.NewSectionReader(s.file, r.start, r.end-r.start), 1<<14))
		c := &cursor[T]{dec: dec}
		if err := c.next(); err != nil {
			return err
		}
		if c.ok {
			h.cs = append(h.cs, c)
		}
	}
	if len(s.held) > 0 {
		h.cs = append(h.cs, &cursor[T]{mem: s.held, ok: true, cur: s.held[0], pos: 1})
	}
	heap.Init(h)
	for h.Len() > 0 {
		c := h.cs[0]
		if err := fn(c.cur.V); err != nil {
			return err
		}
		if err := c.next(); err != nil {
			return err
		}
		if c.ok {
			heap.Fix(h, 0)
		} else {
			heap.Pop(h)
		}
	}
	return nil
}

// Close closes the temporary file and removes it if it still has a name.
func (s *Sorter[T]) Close() error {
	s.held = nil
	if s.file == nil {
		return nil
	}
	name := s.file.Name()
	err := s.file.Close()
	s.file = nil
	if !s.named {
		return err
	}
	return errors.Join(err, os.Remove(name))
}

// removeOpen removes the name of an open file; a test replaces it to act
// as a system that cannot (Windows).
var removeOpen = os.Remove

// cursor reads one sorted run (from disk or the held values).
type cursor[T any] struct {
	dec *json.Decoder
	mem []item[T]
	pos int
	cur item[T]
	ok  bool
}

func (c *cursor[T]) next() error {
	if c.dec == nil {
		c.ok = c.pos < len(c.mem)
		if c.ok {
			c.cur = c.mem[c.pos]
			c.pos++
		}
		return nil
	}
	var it item[T]
	err := c.dec.Decode(&it)
	switch {
	case errors.Is(err, io.EOF):
		c.ok = false
		return nil
	case err != nil:
		return fmt.Errorf("spill: read back: %w", err)
	}
	c.cur, c.ok = it, true
	return nil
}

type merge[T any] struct {
	cs   []*cursor[T]
	less func(a, b item[T]) int
}

func (m *merge[T]) Len() int           { return len(m.cs) }
func (m *merge[T]) Less(i, j int) bool { return m.less(m.cs[i].cur, m.cs[j].cur) < 0 }
func (m *merge[T]) Swap(i, j int)      { m.cs[i], m.cs[j] = m.cs[j], m.cs[i] }
func (m *merge[T]) Push(x any)         { m.cs = append(m.cs, x.(*cursor[T])) }
func (m *merge[T]) Pop() any {
	c := m.cs[len(m.cs)-1]
	m.cs = m.cs[:len(m.cs)-1]
	return c
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
