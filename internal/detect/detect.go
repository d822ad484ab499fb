// Package detect turns one normalised model.Event into one model.Finding.
//
// The severity of a finding follows exposure: who can now reach what. For
// every rule a call opens, the detector sizes each peer (net/netip, never
// string matching: 208.236.235.254/0 is world-open, ::ffff:0.0.0.0/96 is all
// of IPv4, 0.0.0.0/1 + 128.0.0.0/1 together are the internet) and classifies
// each port range against the sensitive ports, then reads the severity from
// the weights in package content. Settings (threat intelligence off, WAF in
// detection mode, delete protection off), swaps and deletions are weighed
// from the same content. Automation known by identity (cloud services,
// configured deployment roles) lowers a finding by a step but never takes
// a world-open exposure below the floor; a user agent that only claims a
// tool lowers nothing. Failed calls are attempts, weighed by what they
// would have done.
//
// What an operation means is data (the catalogue in package content); this
// package holds only the logic, has no state besides the content, and is
// safe for concurrent use.
package detect

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// Detector evaluates events against one set of content.
type Detector struct {
	c *content.Content
	// automation are the identities known to be automation (configured
	// deployment roles, service principals), lower case.
	automation []string
	// matcher recognises configured automation identities (see
	// AutomationMatcher).
	matcher func(*model.Event) (AutomationMatch, bool)
	// trustedNets are the networks a peer may be inside to be trusted.
	trustedNets []TrustedNetwork
}

// Option configures a Detector.
type Option func(*Detector)

// AutomationIdentities tells the detector which identities are automation
// (a CI/CD deployment role, an Azure service principal used by a
// pipeline): their changes are tagged iac and lowered like those of a
// cloud service, and a user agent naming a tool is believed for them. Each
// entry is an actor id or name as logged (an ARN, e-mail, object or
// application id), compared case-insensitively; a trailing "*" matches any
// suffix, and an IAM role ARN (arn:aws:iam::111122223333:role/deploy) also
// matches the sessions of that role (arn:aws:sts::111122223333:assumed-role/deploy/...).
// Identities come from configuration, never from the log itself.
func AutomationIdentities(ids ...string) Option {
	return func(d *Detector) {
		for _, id := range ids {
			if id = strings.ToLower(strings.TrimSpace(id)); id != "" {
				d.automation = append(d.automation, id)
			}
		}
	}
}

// AutomationMatcher sets a function that says whether an event's identity
// (never its user agent alone) is configured automation, with the entry's
// name, tag (content.TagIaC, content.TagServiceLinked or "controller").
// A change by such an identity is lowered to low, except a world-open
// administrative or data port, which stays at least high: only an approval
// or a suppression lowers that. cloudwall.yaml's automation section fills it.
func AutomationMatcher(m func(*model.Event) (AutomationMatch, bool)) Option {
	return func(d *Detector) { d.matcher = m }
}

// AutomationMatch is a configured automation identity an event's caller
// is. DrivenBy, when set, names who drove it (a person impersonating the
// service account, a role session's source identity): the change is then
// not lowered, and the finding says why.
type AutomationMatch struct {
	Name, Tag, DrivenBy string
}

// TrustedNetwork is a named set of trusted prefixes.
type TrustedNetwork struct {
	Name     string
	Prefixes []netip.Prefix
}

// Trusted sets networks whose addresses are trusted, not internet: a peer
// inside one of them is sized as content.Trusted.
func Trusted(nets ...TrustedNetwork) Option {
	return func(d *Detector) { d.trustedNets = append(d.trustedNets, nets...) }
}

// New returns a Detector for c, which must not change afterwards.
func New(c *content.Content, opts ...Option) *Detector {
	d := &Detector{c: c}
	for _, o := range opts {
		o(d)
	}
	return d
}

