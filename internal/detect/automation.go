package detect

import (
	"fmt"
	"slices"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// automate recognises automation. Only identity facts lower a finding (a
// signature on the actor, its type or the service that acted for it, or
// an identity configured as automation): tag, reason, and one step lower,
// but a world-open exposure stays at least WorldFloor. A signature on what
// the caller chooses (the user agent, names) is a claim: it names the tool
// when the identity is known automation and is otherwise reported as
// claimed-automation, severity kept.
func (d *Detector) automate(v *verdict, ev *model.Event) {
	if d.matcher != nil {
		if m, ok := d.matcher(ev); ok {
			if m.DrivenBy != "" {
				v.tag(content.TagAutomationDriven)
				v.reasons = append(v.reasons, fmt.Sprintf("automation identity (%s) impersonated by %s: not lowered as automation", m.Name, m.DrivenBy))
				return
			}
			d.configured(v, m.Name, m.Tag)
			return
		}
	}
	var names, claims, claimTags []string
	who := callerOf(ev)
	for _, sig := range d.c.Automation {
		if !who.matches(sig) {
			continue
		}
		if sig.Claim() {
			claims = appendNew(claims, sig.Name)
			claimTags = appendNew(claimTags, sig.Tag)
			continue
		}
		v.tag(sig.Tag)
		names = appendNew(names, sig.Name)
	}
	if id, ok := d.knownAutomation(ev.Actor); ok {
		v.tag(content.TagIaC)
		names = appendNew(names, "configured automation identity "+id)
	}
	if len(names) == 0 {
		if len(claims) > 0 {
			v.tag(content.TagClaimedAutomation)
			v.reasons = append(v.reasons, fmt.Sprintf("user agent claims %s; the identity is not known automation, so the claim does not lower the severity",
				strings.Join(claims, ", ")))
		}
		return
	}
	// The identity is automation, so the tool its user agent names is
	// believed.
	for _, t := range claimTags {
		v.tag(t)
	}
	for _, c := range claims {
		names = appendNew(names, c)
	}
	aw := d.c.Severity.Automation
	was := v.sev
	v.sev = lower(v.sev, aw.Step)
	if v.world {
		v.sev = max(v.sev, min(was, aw.WorldFloor))
	}
	reason := fmt.Sprintf("made by automation (%s)", strings.Join(names, ", "))
	switch {
	case v.sev == was:
		reason += fmt.Sprintf(": kept at %s", was)
		if v.world && was > model.Info {
			reason += " because it opens to the internet"
		}
	default:
		reason += fmt.Sprintf(": lowered from %s to %s", was, v.sev)
		if v.world && v.sev == aw.WorldFloor {
			reason += fmt.Sprintf(" (a world-open exposure is never lowered below %s)", aw.WorldFloor)
		}
	}
	v.reasons = append(v.reasons, reason)
}

func appendNew(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// knownAutomation reports the configured automation identity the actor
// is, if any.
func (d *Detector) knownAutomation(a model.Actor) (string, bool) {
	id, name := strings.ToLower(strings.TrimSpace(a.ID)), strings.ToLower(strings.TrimSpace(a.Name))
	for _, want := range d.automation {
		for _, got := range []string{id, name} {
			if got != "" && identityMatches(want, got) {
				return want, true
			}
		}
	}
	return "", false
}

// identityMatches compares one configured identity (lower case) with an
// actor id or name (lower case).
func identityMatches(want, got string) bool {
	if prefix, ok := strings.CutSuffix(want, "*"); ok {
		return prefix != "" && strings.HasPrefix(got, prefix)
	}
	if want == got {
		return true
	}
	// arn:aws:iam::A:role/[path/]NAME matches arn:aws:sts::A:assumed-role/NAME/SESSION.
	acct, role, ok := strings.Cut(strings.TrimPrefix(want, "arn:aws:iam::"), ":role/")
	if !ok || !strings.HasPrefix(want, "arn:aws:iam::") {
		return false
	}
	role = role[strings.LastIndexByte(role, '/')+1:]
	return role != "" && strings.HasPrefix(got, "arn:aws:sts::"+acct+":assumed-role/"+role+"/")
}

// caller is the lower-cased event fields signatures match against.
type caller struct {
	ua, actor, via, typ string
	names               []string // resource and rule names
}

func callerOf(ev *model.Event) caller {
	// The session issuer is the role behind an assumed-role session, with
	// its path (which the assumed-role ARN lacks).
	c := caller{
		ua:    strings.ToLower(ev.UserAgent),
		actor: strings.ToLower(ev.Actor.ID + "\n" + ev.Actor.Name + "\n" + ev.Actor.SessionIssuer),
		via:   strings.ToLower(ev.Actor.ViaService),
		typ:   strings.ToLower(ev.Actor.Type),
	}
	for _, n := range []string{ev.Resource.Name, lastSegment(ev.Resource.ID)} {
		if n != "" {
			c.names = append(c.names, strings.ToLower(n))
		}
	}
	for _, ch := range ev.Changes {
		if ch.Name != "" {
			c.names = append(c.names, strings.ToLower(ch.Name))
		}
	}
	return c
}

// matches reports whether every field the signature sets matches.
func (c caller) matches(sig content.Signature) bool {
	if len(sig.UserAgent) > 0 && !containsAny(c.ua, sig.UserAgent) ||
		len(sig.Actor) > 0 && !containsAny(c.actor, sig.Actor) ||
		len(sig.ViaService) > 0 && !containsAny(c.via, sig.ViaService) ||
		len(sig.ActorType) > 0 && !slices.Contains(sig.ActorType, c.typ) {
		return false
	}
	if len(sig.ResourcePrefix) == 0 {
		return true
	}
	for _, n := range c.names {
		for _, p := range sig.ResourcePrefix {
			if strings.HasPrefix(n, p) {
				return true
			}
		}
	}
	return false
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
