package jv

import (
	"encoding/json"
	"slices"
	"unsafe"
)

// Raw is one JSON object read in place: Index checks it as DecodeLean
// would and notes where each object's members are, building no value
// until a parser asks for it. A record the prefilter keeps only as
// context is read this way: a parser asks it for a dozen fields, and
// building the maps of all the others was most of what such a record
// cost. The accessors of this package (Get, Str, Field, HasAny ...) read
// an Object as they read the map DecodeLean would have made of it.
//
// Index refuses what it cannot read exactly as that map: keys that are
// not plain ASCII, keys that are the same up to letter case (which the
// decoder reports as conflicts), objects of more than maxRawMembers
// members. The caller then decodes the record as usual.
type Raw struct {
	b    []byte
	skip []string
	objs []rawObject
	mems []rawMember
	tmp  []rawMember // members of the objects being read, innermost last
	// skipSigs holds the keySig of each key of skip, skipBits their
	// sigBits: most keys are known not to be skipped at a glance, and the
	// signature is the member's anyway.
	skipSigs []uint64
	skipBits uint64
	p        fastParser // builds the values asked for
	// vals holds each member's value once built, texts its text once Str
	// has read it (have[i] says which of them are there): a parser asks
	// for some fields more than once.
	vals  []any
	texts []string
	have  []uint8
	// boxes holds each Object once boxed in an interface (see boxed).
	boxes []any
}

// Object is an object of a Raw record. It is valid until the Raw is
// indexed again: a parser reads it and keeps only the strings it takes.
type Object struct {
	r *Raw
	o int32
}

type rawObject struct {
	start       int32 // the opening brace
	first, size int32 // members are mems[first:first+size]
	// sigs has the sigBit of each key's signature set: a key whose bit is
	// not set is not there, which most lookups of an absent key are told
	// without looking at a member.
	sigs uint64
}

// The flags of Raw.have.
const (
	haveVal  = 1 << iota // vals[i] is built
	haveText             // texts[i] is read
)

type rawMember struct {
	sig    uint64 // keySig of the key
	k0, k1 int32  // the key's bytes, quotes excluded
	v, end int32  // the value's bytes
	obj    int32  // the value's index in objs when it is an object, else -1
}

// maxRawMembers bounds the members of one object Index reads; larger
// objects are decoded as usual (the case-conflict check is quadratic).
const maxRawMembers = 64

// Index reads b, which must hold one object (and what decode accepts
// after it), leaving out the members whose key is one of skip, as
// DecodeLean does. ok is false when b is anything Index does not read
// exactly as DecodeLean would (see Raw); it says nothing of b's validity.
func (r *Raw) Index(b []byte, skip []string) (root Object, ok bool) {
	r.b, r.skip = b, skip
	r.skipSigs, r.skipBits = r.skipSigs[:0], 0
	for _, s := range skip {
		sig := keySig(s)
		r.skipSigs = append(r.skipSigs, sig)
		r.skipBits |= sigBit(sig)
	}
	r.objs, r.mems, r.tmp = r.objs[:0], r.mems[:0], r.tmp[:0]
	// The Raw's parser, whose buffer of left-out keys is kept from one
	// record to the next.
	p := &r.p
	p.reuse(b, skip)
	p.space()
	if p.i >= len(b) || b[p.i] != '{' || !p.container() {
		return Object{}, false
	}
	o, ok := r.object(p, 1)
	if !ok {
		return Object{}, false
	}
	p.space()
	if p.i < len(b) && b[p.i] != ']' && b[p.i] != '}' || p.skippedConflict {
		return Object{}, false
	}
	n := len(r.mems)
	r.vals, r.have = slices.Grow(r.vals[:0], n)[:n], slices.Grow(r.have[:0], n)[:n]
	r.texts = slices.Grow(r.texts[:0], n)[:n]
	clear(r.vals)
	clear(r.have)
	return Object{r, o}, true
}

// value checks the value at p.i; an object is indexed and its index
// returned, anything else gives -1.
func (r *Raw) value(p *fastParser, depth int) (int32, bool) {
	p.space()
	if p.i >= len(p.b) {
		return -1, false
	}
	switch p.b[p.i] {
	case '{':
		if depth >= MaxDepth || !p.container() {
			return -1, false
		}
		return r.object(p, depth+1)
	case '[':
		if depth >= MaxDepth || !p.container() {
			return -1, false
		}
		return -1, r.array(p, depth+1)
	}
	return -1, p.skipValue(depth)
}

