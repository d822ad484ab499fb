package detect

import (
	"fmt"
	"regexp"
	"strings"

	"cloudwall/internal/model"
)

// splitLists reads an address peer whose one value holds several
// addresses ("0.0.0.0/0,10.0.0.0/8", "10.0.0.0/8; 0.0.0.0/0", or spaces
// between prefixes) as one peer per address, with a note. Read whole it
// is unparseable, and an unreadable source would rate a world-open part
// below what it admits. A range ("10.0.0.1 - 10.0.0.9") is split on commas
// and semicolons only.
func splitLists(peers []model.Peer) ([]model.Peer, []string) {
	var out []model.Peer
	var notes []string
	for i, p := range peers {
		parts := listParts(p)
		if len(parts) < 2 {
			if out != nil {
				out = append(out, p)
			}
			continue
		}
		if out == nil {
			out = append(make([]model.Peer, 0, len(peers)+len(parts)), peers[:i]...)
		}
		for _, v := range parts {
			q := p
			q.Value = v
			out = append(out, q)
		}
		notes = append(notes, fmt.Sprintf("%q holds %d addresses in one value: each is read", p.Value, len(parts)))
	}
	if out == nil {
		return peers, nil
	}
	return out, notes
}

var slashSpaces = regexp.MustCompile(`\s*/\s*`)

// listParts returns the addresses of a CIDR or range peer's value split
// on list separators; nil when it holds one value.
func listParts(p model.Peer) []string {
	if p.Kind != model.PeerCIDR && p.Kind != model.PeerRange {
		return nil
	}
	// Spaces around a slash belong to one prefix ("1.2.3.4/ 8").
	v := slashSpaces.ReplaceAllString(strings.TrimSpace(p.Value), "/")
	sep := func(r rune) bool { return r == ',' || r == ';' }
	if !strings.Contains(v, "-") {
		sep = func(r rune) bool { return r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }
	}
	var parts []string
	for _, x := range strings.FieldsFunc(v, sep) {
		if x = strings.TrimSpace(x); x != "" {
			parts = append(parts, x)
		}
	}
	if len(parts) < 2 {
		return nil
	}
	return parts
}