// Evaluate returns the finding for ev, or ok=false when ev is not a
// firewall event: its operation is not catalogued, or the catalogue
// requires content (a security-group set, network rules) the event lacks.
func (d *Detector) Evaluate(ev *model.Event) (f model.Finding, ok bool) {
	if ev == nil {
		return model.Finding{}, false
	}
	op, ok := d.c.Operation(ev.OperationKey)
	if !ok {
		return model.Finding{}, false
	}
	changes, why, completed := withOriginal(ev)
	if completed {
		c := *ev
		c.Changes, c.Notes = changes, append(slices.Clip(ev.Notes), why)
		ev = &c
	}
	if !relevant(op, ev) {
		return model.Finding{}, false
	}
	v := d.assess(op, ev)
	if !completed && ev.ContentNotLogged {
		if was := ruleBefore(ev); was != "" {
			v.reasons = append(v.reasons, was)
		}
	}
	if completed && v.set && v.sev < model.Low {
		v.reasons = append(v.reasons, fmt.Sprintf("kept at low, not %s: what the rule does comes from the record of its state before the call (resourceOriginalState), not from the request, and a record written beside the real ones can claim any state", v.sev))
		v.sev = model.Low
	}
	if len(v.reasons)+len(ev.Notes) > model.MaxNotes {
		// The reasons will be cut: the parser's notes go first, as they
		// say what the record itself holds wrong (and what was bounded),
		// where the judgement's reasons repeat themselves per rule.
		v.reasons = append(slices.Clip(ev.Notes), v.reasons...)
	} else {
		v.reasons = append(v.reasons, ev.Notes...)
	}
	d.automate(&v, ev)
	d.outcome(&v, ev)
	return d.finding(op, ev, &v), true
}

// relevant applies the entry's requires: at least one of the listed kinds
// of content must be present.
func relevant(op *content.Operation, ev *model.Event) bool {
	if len(op.Requires) == 0 {
		return true
	}
	for _, r := range op.Requires {
		switch {
		case r == content.NeedChanges && len(ev.Changes) > 0,
			r == content.NeedTargets && len(ev.Targets) > 0,
			r == content.NeedSettings && len(ev.Settings) > 0:
			return true
		}
	}
	return false
}

// verdict accumulates what the detector found about one event.
type verdict struct {
	sev    model.Severity
	change string
	// opened and ports are the halves of change when it names an
	// opening (see judged).
	opened string
	ports  []string
	set    bool // some contribution was made
	// known says the severity came from logged content rather than from
	// the operation's base severity; attempts are weighed by it.
	known bool
	world bool
	// worldSensitive: a world-open administrative or data port;
	// worldAdmin: a world-open administrative port (or all ports).
	worldSensitive, worldAdmin bool
	// v4 and v6 say which address families world-open changes spanned,
	// s4 and s6 how much of each all of them together; phrase is the
	// internet phrase in change, retold from s4 and s6 in the title.
	v4, v6   bool
	s4, s6   share
	phrase   string
	exposure []string
	tags     []string
	reasons  []string
	// attempt says how a call that did not take effect ended, and code
	// its error; the title is retold as an attempt (attemptTitle).
	attempt attemptKind
	code    string
	// closes and opens say whether some judged change narrowed access,
	// and whether some other did anything else (opened, removed a rule of
	// unknown action, deleted, ...).
	closes, opens bool
}

// closingOnly says every judged change narrowed access: the guidance is
// the cloud's closing guidance, not the operation's.
func (v *verdict) closingOnly() bool { return v.closes && !v.opens }

// add merges one judgement: the worst severity wins, and its phrase names
// the finding.
func (v *verdict) add(j judged, known bool) {
	switch {
	case !v.set || j.sev > v.sev:
		v.sev, v.change, v.phrase = j.sev, j.change, j.phrase
		v.opened, v.ports = j.opened, slices.Clone(j.ports)
	case j.sev == v.sev && j.opened != "" && j.opened == v.opened && j.change != v.change:
		// A rule of several protocols (tcp, udp, icmp) to the same
		// peers is titled by all of them, not by its first.
		for _, p := range j.ports {
			if !slices.Contains(v.ports, p) {
				v.ports = append(v.ports, p)
			}
		}
		v.change = joinPorts(v.opened, v.ports)
	}
	v.set = true
	v.known = v.known || known
	v.closes = v.closes || j.closing
	v.opens = v.opens || !j.closing
	v.world = v.world || j.world
	v.worldSensitive = v.worldSensitive || j.worldSensitive
	v.worldAdmin = v.worldAdmin || j.worldAdmin
	v.v4, v.v6 = v.v4 || j.v4, v.v6 || j.v6
	v.s4, v.s6 = v.s4.join(j.s4), v.s6.join(j.s6)
	v.exposure = append(v.exposure, j.exposure...)
	v.reasons = append(v.reasons, j.reasons...)
}

