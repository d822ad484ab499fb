package jv

import (
	"encoding/binary"
	"math/bits"
)

// keySig is a signature of a key up to letter case: keys that sameKey
// finds the same have the same signature, so a lookup compares one word
// per member and spells out only the members whose signature matches.
// It is a function of the key's length and its first and last eight
// bytes with bit 0x20 set (a lower-case letter's bit), which tells
// apart nearly all keys of up to 16 bytes: a record's keys that share a length (eventTime,
// eventName, awsRegion, userAgent, requestID, eventType) no longer cost
// a case-folding compare each. A record's keys are plain ASCII (Index
// refuses others), and a key of the same length is the same as one of
// them up to case only when it is ASCII too (see sameKey), so setting
// the bit folds the two alike.
func keySig(k string) uint64 {
	n := len(k)
	var a, b uint64
	if n >= 8 {
		a, b = load64(k, 0), load64(k, n-8)
	} else {
		for i := n - 1; i >= 0; i-- {
			a = a<<8 | uint64(k[i])
		}
	}
	return mixSig(a, b, n)
}

// keySigIn is keySig of b[k0:k1], a key of a record: a short one is
// read with one load where b has eight bytes from k0 on, as the key's
// closing quote and the value after it mostly make sure.
func keySigIn(b []byte, k0, k1 int) uint64 {
	if n := k1 - k0; n < 8 && k0+8 <= len(b) {
		return mixSig(binary.LittleEndian.Uint64(b[k0:])&(1<<(8*n)-1), 0, n)
	}
	return keySig(unsafeString(b[k0:k1]))
}

// mixSig is the signature of an n-byte key whose first and last eight
// bytes (zero-padded when shorter) are a and b.
func mixSig(a, b uint64, n int) uint64 {
	const fold = 0x2020202020202020
	a, b = a|fold, b|fold
	return (a ^ bits.RotateLeft64(b, 29) ^ uint64(n)) * 0x9e3779b97f4a7c15
}

// sigBit is the bit of a signature in an object's set of them
// (rawObject.sigs): a key whose bit is not set is not there.
func sigBit(sig uint64) uint64 { return 1 << (sig >> 58) }

// load64 reads eight bytes of s from i, little-endian.
func load64(s string, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}
