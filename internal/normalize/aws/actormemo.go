package aws

import (
	"hash/maphash"
	"strings"
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
	// members holds the bytes of actorMembers one after another, lens
	// each one's length (-1: absent).
	members string
	lens    [len(actorMembers)]int
	actor   model.Actor
}

// same reports whether the entry was made for members ms (nil: absent).
func (e *actorEntry) same(ms *[len(actorMembers)][]byte) bool {
	at := 0
	for k, b := range ms {
		if b == nil {
			if e.lens[k] != -1 {
				return false
			}
			continue
		}
		if e.lens[k] != len(b) || e.members[at:at+len(b)] != string(b) {
			return false
		}
		at += len(b)
	}
	return true
}

// maxActorKey bounds the identities remembered; longer ones are read.
const maxActorKey = 4096

// actorOf is actor, remembered for records read in place. The members
// are hashed and compared where they lie: copying them into one key
// cost more than a hit saved.
func actorOf(rec any) model.Actor {
	o, ok := rec.(jv.Object)
	if !ok {
		return actor(rec)
	}
	var ms [len(actorMembers)][]byte
	n := 0
	h := uint64(len(actorMembers))
	for k, key := range actorMembers {
		b, ok := o.Bytes(key) // a value's bytes are never empty
		ms[k] = b
		n += len(b)
		if n > maxActorKey {
			return actor(rec)
		}
		hk := uint64(0) // absent
		if ok {
			hk = maphash.Bytes(actorSeed, b) | 1
		}
		h = (h ^ hk) * 0x9e3779b97f4a7c15
	}
	i := h % uint64(len(actorMemo))
	if e := actorMemo[i].Load(); e != nil && e.same(&ms) {
		return e.actor
	}
	a := actor(rec)
	if actorSeen[i].Swap(h) == h {
		e := &actorEntry{actor: a}
		var buf strings.Builder
		buf.Grow(n)
		for k, b := range ms {
			e.lens[k] = -1
			if b != nil {
				e.lens[k] = len(b)
				buf.Write(b)
			}
		}
		e.members = buf.String()
		actorMemo[i].Store(e)
	}
	return a
}

// contextActor is the actor of a record read as context: what names the
// actor and its session to the correlations (correlate.ContextKey and
// SessionOf), and nothing else. A principal that names itself (arn or
// principalId) is that; a record without one is read in full, as its
// name then depends on the rest of userIdentity. Most context records
// are of sessions seen once, which actorOf's memo does not hold, and the
// full actor (role, federation, session times) is a third of reading one.
func contextActor(rec any) model.Actor {
	ui := jv.Node(rec, "userIdentity")
	arn, principal := jv.Str(ui, "arn"), jv.Str(ui, "principalId")
	id := first(arn, principal)
	if id == "" {
		return actorOf(rec)
	}
	key := jv.Str(ui, "accessKeyId")
	return model.Actor{ID: id, AccessKey: key, Session: first(key, roleSession(arn, principal))}
}
