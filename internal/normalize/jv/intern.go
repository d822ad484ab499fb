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
	slot := &valueTable[maphash.Bytes(internSeed, b)%uint64(len(valueTable))]
	if v := slot.Load(); v != nil && (*v).(string) == string(b) {
		return *v
	}
	var v any = string(b)
	slot.Store(&v)
	return v
}
