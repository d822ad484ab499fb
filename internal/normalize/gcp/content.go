package gcp

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
	"cloudwall/internal/normalize/jv"
)

// settingEnforcementOrder keys the VPC network's
// networkFirewallPolicyEnforcementOrder. model has no Setting* constant for
// it yet; the value is lower case ("before_classic_firewall").
const settingEnforcementOrder = model.SettingEnforcementOrder

// maxExprNote bounds how much of a CEL expression is copied into a note.
const maxExprNote = 200

// resourceTypes maps an operation family (the OperationKey without its
// verb) to the Resource.Type names of docs/architecture.md.
var resourceTypes = map[string]string{
	"compute.firewalls":                     "vpc_firewall_rule",
	"compute.firewallpolicies":              "firewall_policy",
	"compute.networkfirewallpolicies":       "network_firewall_policy",
	"compute.regionnetworkfirewallpolicies": "network_firewall_policy",
	"compute.securitypolicies":              "cloud_armor_policy",
	"compute.regionsecuritypolicies":        "cloud_armor_policy",
	"compute.backendservices":               "backend_service",
	"compute.regionbackendservices":         "backend_service",
	"compute.instances":                     "instance",
	"compute.networks":                      "network",
	"cloudsql.instances":                    "cloudsql_instance",
}

// splitKey splits an OperationKey into its family and verb:
// "compute.firewalls.insert" -> "compute.firewalls", "insert".
func splitKey(key string) (family, verb string) {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return "", key
	}
	return key[:i], key[i+1:]
}

// isAppEngineFirewall matches "google.appengine.v1.firewall" and its beta
// spellings.
func isAppEngineFirewall(family string) bool {
	return strings.HasPrefix(family, "google.appengine.") && strings.HasSuffix(family, ".firewall")
}

// resource names what the call acted on.
func resource(pp any, key string, req map[string]any) model.Resource {
	family, _ := splitKey(key)
	res := model.Resource{Type: resourceTypes[family], ID: strings.TrimSpace(jv.Str(pp, "resourceName"))}
	if res.Type == "" && isAppEngineFirewall(family) {
		res.Type = "appengine_firewall_rule"
	}
	if res.Type == "" && isGKE(family) {
		res.Type = "gke_cluster"
	}
	res.Name = lastSegment(res.ID)
	if res.Type == "appengine_firewall_rule" {
		res.Name = appEngineRule(res.ID, req)
	}
	if res.Name == "" && res.Type != "appengine_firewall_rule" {
		res.Name = firstNonEmpty(jv.Str(req, "name"), jv.Str(req, "instance"), jv.Str(req, "cluster", "name"), jv.Str(req, "clusterId"))
	}
	return res
}

// appEngineRule names the App Engine ingress rule a call acted on: the
// priority that ends apps/APP/firewall/ingressRules/PRIORITY, else the
// priority of the rule the request sends (CreateIngressRule logs
// resourceName apps/APP), else "": the app's id is not the rule's name.
func appEngineRule(id string, req map[string]any) string {
	if _, rule, ok := strings.Cut(id, "/ingressRules/"); ok && rule != "" && !strings.Contains(rule, "/") {
		return rule
	}
	if p, ok := jv.Int(jv.Obj(req, "rule"), "priority"); ok {
		return strconv.Itoa(p)
	}
	return ""
}

// ReadsRequest reports whether resource named ev's resource from the
// request, which a record read only as context goes without: when the
// resource name names nothing.
func ReadsRequest(ev model.Event) bool {
	return ev.Cloud == model.GCP && ev.Resource.Name == ""
}