func (v *verdict) tag(t string) {
	if !slices.Contains(v.tags, t) {
		v.tags = append(v.tags, t)
	}
}

// assess weighs the event's rules, settings and targets, then applies the
// operation's base severity as its kind says.
func (d *Detector) assess(op *content.Operation, ev *model.Event) verdict {
	var v verdict
	disabled := disabledCall(op, ev)
	for _, ch := range ev.Changes {
		switch {
		case op.Kind == content.KindRemove:
			// A remove operation only removes, whatever effect the
			// parser recorded; judging it as an add would invert it.
			ch.Effect = model.Removed
			v.add(d.change(op, ch), true)
		case disabled:
			v.add(d.disabled(op, ch), true)
		case endpointOffCall(ev):
			v.add(d.parked(op, ch), true)
		case priorityOnly(ev, ch):
			v.add(d.reordered(op, ch), true)
		default:
			j := d.change(op, ch)
			admitsEveryone(op, ev, ch, &j)
			newPolicyDefault(op, ch, &j)
			if was := replacedLogged(ev); was != "" {
				j.reasons = slices.Clone(j.reasons)
				if i := slices.Index(j.reasons, replacedUnlogged); i >= 0 {
					j.reasons[i] = was
				}
			}
			v.add(j, true)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ev.Settings)) {
		val := strings.ToLower(strings.TrimSpace(ev.Settings[k]))
		if k == model.SettingDisabled && disabled {
			continue // judged with the rules it disabled
		}
		if k == model.SettingPublicAccess && val == "enabled" && defaultDeny(ev) {
			// Public access with a default action of deny is the
			// "selected networks" setting: only the allowed networks,
			// judged as rules, get in; it opens nothing by itself.
			v.add(judged{sev: model.Info, change: "public network access limited to the allowed networks (default action deny)", closing: true,
				reasons: []string{fmt.Sprintf("%s=%q with default_action=\"deny\": only the listed networks may connect (info)", k, val)}}, true)
			continue
		}
		if k == model.SettingRules && val == "none" && defaultDeny(ev) {
			// No rules and a default action of block: every request is
			// blocked, which opens nothing.
			v.add(judged{sev: model.Info, change: "emptied, default action block: every request is blocked", closing: true,
				reasons: []string{fmt.Sprintf("%s=%q with default_action=\"deny\": nothing passes (info)", k, val)}}, true)
			continue
		}
		if r, ok := d.setting(op, ev, k, val); ok {
			// A setting weighed no more than a closing change hardens
			// (deny, prevention, protection on, public access off); one
			// weighed by what the resource is (new, a subnet that cannot
			// carry an NSG) narrowed nothing.
			reason := fmt.Sprintf("%s=%q: %s (%s)", k, val, r.Change, r.Severity)
			if r.Reason != "" {
				reason = fmt.Sprintf("%s=%q: %s: %s", k, val, r.Reason, r.Severity)
			}
			v.add(judged{sev: r.Severity, change: r.Change, closing: r.Severity <= d.c.Severity.Closing && !r.Conditional(),
				reasons: []string{reason}}, true)
		}
	}
	if op.Kind == content.KindSwap && len(ev.Targets) > 0 {
		v.add(judged{sev: op.Severity, change: "set to " + short(shortIDs(ev.Targets), 3),
			reasons: []string{fmt.Sprintf("now uses %s; the previous set is not logged: compare the rules of both (%s)",
				strings.Join(ev.Targets, ", "), op.Severity)}}, true)
	}
	d.base(op, ev, &v)
	return v
}

// defaultDeny reports whether the call set the default action to deny.
func defaultDeny(ev *model.Event) bool {
	return model.SettingIs(ev.Settings, model.SettingDefaultAction, "deny")
}

// setting finds the rule for key=value: the operation's own rules first,
// then the global ones; among them a rule whose conditions the event
// meets (a creation, a resource name) first, then an exact value before
// "*".
func (d *Detector) setting(op *content.Operation, ev *model.Event, key, value string) (content.SettingRule, bool) {
	for _, rules := range [][]content.SettingRule{op.Settings, d.c.Severity.Settings} {
		for _, r := range rules {
			if r.Conditional() && r.Matches(key, value) && r.Holds(ev) {
				return r, true
			}
		}
		for _, exact := range []bool{true, false} {
			for _, r := range rules {
				if !r.Conditional() && r.Matches(key, value) && (r.Value == value) == exact {
					return r, true
				}
			}
		}
	}
	return content.SettingRule{}, false
}

