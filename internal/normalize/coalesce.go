package normalize

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
)

// Coalescer folds the records of one logical operation into one event, so
// one change gives one finding: Azure logs a Start and a Success record
// for one PUT, GCP the first and last entry of a long-running operation,
// and the same CloudTrail record can sit in an account trail and an
// organisation trail.
//
// Records are folded as they arrive: an operation holds a few events (the
// record that carries its content, the earliest, the completions), not
// every record, so 200,000 copies of one record cost what one does. The
// fold does not depend on arrival order, which varies with the workers.
type Coalescer struct {
	ops   map[string]*operation
	order []string
	// records counts every event added.
	records int64
}

// NewCoalescer returns an empty Coalescer.
func NewCoalescer() *Coalescer {
	return &Coalescer{ops: map[string]*operation{}}
}

// Held reports how many operations the Coalescer holds.
func (c *Coalescer) Held() int { return len(c.order) }

// Add takes one event. Not safe for concurrent use.
func (c *Coalescer) Add(ev model.Event) {
	c.add(OperationKey(&ev), ev, -1)
}

// AddHeld is Add for a Coalescer bounded to max operations: it folds ev
// when its operation is held already or fewer than max are, and reports
// whether it did. A record it refuses is the caller's to keep (on disk)
// and to fold with the other records of its operation, none of which the
// Coalescer holds: it never takes a new operation once it refused one.
func (c *Coalescer) AddHeld(ev model.Event, max int) bool {
	return c.add(OperationKey(&ev), ev, max)
}

func (c *Coalescer) add(key string, ev model.Event, max int) bool {
	op, ok := c.ops[key]
	if !ok {
		if max >= 0 && len(c.order) >= max {
			return false
		}
		c.records++
		c.order = append(c.order, key)
		c.ops[key] = newOperation(ev)
		return true
	}
	c.records++
	op.add(ev)
	return true
}

// OperationKey is the key records of one operation share: the cloud and
// model.OperationRef, else the record's position.
func OperationKey(ev *model.Event) string {
	id := model.OperationRef(ev)
	if id == "" {
		// Nothing to match on: keep it as its own operation.
		id = ev.Source.File + "#" + strconv.FormatInt(ev.Source.Index, 10) + "#" + ev.Operation
	}
	return string(ev.Cloud) + "|" + id
}

// Duplicates reports how many records were folded into others.
func (c *Coalescer) Duplicates() int64 { return c.records - int64(len(c.order)) }

// Events returns one event per operation, in the order operations were
// first seen.
func (c *Coalescer) Events() []model.Event {
	out := make([]model.Event, 0, len(c.order))
	for _, key := range c.order {
		out = append(out, c.ops[key].event())
	}
	return out
}

// Drain is Events for a Coalescer that is done: each operation is let go
// as its event is built, so the two are not held at once. The Coalescer
// is empty afterwards (Duplicates still counts).
func (c *Coalescer) Drain() []model.Event {
	out := make([]model.Event, 0, len(c.order))
	for i, key := range c.order {
		out = append(out, c.ops[key].event())
		delete(c.ops, key)
		c.order[i] = ""
	}
	c.records -= int64(len(c.order))
	c.order = nil
	return out
}

// Limits on what one operation holds beyond its few chosen records, for
// an input that logs thousands of variants of one operation.
const (
	maxNoteSets    = 16
	maxExtraChange = 64
)

// operation is the fold of the records of one operation so far. Each slot
// holds the record that is least (or greatest) in record order among
// those that qualify, so the result is the same whatever order records
// arrive in.
type operation struct {
	// first is the earliest record: it gives the time.
	first model.Event
	// primary carries the content: the first Start record with content,
	// else the first record with content, else the first record.
	primary model.Event
	// done, ok and failed are the last completion record, the first
	// successful one and the last failed one. When they disagree, success
	// wins: a record claiming the operation failed must not hide the copy
	// that says it was applied (an attacker can write such a record; a
	// retried Azure PUT logs both).
	done, ok, failed *model.Event
	// ip, ua and actor are the first records that log each.
	ip, ua, actor *model.Event
	// api is the first record that logs the request's api-version.
	api *model.Event
	// noteSets are the distinct note lists of the records, least first.
	noteSets     []noteSet
	notesDropped bool
	// extra are rule changes other records carry that the primary does
	// not (an Azure response body that differs from the request).
	extra        []extraChange
	extraDropped bool
	// logged says some record carries the call's content: the operation
	// is ContentNotLogged only when none does.
	logged bool
	// created and updated say some record logs that the write created its
	// resource, or updated it (Event.Written).
	created, updated bool
	// acceptedCreated is the first Start record (Started, Accepted) that
	// logs Created: ARM's first answer to an asynchronous create. firstOK
	// is the first record that logs OK, and okEarly says one that is not a
	// completion logs it (an update's own first answer).
	acceptedCreated, firstOK *model.Event
	okEarly                  bool
	// origAt is the first record that logs the resource as it was before
	// the call (Event.Original), and original what it logs.
	origAt       *model.Event
	original     []model.RuleChange
	origDisabled bool
}

