package aws

import (
	"encoding/binary"
	"hash/maphash"
	"sync/atomic"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// actorMembers are the members of a record that actor reads, and all of
// them (TestActorReadsOnlyItsMembers holds the two together).
var actorMembers = [...]string{"userIdentity", "sourceIPAddress", "userAgent"}

// A session repeats its caller's userIdentity, address and user agent on
// every call, and actor is a function of those members alone: a record
// read in place whose members are byte for byte those of a recent one
// gets that record's actor without reading them again. The table is
// direct-mapped and shared by the workers; a slot holds the last
// identity that hashed to it and was seen twice running (actorSeen holds
// the hash of the last one that missed), so identities that never repeat
// (or are made not to) cost only the reading they would cost anyway,
// and no allocation for an entry that would never be asked for.
var (
	actorSeed = maphash.MakeSeed()
	actorMemo [1024]atomic.Pointer[actorEntry]
	actorSeen [1024]atomic.Uint64
)

type actorEntry struct {
	key   string
	actor model.Actor
}

// maxActorKey bounds the identities remembered; longer ones are read.
const maxActorKey = 4096

// actorOf is actor, remembered for records read in place.
func actorOf(rec any) model.Actor {
	o, ok := rec.(jv.Object)
	if !ok {
		return actor(rec)
	}
	var buf [maxActorKey]byte
	key := buf[:0]
	for _, k := range actorMembers {
		b, ok := o.Bytes(k)
		if !ok {
			key = append(key, 0) // absent, apart from any length
			continue
		}
		if len(key)+len(b)+binary.MaxVarintLen64 > maxActorKey {
			return actor(rec)
		}
		key = binary.AppendUvarint(key, uint64(len(b))+1)
		key = append(key, b...)
	}
	h := maphash.Bytes(actorSeed, key)
	i := h % uint64(len(actorMemo))
	if e := actorMemo[i].Load(); e != nil && e.key == string(key) {
		return e.actor
	}
	a := actor(rec)
	if actorSeen[i].Swap(h) == h {
		actorMemo[i].Store(&actorEntry{key: string(key), actor: a})
	}
	return a
}
