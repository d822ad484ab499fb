package snapshot

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"cloudwall/internal/model"
	"cloudwall/internal/spill"
)

// builder accumulates what the records of all inputs say.
type builder struct {
	sum       model.Summary
	perFile   map[string]int
	firewalls map[string]*model.Firewall
	order     []string
	// meta is what add needs to know of each firewall read so far; with
	// Options.MaxHeld the copies themselves go to spilled instead of
	// firewalls (held.go), and err is the first that spilling met.
	meta       map[string]fwMeta
	spilled    *spill.Sorter[heldCopy]
	err        error
	interfaces []Interface
	lists      map[string]*PrefixList
	plans      []Plan
	// cur is the observation the record being read belongs to.
	cur observation
	// skips tally skipped records per file, in the order first seen
	// (skipOrder), for the problems finish reports.
	skips     map[string]*skipTally
	skipOrder []string
}

// observation is one look at the cloud: a file, or one interaction of a
// recorded sequence of calls (a VCR cassette).
type observation struct {
	// id tells two observations apart: the file name, plus the record
	// and interaction for a cassette.
	id string
	// asOf is when the recording says the response was sent (its Date
	// header); it dates firewalls whose document does not say.
	asOf time.Time
}

func newBuilder() *builder {
	return &builder{
		perFile:   map[string]int{},
		firewalls: map[string]*model.Firewall{},
		lists:     map[string]*PrefixList{},
		meta:      map[string]fwMeta{},
		skips:     map[string]*skipTally{},
		sum:       model.Summary{Findings: map[string]int64{}},
	}
}

// problem records one unreadable input or record, the first few per file.
func (b *builder) problem(file string, index, offset int64, msg string) {
	b.perFile[file]++
	if b.perFile[file] > maxProblemsPerFile {
		return
	}
	b.sum.Problems = append(b.sum.Problems, model.Problem{File: file, Index: index, Offset: offset, Message: msg})
}

// skipTally counts what one file held that holds no firewall rules
// (records, or parts of a record such as a list's elements), per reason
// in the order first seen, and keeps where the first of them is.
type skipTally struct {
	index, offset int64
	n             int
	reasons       []string
	count         map[string]int
}

// maxSkipReasons bounds the reasons one file's skip problem lists.
const maxSkipReasons = 8

// skip counts a recognised record that holds nothing cloudwall reads. A
// skipped record is never silent: each file's skips are named in one
// problem (a Cloud Asset Inventory export of a thousand assets of other
// types is one line, not a thousand).
func (b *builder) skip(file string, index, offset int64, reason string) {
	b.sum.Skipped++
	b.sum.Recognised++
	b.tallySkip(file, index, offset, reason)
}

// skipPart names a part of a record that was read (an element of a list,
// a configuration item of another type) left out for holding no firewall
// rules: named like a skipped record, not counted as one.
func (b *builder) skipPart(src model.SourceRef, reason string) {
	b.tallySkip(src.File, src.Index, 0, reason)
}

func (b *builder) tallySkip(file string, index, offset int64, reason string) {
	t, ok := b.skips[file]
	if !ok {
		t = &skipTally{index: index, offset: offset, count: map[string]int{}}
		b.skips[file] = t
		b.skipOrder = append(b.skipOrder, file)
	}
	t.n++
	if t.count[reason]++; t.count[reason] == 1 {
		t.reasons = append(t.reasons, reason)
	}
}

// reportSkips names each file's skips in one problem, placed at the
// first of them.
func (b *builder) reportSkips() {
	for _, file := range b.skipOrder {
		t := b.skips[file]
		if t.n == 1 {
			b.problem(file, t.index, t.offset, "skipped, holds no firewall rules cloudwall reads: "+t.reasons[0])
			continue
		}
		var parts []string
		for i, r := range t.reasons {
			if i == maxSkipReasons {
				parts = append(parts, fmt.Sprintf("%d more kinds", len(t.reasons)-i))
				break
			}
			parts = append(parts, fmt.Sprintf("%s ×%d", r, t.count[r]))
		}
		b.problem(file, t.index, t.offset, fmt.Sprintf("%d skipped, holding no firewall rules cloudwall reads (the first here): %s", t.n, strings.Join(parts, "; ")))
	}
}

// Key identifies a firewall across snapshots: cloud, type and id (ARM ids
// are case-insensitive, so Azure ids are lower-cased).
func Key(fw *model.Firewall) string {
	id := fw.Resource.ID
	if fw.Cloud == model.Azure {
		id = strings.ToLower(id)
	}
	return string(fw.Cloud) + "|" + fw.Resource.Type + "|" + id
}

