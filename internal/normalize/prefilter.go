package normalize

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// EnvelopeAnchors mark records whose payload is base64 (Pub/Sub push and
// pull, CloudWatch Logs subscriptions), which hides the operation name from
// a byte search. They are exactly the keys the parsers recognise such
// envelopes by; the quotes keep "subscription" from matching Azure's
// subscriptionId and resource ids.
var EnvelopeAnchors = []string{`"subscription"`, `"receivedmessages"`, `"awslogs"`}

// The search takes a 4-byte gram every step bytes; any run of
// gramLen+step-1 bytes then contains one whole gram at a probed position.
// The step is as long as the shortest anchor allows, from minStep (so the
// shortest anchor accepted is minAnchor bytes) to maxStep.
const (
	gramLen   = 4
	minStep   = 3
	maxStep   = 8
	minAnchor = gramLen + minStep - 1
)

// Prefilter decides from a record's raw bytes, before any JSON decoding,
// whether it can be a firewall event. It may keep too much, never too
// little: a record is kept when it contains an anchor in any letter case,
// a JSON \u escape (which could spell an anchor), or a non-ASCII letter
// that case-folds to an ASCII one (such as the Kelvin sign, which lower-
// cases to "k").
type Prefilter struct {
	anchors [][]byte
	// bits is a 64K-bit set of hashed grams. The grams of hash h are
	// byHash[first[h]:first[h+1]]: a flat table, since a map lookup on
	// every bit hit costs more than the rest of the search.
	// the anchors it starts a candidate for, and where.
	bits   [1 << 16 / 64]uint64
	first  [1<<16 + 1]uint32
	byHash []anchorAt
	step   int
	// context marks the anchors (by index) that name only context
	// operations: a record that holds no other anchor is read lean.
	context []bool
}

// Match is what the prefilter says of a record.
type Match int

const (
	// Drop: the record cannot hold an operation of interest.
	Drop Match = iota
	// Context: the record names only context operations (the reads and
	// refusals the correlations put around a change), so it cannot be a
	// firewall event and is decoded without its request and response.
	Context
	// Full: the record may be a firewall event.
	Full
)

type anchorAt struct {
	gram   uint32 // the folded gram
	anchor int    // index into anchors
	offset int    // the gram's offset within the anchor
}

// NewPrefilter builds a prefilter for the anchors (case-insensitive). The
// context anchors are kept too, but a record holding only them matches
// as Context (see Match); an anchor in both lists counts as a full one.
func NewPrefilter(anchors []string, context ...string) (*Prefilter, error) {
	p := &Prefilter{step: maxStep}
	seen := map[string]bool{}
	for _, a := range anchors {
		seen[strings.ToLower(a)] = true
	}
	nFull := len(anchors)
	anchors = slices.Clip(anchors) // appending must not write into the caller's array
	for _, a := range context {
		if !seen[strings.ToLower(a)] {
			seen[strings.ToLower(a)] = true
			anchors = append(anchors, a)
		}
	}
	p.context = make([]bool, len(anchors))
	for i := nFull; i < len(anchors); i++ {
		p.context[i] = true
	}
	lowered := make([][]byte, len(anchors))
	for i, a := range anchors {
		if len(a) < minAnchor {
			return nil, fmt.Errorf("prefilter anchor %q: shorter than %d bytes", a, minAnchor)
		}
		lowered[i] = bytes.ToLower([]byte(a))
		p.step = min(p.step, len(a)-gramLen+1)
	}
	common := gramCounts(lowered)
	var all []anchorAt
	for i, lower := range lowered {
		p.anchors = append(p.anchors, lower)
		// Any step consecutive offsets guarantee a hit, so take the
		// window whose grams are rarest among the anchors: grams such as
		// "micr" (every Azure operation) would make every record a hit.
		start := rarestWindow(lower, p.step, common)
		for off := start; off < start+p.step; off++ {
			g := fold(binary.LittleEndian.Uint32(lower[off:]))
			p.bits[hash(g)/64] |= 1 << (hash(g) % 64)
			all = append(all, anchorAt{gram: g, anchor: i, offset: off})
		}
	}
	// Lay the grams out by hash (a counting sort).
	for _, at := range all {
		p.first[hash(at.gram)+1]++
	}
	for h := 1; h < len(p.first); h++ {
		p.first[h] += p.first[h-1]
	}
	p.byHash = make([]anchorAt, len(all))
	next := p.first
	for _, at := range all {
		h := hash(at.gram)
		p.byHash[next[h]] = at
		next[h]++
	}
	return p, nil
}

// gramCounts counts in how many anchors each gram occurs.
func gramCounts(anchors [][]byte) map[uint32]int {
	counts := map[uint32]int{}
	for _, a := range anchors {
		seen := map[uint32]bool{}
		for off := 0; off+gramLen <= len(a); off++ {
			g := fold(binary.LittleEndian.Uint32(a[off:]))
			if !seen[g] {
				seen[g] = true
				counts[g]++
			}
		}
	}
	return counts
}

