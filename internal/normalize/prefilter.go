package normalize

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// DefaultAnchors are lower-case words of which every firewall-related
// record carries at least one, in its operation name or service name. A
// test checks each operation in the catalogue against this list. Each is
// at least minAnchor bytes long, which the strided search relies on.
var DefaultAnchors = []string{
	"securitygroup", "networkacl", "firewall", "instanceattribute", "interfaceattribute",
	"prefixlist", "webacl", "teipset", "publicports", "rulegroup", "waf.amazonaws",
	"wafv2.amazonaws", "waf-regional", "updatedistribution", "storageaccounts", "keyvault",
	"microsoft.sql", "applicationgateways", "subnets", "networkinterfaces", "securitypolic",
	"cloudsql", "settags", "ingressrule", "networks.patch", "backendservices",
	// Envelopes whose payload is base64 (Pub/Sub, CloudWatch Logs
	// subscriptions) hide the operation name from a byte search.
	`"data"`,
}

// minAnchor is the shortest anchor the strided search can guarantee to
// see: with 4-byte grams taken every 3 bytes, any 6-byte run contains one
// whole gram.
const (
	gramLen   = 4
	gramStep  = 3
	minAnchor = gramLen + gramStep - 1
)

// Prefilter decides from a record's raw bytes, before any JSON decoding,
// whether it can be a firewall event. It may keep too much, never too
// little: a record is kept when it contains an anchor in any letter case,
// a JSON \u escape (which could spell an anchor), or a non-ASCII letter
// that case-folds to an ASCII one (such as the Kelvin sign, which lower-
// cases to "k").
type Prefilter struct {
	anchors [][]byte
	// bits is a 64K-bit set of hashed grams; grams maps a folded gram to
	// the anchors it starts a candidate for, and where.
	bits  [1 << 16 / 64]uint64
	grams map[uint32][]anchorAt
}

type anchorAt struct {
	anchor int // index into anchors
	offset int // the gram's offset within the anchor
}

// NewPrefilter builds a prefilter for the anchors (case-insensitive).
func NewPrefilter(anchors []string) (*Prefilter, error) {
	p := &Prefilter{grams: map[uint32][]anchorAt{}}
	for i, a := range anchors {
		if len(a) < minAnchor {
			return nil, fmt.Errorf("prefilter anchor %q: shorter than %d bytes", a, minAnchor)
		}
		lower := bytes.ToLower([]byte(a))
		p.anchors = append(p.anchors, lower)
		for off := 0; off < gramStep; off++ {
			g := fold(binary.LittleEndian.Uint32(lower[off:]))
			p.bits[hash(g)/64] |= 1 << (hash(g) % 64)
			p.grams[g] = append(p.grams[g], anchorAt{anchor: i, offset: off})
		}
	}
	return p, nil
}

// fold maps the ASCII letters of a 4-byte gram to lower case. Other bytes
// change too, but only into bytes that letters never become, so folding
// can make false hits, never miss a true one.
func fold(g uint32) uint32 { return g | 0x20202020 }

func hash(g uint32) uint32 { return (g * 2654435761) >> 16 }

// Keep reports whether rec may hold a firewall event.
func (p *Prefilter) Keep(rec []byte) bool {
	if bytes.IndexByte(rec, '\\') >= 0 && bytes.Contains(rec, []byte(`\u`)) {
		return true
	}
	n := len(rec) - gramLen
	for i := 0; i <= n; i += gramStep {
		g := fold(binary.LittleEndian.Uint32(rec[i:]))
		h := hash(g)
		if p.bits[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, at := range p.grams[g] {
			a := p.anchors[at.anchor]
			start := i - at.offset
			if start >= 0 && start+len(a) <= len(rec) && equalFoldASCII(rec[start:start+len(a)], a) {
				return true
			}
		}
	}
	return p.hasFolder(rec)
}

// asciiFolders are the UTF-8 encodings of the only non-ASCII runes that
// Go's case mapping turns into ASCII letters (İ→i, ı→I, ſ→S, Kelvin K→k).
// TestASCIIFolders recomputes the list from the unicode tables.
var asciiFolders = [][]byte{[]byte("\u0130"), []byte("\u0131"), []byte("\u017f"), []byte("\u212a")}

// hasFolder reports whether rec holds a rune that case-folds to ASCII.
func (p *Prefilter) hasFolder(rec []byte) bool {
	for _, f := range asciiFolders {
		if bytes.Contains(rec, f) {
			return true
		}
	}
	return false
}

// equalFoldASCII compares s to the lower-case anchor a, folding only
// ASCII letters in s.
func equalFoldASCII(s, a []byte) bool {
	for i := range a {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != a[i] {
			return false
		}
	}
	return true
}

// AnchorsFor returns the anchors a prefilter needs for the catalogued
// operation keys (model.Event.OperationKey form): DefaultAnchors, plus the
// operation name of any key they do not cover, which happens when a user's
// content file adds operations. ok is false when such a name is shorter
// than an anchor can be; then no prefilter can be exact, and every record
// must be decoded.
func AnchorsFor(keys []string) (anchors []string, ok bool) {
	anchors = slices.Clone(DefaultAnchors)
	for _, key := range keys {
		if Covered(key, anchors) {
			continue
		}
		name := strings.ToLower(key)
		if _, op, isAWS := strings.Cut(name, ":"); isAWS {
			name = op
		}
		if len(name) < minAnchor {
			return nil, false
		}
		anchors = append(anchors, name)
	}
	return anchors, true
}

// Covered reports whether a record of the operation key holds one of the
// anchors. An AWS key names the service as the record's eventSource does.
func Covered(key string, anchors []string) bool {
	raw := strings.ToLower(key)
	if svc, op, isAWS := strings.Cut(raw, ":"); isAWS {
		raw = svc + ".amazonaws.com " + op
	}
	for _, a := range anchors {
		if strings.Contains(raw, a) {
			return true
		}
	}
	return false
}
