package jv

// boxed returns Object{r, o} as an interface value, made once per Raw and
// object index. A Raw is reused (see Release), so its Objects are the
// same from one record to the next; boxing one anew each time a parser
// reads an object member cost an allocation each. The boxes hold only
// the Raw, never a record, and there are at most as many as the largest
// record's objects, which objs keeps room for anyway.
func (r *Raw) boxed(o int32) any {
	if int(o) >= len(r.boxes) {
		r.boxes = append(r.boxes, make([]any, int(o)+1-len(r.boxes))...)
	}
	if r.boxes[o] == nil {
		r.boxes[o] = Object{r, o}
	}
	return r.boxes[o]
}

// Any returns o as an interface value, as any(o) would, without
// allocating.
func (o Object) Any() any { return o.r.boxed(o.o) }
