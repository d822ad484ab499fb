package detect

import (
	"slices"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// notLogged is what a title shows for a placeholder the event lacks.
const notLogged = "(not logged)"

// attemptKind says how a call that did not take effect ended.
type attemptKind int

const (
	attemptNone   attemptKind = iota
	attemptDenied             // the caller lacked the permission
	attemptFailed             // any other error
	attemptDryRun             // a dry run: the caller holds the permission
)

// pastToBase turns the verbs titles are written with into the form "to
// ..." takes, so that "Network Firewall fw-1 deleted" can be retold as
// "Attempt to delete Network Firewall fw-1 denied".
var pastToBase = map[string]string{
	"opened": "open", "deleted": "delete", "removed": "remove", "detached": "detach",
	"disabled": "disable", "enabled": "enable", "created": "create", "changed": "change",
	"set": "set", "turned": "turn", "associated": "associate", "disassociated": "disassociate",
	"moved": "move", "activated": "activate", "added": "add", "replaced": "replace",
}

// particles follow a verb ("turned off") and move with it.
var particles = map[string]bool{"off": true, "on": true}

// properFirst are first words of titles that are names, kept capitalised
// when the subject moves into the middle of a sentence.
var properFirst = map[string]bool{"Lightsail": true, "Redshift": true, "Azure": true, "Cloud": true}

// attemptTitle retells title, which says what a call did, as the attempt
// it was: "Attempt to detach WAF web ACL prod-web-acl denied
// (AccessDenied)", "Dry run: would open security group sg-1 to the
// internet on 22/tcp (ssh)". A title whose verb it cannot find is kept
// whole behind a prefix, so no words are lost.
func attemptTitle(title string, kind attemptKind, code, resource string) string {
	if kind == attemptNone {
		return title
	}
	phrase, ok := infinitive(title, resource)
	switch kind {
	case attemptDryRun:
		if ok {
			return "Dry run: would " + phrase
		}
		return "Dry run: " + title
	case attemptDenied:
		if ok {
			return "Attempt to " + phrase + " denied (" + code + ")"
		}
		return "Denied attempt (" + code + "): " + title
	default:
		if ok {
			return "Attempt to " + phrase + " failed (" + code + ")"
		}
		return "Failed attempt (" + code + "): " + title
	}
}

// infinitive rewrites "Subject verbed rest" as "verb subject rest", and
// "Subject: object verbed rest" as "verb object rest of subject". The verb
// is looked for after the resource's name, which the log chose and which
// may itself be a word such as "deleted"; a resource the log does not name
// becomes "a" resource of its kind, and "from (not logged)" goes.
func infinitive(title, resource string) (string, bool) {
	head, tail := "", title
	if resource != "" {
		if i := strings.Index(title, resource); i >= 0 {
			head, tail = title[:i+len(resource)], title[i+len(resource):]
		}
	}
	if pred, ok := strings.CutPrefix(tail, ": "); ok {
		words := strings.Fields(pred)
		i := verbAt(words)
		if i < 0 {
			return "", false
		}
		verb, rest := verbPhrase(words[i:])
		subj := subjectPhrase(strings.Fields(head))
		if i == 0 {
			// "DNS Firewall configuration vpc-1: set to fail open"
			return join(verb, subj, rest), true
		}
		return join(verb, strings.Join(words[:i], " "), rest, "of", subj), true
	}
	words := strings.Fields(tail)
	i := verbAt(words)
	if i < 0 {
		// The verb comes before the resource ("Subnet moved to network
		// ACL acl-1"), or there is no resource to skip.
		head, words = "", strings.Fields(title)
		if i = verbAt(words); i <= 0 {
			return "", false
		}
	}
	verb, rest := verbPhrase(words[i:])
	subject := append(strings.Fields(head), words[:i]...)
	return join(verb, subjectPhrase(subject), rest), true
}

// verbAt is the index of the first word that is a title verb.
func verbAt(words []string) int {
	for i, w := range words {
		if _, ok := pastToBase[w]; ok {
			return i
		}
	}
	return -1
}

// verbPhrase is the base form of words[0] with a following particle, and
// the rest of the words.
func verbPhrase(words []string) (verb, rest string) {
	verb = pastToBase[words[0]]
	words = words[1:]
	if len(words) > 0 && particles[words[0]] {
		verb += " " + words[0]
		words = words[1:]
	}
	if len(words) > 1 && words[0] == "or" && pastToBase[words[1]] != "" {
		// "created or changed" -> "create or change"
		verb += " or " + pastToBase[words[1]]
		words = words[2:]
	}
	rest = strings.Join(words, " ")
	for _, prep := range []string{"from", "to", "with", "of"} {
		rest = strings.ReplaceAll(rest, prep+" "+notLogged, "")
	}
	return verb, strings.Join(strings.Fields(rest), " ")
}

// subjectPhrase puts a title's subject mid-sentence: a common noun first
// word loses its capital ("Security group sg-1" -> "security group sg-1"),
// and a resource the log does not name becomes "a"/"an" resource of its
// kind ("Network Firewall (not logged)" -> "a Network Firewall").
func subjectPhrase(words []string) string {
	if len(words) == 0 {
		return ""
	}
	unnamed := false
	if s := strings.Join(words, " "); strings.Contains(s, notLogged) {
		s = strings.TrimSpace(strings.ReplaceAll(s, notLogged, ""))
		words = strings.Fields(s)
		unnamed = true
	}
	if len(words) == 0 {
		return ""
	}
	if isCommonNoun(words[0]) && (len(words) == 1 || isLowerWord(words[1])) {
		words = append([]string{strings.ToLower(words[0])}, words[1:]...)
	}
	s := strings.Join(words, " ")
	if unnamed {
		article := "a "
		if strings.ContainsRune("aeiouAEIOU", rune(s[0])) {
			article = "an "
		}
		s = article + s
	}
	return s
}

// isCommonNoun reports whether w is a capitalised ordinary word (Security,
// Key), not an acronym (NSG, VPC), a CamelCase name (GuardDuty) or a
// product name (Lightsail).
func isCommonNoun(w string) bool {
	if len(w) < 2 || w[0] < 'A' || w[0] > 'Z' || properFirst[w] {
		return false
	}
	return isLowerWord(w[1:])
}

func isLowerWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

func join(parts ...string) string {
	kept := parts[:0:0]
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, " ")
}

// title is the finding's title: the operation's template filled in, retold
// as an attempt when the call did not take effect.
func (d *Detector) title(op *content.Operation, ev *model.Event, v *verdict) string {
	vals := placeholders(ev, v, true)
	if v.phrase != "" {
		// The rules of one call together (two rules, one per half; one
		// per family) may admit more than the worst one alone: the title
		// names what they admit together.
		vals["change"] = strings.ReplaceAll(vals["change"], v.phrase, internetPhrase(v.s4, v.s6))
	}
	res := vals["resource"]
	if res == "" {
		res = notLogged
	}
	return attemptTitle(expand(op.Title, vals, true), v.attempt, v.code, res)
}

// allPortsText is how a title says every protocol and port.
const allPortsText = "all protocols and ports"

// joinPorts is the title phrase of equally severe openings to the same
// peers: "opened to 10.0.0.0/8 on all tcp ports, all udp ports, icmp";
// every protocol and port covers the rest.
func joinPorts(opened string, ports []string) string {
	if slices.Contains(ports, allPortsText) {
		return opened + " on " + allPortsText
	}
	return opened + " on " + short(ports, 3)
}
