package pipeline

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// repeats folds the info findings of writes that set again exactly what
// the last successful write of the same resource in these logs set: an
// Azure NIC written by its deployment every day with the same network
// security group, a key vault's public access disabled again. Such a
// write changed nothing the logs show, and reporting each buried the
// changes that did something. The first write's finding says how often
// and until when the setting was written again; the summary counts the
// writes folded. Only info findings fold: a repeat the detector judged
// worse is reported as it is.
//
// Findings come in event-time order (History order). Resources with an
// info finding are tracked by a hash of their key, at most max of them
// (ten times the firewalls the state replay tracks, about 150 bytes
// each): past that, writes of further resources are all reported, with a
// notice.
type repeats struct {
	last map[[16]byte]*repeat
	// firsts are the findings later writes repeated, by finding id.
	firsts map[string]*repeat
	max    int
	// since is --since: a first finding before it is filtered out, so a
	// repeat after it is reported instead of folded.
	since time.Time
	// folded counts the findings folded; untracked the resources past max.
	folded, untracked int64
}

// repeat is what the last successful finding on one resource set.
type repeat struct {
	sig   [16]byte
	first string
	// n counts the writes folded into first; lastAt and lastActor are the
	// latest of them.
	n         int
	lastAt    time.Time
	lastActor string
}

func newRepeats(max int, since time.Time) *repeats {
	return &repeats{last: map[[16]byte]*repeat{}, firsts: map[string]*repeat{}, max: max, since: since}
}

// fold takes the next finding in time order and says whether it repeats
// the last successful one on its resource (the caller drops it).
func (r *repeats) fold(f *model.Finding) bool {
	if f.Outcome != model.Success || f.Resource.ID == "" && f.Resource.Name == "" {
		return false // a failed write set nothing
	}
	key := resourceHash(f)
	prev, ok := r.last[key]
	if f.Severity != model.Info || f.Time.IsZero() {
		// Judged worse, or of unknown time: reported, and what it set
		// is not the one before.
		if ok {
			delete(r.last, key)
		}
		return false
	}
	sig := settingSig(f)
	if ok && prev.sig == sig && (prev.n > 0 || len(r.firsts) < r.max) {
		prev.n++
		prev.lastAt, prev.lastActor = f.Time, actorName(f.Actor)
		r.firsts[prev.first] = prev
		r.folded++
		return true
	}
	if !ok && len(r.last) >= r.max || ok && prev.sig == sig {
		// Past the bound on resources, or on the findings repeated.
		r.untracked++
		return false
	}
	if !r.since.IsZero() && f.Time.Before(r.since) {
		// Filtered out: the next write like it is shown, not folded.
		delete(r.last, key)
		return false
	}
	r.last[key] = &repeat{sig: sig, first: f.ID}
	return false
}

// annotate tells, on a finding later writes repeated, how often and until
// when.
func (r *repeats) annotate(f *model.Finding) {
	p, ok := r.firsts[f.ID]
	if !ok {
		return
	}
	writes := "write"
	if p.n > 1 {
		writes = "writes"
	}
	f.Reasons = append(f.Reasons, fmt.Sprintf("set again, the same, by %d later successful %s in these logs (the last at %s by %s): each changed nothing, so each was folded into this finding",
		p.n, writes, p.lastAt.UTC().Format(time.RFC3339), p.lastActor))
}

// notices tells of the resources past the bound.
func (r *repeats) notices() []string {
	if r.untracked == 0 {
		return nil
	}
	return []string{fmt.Sprintf("%d findings were not compared with earlier writes of the same setting, as more than %d resources or repeated findings were tracked: every one is reported", r.untracked, r.max)}
}

// resourceHash identifies the resource a finding is about: cloud,
// account, region, type and id (Azure ids compared without case, as
// Azure does).
func resourceHash(f *model.Finding) [16]byte {
	id := f.Resource.ID
	if id == "" {
		id = f.Resource.Name
	}
	if f.Cloud == model.Azure {
		id = strings.ToLower(id)
	}
	h := sha256.New()
	for _, s := range []string{string(f.Cloud), f.Account, f.Region, f.Resource.Type, id} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var k [16]byte
	copy(k[:], h.Sum(nil))
	return k
}

// settingSig identifies what a finding says the write set and how it was
// judged: rule, title, severity, settings, targets, rule changes, reasons
// and the rules before and after, without case on Azure. Who wrote it,
// when and from where are not part of it.
func settingSig(f *model.Finding) [16]byte {
	b, _ := json.Marshal(struct {
		Rule, Title string
		Severity    model.Severity
		Settings    map[string]string
		Targets     []string
		Changes     []model.RuleChange
		Reasons     []string
		Before      *model.RuleSet
		After       *model.RuleSet
		Window      bool
	}{f.Rule, f.Title, f.Severity, f.Settings, f.Targets, f.Changes, f.Reasons, f.Before, f.After, f.Window != nil})
	if f.Cloud == model.Azure {
		b = bytes.ToLower(b) // names and ids, as Azure compares them
	}
	s := sha256.Sum256(b)
	var k [16]byte
	copy(k[:], s[:])
	return k
}

func actorName(a model.Actor) string {
	for _, s := range []string{a.Name, a.ID, a.AccessKey} {
		if s != "" {
			return s
		}
	}
	return "an unknown actor"
}

// repeatBound is how many resources repeats tracks.
func repeatBound(opts *Options) int { return 10 * cmp.Or(opts.MaxFirewalls, DefaultMaxFirewalls) }

// foldRepeats drops the findings that repeat an earlier one (in time
// order, as evs are) and annotates the ones they repeated.
func foldRepeats(evs []evaluated, r *repeats, sum *model.Summary) []evaluated {
	kept := evs[:0]
	for i := range evs {
		if !r.fold(&evs[i].f) {
			kept = append(kept, evs[i])
		}
	}
	clear(evs[len(kept):])
	for i := range kept {
		r.annotate(&kept[i].f)
	}
	sum.Repeats += r.folded
	sum.Notices = append(sum.Notices, r.notices()...)
	return kept
}