func lastSegment(path string) string {
	path = strings.TrimRight(path, "/")
	return path[strings.LastIndexByte(path, '/')+1:]
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// reader collects what one entry's request says into its Event.
type reader struct {
	ev  *model.Event
	req map[string]any // protoPayload.request; nil when not logged
	// orig is protoPayload.resourceOriginalState: the resource before the
	// call, which a completion entry logs; nil when not logged.
	orig map[string]any
	// completion is set on the operation.last entry of a long-running
	// operation, whose request holds only @type: absence of a field there
	// says nothing about the call.
	completion bool
}

func (r *reader) note(format string, args ...any) {
	r.ev.Notes = append(r.ev.Notes, fmt.Sprintf(format, args...))
}

func (r *reader) set(key, value string) {
	if r.ev.Settings == nil {
		r.ev.Settings = make(map[string]string)
	}
	r.ev.Settings[key] = strings.ToLower(strings.TrimSpace(value))
}

func (r *reader) add(c ...model.RuleChange) {
	r.ev.Changes = append(r.ev.Changes, c...)
}

// sent reports whether the request carries anything beyond its @type.
func (r *reader) sent() bool {
	for k := range r.req {
		if k != "@type" {
			return true
		}
	}
	return false
}

// setBool records a boolean setting that was sent, noting values that are
// not booleans.
func (r *reader) setBool(obj map[string]any, field, key string) {
	v, ok := jv.Field(obj, field)
	if !ok || v == nil {
		return
	}
	b, ok := jv.Bool(obj, field)
	if !ok {
		r.note("%s %q is not a boolean; ignored", field, jv.Str(obj, field))
		return
	}
	r.set(key, strconv.FormatBool(b))
}

// objs returns the objects of the list at path, noting a value of the wrong
// type and elements that are not objects.
func (r *reader) objs(v any, path ...string) []map[string]any {
	x := jv.Get(v, path...)
	if x == nil {
		return nil
	}
	out := jv.Objs(x)
	if n := len(jv.Arr(x)); n > len(out) {
		r.note("%s: %d of %d entries are not objects; ignored", strings.Join(path, "."), n-len(out), n)
	} else if n == 0 && !isEmpty(x) {
		r.note("%s is a JSON %s, not a list; ignored", strings.Join(path, "."), jv.TypeName(x))
	}
	return out
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	case string:
		return strings.TrimSpace(t) == ""
	}
	return false
}

// priority reads an optional rule priority, noting an unreadable one.
func (r *reader) priority(obj map[string]any) *int {
	v, ok := jv.Field(obj, "priority")
	if !ok || v == nil {
		return nil
	}
	p, ok := jv.Int(obj, "priority")
	if !ok {
		r.note("unreadable priority %q", jv.Str(obj, "priority"))
		return nil
	}
	return model.IntPtr(p)
}

// readContent fills Changes, Settings and Targets from the request of the
// operations that touch firewalls.
func readContent(r *reader) {
	family, verb := splitKey(r.ev.OperationKey)
	if !r.sent() && writesContent(family, verb) {
		// The operation's last entry (or a record exported without its
		// request): what the call wrote is not in this record.
		r.ev.ContentNotLogged = true
	}
	switch family {
	case "compute.firewalls":
		r.vpcFirewall(verb)
	case "compute.firewallpolicies", "compute.networkfirewallpolicies", "compute.regionnetworkfirewallpolicies":
		r.firewallPolicy(verb)
	case "compute.securitypolicies", "compute.regionsecuritypolicies":
		r.securityPolicy(verb)
	case "compute.backendservices", "compute.regionbackendservices":
		r.backendService(verb)
	case "compute.instances":
		if verb == "settags" {
			r.setTags()
		}
	case "compute.networks":
		if verb == "patch" || verb == "update" {
			r.networkPatch()
		}
	case "cloudsql.instances":
		r.cloudSQL(verb)
	default:
		if isAppEngineFirewall(family) {
			r.appEngine(verb)
		}
		if isGKE(family) {
			r.gke(verb)
		}
	}
}

// writesContent reports whether a call of family and verb writes the rule
// or setting content its request carries (the calls readContent reads).
func writesContent(family, verb string) bool {
	if isAppEngineFirewall(family) {
		return verb == "createingressrule" || verb == "updateingressrule" || verb == "batchupdateingressrules"
	}
	if isGKE(family) {
		return gkeWrites(verb)
	}
	switch family {
	case "compute.firewalls":
		return verb == "insert" || verb == "update" || verb == "patch"
	case "compute.firewallpolicies", "compute.networkfirewallpolicies", "compute.regionnetworkfirewallpolicies",
		"compute.securitypolicies", "compute.regionsecuritypolicies":
		return verb == "insert" || verb == "patch" || verb == "addrule" || verb == "patchrule"
	case "compute.backendservices", "compute.regionbackendservices":
		return verb == "setsecuritypolicy" || verb == "setedgesecuritypolicy" || verb == "patch" || verb == "update"
	case "compute.instances":
		return verb == "settags"
	case "compute.networks":
		return verb == "patch" || verb == "update"
	case "cloudsql.instances":
		return verb == "create" || verb == "insert" || verb == "patch" || verb == "update"
	}
	return false
}

// ruleSpec holds what every change built from one rule shares.
type ruleSpec struct {
	effect    model.Effect
	direction model.Direction
	priority  *int
	name      string
	peers     []model.Peer
	targets   []string
}

