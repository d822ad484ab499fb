package simulate

import (
	"math/rand/v2"
	"strconv"
	"time"
)

// rng wraps a seeded generator with the value shapes audit logs are made
// of. Every file of a corpus gets its own rng derived from (seed, file
// index), so files can be written in any order, by any number of workers,
// and still come out byte-identical.
type rng struct {
	*rand.Rand
	scratch []byte
}

func newRNG(seed, stream uint64) *rng {
	return &rng{Rand: rand.New(rand.NewPCG(seed, stream^0x9e3779b97f4a7c15))}
}

// pick returns a uniformly chosen element.
func pick[T any](r *rng, xs []T) T { return xs[r.IntN(len(xs))] }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.Float64() < p }

// between returns an int in [lo, hi].
func (r *rng) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }

const (
	alnumUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnumMixed = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

func (r *rng) fromSet(set string, n int) string {
	b := r.scratch[:0]
	for i := 0; i < n; i++ {
		b = append(b, set[r.IntN(len(set))])
	}
	r.scratch = b
	return string(b)
}

func (r *rng) hex(n int) string {
	b := r.scratch[:0]
	var v uint64
	for i := 0; i < n; i++ {
		if i%16 == 0 {
			v = r.Uint64()
		}
		b = append(b, hexDigits[v&0xf])
		v >>= 4
	}
	r.scratch = b
	return string(b)
}

// uuid returns a random (version 4) UUID in canonical text form.
func (r *rng) uuid() string {
	hi, lo := r.Uint64(), r.Uint64()
	hi = hi&^0xf000 | 0x4000
	lo = lo&^(0xc<<60) | 0x8<<60
	var raw [16]byte
	for i := 0; i < 8; i++ {
		raw[i] = byte(hi >> (56 - 8*i))
		raw[8+i] = byte(lo >> (56 - 8*i))
	}
	b := r.scratch[:0]
	for i, c := range raw {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
	}
	r.scratch = b
	return string(b)
}

// publicIP returns a routable-looking IPv4 address outside private ranges.
func (r *rng) publicIP() string {
	for {
		a := r.between(3, 223)
		if a == 10 || a == 127 || a == 172 || a == 192 || a == 100 || a == 169 {
			continue
		}
		return ip4(a, r.IntN(256), r.IntN(256), r.between(1, 254))
	}
}

func (r *rng) privateIP() string { return ip4(10, r.IntN(4), r.IntN(256), r.between(4, 254)) }

func ip4(a, b, c, d int) string {
	buf := make([]byte, 0, 15)
	buf = strconv.AppendInt(buf, int64(a), 10)
	buf = append(buf, '.')
	buf = strconv.AppendInt(buf, int64(b), 10)
	buf = append(buf, '.')
	buf = strconv.AppendInt(buf, int64(c), 10)
	buf = append(buf, '.')
	buf = strconv.AppendInt(buf, int64(d), 10)
	return string(buf)
}

// digits returns n decimal digits (leading zeros allowed).
func (r *rng) digits(n int) string { return r.fromSet("0123456789", n) }

// Time layouts the clouds use.
const (
	awsTime   = "2006-01-02T15:04:05Z"
	azureTime = "2006-01-02T15:04:05.0000000Z"
	gcpTime   = "2006-01-02T15:04:05.000000000Z"
	gcpMilli  = "2006-01-02T15:04:05.000Z"
)

func fmtTime(t time.Time, layout string) string { return t.UTC().Format(layout) }

// weighted picks an index from cumulative weights.
type weighted struct {
	cum   []int
	total int
}

func newWeighted(ws []int) weighted {
	cum := make([]int, len(ws))
	t := 0
	for i, w := range ws {
		t += w
		cum[i] = t
	}
	return weighted{cum: cum, total: t}
}

func (w weighted) pick(r *rng) int {
	x := r.IntN(w.total)
	lo, hi := 0, len(w.cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if w.cum[m] > x {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}