// base applies the operation's base severity: a floor for kinds where the
// operation is itself the risk (delete, detach, swap, create, allowlist),
// a fallback for kinds judged by content when the log carries none.
func (d *Detector) base(op *content.Operation, ev *model.Event, v *verdict) {
	resType := ev.Resource.Type
	w := d.c.Severity
	switch {
	case op.Kind.Floor():
		// The operation itself is what is judged, so a failed delete is
		// weighed by what it would have removed.
		if !v.set || op.Severity > v.sev {
			v.add(judged{sev: op.Severity, change: kindPhrase(op, ev.OperationKey),
				reasons: []string{baseReason(op, resType)}}, true)
		}
	case v.set:
		return
	case op.Kind == content.KindRules && len(ev.Descriptive) > 0:
		fields := strings.Join(ev.Descriptive, ", ")
		v.add(judged{sev: w.Closing, change: fields + " changed (no access change)", closing: true,
			reasons: []string{fmt.Sprintf("the call sent only %s: fields that describe the rule and decide no one's access (%s)", fields, w.Closing)}}, true)
	case op.Kind == content.KindRemove && op.AllowOnly:
		v.add(judged{sev: w.Closing, change: "rule removed (closing access)", closing: true,
			reasons: []string{"an allow rule was removed (this resource only has allow rules): access narrows"}}, false)
	case op.Kind == content.KindRemove:
		v.add(judged{sev: w.RemovedUnknown, change: "rule removed (its action is not logged)",
			reasons: []string{"a rule was removed and the log does not say whether it allowed or denied: if it was a deny, what it blocked may now be reachable"}}, false)
	default:
		v.add(judged{sev: op.Severity, change: kindPhrase(op, ev.OperationKey),
			reasons: []string{baseReason(op, resType)}}, false)
	}
}

// kindPhrase is the {change} text when no content named the change; a
// call that creates says so (rulesPhrase).
func kindPhrase(op *content.Operation, key string) string {
	switch op.Kind {
	case content.KindRules:
		if strings.Contains(op.Title, "created") {
			// "Managed prefix list pl-1 created, rule content not logged"
			return "rule content not logged"
		}
		return rulesPhrase(op, key) + " (rule content not logged)"
	case content.KindDelete:
		return "deleted"
	case content.KindDetach:
		return "detached"
	case content.KindSwap:
		return "changed (new set not logged)"
	case content.KindSettings:
		return "settings changed (values not logged)"
	case content.KindProtection:
		return "protection changed (value not logged)"
	case content.KindCreate:
		return "created"
	case content.KindAllowlist:
		return "created or changed"
	}
	return "changed"
}

// rulesPhrase says what a rules call whose content is not logged did,
// from its verb: a create or insert of the resource the title names
// "created" ("VPC firewall rule fw-1 created"), a call that adds a rule to
// it "rule added" ("Hierarchical firewall policy 123 rule added"; "added"
// when the title names the rule already, as a NACL entry's does, and
// "created" when the resource is the rule, as an App Engine ingress rule
// is), an Azure write, which creates or replaces, "created or changed",
// anything else "changed".
func rulesPhrase(op *content.Operation, key string) string {
	verb := key[strings.LastIndexAny(key, ".:/")+1:]
	switch {
	case verb == "write":
		return "created or changed"
	case verb == "create" || verb == "insert":
		return "created"
	case !strings.HasPrefix(verb, "create") && !strings.HasPrefix(verb, "add") &&
		!strings.HasPrefix(verb, "authorize") && !strings.HasPrefix(verb, "open"):
		return "changed"
	case strings.HasSuffix(op.Resource, "_rule") && !strings.Contains(op.Title, "{rule}"):
		return "created"
	case strings.Contains(op.Title, "{rule}"):
		return "added"
	}
	return "rule added"
}

