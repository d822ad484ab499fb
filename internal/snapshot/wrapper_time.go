package snapshot

import (
	"strings"
	"time"

	"cloudwall/internal/normalize/jv"
)

// httpDate parses an HTTP Date header; zero when absent or unreadable.
func httpDate(v any) time.Time {
	s := strings.TrimSpace(jv.Str(v))
	for _, layout := range []string{time.RFC1123, time.RFC1123Z, time.RFC850, time.ANSIC} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// placeboTimes replaces placebo's datetime objects in v with RFC 3339
// text. An object that does not name a valid time is left as it is: the
// readers see an object where they want text and read nothing from it.
// v nests at most jv.MaxDepth deep (Decode refuses deeper).
func placeboTimes(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if t["__class__"] == "datetime" {
			if ts, ok := placeboTime(t); ok {
				return ts.Format(time.RFC3339Nano)
			}
			return t
		}
		for k, e := range t {
			t[k] = placeboTimes(e)
		}
	case []any:
		for i, e := range t {
			t[i] = placeboTimes(e)
		}
	}
	return v
}

// placeboTime reads {"__class__":"datetime","year":…,"microsecond":…}
// (naive, UTC as boto returns it); ok is false unless every part is in range.
func placeboTime(m map[string]any) (time.Time, bool) {
	part := func(k string, lo, hi int, need bool) (int, bool) {
		n, ok := jv.Int(m, k)
		if !ok {
			return 0, !need && jv.Get(m, k) == nil
		}
		return n, n >= lo && n <= hi
	}
	var p [7]int
	for i, f := range []struct {
		k      string
		lo, hi int
		need   bool
	}{{"year", 1, 9999, true}, {"month", 1, 12, true}, {"day", 1, 31, true}, {"hour", 0, 23, false},
		{"minute", 0, 59, false}, {"second", 0, 59, false}, {"microsecond", 0, 999999, false}} {
		n, ok := part(f.k, f.lo, f.hi, f.need)
		if !ok {
			return time.Time{}, false
		}
		p[i] = n
	}
	t := time.Date(p[0], time.Month(p[1]), p[2], p[3], p[4], p[5], p[6]*1000, time.UTC)
	if t.Day() != p[2] { // 31 February
		return time.Time{}, false
	}
	return t, true
}
