package traffic

import (
	"maps"
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// Attachments is what configuration snapshots say sits behind AWS
// security groups and network ACLs: the network interfaces (ENIs) that
// carry each group, and those in each subnet an ACL guards; and, over
// time, the group sets calls in the audit logs put on interfaces (a
// snapshot is the state before the first call). AWS flow logs
// name the interface that logged a flow, so a flow on an interface behind
// the opened firewall is tied to it more strongly than by account and
// port, and a flow on an interface the snapshots list behind other
// firewalls only is not tied to it at all.
type Attachments struct {
	groups  map[string][]string // security group id -> ENIs
	subnets map[string][]string // subnet id -> ENIs
	acls    map[string][]string // network ACL id -> subnets
	known   map[string]bool     // every ENI a snapshot listed with its groups
	// instances maps an instance to its ENIs (snapshot), for
	// ModifyInstanceAttribute.
	instances map[string][]string
	// sets are the group sets calls put on each ENI, oldest first.
	sets map[string][]groupSet
	// nsgs are Azure NSGs (lower-case id) with their resourceGuid and
	// the NICs and subnets they are attached to.
	nsgs map[string]nsgInfo
}

type nsgInfo struct {
	guid     string
	attached []string
}

// NewAttachments returns an empty set of attachments.
func NewAttachments() *Attachments {
	return &Attachments{groups: map[string][]string{}, subnets: map[string][]string{},
		acls: map[string][]string{}, known: map[string]bool{}, instances: map[string][]string{},
		sets: map[string][]groupSet{}, nsgs: map[string]nsgInfo{}}
}

// AddInterface records one network interface as a snapshot lists it
// (describe-network-interfaces): its subnet, security groups and instance.
func (a *Attachments) AddInterface(id, subnet, instance string, groups []string) {
	if id == "" {
		return
	}
	a.known[id] = true
	if instance != "" {
		a.instances[instance] = appendNew(a.instances[instance], id)
	}
	for _, g := range groups {
		a.groups[g] = appendNew(a.groups[g], id)
	}
	if subnet != "" {
		a.subnets[subnet] = appendNew(a.subnets[subnet], id)
	}
}

// AddFirewall records what a snapshot says a firewall is attached to: the
// ENIs of a security group, the subnets of a network ACL.
func (a *Attachments) AddFirewall(fw *model.Firewall) {
	if fw.Cloud == model.Azure && fw.Resource.Type == "nsg" {
		in := nsgInfo{guid: strings.ToLower(fw.GUID)}
		for _, at := range fw.AttachedTo {
			in.attached = append(in.attached, strings.ToLower(at))
		}
		a.nsgs[strings.ToLower(fw.Resource.ID)] = in
		return
	}
	if fw.Cloud != model.AWS {
		return
	}
	switch fw.Resource.Type {
	case "security_group":
		for _, at := range fw.AttachedTo {
			if strings.HasPrefix(at, "eni-") {
				a.groups[fw.Resource.ID] = appendNew(a.groups[fw.Resource.ID], at)
			}
		}
	case "network_acl":
		for _, at := range fw.AttachedTo {
			if strings.HasPrefix(at, "subnet-") {
				a.acls[fw.Resource.ID] = appendNew(a.acls[fw.Resource.ID], at)
			}
		}
	}
}

// Apply adds to each AWS opening the interfaces behind its firewall at
// some time in its window (snapshots, and calls that put a group on an
// interface), and lets the join rule out flows on interfaces behind other
// firewalls only: those a snapshot lists elsewhere, and those calls had
// moved to other groups when the flow was logged.
func (a *Attachments) Apply(open []Opening) {
	if a == nil || (len(a.groups) == 0 && len(a.acls) == 0 && len(a.sets) == 0 && len(a.nsgs) == 0) {
		return
	}
	called := slices.Sorted(maps.Keys(a.sets))
	for i := range open {
		o := &open[i]
		if in, ok := a.nsgs[strings.ToLower(o.Firewall.ID)]; ok && o.Cloud == model.Azure {
			o.ACL, o.Attached = in.guid, in.attached
		}
		if o.Cloud != model.AWS {
			continue
		}
		var behind []string
		switch {
		case strings.HasPrefix(o.Firewall.ID, "sg-"):
			behind = a.groups[o.Firewall.ID]
			for _, eni := range called {
				if yes, _ := a.carries(eni, o.Firewall.ID, o.Start, o.End); yes {
					behind = append(slices.Clip(behind), eni)
				}
			}
			if len(a.sets) > 0 {
				o.history = a
			}
		case strings.HasPrefix(o.Firewall.ID, "acl-"):
			subnets, ok := a.acls[o.Firewall.ID]
			if !ok {
				continue // the snapshots do not say where this ACL sits
			}
			for _, s := range subnets {
				behind = append(behind, a.subnets[s]...)
			}
		default:
			continue
		}
		for _, eni := range behind {
			if yes, decided := a.carries(eni, o.Firewall.ID, o.Start, o.End); decided && !yes && strings.HasPrefix(o.Firewall.ID, "sg-") {
				continue // calls took the group off before the window
			}
			o.Interfaces = appendNew(o.Interfaces, eni)
		}
		o.Elsewhere = a.known
	}
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