// change builds one RuleChange; slices are copied so changes of one rule do
// not alias each other.
func (s ruleSpec) change(action model.Action, proto string, ports model.PortList) model.RuleChange {
	c := model.RuleChange{
		Effect:    s.effect,
		Direction: s.direction,
		Action:    action,
		Protocol:  proto,
		Ports:     ports,
		Peers:     slices.Clone(s.peers),
		Name:      s.name,
		Targets:   slices.Clone(s.targets),
	}
	if s.priority != nil {
		c.Priority = model.IntPtr(*s.priority)
	}
	return c
}

// direction reads a rule's direction in lower case, noting unknown values.
func (r *reader) direction(obj map[string]any) model.Direction {
	d := strings.ToLower(strings.TrimSpace(jv.Str(obj, "direction")))
	switch d {
	case "", string(model.Ingress), string(model.Egress):
	default:
		r.note("unknown direction %q", jv.Str(obj, "direction"))
	}
	return model.Direction(d)
}

// inferDirection guesses the direction a partial update did not send from
// the number of source and destination values it did send.
func inferDirection(nSrc, nDst int) model.Direction {
	switch {
	case nSrc > 0:
		return model.Ingress
	case nDst > 0:
		return model.Egress
	}
	return ""
}

// action maps a logged action to model.Action. Cloud Armor's "deny(403)" and
// its other status variants are denies; anything else stays as logged, in
// lower case ("goto_next", "throttle").
func action(s string) model.Action {
	a := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(a, "deny") {
		return model.Deny
	}
	return model.Action(a)
}

// protoPorts reads one protocol entry. "all" and a port-bearing protocol
// without ports mean every port; unreadable ports are noted and left out.
func (r *reader) protoPorts(rawProto string, ports []string) (string, model.PortList) {
	proto := strings.ToLower(strings.TrimSpace(rawProto))
	switch proto {
	case "*", "-1", "any":
		proto = "all"
	case "":
		r.note("rule entry has no protocol")
	}
	if proto == "all" {
		return proto, model.PortList{model.AllPortRange}
	}
	var list model.PortList
	for _, s := range ports {
		pr, err := model.ParsePortRange(s)
		if err != nil {
			r.note("unreadable port %q for protocol %q; left out of the port list", s, proto)
			continue
		}
		list = append(list, pr)
	}
	if len(ports) == 0 && portBearing(proto) {
		list = model.PortList{model.AllPortRange}
	}
	return proto, list
}

// portBearing reports protocols whose rules name ports; without ports such a
// rule covers all of them. The numbers are tcp, udp and sctp.
func portBearing(proto string) bool {
	switch proto {
	case "tcp", "udp", "sctp", "6", "17", "132":
		return true
	}
	return false
}

// cidrPeers turns address ranges into peers as logged (trimmed). "*" is the
// any-address wildcard of Cloud Armor and App Engine. Values that are
// neither a prefix nor an address are kept and noted.
func (r *reader) cidrPeers(vals []string) []model.Peer {
	var peers []model.Peer
	for _, v := range vals {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			continue
		case v == "*":
			peers = append(peers, model.Peer{Kind: model.PeerAny, Value: v})
			continue
		case !validAddr(v):
			r.note("unreadable address range %q kept as logged", v)
		}
		peers = append(peers, model.Peer{Kind: model.PeerCIDR, Value: v})
	}
	return peers
}

func validAddr(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}

// namedPeers turns names (tags, service accounts, FQDNs) into peers of one
// kind; prefix, when set, says what an "other" peer names ("fqdn:").
func namedPeers(vals []string, kind model.PeerKind, prefix string) []model.Peer {
	var peers []model.Peer
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			peers = append(peers, model.Peer{Kind: kind, Value: prefix + v})
		}
	}
	return peers
}

// secureTags reads a list of secure tags, logged as {name, state} objects
// ("tagValues/123") or, in some exports, as bare names.
func secureTags(v any, path ...string) []string {
	var out []string
	for _, e := range jv.Arr(v, path...) {
		if s := firstNonEmpty(jv.Str(e, "name"), jv.Str(e)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// trimmed lists the non-empty trimmed strings at path.
func trimmed(v any, path ...string) []string {
	var out []string
	for _, s := range jv.Strs(v, path...) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ruleBody returns the rule a request carries: the request itself (compute
// logs the body's fields at the top level) or one of the wrapper objects
// some API versions log.
func ruleBody(req map[string]any, wrappers ...string) map[string]any {
	for _, w := range wrappers {
		if o := jv.Obj(req, w); o != nil {
			return o
		}
	}
	return req
}