// baseReason explains why an operation's base severity applies.
func baseReason(op *content.Operation, resType string) string {
	// The event's own resource type is the more precise: one catalogue
	// entry can cover several (a WAF entry deletes web ACLs, rule groups
	// and IP sets).
	res := strings.ReplaceAll(cmp.Or(resType, op.Resource), "_", " ")
	switch op.Kind {
	case content.KindDelete:
		return fmt.Sprintf("a whole %s was deleted, with everything it held: at least %s", res, op.Severity)
	case content.KindDetach:
		return fmt.Sprintf("the %s no longer protects what it was attached to: at least %s", res, op.Severity)
	case content.KindSwap:
		return fmt.Sprintf("which firewall applies was replaced; the previous one is not logged: at least %s", op.Severity)
	case content.KindCreate:
		return fmt.Sprintf("a new %s exposes nothing by itself: %s", res, op.Severity)
	case content.KindAllowlist:
		return fmt.Sprintf("addresses on this list are exempt from detection; the addresses are not in the log: %s", op.Severity)
	}
	return fmt.Sprintf("the log carries no rule or setting content for this call: base severity %s", op.Severity)
}

// configured lowers a change made by a configured automation identity
// to low: the identity is a fact the caller cannot choose. A world-open
// administrative or data port stays at least high; only an approval or a
// suppression takes it lower.
func (d *Detector) configured(v *verdict, name, tag string) {
	v.tag(tag)
	was := v.sev
	v.sev = min(v.sev, model.Low)
	floor := max(model.Low, min(was, model.High))
	if v.worldSensitive && v.sev < floor {
		v.sev = floor
	}
	reason := fmt.Sprintf("made by automation (%s)", name)
	switch {
	case v.sev == was:
		reason += fmt.Sprintf(": kept at %s", was)
		if v.worldSensitive && was > model.Low {
			reason += " because it opens an administrative or data port to the internet (only an approval or a suppression lowers that)"
		}
	case v.worldSensitive:
		reason += fmt.Sprintf(": lowered from %s to %s, not below: it opens an administrative or data port to the internet (only an approval or a suppression lowers that)", was, v.sev)
	default:
		reason += fmt.Sprintf(": lowered from %s to %s", was, v.sev)
	}
	v.reasons = append(v.reasons, reason)
}

// outcome weighs calls that did not take effect, or whose result is not
// in the log. A failed call changed nothing, so it is at most low (a
// refusal, which shows what the caller tried and that it lacked the
// right) or info (any other failure, which shows neither); its reason
// keeps what it would have been had it succeeded.
func (d *Detector) outcome(v *verdict, ev *model.Event) {
	aw := d.c.Severity.Attempt
	code := strings.TrimSpace(ev.ErrorCode)
	lc := strings.ToLower(code)
	switch {
	case strings.Contains(lc, "dryrunoperation"):
		v.tag("dry-run")
		v.reasons = append(v.reasons, fmt.Sprintf("dry run (%s): nothing changed, but the caller holds the permission (%s)", code, aw.DryRun))
		v.sev, v.attempt, v.code = aw.DryRun, attemptDryRun, code
	case ev.Outcome == model.Failure || (code != "" && ev.Outcome != model.Success):
		v.tag("attempt")
		v.attempt, v.code = attemptFailed, code
		refused := code == "" || containsAny(lc, aw.Denied)
		if code == "" {
			v.code = "error code not logged"
		} else if refused {
			v.tag("denied")
			v.attempt = attemptDenied
		}
		v.reasons = append(v.reasons, attemptReason(v, aw, refused, lc))
	case ev.Outcome == model.Unknown:
		v.tag("unconfirmed")
		v.reasons = append(v.reasons, "completion not seen: the log shows the request but not its result; reported as success (no failure seen)")
	}
}

// attemptReason weighs a failed call and says why: a refusal (or a
// failure whose code is not logged, which may be one) is at most low, any
// other failure at most info.
func attemptReason(v *verdict, aw content.AttemptWeights, refused bool, lc string) string {
	was := v.sev
	what := fmt.Sprintf("attempt refused (%s)", v.code)
	if v.attempt != attemptDenied {
		what = fmt.Sprintf("attempt failed (%s)", v.code)
	}
	switch {
	case refused && !v.known:
		v.sev = aw.ContentUnknown
	case refused && was >= model.High:
		v.sev = aw.WouldBeHigh
	case refused:
		v.sev = min(was, aw.Otherwise)
	case !v.known:
		v.sev = min(aw.ContentUnknown, aw.Rejected)
	default:
		v.sev = min(was, aw.Rejected)
	}
	r := what + ": nothing changed"
	if v.known {
		r += fmt.Sprintf("; had it succeeded it would have been %s", was)
	} else {
		r += "; the request content is not logged"
	}
	r += ": " + v.sev.String()
	switch {
	case v.attempt == attemptDenied:
		return r + " (a refusal shows what the caller tried, and that it lacked the right)"
	case refused:
		return r + " (the error code is not logged, so it may have been a refusal: weighed as one)"
	case strings.Contains(lc, "duplicate") || strings.Contains(lc, "alreadyexists") || strings.Contains(lc, "already_exists"):
		return r + " (not a refusal: the rule or resource already exists, so what the call would have opened may already be open; check the firewall's current rules)"
	}
	return r + " (not a refusal: the request was invalid or did not apply, so the failure says nothing about the caller's permission)"
}

