package traffic

import (
	"hash/maphash"
	"strings"
)

// interner keeps one copy of the strings flows repeat (accounts,
// interfaces, VPCs, rule names), so reading allocates per new value only.
// A small direct-mapped cache in front of the map answers the common case
// (a value seen a few records ago) without a map lookup; a collision only
// costs the lookup. The map is reset past maxInterned values, so hostile
// input with a new value on every record cannot grow it without bound.
type interner struct {
	seed     maphash.Seed
	cache    [internCache]string
	m, lower map[string]string
}

const (
	internCache = 1 << 10
	maxInterned = 1 << 16
)

func (in *interner) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if in.m == nil {
		in.seed = maphash.MakeSeed()
	}
	slot := &in.cache[maphash.Bytes(in.seed, b)&(internCache-1)]
	if *slot == string(b) {
		return *slot
	}
	s, ok := in.m[string(b)]
	if !ok {
		if in.m == nil || len(in.m) >= maxInterned {
			in.m = make(map[string]string)
		}
		s = string(b)
		in.m[s] = s
	}
	*slot = s
	return s
}

// lowerString interns b in lower case, remembering the mapping from each
// spelling seen (Azure writes resource ids in upper case).
func (in *interner) lowerString(b []byte) string {
	if s, ok := in.lower[string(b)]; ok {
		return s
	}
	if in.lower == nil || len(in.lower) >= maxInterned {
		in.lower = make(map[string]string)
	}
	s := in.string([]byte(strings.ToLower(string(b))))
	in.lower[string(b)] = s
	return s
}
