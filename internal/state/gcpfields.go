package state

import (
	"net/netip"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// A GCP VPC rule's sources and targets are six REST fields that the model
// folds into Peers and Targets. A patch replaces only the fields it sends,
// and an undo must set back each field it changed, so both are read back
// into the fields here.

// gcpField is one list field of a GCP VPC firewall rule.
type gcpField int

const (
	fSourceRanges gcpField = iota
	fSourceTags
	fSourceSAs
	fDestinationRanges
	fTargetTags
	fTargetSAs
	nGCPFields
)

// gcpFieldNames are the fields' REST names in lower case (Event.Sent)
// and gcpFieldFlags their gcloud compute firewall-rules flags.
var (
	gcpFieldNames = [nGCPFields]string{"sourceranges", "sourcetags", "sourceserviceaccounts", "destinationranges", "targettags", "targetserviceaccounts"}
	gcpFieldFlags = [nGCPFields]string{"--source-ranges", "--source-tags", "--source-service-accounts", "--destination-ranges", "--target-tags", "--target-service-accounts"}
)

// gcpFields holds a rule's six list fields; range fields keep their peers
// as parsed, the others hold their values as Peer.Value.
type gcpFields [nGCPFields][]model.Peer

// isAddress says a target is an address range (a destination range of an
// ingress rule, a source range of an egress rule), not a tag or account.
func isAddress(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// fieldsOf reads a rule's peers and targets back into the REST fields,
// as the GCP parser built them for direction dir.
func fieldsOf(peers []model.Peer, targets []string, dir model.Direction) gcpFields {
	var f gcpFields
	egress := dirOf(dir) == model.Egress
	for _, p := range peers {
		switch {
		case egress:
			f[fDestinationRanges] = append(f[fDestinationRanges], p)
		case p.Kind == model.PeerTag:
			f[fSourceTags] = append(f[fSourceTags], p)
		case p.Kind == model.PeerServiceAccount:
			f[fSourceSAs] = append(f[fSourceSAs], p)
		default:
			f[fSourceRanges] = append(f[fSourceRanges], p)
		}
	}
	for _, t := range targets {
		p := model.Peer{Kind: model.PeerOther, Value: t}
		switch {
		case isAddress(t) && egress:
			p.Kind = model.PeerCIDR
			f[fSourceRanges] = append(f[fSourceRanges], p)
		case isAddress(t):
			f[fDestinationRanges] = append(f[fDestinationRanges], p)
		case strings.Contains(t, "@"):
			f[fTargetSAs] = append(f[fTargetSAs], p)
		default:
			f[fTargetTags] = append(f[fTargetTags], p)
		}
	}
	return f
}

// apply puts the fields back into a rule of direction dir: the inverse
// of fieldsOf.
func (f *gcpFields) apply(r *model.Rule, dir model.Direction) {
	r.Peers, r.Targets = nil, nil
	values := func(ps []model.Peer) {
		for _, p := range ps {
			r.Targets = append(r.Targets, p.Value)
		}
	}
	if dirOf(dir) == model.Egress {
		r.Peers = slices.Clone(f[fDestinationRanges])
		values(f[fTargetTags])
		values(f[fTargetSAs])
		values(f[fSourceRanges])
		return
	}
	for _, p := range f[fSourceRanges] {
		if p.Kind == model.PeerOther {
			p.Kind = model.PeerCIDR // a destination range read back as a source
		}
		r.Peers = append(r.Peers, p)
	}
	for _, p := range f[fSourceTags] {
		r.Peers = append(r.Peers, model.Peer{Kind: model.PeerTag, Value: p.Value})
	}
	for _, p := range f[fSourceSAs] {
		r.Peers = append(r.Peers, model.Peer{Kind: model.PeerServiceAccount, Value: p.Value})
	}
	values(f[fTargetTags])
	values(f[fTargetSAs])
	values(f[fDestinationRanges])
}

// sentFields says which fields a patch sent: those Event.Sent names
// when the parser listed them (an empty list sent clears its field), else
// those the change fills.
func sentFields(ev *model.Event, c *gcpFields) [nGCPFields]bool {
	var sent [nGCPFields]bool
	for i := range nGCPFields {
		if ev.Sent != nil {
			sent[i] = slices.Contains(ev.Sent, gcpFieldNames[i])
		} else {
			sent[i] = len(c[i]) > 0
		}
	}
	return sent
}

// values are a field's values as gcloud takes them.
func (f *gcpFields) values(i gcpField) []string {
	out := make([]string, 0, len(f[i]))
	for _, p := range f[i] {
		out = append(out, p.Value)
	}
	return out
}

// sameField says two rules' field i holds the same values, in any order.
func sameField(a, b *gcpFields, i gcpField) bool {
	x, y := a.values(i), b.values(i)
	for j := range x {
		x[j] = strings.ToLower(x[j])
	}
	for j := range y {
		y[j] = strings.ToLower(y[j])
	}
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}