func (r *Raw) object(p *fastParser, depth int) (int32, bool) {
	start := p.i
	p.i++ // {
	base := len(r.tmp)
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return r.close(start, base)
	}
	for {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			return -1, false
		}
		k0 := p.i + 1
		k1 := plainKeyEnd(p.b, k0)
		if k1 < 0 {
			return -1, false
		}
		p.i = k1 + 1
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return -1, false
		}
		p.i++
		p.space()
		sig := keySigIn(p.b, k0, k1)
		if r.skipBits&sigBit(sig) != 0 && r.skipped(unsafeString(p.b[k0:k1]), sig) {
			if !p.skipValue(depth) {
				return -1, false
			}
		} else {
			if len(r.tmp)-base >= maxRawMembers {
				return -1, false
			}
			v := p.i
			o, ok := r.value(p, depth)
			if !ok {
				return -1, false
			}
			r.tmp = append(r.tmp, rawMember{sig: sig, k0: int32(k0), k1: int32(k1), v: int32(v), end: int32(p.i), obj: o})
		}
		if more, ok := p.after('}'); !ok {
			return -1, false
		} else if !more {
			return r.close(start, base)
		}
	}
}

// skipped is fastParser.skipped for a key whose keySig is sig.
func (r *Raw) skipped(k string, sig uint64) bool {
	for i, s := range r.skip {
		if r.skipSigs[i] == sig && k == s {
			return true
		}
	}
	return false
}

// close moves the members of the object that started at start from tmp
// to mems, refusing keys the same up to case.
func (r *Raw) close(start, base int) (int32, bool) {
	ms := r.tmp[base:]
	var sigs uint64
	for i := range ms {
		// Keys the same up to case have the same signature.
		if bit := sigBit(ms[i].sig); sigs&bit != 0 {
			for j := range i {
				if ms[j].sig == ms[i].sig && sameKey(r.key(ms[i]), r.key(ms[j])) {
					return -1, false
				}
			}
		} else {
			sigs |= bit
		}
	}
	o := int32(len(r.objs))
	r.objs = append(r.objs, rawObject{start: int32(start), first: int32(len(r.mems)), size: int32(len(ms)), sigs: sigs})
	r.mems = append(r.mems, ms...)
	r.tmp = r.tmp[:base]
	return o, true
}

func (r *Raw) array(p *fastParser, depth int) bool {
	p.i++ // [
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return true
	}
	for {
		if _, ok := r.value(p, depth); !ok {
			return false
		}
		if more, ok := p.after(']'); !more {
			return ok
		}
	}
}

// key returns a member's key without copying it.
func (r *Raw) key(m rawMember) string {
	return unsafeString(r.b[m.k0:m.k1])
}

func (o Object) members() []rawMember {
	ob := o.r.objs[o.o]
	return o.r.mems[ob.first : ob.first+ob.size]
}

// first is the index in mems of the object's first member.
func (o Object) first() int { return int(o.r.objs[o.o].first) }

// find returns the index in mems of the member Field finds for key.
// No two keys are the same up to case (Index refuses them), so an exact
// match or the one case variant is what Field finds in the decoded map.
func (o Object) find(key string) (int, bool) {
	return o.findSig(key, keySig(key))
}

// findSig is find for a key whose keySig is sig.
func (o Object) findSig(key string, sig uint64) (int, bool) {
	ob := o.r.objs[o.o]
	if ob.sigs&sigBit(sig) == 0 {
		return -1, false
	}
	fold := -1
	for i, m := range o.r.mems[ob.first : ob.first+ob.size] {
		if m.sig != sig {
			continue // not the same up to case
		}
		if k := o.r.key(m); k == key {
			return int(ob.first) + i, true
		} else if fold < 0 && sameKey(k, key) {
			fold = int(ob.first) + i
		}
	}
	return fold, fold >= 0
}

// field is Field for an Object.
func (o Object) field(key string) (any, bool) {
	i, ok := o.find(key)
	if !ok {
		return nil, false
	}
	return o.r.valueOf(i), true
}

// present reports whether field would find key with a value other than
// null, building nothing.
func (o Object) present(key string) bool {
	i, ok := o.find(key)
	return ok && o.r.b[o.r.mems[i].v] != 'n'
}

