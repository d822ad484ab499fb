package jv

import (
	"hash/maphash"
	"sync/atomic"
)

// maxInterned is the longest key or value kept in the intern tables:
// shorter than the UUIDs of event and request ids, which never repeat.
const maxInterned = 32

var (
	internSeed  = maphash.MakeSeed()
	internTable [1024]atomic.Pointer[string]
	valueTable  [4096]atomic.Pointer[any]
	// valueSeen holds, per value slot, the hash of the last value that
	// missed: a value is kept only when seen twice running, so the values
	// that never repeat (times, addresses, ids) cost no extra allocation.
	valueSeen [4096]atomic.Uint64
)

// intern returns b as a string, shared with earlier calls for the same
// bytes where the table holds it. The table is direct-mapped and safe
// for concurrent use: a slot holds the last key that hashed to it, so a
// record of hostile keys only costs the allocations it would have cost
// anyway. b must be plain ASCII without escapes.
func intern(b []byte) string {
	slot := &internTable[maphash.Bytes(internSeed, b)%uint64(len(internTable))]
	if s := slot.Load(); s != nil && *s == string(b) {
		return *s
	}
	s := string(b)
	slot.Store(&s)
	return s
}

// internValue is intern for string values, kept boxed in an interface so
// that a hit allocates nothing.
func internValue(b []byte) any {
	h := maphash.Bytes(internSeed, b)
	i := h % uint64(len(valueTable))
	if v := valueTable[i].Load(); v != nil && (*v).(string) == string(b) {
		return *v
	}
	v := any(string(b))
	if valueSeen[i].Swap(h) == h {
		kept := new(any)
		*kept = v
		valueTable[i].Store(kept)
	}
	return v
}
