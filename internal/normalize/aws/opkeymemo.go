package aws

import (
	"hash/maphash"
	"sync/atomic"
)

// A log names a few hundred operations, and operationKey (two
// lower-casings and a concatenation) is a function of the service and
// the name alone: operationKeyOf remembers its answers, as actorOf
// remembers actors, so a record of a known operation gets its key
// without building it. The table is direct-mapped and shared by the
// workers; a slot keeps a pair once seen twice running (opKeySeen), so
// pairs that never repeat cost no entry.
var (
	opKeySeed = maphash.MakeSeed()
	opKeyMemo [512]atomic.Pointer[opKeyEntry]
	opKeySeen [512]atomic.Uint64
)

type opKeyEntry struct{ service, name, key string }

// maxOpKeyPair bounds the pairs remembered; longer ones are built.
const maxOpKeyPair = 256

// operationKeyOf is operationKey, remembered.
func operationKeyOf(service, name string) string {
	if len(service)+len(name) > maxOpKeyPair {
		return operationKey(service, name)
	}
	h := (maphash.String(opKeySeed, service)|1)*0x9e3779b97f4a7c15 ^ maphash.String(opKeySeed, name)
	i := h % uint64(len(opKeyMemo))
	if e := opKeyMemo[i].Load(); e != nil && e.service == service && e.name == name {
		return e.key
	}
	key := operationKey(service, name)
	if opKeySeen[i].Swap(h) == h {
		opKeyMemo[i].Store(&opKeyEntry{service: service, name: name, key: key})
	}
	return key
}
