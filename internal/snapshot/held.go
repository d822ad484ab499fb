package snapshot

import (
	"cmp"
	"time"

	"cloudwall/internal/model"
)

// Reading with Options.MaxHeld: an account's snapshot holds more
// firewalls than should sit in memory at once (a 500 MiB AWS Config
// snapshot is some 170,000 security groups, 3 KiB each once read). add
// still decides, as each copy of a firewall is read, what it does to the
// copies before it (replace them, merge into them, or nothing), from a
// few fields kept per firewall (fwMeta); the copies themselves go to a
// spill.Sorter in the order Set.Firewalls has, and EachFirewall applies
// each firewall's copies in reading order, joins the interfaces that
// carry it, and hands it on. What is held is then the sorter's MaxHeld
// copies, the interfaces and prefix lists, and fwMeta per firewall.

// fwMeta is what add needs to know of the firewall read so far under one
// key: whether it is partial, when it is dated, which file and
// observation its whole copy came from.
type fwMeta struct {
	partial bool
	asOf    time.Time
	file    string
	obs     string
}

// heldCopy is one copy of a firewall on its way through the sorter: it
// replaces what was read of the firewall before it, or merges into it.
type heldCopy struct {
	Key   string         `json:"k"`
	Merge bool           `json:"m,omitempty"`
	FW    model.Firewall `json:"f"`
}

// heldOrder is the order of Set.Firewalls; the sorter keeps the copies of
// one firewall in the order they were read.
func heldOrder(a, b heldCopy) int {
	return cmp.Or(cmp.Compare(a.FW.Cloud, b.FW.Cloud), cmp.Compare(a.FW.Resource.Type, b.FW.Resource.Type), cmp.Compare(a.Key, b.Key))
}

// close removes what the builder spilled, when Read gives up.
func (b *builder) close() {
	if b.spilled != nil {
		b.spilled.Close()
	}
}

// EachFirewall calls fn with each firewall of the set, in the order of
// Firewalls. Read with Options.MaxHeld, each is merged from the copies
// read back from disk, is valid only during its call, and Summary.Rules
// is counted on the way.
func (s *Set) EachFirewall(fn func(*model.Firewall) error) error {
	if s.spilled == nil {
		for i := range s.Firewalls {
			if err := fn(&s.Firewalls[i]); err != nil {
				return err
			}
		}
		return nil
	}
	var cur *model.Firewall
	var key string
	var rules int64
	done := func() error {
		if cur == nil {
			return nil
		}
		s.complete(cur)
		rules += int64(len(cur.Rules))
		return fn(cur)
	}
	err := s.spilled.Each(func(h heldCopy) error {
		switch {
		case cur != nil && h.Key == key && h.Merge:
			mergeInto(cur, &h.FW)
			return nil
		case cur != nil && h.Key == key:
			*cur = h.FW
			return nil
		}
		if err := done(); err != nil {
			return err
		}
		cur, key = &h.FW, h.Key
		return nil
	})
	if err == nil {
		err = done()
	}
	s.Summary.Rules = rules
	return err
}

// Spilled reports whether firewalls were sorted on disk (more than
// Options.MaxHeld copies were read).
func (s *Set) Spilled() bool { return s.spilled != nil && s.spilled.Spilled() }

// Close removes the temporary file of a set read with Options.MaxHeld.
func (s *Set) Close() error {
	if s.spilled == nil {
		return nil
	}
	return s.spilled.Close()
}