// reportedOutcome keeps the finding contract's two outcomes: a request
// whose completion the input does not show (an Azure Started record alone)
// counts as a success, since nothing says it failed; the finding carries
// the tag "unconfirmed" and a reason.
func reportedOutcome(o model.Outcome) model.Outcome {
	if o == model.Failure {
		return model.Failure
	}
	return model.Success
}

// finding assembles the output record.
func (d *Detector) finding(op *content.Operation, ev *model.Event, v *verdict) model.Finding {
	changes := slices.Clone(ev.Changes)
	if changes == nil {
		changes = []model.RuleChange{}
	}
	for i := range changes {
		d.capPeers(&changes[i])
	}
	// One note per unreadable peer could make a finding of thousands of
	// lines: reasons are kept once each, at most model.MaxNotes.
	reasons := model.CapNotes(v.reasons)
	if reasons == nil {
		reasons = []string{}
	}
	return model.Finding{
		ID:           findingID(ev, op.ID),
		Rule:         op.ID,
		Title:        d.title(op, ev, v),
		Severity:     v.sev,
		Cloud:        ev.Cloud,
		Time:         ev.Time.UTC(),
		Account:      ev.Account,
		Region:       ev.Region,
		Resource:     ev.Resource,
		Operation:    ev.Operation,
		Outcome:      reportedOutcome(ev.Outcome),
		ErrorCode:    ev.ErrorCode,
		ErrorMessage: ev.ErrorMessage,
		Actor:        ev.Actor,
		SourceIP:     ev.SourceIP,
		UserAgent:    ev.UserAgent,
		Changes:      changes,
		Settings:     maps.Clone(ev.Settings),
		Targets:      slices.Clone(ev.Targets),
		Exposure:     v.exposure,
		Tags:         v.tags,
		Reasons:      reasons,
		Attack:       slices.Clone(model.AttackIDs),
		Guidance:     d.guidance(op, ev, v),
		Event:        model.EventRef{File: ev.Source.File, Index: ev.Source.Index, EventID: ev.EventID},
	}
}

// capPeers cuts the peers a finding lists for one change to
// model.MaxPeersShown, world-open peers first, and counts the rest in
// PeersOmitted. The judgement has already seen every peer.
func (d *Detector) capPeers(c *model.RuleChange) {
	if len(c.Peers) <= model.MaxPeersShown {
		return
	}
	keep := make([]model.Peer, 0, model.MaxPeersShown)
	taken := make([]bool, len(c.Peers))
	for i, p := range c.Peers {
		if len(keep) == model.MaxPeersShown {
			break
		}
		if d.World([]model.Peer{p}) {
			keep, taken[i] = append(keep, p), true
		}
	}
	for i, p := range c.Peers {
		if len(keep) == model.MaxPeersShown {
			break
		}
		if !taken[i] {
			keep = append(keep, p)
		}
	}
	c.PeersOmitted += len(c.Peers) - len(keep)
	c.Peers = keep
}

// findingID is a stable id for one rule firing on one operation, so the
// same operation seen in two files or two runs gets the same id, and two
// operations (one reusing the other's event id) get two.
func findingID(ev *model.Event, rule string) string {
	op := model.OperationRef(ev)
	if op == "" {
		op = ev.Source.File + "#" + strconv.FormatInt(ev.Source.Index, 10)
	}
	sum := sha256.Sum256([]byte(string(ev.Cloud) + "\x00" + op + "\x00" + rule))
	return hex.EncodeToString(sum[:8])
}