type noteSet struct {
	at    model.Event // only the order fields are read
	notes []string
}

type extraChange struct {
	at model.Event
	i  int // position in its record
	ch model.RuleChange
	fp string
}

func newOperation(ev model.Event) *operation {
	op := &operation{first: orderOnly(&ev), primary: ev}
	op.fold(&ev)
	return op
}

func (op *operation) add(ev model.Event) {
	if before(&ev, &op.first) {
		op.first = orderOnly(&ev)
	}
	old := op.primary
	if primaryBefore(&ev, &op.primary) {
		op.primary = ev
		// The changes of the record that stops being the primary may
		// differ from the new one's: keep them as extras.
		op.addExtras(&old)
	} else {
		op.addExtras(&ev)
	}
	op.fold(&ev)
}

// fold updates the slots every record competes for.
func (op *operation) fold(ev *model.Event) {
	// The slots that ev wins share one copy of it (slots are never
	// changed, only replaced), holding only what slots read: an operation
	// of one record holds one extra copy, not five.
	var p *model.Event
	cp := func() *model.Event {
		if p == nil {
			p = slotCopy(ev)
		}
		return p
	}
	if completion(ev) {
		if op.done == nil || before(op.done, ev) {
			op.done = cp()
		}
		if ev.Outcome == model.Failure && (op.failed == nil || before(op.failed, ev)) {
			op.failed = cp()
		}
		if ev.Outcome == model.Success && (op.ok == nil || before(ev, op.ok)) {
			op.ok = cp()
		}
	}
	if ev.SourceIP != "" && (op.ip == nil || before(ev, op.ip)) {
		op.ip = cp()
	}
	if ev.UserAgent != "" && (op.ua == nil || before(ev, op.ua)) {
		op.ua = cp()
	}
	if ev.APIVersion != "" && (op.api == nil || before(ev, op.api)) {
		op.api = cp()
	}
	if (ev.Actor.ID != "" || ev.Actor.Name != "") && (op.actor == nil || before(ev, op.actor)) {
		op.actor = cp()
	}
	if len(ev.Original) > 0 && (op.origAt == nil || before(ev, op.origAt)) {
		at := orderOnly(ev)
		op.origAt, op.original, op.origDisabled = &at, ev.Original, ev.OriginalDisabled
	}
	op.addNotes(ev)
	op.logged = op.logged || !ev.ContentNotLogged
	op.created = op.created || ev.Written == model.WriteCreated
	op.updated = op.updated || ev.Written == model.WriteUpdated
	switch {
	case ev.Written == model.WriteCreated && ev.Phase == model.PhaseStart:
		if op.acceptedCreated == nil || before(ev, op.acceptedCreated) {
			op.acceptedCreated = cp()
		}
	case ev.Written == model.WriteUpdated:
		op.okEarly = op.okEarly || ev.Phase != model.PhaseEnd
		if op.firstOK == nil || before(ev, op.firstOK) {
			op.firstOK = cp()
		}
	}
}

// asyncCreate says the records are those of an asynchronous create: its
// Start record logs Created (201, the resource is new), and OK comes only
// in completion records after it (the status of the finished operation).
// Created in a completion record beside an OK one, or OK in a Start
// record, is not: those read as an update (Event.Written).
func (op *operation) asyncCreate() bool {
	return op.acceptedCreated != nil && op.firstOK != nil && !op.okEarly && before(op.acceptedCreated, op.firstOK)
}

// slotCopy keeps the fields the slots read: record order, outcome,
// error, address, user agent and actor.
func slotCopy(ev *model.Event) *model.Event {
	c := orderOnly(ev)
	c.Outcome, c.ErrorCode, c.ErrorMessage = ev.Outcome, ev.ErrorCode, ev.ErrorMessage
	c.SourceIP, c.UserAgent, c.Actor, c.APIVersion = ev.SourceIP, ev.UserAgent, ev.Actor, ev.APIVersion
	return &c
}

