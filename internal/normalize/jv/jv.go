// Package jv reads decoded JSON tolerantly. Audit logs arrive through many
// exporters: keys change case, numbers become strings, nested objects are
// logged as JSON text, single-element lists become bare objects. The
// accessors here absorb those differences so parsers can state the path
// they want and get a typed value or the zero value, never a panic.
package jv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// MaxDepth bounds how deeply a decoded value may nest. Audit records nest
// a dozen levels; encoding/json recurses once per level, so a record of a
// million '[' would cost a million stack frames before failing.
const MaxDepth = 512

// Decode parses one JSON value, keeping numbers as json.Number so large
// integers and ports survive unchanged. Values nested deeper than
// MaxDepth are refused before decoding.
func Decode(raw []byte) (any, error) {
	p := newParser(raw, nil)
	return p.decode(recordDensity)
}

// DecodeDocument is Decode for documents a user gives on purpose
// (snapshots, plans), which may be denser than any audit record: their
// budget of values per byte is the document one (DocBytesPerContainer).
func DecodeDocument(raw []byte) (any, error) {
	p := newParser(raw, nil)
	p.left = documentDensity.budget(len(raw))
	return p.decode(documentDensity)
}

// decode reads p's whole input within the budget of d.
func (p *fastParser) decode(d density) (any, error) {
	if v, ok := p.whole(); ok {
		return v, nil
	}
	if p.over {
		return nil, d.error(len(p.b))
	}
	return decodeStd(p.b)
}

// decodeStd decodes with encoding/json: what fastDecode refuses, so that
// errors read as they always have.
func decodeStd(raw []byte) (any, error) {
	if d, at := depth(raw); d > MaxDepth {
		return nil, fmt.Errorf("values nested more than %d deep (at offset %d)", MaxDepth, at)
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, fmt.Errorf("unexpected data after JSON value at offset %d", d.InputOffset())
	}
	return v, nil
}

// depth returns how deeply raw's brackets nest, stopping at the first
// point past MaxDepth (and where that is). Brackets inside strings do not
// count; the grammar is left to the decoder.
func depth(raw []byte) (max, at int) {
	d := 0
	for i := 0; i < len(raw); i++ {
		switch raw[i] {
		case '"':
			for i++; i < len(raw) && raw[i] != '"'; i++ {
				if raw[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if d++; d > max {
				if max = d; max > MaxDepth {
					return max, i
				}
			}
		case '}', ']':
			d--
		}
	}
	return max, 0
}

// DecodeObject parses raw and requires a JSON object.
func DecodeObject(raw []byte) (map[string]any, error) {
	v, err := Decode(raw)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("record is a JSON %s, not an object", TypeName(v))
	}
	return m, nil
}

// TypeName names a decoded JSON value's type for error messages.
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any, Object:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// Field returns m[key], falling back to a case-insensitive match so that
// re-exported logs with changed key case still read. When several keys
// match only by case, the least in byte order wins, so the same record
// always reads the same (a map's order is random); Variants gives them all.
// m is a decoded map or an Object; anything else has no fields.
func Field(m any, key string) (any, bool) {
	switch t := m.(type) {
	case map[string]any:
		return mapField(t, key)
	case Object:
		return t.field(key)
	}
	return nil, false
}

func mapField(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	best, found := "", false
	for k := range m {
		if sameKey(k, key) && (!found || k < best) {
			best, found = k, true
		}
	}
	if !found {
		return nil, false
	}
	return m[best], true
}

// sameKey reports whether two keys are the same up to letter case, as
// Field, Variants and the decoder's conflicts read keys. Keys of
// different lengths never are: the keys the parsers ask for are ASCII,
// and no key of the same length can fold to one of them from outside
// ASCII.
func sameKey(a, b string) bool { return len(a) == len(b) && strings.EqualFold(a, b) }

// HasAny reports whether m has any of keys, up to case, as Field would
// find it. It looks at m's keys once for all of them: a parser asks it
// before probing for shapes a record rarely has, and each miss of Field
// costs a pass over the keys.
func HasAny(v any, keys ...string) bool {
	if o, ok := v.(Object); ok {
		for _, key := range keys {
			if o.has(key) {
				return true
			}
		}
		return false
	}
	m, _ := v.(map[string]any)
	for _, key := range keys {
		if _, ok := m[key]; ok {
			return true
		}
	}
	for k := range m {
		for _, key := range keys {
			if sameKey(k, key) {
				return true
			}
		}
	}
	return false
}

// Spellings returns the most keys of m that spell one of keys up to
// case: 0 when none is there, 1 when each is there once at most. It looks
// at m's keys once, so a parser asks it before gathering Variants.
func Spellings(v any, keys ...string) int {
	if o, ok := v.(Object); ok {
		// No two keys of an Object are the same up to case.
		if HasAny(o, keys...) {
			return 1
		}
		return 0
	}
	m, _ := v.(map[string]any)
	var counts [8]int
	if len(keys) > len(counts) {
		panic("jv.Spellings: too many keys")
	}
	most := 0
	for k := range m {
		for i, key := range keys {
			if sameKey(k, key) {
				counts[i]++
				most = max(most, counts[i])
			}
		}
	}
	return most
}

// Variants returns the values of every key of m equal to key up to case,
// in the order Field prefers them (exact match first, then by key). A
// record with more than one can be read more than one way: a parser must
// consider each, not the one that happens to come first.
func Variants(v any, key string) []any {
	m := asObject(v)
	var keys []string
	for k := range m {
		if sameKey(k, key) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if (keys[i] == key) != (keys[j] == key) {
			return keys[i] == key
		}
		return keys[i] < keys[j]
	})
	out := make([]any, len(keys))
	for i, k := range keys {
		out[i] = m[k]
	}
	return out
}