// RuleKey identifies a rule within its firewall, so the same rule can be
// found in two snapshots: a NACL entry by direction and number, a security
// group permission by direction, protocol and ports (its peers are what
// widens or narrows), a named rule (NSG, GCP, SQL, policies) by its name,
// and a GCP policy rule by priority.
func RuleKey(fw *model.Firewall, r *model.Rule) string {
	dir := string(cmp.Or(r.Direction, model.Ingress))
	switch fw.Resource.Type {
	case "network_acl":
		return dir + "|" + r.Name
	case "security_group":
		return dir + "|" + r.Protocol + "|" + strings.Join(r.Ports.Strings(), ",")
	case "firewall_policy", "network_firewall_policy":
		if fw.Cloud == model.GCP && r.Priority != nil {
			return dir + "|" + strconv.Itoa(*r.Priority)
		}
	}
	if r.Name != "" {
		if fw.Cloud == model.Azure {
			return strings.ToLower(r.Name)
		}
		return r.Name
	}
	var peers []string
	for _, p := range r.Peers {
		peers = append(peers, p.String())
	}
	return dir + "|" + string(r.Action) + "|" + r.Protocol + "|" + strings.Join(r.Ports.Strings(), ",") + "|" + strings.Join(peers, ",")
}

// mergeKey is RuleKey, plus the peer for security groups, whose rules are
// one per peer.
func mergeKey(fw *model.Firewall, r *model.Rule) string {
	k := RuleKey(fw, r)
	if fw.Resource.Type == "security_group" {
		for _, p := range r.Peers {
			k += "|" + p.String()
		}
	}
	return k
}

// add merges fw into what was read. Two whole copies of one firewall are
// two snapshots of it: the later (AsOf, then reading order) wins, and
// without dates a problem says which was used. Two GETs of one recorded
// sequence (a VCR cassette) are in the order they were made: the later
// wins, with no problem. Partial copies (single rules, one GCP rule of a
// network) merge into the firewall rule by rule.
func (b *builder) add(fw model.Firewall) {
	if fw.AsOf.IsZero() {
		fw.AsOf = b.cur.asOf
	}
	k := Key(&fw)
	obs := cmp.Or(b.cur.id, fw.Source.File)
	old, ok := b.meta[k]
	if !ok {
		b.meta[k] = fwMeta{partial: fw.Partial, asOf: fw.AsOf, file: fw.Source.File, obs: obs}
		b.keep(k, false, fw)
		return
	}
	whole := !fw.Partial && !old.partial && fw.Resource.Type != "network"
	switch {
	case whole && fw.Source.File != old.file:
		if !fw.AsOf.IsZero() && !old.asOf.IsZero() && fw.AsOf.Before(old.asOf) {
			return
		}
		switch {
		case fw.AsOf.IsZero() || old.asOf.IsZero():
			b.problem(fw.Source.File, fw.Source.Index, 0, fmt.Sprintf(
				"%s %s is also in %s and neither copy is dated: this later-read copy is used",
				fw.Resource.Type, fw.Resource.ID, old.file))
		case fw.AsOf.Equal(old.asOf):
			b.problem(fw.Source.File, fw.Source.Index, 0, fmt.Sprintf(
				"%s %s is also in %s, dated the same (%s): this later-read copy is used",
				fw.Resource.Type, fw.Resource.ID, old.file, fw.AsOf.Format(time.RFC3339)))
		}
	case whole && obs != old.obs:
		// A later call of the same recording.
	default:
		// What mergeInto makes of the copy in force.
		old.partial = old.partial && fw.Partial
		if fw.AsOf.After(old.asOf) {
			old.asOf = fw.AsOf
		}
		b.meta[k] = old
		b.keep(k, true, fw)
		return
	}
	b.meta[k] = fwMeta{partial: fw.Partial, asOf: fw.AsOf, file: fw.Source.File, obs: obs}
	b.keep(k, false, fw)
}

// keep applies a copy of firewall k as add decided: merged into what was
// read of it, or replacing it. With Options.MaxHeld it is kept for
// Set.EachFirewall to apply instead.
func (b *builder) keep(k string, merge bool, fw model.Firewall) {
	if b.spilled != nil {
		if err := b.spilled.Add(heldCopy{Key: k, Merge: merge, FW: fw}); err != nil && b.err == nil {
			b.err = err
		}
		return
	}
	old, ok := b.firewalls[k]
	switch {
	case !ok:
		b.firewalls[k] = &fw
		b.order = append(b.order, k)
	case merge:
		mergeInto(old, &fw)
	default:
		*old = fw
	}
}

