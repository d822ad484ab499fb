package detect

import (
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// guidance renders the steps that apply to this finding: the operation's,
// or the cloud's attempt guidance when the call failed or was a dry run,
// since there is then nothing to undo, only a caller to look at, or the
// cloud's closing guidance when the change only narrowed access, since
// the operation's is written for an opening and there is nothing to
// contain, only a change to confirm. An operation that only ever closes
// (a revoke: the removal of allow-only rules) has guidance written for
// that and keeps it.
func (d *Detector) guidance(op *content.Operation, ev *model.Event, v *verdict) *model.Guidance {
	tmpl := op.Guidance
	switch {
	case slices.Contains(v.tags, "attempt") || slices.Contains(v.tags, "dry-run"):
		if g, ok := d.c.Attempts[ev.Cloud]; ok {
			tmpl = g
		}
	case v.closingOnly() && !(op.Kind == content.KindRemove && op.AllowOnly):
		if g, ok := d.c.Closings[ev.Cloud]; ok {
			tmpl = g
		}
	}
	vals := placeholders(ev, v, false)
	lists := map[string][]string{"rule": ruleNames(ev), "log_scope": logScope(ev), "classic_source": classicSource(ev)}
	g := &model.Guidance{}
	render := func(list string, steps []content.Step) []string {
		var out []string
		for _, s := range steps {
			if !holds(s.When, ev, v, vals) {
				continue
			}
			text := expand(s.Text, vals, false)
			if s.Run == "" {
				out = append(out, text)
				continue
			}
			run := expandCommand(s.Run, vals, lists)
			text = whereToFind(text, run)
			g.Commands = append(g.Commands, model.Command{Step: list, Index: len(out), Run: run})
			out = append(out, text+" "+run)
		}
		return out
	}
	g.Investigate = render(model.StepInvestigate, tmpl.Investigate)
	g.Respond = render(model.StepRespond, tmpl.Respond)
	return g
}

// placeholderRE finds the <NAME> placeholders of a printed command.
var placeholderRE = regexp.MustCompile(`<([A-Z][A-Z0-9_]*)>`)

// leadingPlaceholderRE is a <NAME> a command template starts with.
var leadingPlaceholderRE = regexp.MustCompile(`^<[A-Z][A-Z0-9_]*>`)

var placeholderWhere = content.PlaceholderWhere()

// whereToFind adds to a step's text, for each <NAME> its command shows in
// place of a value the event lacks, where to find that value
// (content.PlaceholderWhere), unless the text already speaks of it. The
// hint goes before the colon that leads to the command.
func whereToFind(text, run string) string {
	var hints []string
	for _, m := range placeholderRE.FindAllStringSubmatch(run, -1) {
		w, ok := placeholderWhere[strings.ToLower(m[1])]
		if !ok || strings.Contains(text, m[0]) || slices.Contains(hints, m[0]+": "+w) {
			continue
		}
		hints = append(hints, m[0]+": "+w)
	}
	if len(hints) == 0 {
		return text
	}
	add := " (" + strings.Join(hints, "; ") + ")"
	if rest, ok := strings.CutSuffix(text, ":"); ok {
		return rest + add + ":"
	}
	return text + add
}

// logScope is where gcloud logging finds a GCP event's audit log: its
// project, or the organization or folder that logged it.
func logScope(ev *model.Event) []string {
	if ev.Cloud != model.GCP || ev.Account == "" {
		return nil
	}
	for _, k := range []string{"organizations", "folders"} {
		if id, ok := strings.CutPrefix(ev.Account, k+"/"); ok {
			return []string{"--" + strings.TrimSuffix(k, "s"), id}
		}
	}
	return []string{"--project", ev.Account}
}

// holds evaluates a step condition (content.Conditions).
func holds(when string, ev *model.Event, v *verdict, vals map[string]string) bool {
	if rest, neg := strings.CutPrefix(when, "!"); neg {
		return !holds(rest, ev, v, vals)
	}
	if k, val, ok := strings.Cut(when, "="); ok {
		got, set := ev.Settings[k]
		return set && strings.ToLower(strings.TrimSpace(got)) == val
	}
	switch when {
	case "":
		return true
	case "internet":
		return v.world
	case "internet-admin":
		return v.worldAdmin
	case "dry-run":
		return slices.Contains(v.tags, "dry-run")
	case "via-service":
		return ev.Actor.ViaService != ""
	case "target-tags":
		return vals["target_tags"] != ""
	case "ip-permissions":
		return vals["ip_permissions"] != ""
	case "created":
		verb := ev.OperationKey[strings.LastIndexAny(ev.OperationKey, ".:/")+1:]
		return verb == "insert" || verb == "addrule" || strings.HasPrefix(verb, "create") || ev.Written == model.WriteCreated
	case "aws-iam-user-key":
		return callerKind(ev) == "aws-iam-user" && !temporaryKey(vals["access_key"])
	case "aws-iam-user-session":
		return callerKind(ev) == "aws-iam-user" && temporaryKey(vals["access_key"])
	}
	return when == callerKind(ev)
}

// callerKind names the kind of caller for step conditions.
func callerKind(ev *model.Event) string {
	t := strings.ToLower(ev.Actor.Type)
	switch ev.Cloud {
	case model.AWS:
		switch t {
		case "iamuser":
			return "aws-iam-user"
		case "root":
			return "aws-root"
		case "assumedrole":
			if model.IdentityCenterSession(ev.Actor.ID, ev.Actor.SessionIssuer) {
				return "aws-sso"
			}
			return "aws-assumed-role"
		}
	case model.Azure:
		switch t {
		case "user":
			return "azure-user"
		case "serviceprincipal":
			return "azure-service-principal"
		}
	case model.GCP:
		switch t {
		case "serviceaccount":
			if googleManaged(ev.Actor.ID) {
				return "gcp-service-agent"
			}
			return "gcp-service-account"
		case "user":
			return "gcp-user"
		}
	}
	return ""
}

// assumedRole splits arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION.
func assumedRole(arn string) (role, session string) {
	_, rest, ok := strings.Cut(arn, ":assumed-role/")
	if !ok {
		return "", ""
	}
	role, session, _ = strings.Cut(rest, "/")
	return role, session
}

// googleManaged reports whether a GCP service account is managed by
// Google, so that nobody can create, list or disable keys for it: a service
// agent (service-PROJECT_NUMBER@<agent>.iam.gserviceaccount.com, such as
// compute-system or container-engine-robot) or an account in a domain of
// Google's own (PROJECT_NUMBER@cloudservices.gserviceaccount.com, the
// Google APIs service agent). User-managed accounts live in
// NAME@PROJECT_ID.iam.gserviceaccount.com; the App Engine and Compute
// Engine default accounts (@appspot, -compute@developer) take user keys too.
func googleManaged(email string) bool {
	local, domain, ok := strings.Cut(strings.ToLower(strings.TrimSpace(email)), "@")
	if !ok {
		return false
	}
	if _, iam := strings.CutSuffix(domain, ".iam.gserviceaccount.com"); iam {
		num, agent := strings.CutPrefix(local, "service-")
		return agent && num != "" && strings.Trim(num, "0123456789") == ""
	}
	switch domain {
	case "appspot.gserviceaccount.com", "developer.gserviceaccount.com":
		return false
	}
	return strings.HasSuffix(domain, ".gserviceaccount.com")
}

// temporaryKey reports whether an AWS access key id is a temporary one
// (ASIA...: a role session, a console sign-in, GetSessionToken), which
// update-access-key cannot deactivate.
func temporaryKey(k string) bool { return strings.HasPrefix(k, "ASIA") }

// accessKey returns the AWS access key id the call was signed with, when
// the log names one.
func accessKey(ev *model.Event) string {
	k := ev.Actor.AccessKey
	if ev.Cloud != model.AWS || len(k) < 16 || len(k) > 128 || !(strings.HasPrefix(k, "AKIA") || strings.HasPrefix(k, "ASIA")) {
		return ""
	}
	for _, r := range k {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return k
}

// callerValues are the placeholders about the caller that commands need:
// the access key, the IAM user or role and session, and how CloudTrail's
// lookup-events finds the caller's calls (by access key when logged; else
// by user name, which for an assumed role is the session name).
func callerValues(ev *model.Event, vals map[string]string) {
	key := accessKey(ev)
	vals["access_key"] = key
	role, session := assumedRole(ev.Actor.ID)
	vals["role_name"], vals["session_name"] = role, session
	user := ""
	if callerKind(ev) == "aws-iam-user" {
		user = ev.Actor.Name
		if strings.Contains(ev.Actor.ID, ":user/") {
			user = lastSegment(ev.Actor.ID)
		}
	}
	vals["user_name"] = user
	switch {
	case key != "":
		vals["caller_lookup"] = "AttributeKey=AccessKeyId,AttributeValue=" + key
	case session != "":
		vals["caller_lookup"] = "AttributeKey=Username,AttributeValue=" + session
	case user != "":
		vals["caller_lookup"] = "AttributeKey=Username,AttributeValue=" + user
	default:
		vals["caller_lookup"] = ""
	}
	vals["actor_id"] = ev.Actor.ID
	vals["log_scope"] = strings.Join(logScope(ev), " ")
	vals["aws_service"], vals["principal_arn"] = "", ""
	if ev.Cloud == model.AWS {
		vals["aws_service"], _, _ = strings.Cut(ev.OperationKey, ":")
		switch {
		case strings.Contains(ev.Actor.ID, ":user/"):
			vals["principal_arn"] = ev.Actor.ID
		case role != "":
			// arn:aws:sts::ACCOUNT:assumed-role/R/S -> arn:aws:iam::ACCOUNT:role/R
			if f := strings.SplitN(ev.Actor.ID, ":", 6); len(f) == 6 {
				vals["principal_arn"] = "arn:" + f[1] + ":iam::" + f[4] + ":role/" + role
			}
		}
	}
	vals["correlation_id"] = ""
	if ev.Cloud == model.Azure {
		// OperationID is lower(correlationId|operation|resource) when the
		// record has a correlationId (GUIDs compare case-insensitively).
		if corr, _, ok := strings.Cut(ev.OperationID, "|"); ok {
			vals["correlation_id"] = corr
		}
	}
	vals["event_id"] = ev.EventID
	vals["key_id"] = ""
	if ev.Cloud == model.GCP {
		if _, k, ok := strings.Cut(ev.Actor.Session, "/keys/"); ok && !strings.Contains(k, "/") {
			vals["key_id"] = k
		}
	}
}

// resourceValues are the placeholders taken apart from the resource id:
// an Azure resource group and parent resource (the NSG of a rule, the
// server of a firewall rule), a GCP zone; a WAFv2 scope and the region
// that serves it; and from the changed rules: the
// NACL direction flag, a priority, the GCP target tags.
func resourceValues(ev *model.Event, vals map[string]string) {
	segs := strings.Split(strings.Trim(ev.Resource.ID, "/"), "/")
	vals["resource_group"], vals["parent_id"], vals["parent_name"], vals["zone"] = "", "", "", ""
	if ev.Cloud == model.Azure {
		for i := 0; i+1 < len(segs); i++ {
			if strings.EqualFold(segs[i], "resourceGroups") {
				vals["resource_group"] = segs[i+1]
			}
		}
		// /subscriptions/S/resourceGroups/G/providers/NS/TYPE/NAME/CHILD/NAME:
		// a child resource has more than 8 segments.
		if len(segs) >= 10 && strings.EqualFold(segs[4], "providers") {
			vals["parent_id"] = "/" + strings.Join(segs[:len(segs)-2], "/")
			vals["parent_name"] = segs[len(segs)-3]
		}
	}
	if ev.Cloud == model.GCP {
		for i := 0; i+1 < len(segs); i++ {
			if segs[i] == "zones" {
				vals["zone"] = segs[i+1]
			}
		}
	}
	vals["scope"], vals["scope_region"] = ev.Resource.Scope, ev.Region
	if ev.Resource.Scope == "CLOUDFRONT" {
		// CloudFront's web ACLs, IP sets and rule groups are served by
		// us-east-1 alone, whatever region the record names.
		vals["scope_region"] = "us-east-1"
	}
	vals["direction_flag"], vals["priority"], vals["target_tags"] = "", "", ""
	vals["ip_permissions"] = revokeByContent(ev)
	vals["classic_source"] = strings.Join(classicSource(ev), " ")
	vals["from_port"], vals["to_port"], vals["protocol"], vals["cidr"] = "", "", "", ""
	var tags []string
	for _, ch := range ev.Changes {
		if vals["from_port"] == "" && len(ch.Ports) > 0 {
			vals["from_port"] = strconv.Itoa(ch.Ports[0].From)
			vals["to_port"] = strconv.Itoa(ch.Ports[0].To)
			vals["protocol"] = ch.Protocol
		}
		for _, p := range ch.Peers {
			if vals["cidr"] == "" && p.Kind == model.PeerCIDR {
				vals["cidr"] = p.Value
			}
		}
		if vals["direction_flag"] == "" && ch.Direction != "" {
			vals["direction_flag"] = "--" + string(ch.Direction)
		}
		if vals["priority"] == "" && ch.Priority != nil {
			vals["priority"] = strconv.Itoa(*ch.Priority)
		}
		for _, t := range ch.Targets {
			if isTag(t) && !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
	}
	if vals["priority"] == "" && ev.Resource.Type == "appengine_firewall_rule" {
		// An App Engine rule's name is its priority (UpdateIngressRule
		// names it in the resource name and logs no body).
		if _, err := strconv.Atoi(ev.Resource.Name); err == nil {
			vals["priority"] = ev.Resource.Name
		}
	}
	if ev.Cloud == model.GCP {
		if len(tags) == 0 {
			for _, t := range ev.Targets {
				if isTag(t) {
					tags = append(tags, t)
				}
			}
		}
		vals["target_tags"] = strings.Join(tags, " ")
	}
}

// isTag tells a GCP network tag among a rule's targets from addresses and
// service accounts.
func isTag(t string) bool {
	if t == "" || strings.Contains(t, "@") {
		return false
	}
	if _, err := netip.ParsePrefix(t); err == nil {
		return false
	}
	_, err := netip.ParseAddr(t)
	return err != nil
}

func ruleNames(ev *model.Event) []string {
	var rules []string
	for _, ch := range ev.Changes {
		if ch.Name != "" && !slices.Contains(rules, ch.Name) {
			rules = append(rules, ch.Name)
		}
	}
	return rules
}

// expandCommand fills a command template. Every value is quoted for the
// shell as its place in the template needs (bare, inside '...', inside
// "..."), so a name an attacker chose cannot add words or commands to what
// an analyst pastes. A list placeholder outside quotes gives one word per
// item. A value the finding lacks becomes <NAME>, and so stays a <NAME>
// the template writes itself (<SG_IDS>): outside quotes in single quotes,
// '<NAME>', one word the shell reads literally (bare, < and > would
// redirect), inside quotes as it is.
func expandCommand(tmpl string, vals map[string]string, lists map[string][]string) string {
	var b strings.Builder
	quote := byte(0) // the quote the template is inside at this point
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		if quote == 0 && c == '<' {
			if m := leadingPlaceholderRE.FindString(tmpl[i:]); m != "" {
				b.WriteString(quotePlaceholder(m, quote))
				i += len(m) - 1
				continue
			}
		}
		if name, n := placeholderAt(tmpl[i:], vals); n > 0 {
			v := vals[name]
			switch items := lists[name]; {
			case v == "" && len(items) == 0:
				b.WriteString(quotePlaceholder("<"+strings.ToUpper(name)+">", quote))
			case quote == '\'':
				b.WriteString(strings.ReplaceAll(v, "'", `'\''`))
			case quote == '"':
				b.WriteString(escapeDouble(v))
			case len(items) > 0:
				for j, it := range items {
					if j > 0 {
						b.WriteByte(' ')
					}
					b.WriteString(shellQuote(it))
				}
			default:
				b.WriteString(shellQuote(v))
			}
			i += n - 1
			continue
		}
		switch {
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote == c:
			quote = 0
		case quote == '"' && c == '\\' && i+1 < len(tmpl):
			b.WriteByte(c)
			i++
			c = tmpl[i]
		}
		b.WriteByte(c)
	}
	return b.String()
}

// quotePlaceholder writes a <NAME> placeholder for a command at a place
// inside quote (0 outside quotes).
func quotePlaceholder(p string, quote byte) string {
	if quote == 0 {
		return "'" + p + "'"
	}
	return p
}

// placeholderAt returns the placeholder name s starts with ("{region}")
// and the length of the placeholder, or 0 when s does not start with one.
func placeholderAt(s string, vals map[string]string) (string, int) {
	if len(s) < 3 || s[0] != '{' {
		return "", 0
	}
	j := strings.IndexByte(s, '}')
	if j < 2 {
		return "", 0
	}
	name := s[1:j]
	if _, known := vals[name]; known || isPlaceholder(name) {
		return name, j + 1
	}
	return "", 0
}

// shellQuote returns s as one shell word: bare when it holds only
// characters no shell treats specially, else in single quotes.
func shellQuote(s string) string {
	if s == "" {
		return "''"
	}
	safe := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("@%+=:,./_-", c) >= 0) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// escapeDouble escapes what is special inside double quotes.
func escapeDouble(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte("\\\"$`", s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