// WithOnly returns a shallow copy of m in which key (up to case) has only
// the value v, under the spelling key.
func WithOnly(m map[string]any, key string, v any) map[string]any {
	out := make(map[string]any, len(m))
	for k, x := range m {
		if !strings.EqualFold(k, key) {
			out[k] = x
		}
	}
	out[key] = v
	return out
}

// Get walks path from v. Each step looks a key up in an object; a value
// that is JSON text of an object or array is parsed first, because
// exporters log nested bodies as strings.
func Get(v any, path ...string) any {
	for _, key := range path {
		var ok bool
		if o, isRaw := v.(Object); isRaw {
			if v, ok = o.field(key); !ok {
				return nil
			}
			continue
		}
		m := asObject(v)
		if m == nil {
			return nil
		}
		if v, ok = mapField(m, key); !ok {
			return nil
		}
	}
	return v
}

// Node returns the object at path as Get finds it, without building an
// Object read in place: a map, an Object, or nil when there is no
// object there. Parsers that read an object field by field take it this
// way; Obj builds the map.
func Node(v any, path ...string) any {
	switch t := Get(v, path...).(type) {
	case Object:
		return t.Any()
	case nil:
		return nil
	default:
		if m := asObject(t); m != nil {
			return m
		}
	}
	return nil
}

// Has reports whether path leads to a present, non-null value. In an
// Object the last member is looked at, not built: a parser asks Has of
// members it never reads (Azure's resourceId, to recognise a record).
func Has(v any, path ...string) bool {
	o, last, ok := walk(v, path)
	if !ok {
		return Get(v, path...) != nil
	}
	return o.present(last)
}

// walk follows path as Get does up to its last key when v is an Object
// and every step before the last finds an Object, and returns that
// Object and the last key; ok is false otherwise (then Get answers).
func walk(v any, path []string) (o Object, last string, ok bool) {
	if o, ok = v.(Object); !ok || len(path) == 0 {
		return Object{}, "", false
	}
	for _, key := range path[:len(path)-1] {
		x, found := o.field(key)
		if o, ok = x.(Object); !found || !ok {
			return Object{}, "", false
		}
	}
	return o, path[len(path)-1], true
}

// Obj returns the object at path, or nil.
func Obj(v any, path ...string) map[string]any { return asObject(Get(v, path...)) }

func asObject(v any) map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return t
	case Object:
		return t.Map()
	case string:
		if s := strings.TrimSpace(t); strings.HasPrefix(s, "{") {
			if m, err := DecodeObject([]byte(s)); err == nil {
				return m
			}
		}
	}
	return nil
}

// Arr returns the array at path. A single object stands for a one-element
// array, a JSON text array is parsed, and EC2's {"items":[...]} list
// wrapper is unwrapped (an empty EC2 list is logged as {}).
func Arr(v any, path ...string) []any {
	return asArray(Get(v, path...))
}

func asArray(v any) []any {
	switch t := v.(type) {
	case []any:
		return t
	case Object:
		return asArray(t.Map())
	case map[string]any:
		if items, ok := mapField(t, "items"); ok {
			return asArray(items)
		}
		if len(t) == 0 {
			return nil
		}
		return []any{t}
	case string:
		s := strings.TrimSpace(t)
		if strings.HasPrefix(s, "[") {
			if a, err := Decode([]byte(s)); err == nil {
				if arr, ok := a.([]any); ok {
					return arr
				}
			}
		}
		if strings.HasPrefix(s, "{") {
			return asArray(asObject(s))
		}
	}
	return nil
}

// Objs returns the objects of the array at path, skipping other elements.
func Objs(v any, path ...string) []map[string]any {
	var out []map[string]any
	for _, e := range Arr(v, path...) {
		if m := asObject(e); m != nil {
			out = append(out, m)
		}
	}
	return out
}

// Str returns the value at path as text: strings as they are, numbers and
// booleans in their JSON spelling, anything else as "".
func Str(v any, path ...string) string {
	if o, last, ok := walk(v, path); ok {
		return o.text(last)
	}
	return text(Get(v, path...))
}

func text(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

// Strs returns the strings of the array at path; a bare string or number
// stands for a one-element list. Empty strings are dropped.
func Strs(v any, path ...string) []string {
	x := Get(v, path...)
	switch x.(type) {
	case string, json.Number, float64, bool:
		if s := text(x); s != "" && !strings.HasPrefix(strings.TrimSpace(s), "[") {
			return []string{s}
		}
	}
	var out []string
	for _, e := range asArray(x) {
		if s := text(e); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// Int returns the integer at path; numeric strings count. ok is false when
// the value is absent or not an integer.
func Int(v any, path ...string) (n int, ok bool) {
	switch t := Get(v, path...).(type) {
	case json.Number:
		return parseInt(t.String())
	case float64:
		if t == math.Trunc(t) && math.Abs(t) < 1<<53 {
			return int(t), true
		}
	case string:
		return parseInt(strings.TrimSpace(t))
	}
	return 0, false
}

func parseInt(s string) (int, bool) {
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int(f), true
	}
	return 0, false
}

// Bool returns the boolean at path; "true"/"false" strings in any case
// count. ok is false when absent or not a boolean.
func Bool(v any, path ...string) (b, ok bool) {
	switch t := Get(v, path...).(type) {
	case bool:
		return t, true
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return false, false
}