// mergeInto adds fw's rules to old, a rule of fw replacing old's rules of
// the same key, and fills what old lacks.
func mergeInto(old, fw *model.Firewall) {
	replaced := map[string]bool{}
	for i := range fw.Rules {
		replaced[mergeKey(fw, &fw.Rules[i])] = true
	}
	old.Rules = slices.DeleteFunc(old.Rules, func(r model.Rule) bool { return replaced[mergeKey(old, &r)] })
	old.Rules = append(old.Rules, fw.Rules...)
	old.Partial = old.Partial && fw.Partial
	old.Default = old.Default || fw.Default
	old.Account = cmp.Or(old.Account, fw.Account)
	old.Region = cmp.Or(old.Region, fw.Region)
	old.Network = cmp.Or(old.Network, fw.Network)
	old.GUID = cmp.Or(old.GUID, fw.GUID)
	old.Resource.Name = cmp.Or(old.Resource.Name, fw.Resource.Name)
	for _, a := range fw.AttachedTo {
		if !slices.Contains(old.AttachedTo, a) {
			old.AttachedTo = append(old.AttachedTo, a)
		}
	}
	for k, v := range fw.Settings {
		if old.Settings == nil {
			old.Settings = map[string]string{}
		}
		old.Settings[k] = v
	}
	if fw.AsOf.After(old.AsOf) {
		old.AsOf = fw.AsOf
	}
}

// addList merges a prefix list's description and entries.
func (b *builder) addList(pl PrefixList) {
	old, ok := b.lists[pl.ID]
	if !ok {
		b.lists[pl.ID] = &pl
		return
	}
	old.Name = cmp.Or(old.Name, pl.Name)
	old.Account = cmp.Or(old.Account, pl.Account)
	old.Version = max(old.Version, pl.Version)
	for _, c := range pl.CIDRs {
		if !slices.Contains(old.CIDRs, c) {
			old.CIDRs = append(old.CIDRs, c)
		}
	}
}

// finish joins interfaces to the groups they carry and sorts the output.
func (b *builder) finish() *Set {
	b.reportSkips()
	set := &Set{Summary: b.sum, Interfaces: b.interfaces, Plans: b.plans}
	set.attached = attachments(b.interfaces)
	set.Summary.Firewalls = int64(len(b.meta))
	if b.spilled != nil {
		set.spilled = b.spilled
	} else {
		for _, k := range b.order {
			fw := b.firewalls[k]
			set.complete(fw)
			set.Firewalls = append(set.Firewalls, *fw)
			set.Summary.Rules += int64(len(fw.Rules))
		}
		slices.SortStableFunc(set.Firewalls, func(a, c model.Firewall) int {
			return cmp.Or(cmp.Compare(a.Cloud, c.Cloud), cmp.Compare(a.Resource.Type, c.Resource.Type), cmp.Compare(Key(&a), Key(&c)))
		})
	}
	for _, pl := range b.lists {
		set.PrefixLists = append(set.PrefixLists, *pl)
	}
	slices.SortFunc(set.PrefixLists, func(a, c PrefixList) int { return cmp.Compare(a.ID, c.ID) })
	return set
}

// attachments lists, per AWS security group id, the interfaces that carry
// it, in the order the interfaces were read.
func attachments(enis []Interface) map[string][]string {
	m := map[string][]string{}
	for _, eni := range enis {
		for _, g := range eni.Groups {
			if !slices.Contains(m[g], eni.ID) {
				m[g] = append(m[g], eni.ID)
			}
		}
	}
	return m
}

// complete finishes a firewall once every copy of it is read: the
// interfaces carrying it joined, its rules sorted.
func (s *Set) complete(fw *model.Firewall) {
	if fw.Cloud == model.AWS && fw.Resource.Type == "security_group" {
		for _, id := range s.attached[fw.Resource.ID] {
			if !slices.Contains(fw.AttachedTo, id) {
				fw.AttachedTo = append(fw.AttachedTo, id)
			}
		}
	}
	sortRules(fw)
	if fw.Rules == nil {
		fw.Rules = []model.Rule{}
	}
}

// sortRules orders rules by direction, then priority, then key, so output
// and goldens are stable.
func sortRules(fw *model.Firewall) {
	prio := func(r *model.Rule) int {
		if r.Priority == nil {
			return -1
		}
		return *r.Priority
	}
	slices.SortStableFunc(fw.Rules, func(a, c model.Rule) int {
		return cmp.Or(cmp.Compare(a.Direction, c.Direction), cmp.Compare(prio(&a), prio(&c)),
			cmp.Compare(RuleKey(fw, &a), RuleKey(fw, &c)))
	})
}

// Firewall returns the firewall with key k, or nil.
func (s *Set) Firewall(k string) *model.Firewall {
	for i := range s.Firewalls {
		if Key(&s.Firewalls[i]) == k {
			return &s.Firewalls[i]
		}
	}
	return nil
}

// PrefixList returns the list with id, or nil.
func (s *Set) PrefixList(id string) *PrefixList {
	i, ok := slices.BinarySearchFunc(s.PrefixLists, id, func(p PrefixList, id string) int { return cmp.Compare(p.ID, id) })
	if !ok {
		return nil
	}
	return &s.PrefixLists[i]
}

// toRule turns a parsed change into a rule in force.
func toRule(c model.RuleChange, desc string, notes []string) model.Rule {
	c.Effect = ""
	return model.Rule{RuleChange: c, Description: strings.TrimSpace(desc), Notes: notes}
}