// rarestWindow returns the first offset of the step consecutive grams of
// a that occur in the fewest anchors, with a penalty for each common word
// of audit records a gram is drawn from.
func rarestWindow(a []byte, step int, counts map[uint32]int) int {
	best, bestScore := 0, -1
	for start := 0; start+step-1+gramLen <= len(a); start++ {
		score := 0
		for off := start; off < start+step; off++ {
			gram := a[off : off+gramLen]
			score += counts[fold(binary.LittleEndian.Uint32(gram))]
			for _, w := range commonInRecords {
				if strings.Contains(w, string(gram)) {
					score += 100 // for each word: a gram of many is worse
				}
			}
		}
		if bestScore < 0 || score < bestScore {
			best, bestScore = start, score
		}
	}
	return best
}

// commonInRecords are words that fill ordinary audit records (the
// clouds' names and verbs, and the keys every record of each has); anchor
// grams drawn from them would make most records a prefilter candidate.
var commonInRecords = []string{
	"microsoft.", "/write", "/delete", "/action", "amazonaws", "googleapis", "compute.", "network", "describe",
	// CloudTrail
	"eventversion", "useridentity", "principalid", "accountid", "accesskeyid", "sessioncontext", "sessionissuer",
	"username", "attributes", "creationdate", "mfaauthenticated", "eventtime", "eventsource", "eventname", "awsregion",
	"sourceipaddress", "useragent", "requestparameters", "responseelements", "requestid", "eventid", "readonly",
	"eventtype", "managementevent", "recipientaccountid", "eventcategory", "tlsdetails", "assumedrole", "arn:aws:",
	// Activity Log
	"resourceid", "operationname", "category", "resulttype", "resultsignature", "durationms", "calleripaddress",
	"correlationid", "identity", "authorization", "evidence", "roleassignment", "roledefinition", "principaltype",
	"claims", "properties", "statuscode", "servicerequestid", "subscriptions", "resourcegroups", "providers",
	// Cloud Audit Logs
	"insertid", "logname", "protopayload", "authenticationinfo", "principalemail", "authorizationinfo", "permission",
	"methodname", "requestmetadata", "callerip", "callersupplieduseragent", "resourcename", "servicename",
	"receivetimestamp", "severity", "timestamp", "projects/",
}

// fold maps the ASCII letters of a 4-byte gram to lower case. Other bytes
// change too, but only into bytes that letters never become, so folding
// can make false hits, never miss a true one.
func fold(g uint32) uint32 { return g | 0x20202020 }

func hash(g uint32) uint32 { return (g * 2654435761) >> 16 }

// Keep reports whether rec may hold a firewall event or a context
// operation.
func (p *Prefilter) Keep(rec []byte) bool { return p.Match(rec) != Drop }

// Match classifies rec: Drop, Context when every anchor it holds is a
// context one, else Full. A record that could spell an anchor in a way
// the search does not see (a JSON escape, a rune that folds to ASCII) is
// Full.
func (p *Prefilter) Match(rec []byte) Match {
	if bytes.IndexByte(rec, '\\') >= 0 && (bytes.Contains(rec, []byte(`\u`)) || bytes.Contains(rec, []byte(`\/`))) {
		return Full // an escape could spell an anchor
	}
	if p.hasFolder(rec) {
		return Full
	}
	found := Drop
	n := len(rec) - gramLen
	for i := 0; i <= n; i += p.step {
		g := fold(binary.LittleEndian.Uint32(rec[i:]))
		h := hash(g)
		if p.bits[h/64]&(1<<(h%64)) == 0 {
			continue
		}
		for _, at := range p.byHash[p.first[h]:p.first[h+1]] {
			if at.gram != g {
				continue
			}
			a := p.anchors[at.anchor]
			start := i - at.offset
			if start >= 0 && start+len(a) <= len(rec) && equalFoldASCII(rec[start:start+len(a)], a) {
				if !p.context[at.anchor] {
					return Full
				}
				found = Context // the rest may still hold a full anchor
			}
		}
	}
	return found
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
// operation keys (model.Event.OperationKey form): each operation's name as
// its records spell it (for AWS the eventName, without the service; for
// Azure and GCP the whole key, which the logged operationName and
// methodName contain), plus EnvelopeAnchors. ok is false when a name is
// shorter than an anchor can be; then no prefilter can be exact, and
// every record must be decoded.
func AnchorsFor(keys []string) (anchors []string, ok bool) {
	seen := map[string]bool{}
	for _, a := range EnvelopeAnchors {
		seen[a] = true
		anchors = append(anchors, a)
	}
	for _, key := range keys {
		name := OperationAnchor(key)
		if len(name) < minAnchor {
			return nil, false
		}
		if !seen[name] {
			seen[name] = true
			anchors = append(anchors, name)
		}
	}
	slices.Sort(anchors[len(EnvelopeAnchors):])
	return anchors, true
}

// OperationAnchor is the text every record of the operation key holds.
func OperationAnchor(key string) string {
	name := strings.ToLower(key)
	if _, op, isAWS := strings.Cut(name, ":"); isAWS {
		return op
	}
	return name
}