// completion reports a record that says how the operation ended.
func completion(ev *model.Event) bool {
	return ev.Phase == model.PhaseEnd || ev.Phase == model.PhaseOnly && ev.Outcome != model.Unknown
}

// addNotes keeps ev's notes once per distinct list, at the least record
// that carries it, at most maxNoteSets lists (the least ones).
func (op *operation) addNotes(ev *model.Event) {
	if len(ev.Notes) == 0 {
		return
	}
	for i := range op.noteSets {
		if slices.Equal(op.noteSets[i].notes, ev.Notes) {
			if before(ev, &op.noteSets[i].at) {
				op.noteSets[i].at = orderOnly(ev)
				op.sortNotes()
			}
			return
		}
	}
	op.noteSets = append(op.noteSets, noteSet{at: orderOnly(ev), notes: ev.Notes})
	op.sortNotes()
	if len(op.noteSets) > maxNoteSets {
		op.noteSets = op.noteSets[:maxNoteSets]
		op.notesDropped = true
	}
}

func (op *operation) sortNotes() {
	slices.SortFunc(op.noteSets, func(a, b noteSet) int { return order(&a.at, &b.at) })
}

// addExtras keeps the changes of ev that the primary lacks, once each,
// at most maxExtraChange of them (those of the least records).
func (op *operation) addExtras(ev *model.Event) {
	if len(ev.Changes) == 0 {
		return
	}
	for i, ch := range ev.Changes {
		fp := fingerprint(ch)
		j := slices.IndexFunc(op.extra, func(x extraChange) bool { return x.fp == fp })
		x := extraChange{at: orderOnly(ev), i: i, ch: ch, fp: fp}
		switch {
		case j < 0:
			op.extra = append(op.extra, x)
		case extraBefore(&x, &op.extra[j]):
			op.extra[j] = x
		}
	}
	slices.SortFunc(op.extra, func(a, b extraChange) int { return extraOrder(&a, &b) })
	if len(op.extra) > maxExtraChange {
		op.extra = op.extra[:maxExtraChange]
		op.extraDropped = true
	}
}

// event returns the folded event.
func (op *operation) event() model.Event {
	out := op.primary
	out.Time = op.first.Time
	out.ContentNotLogged = !op.logged
	var notes model.Notes
	if end := cmp.Or(op.ok, op.failed, op.done); end != nil {
		out.Outcome = end.Outcome
		out.ErrorCode, out.ErrorMessage = end.ErrorCode, end.ErrorMessage
	}
	if op.ok != nil && op.failed != nil {
		notes.Add(fmt.Sprintf("the records of this operation disagree on how it ended: %s says it failed (%s), %s that it succeeded; judged as applied",
			model.RecordPlace(op.failed.Source.File, op.failed.Source.Index), cmp.Or(op.failed.ErrorCode, "no error code"), model.RecordPlace(op.ok.Source.File, op.ok.Source.Index)))
	}
	// A record saying the resource was created does not outweigh one
	// saying it existed: an update can detach what a creation cannot. An
	// asynchronous write can log both (Accepted with Created, then
	// Succeeded with OK), which a forged record beside a real OK would
	// copy; the note is given where the reading decides something, a
	// write that left no policy (an NSG) attached.
	switch out.Written = ""; {
	case op.updated && op.asyncCreate():
		out.Written = model.WriteCreated
	case op.updated:
		out.Written = model.WriteUpdated
		if p, ok := out.Settings[model.SettingPolicy]; op.created && ok && p == "" {
			notes.Add("one record of this operation says the write created its resource (Created), another that the resource existed (OK): judged as an update, under which what it no longer names was detached")
		}
	case op.created:
		out.Written = model.WriteCreated
	}
	if out.SourceIP == "" && op.ip != nil {
		out.SourceIP = op.ip.SourceIP
	}
	if out.UserAgent == "" && op.ua != nil {
		out.UserAgent = op.ua.UserAgent
	}
	if out.APIVersion == "" && op.api != nil {
		out.APIVersion = op.api.APIVersion
	}
	if out.Actor.ID == "" && out.Actor.Name == "" && op.actor != nil {
		out.Actor = op.actor.Actor
	}
	// Start and end records can spell a name in different case; Notes
	// keeps each once and caps them.
	for _, s := range op.noteSets {
		for _, n := range s.notes {
			notes.Add(n)
		}
	}
	if op.notesDropped {
		notes.Add(fmt.Sprintf("more than %d different note lists among this operation's records; the rest are not shown", maxNoteSets))
	}
	// Rule content that other records of the operation log differently
	// (an Azure response body that is not the request) is judged too, so
	// the worse reading wins.
	own := map[string]bool{}
	for _, ch := range out.Changes {
		own[fingerprint(ch)] = true
	}
	var extra []model.RuleChange
	for _, x := range op.extra {
		if !own[x.fp] {
			extra = append(extra, x.ch)
			own[x.fp] = true
		}
	}
	if len(extra) > 0 {
		if len(out.Changes) > 0 {
			notes.Add(fmt.Sprintf("the records of this operation log different rule content (%s and %s); both are judged",
				changeList(out.Changes), changeList(extra)))
		}
		out.Changes = append(slices.Clip(out.Changes), extra...)
	}
	if op.extraDropped {
		notes.Add(fmt.Sprintf("more than %d different rules among this operation's records; the rest are not judged", maxExtraChange))
	}
	if op.origAt != nil {
		// The rule before the call, from whichever record logs it: the
		// detector completes a partial update from it.
		out.Original, out.OriginalAt, out.OriginalDisabled = op.original, op.origAt.Source, op.origDisabled
	}
	out.Notes = notes.List()
	return out
}