// has reports whether field would find key, building nothing.
func (o Object) has(key string) bool {
	_, ok := o.find(key)
	return ok
}

// Bytes returns the JSON text of the member Field finds for key, as the
// record holds it; ok is false when there is none. Members of the same
// bytes read the same, so a parser may remember what it made of them.
func (o Object) Bytes(key string) (b []byte, ok bool) {
	i, ok := o.find(key)
	if !ok {
		return nil, false
	}
	m := o.r.mems[i]
	return o.r.b[m.v:m.end], true
}

// valueOf builds the value of mems[i] as the decoder builds it, once;
// an object stays in place.
func (r *Raw) valueOf(i int) any {
	if r.have[i]&haveVal == 0 {
		r.vals[i] = r.build(r.mems[i])
		r.have[i] |= haveVal
	}
	return r.vals[i]
}

func (r *Raw) build(m rawMember) any {
	if m.obj >= 0 {
		return r.boxed(m.obj)
	}
	// The Raw's parser is reused as it is: clearing its member buffers
	// for each value would cost more than reading most values.
	p := &r.p
	p.reread(r.b, int(m.v), r.skip)
	var v any
	switch r.b[m.v] {
	case '"':
		v, _ = p.text()
	case '[':
		v, _ = p.value(0)
	case 't':
		v = true
	case 'f':
		v = false
	case 'n':
		v = nil
	default:
		v, _ = p.number()
	}
	return v // each checked by Index
}

// Map builds the object as DecodeLean would have.
func (o Object) Map() map[string]any {
	r := o.r
	r.p.reread(r.b, int(r.objs[o.o].start), r.skip)
	v, _ := r.p.value(0) // checked by Index
	m, _ := v.(map[string]any)
	return m
}

// Len is the number of members.
func (o Object) Len() int { return int(o.r.objs[o.o].size) }

// MarshalJSON writes the object as its map would be written, so that a
// note quoting a value reads the same however the record was read.
func (o Object) MarshalJSON() ([]byte, error) { return json.Marshal(o.Map()) }

func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Release lets go of the record, so that a Raw kept for reuse does not
// keep it alive.
func (r *Raw) Release() {
	r.b = nil
	p := &r.p
	// The left-out keys point into the record. Each record notes them
	// from the first slot on, so the slots in use end at the first nil
	// one: clearing the whole buffer, which one wide record can grow,
	// cost every record after it.
	keys := p.skippedKeys[:cap(p.skippedKeys)]
	for i := 0; i < len(keys) && keys[i] != nil; i++ {
		keys[i] = nil
	}
	if p.keys != nil { // values were built: let go of the last ones
		clear(p.keyBuf[:])
		clear(p.valBuf[:])
	}
	p.reuse(nil, nil)
	clear(r.vals)
	clear(r.texts)
}

// reuse readies the Raw's parser for b as fastParser{b: b, skip: skip}
// would, keeping its buffers (the left-out keys', and the member buffers
// that values are built with, which are written before they are read):
// assigning a whole fastParser cleared a kilobyte for each record. A
// field added to fastParser is reset here too.
func (p *fastParser) reuse(b []byte, skip []string) {
	p.b, p.i, p.skip = b, 0, skip
	p.keys, p.vals, p.conflicts, p.more = nil, nil, nil, 0
	p.skippedKeys, p.skippedConflict = p.skippedKeys[:0], false
	p.left, p.over = budgetFor(len(b)), false
}

// Exact returns the value of key in an object (a map or an Object),
// spelled exactly; nil when absent.
func Exact(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		return t[key]
	case Object:
		sig := keySig(key)
		if t.r.objs[t.o].sigs&sigBit(sig) == 0 {
			return nil // mostly: the Wazuh keys asked of every record
		}
		for i, m := range t.members() {
			if m.sig == sig && t.r.key(m) == key {
				return t.r.valueOf(t.first() + i)
			}
		}
	}
	return nil
}

// ExactObj is Exact for a value that must be a JSON object (not JSON
// text of one); an Object is built into its map.
func ExactObj(v any, key string) (map[string]any, bool) {
	switch t := Exact(v, key).(type) {
	case map[string]any:
		return t, true
	case Object:
		return t.Map(), true
	}
	return nil, false
}
