package azure

import (
	"testing"

	"cloudwall/internal/model"
)

// TestNSGPeerKinds: an NSG rule's source is an address, a range, "*", a
// service tag or an application security group; anything else (a
// look-alike of Internet, "*" with a zero-width space) is kept as an
// address that does not parse, so it is judged unreadable, never a named
// set. Azure Firewall names (tags=false) are FQDNs and IP groups.
func TestNSGPeerKinds(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		tags bool
		want model.PeerKind
		note bool
	}{
		{"*", true, model.PeerAny, false},
		{"Internet", true, model.PeerServiceTag, false},
		{"Storage.WestEurope", true, model.PeerServiceTag, false},
		{"10.0.0.0/8", true, model.PeerCIDR, false},
		{"\u0399nternet", true, model.PeerCIDR, true}, // Greek capital iota
		{"*\u200b", true, model.PeerCIDR, true},
		{"<x>/0", true, model.PeerCIDR, true},
		{"*.*", true, model.PeerCIDR, true},
		{"www.example.com", false, model.PeerOther, false},
	} {
		p := &parser{ev: &model.Event{}}
		got, ok := p.peer("rule r1", tc.raw, tc.tags)
		if !ok || got.Kind != tc.want || got.Value != tc.raw || (len(p.ev.Notes) > 0) != tc.note {
			t.Errorf("peer(%q, tags=%v) = %+v %v, notes %q; want kind %s, note %v", tc.raw, tc.tags, got, ok, p.ev.Notes, tc.want, tc.note)
		}
	}
}