// orderOnly keeps the fields record order reads, so a slot that only
// orders does not hold a whole event.
func orderOnly(ev *model.Event) model.Event {
	return model.Event{Time: ev.Time, Phase: ev.Phase, Source: ev.Source}
}

// order is record order: time, then phase, then position in the input.
func order(a, b *model.Event) int {
	return cmp.Or(
		a.Time.Compare(b.Time),
		cmp.Compare(phaseRank(a.Phase), phaseRank(b.Phase)),
		cmp.Compare(a.Source.File, b.Source.File),
		cmp.Compare(a.Source.Index, b.Source.Index),
	)
}

func before(a, b *model.Event) bool { return order(a, b) < 0 }

// primaryBefore reports whether a is a better primary than b: records with
// content first, Start records among them first (the request as sent),
// then record order.
func primaryBefore(a, b *model.Event) bool {
	return cmp.Or(cmp.Compare(contentRank(a), contentRank(b)), order(a, b)) < 0
}

func contentRank(ev *model.Event) int {
	switch {
	case !hasContent(*ev):
		return 2
	case ev.Phase == model.PhaseStart:
		return 0
	}
	return 1
}

func extraOrder(a, b *extraChange) int {
	return cmp.Or(order(&a.at, &b.at), cmp.Compare(a.i, b.i), cmp.Compare(a.fp, b.fp))
}

func extraBefore(a, b *extraChange) bool { return extraOrder(a, b) < 0 }

// fingerprint identifies a rule change by everything it says, letter
// case aside (resource-log records upper-case names of the resource id).
func fingerprint(ch model.RuleChange) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s|%s|%s|", ch.Effect, ch.Direction, ch.Action, ch.Protocol, ch.Name)
	for _, r := range ch.Ports {
		b.WriteString(r.String() + ",")
	}
	b.WriteByte('|')
	for _, p := range ch.Peers {
		b.WriteString(string(p.Kind) + ":" + p.Value + ",")
	}
	b.WriteByte('|')
	if ch.Priority != nil {
		b.WriteString(strconv.Itoa(*ch.Priority))
	}
	b.WriteByte('|')
	b.WriteString(strings.Join(ch.Targets, ","))
	return strings.ToLower(b.String())
}

// changeList names changes briefly for a note: "allow 22 from 10.0.0.5".
func changeList(chs []model.RuleChange) string {
	var parts []string
	for i, ch := range chs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("%d more", len(chs)-i))
			break
		}
		var peers []string
		for j, p := range ch.Peers {
			if j == 3 {
				peers = append(peers, "…")
				break
			}
			peers = append(peers, p.Value)
		}
		s := strings.TrimSpace(fmt.Sprintf("%s %s %s", ch.Action, ch.Protocol, strings.Join(ch.Ports.Strings(), ",")))
		if len(peers) > 0 {
			s += " peers " + strings.Join(peers, ",")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

func hasContent(ev model.Event) bool {
	return len(ev.Changes) > 0 || len(ev.Settings) > 0 || len(ev.Targets) > 0 || len(ev.Descriptive) > 0
}

func phaseRank(p model.Phase) int {
	switch p {
	case model.PhaseStart:
		return 0
	case model.PhaseOnly:
		return 1
	}
	return 2
}
