package jv

// Fields looks each of keys up in an object (a decoded map or an Object)
// as Field does, vals[i] getting the value of keys[i] (nil when absent).
// An Object's members are read once for all the keys, where a Field per
// key reads them once per key: a parser that wants a dozen fields of a
// large object (an Azure token's claims) asks for them together.
func Fields(v any, keys []string, vals []any) {
	clear(vals[:len(keys)])
	o, ok := v.(Object)
	if !ok || len(keys) > maxFields {
		for i, key := range keys {
			vals[i], _ = Field(v, key)
		}
		return
	}
	o.eachField(keys, func(j, i int) { vals[j] = o.r.valueOf(i) })
}

// Texts is Fields for text: out[i] gets Str(v, keys[i]). An Object's
// members are read once for all the keys, and no value is built (see
// Str): a parser that wants a dozen strings of a large object (an Azure
// token's claims) asks for them together.
func Texts(v any, keys []string, out []string) {
	clear(out[:len(keys)])
	o, ok := v.(Object)
	if !ok || len(keys) > maxFields {
		for i, key := range keys {
			out[i] = Str(v, key)
		}
		return
	}
	o.eachField(keys, func(j, i int) { out[j] = o.r.textAt(i) })
}

// eachField calls found(j, i) for each member of o that is keys[j] up to
// case, i the member's index in the Raw, reading the members once for all
// the keys (at most maxFields). No two keys of an Object are the same up
// to case (Index refuses them), so the one member a key matches up to
// case is the member Field finds.
func (o Object) eachField(keys []string, found func(j, i int)) {
	var sigs [maxFields]uint64
	var bits uint64 // the keys' sigBits: most members are none of them
	for j, key := range keys {
		sigs[j] = keySig(key)
		bits |= sigBit(sigs[j])
	}
	first := o.first()
	for i, m := range o.members() {
		if bits&sigBit(m.sig) == 0 {
			continue
		}
		for j, key := range keys {
			if m.sig == sigs[j] && sameKey(o.r.key(m), key) {
				found(j, first+i)
			}
		}
	}
}

// maxFields is the most keys Fields reads in one pass; more are looked
// up one by one.
const maxFields = 16
