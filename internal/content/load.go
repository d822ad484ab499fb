package content

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"cloudwall/internal/model"
)

// The raw* types mirror the YAML schema. They are decoded strictly
// (unknown keys are errors) and then translated into the compiled types,
// as gitleaks translates its raw config: the file format stays separate
// from what the detector reads.

type rawFile struct {
	Classes    []rawClass     `yaml:"classes"`
	Ports      []rawPort      `yaml:"ports"`
	Severity   *rawSeverity   `yaml:"severity"`
	Scopes     *rawScopes     `yaml:"scopes"`
	Automation []rawSignature `yaml:"automation"`
	Operations []rawOperation `yaml:"operations"`
	// Attempts is the guidance for failed and dry-run calls, per cloud.
	Attempts map[string]rawGuidance `yaml:"attempts"`
	// Closings is the guidance for changes that only close access, per cloud.
	Closings map[string]rawGuidance `yaml:"closings"`
	// Correlations are the rules that link findings.
	Correlations []rawCorrelation `yaml:"correlations"`
}

type rawClass struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
}

type rawPort struct {
	Name      string   `yaml:"name"`
	Ports     string   `yaml:"ports"`
	Protocols []string `yaml:"protocols"`
	Class     string   `yaml:"class"`
}

type rawSeverity struct {
	Ingress         map[string]map[string]string `yaml:"ingress"`
	Egress          map[string]map[string]string `yaml:"egress"`
	Closing         *string                      `yaml:"closing"`
	RemovedUnknown  *string                      `yaml:"removed_unknown"`
	RemovedDenyStep *int                         `yaml:"removed_deny_step"`
	Attempt         *rawAttempt                  `yaml:"attempt"`
	Automation      *rawAutomationWeights        `yaml:"automation"`
	Settings        []rawSetting                 `yaml:"settings"`
}

type rawAttempt struct {
	ContentUnknown *string   `yaml:"content_unknown"`
	WouldBeHigh    *string   `yaml:"would_be_high"`
	Otherwise      *string   `yaml:"otherwise"`
	Rejected       *string   `yaml:"rejected"`
	DryRun         *string   `yaml:"dry_run"`
	Denied         *[]string `yaml:"denied"`
}

type rawAutomationWeights struct {
	Step       *int    `yaml:"step"`
	WorldFloor *string `yaml:"world_floor"`
}

type rawSetting struct {
	Key      string   `yaml:"key"`
	Value    string   `yaml:"value"`
	Severity string   `yaml:"severity"`
	Change   string   `yaml:"change"`
	Created  bool     `yaml:"created"`
	Names    []string `yaml:"names"`
	Reason   string   `yaml:"reason"`
}

type rawScopes struct {
	IPv4              *rawWidths        `yaml:"ipv4"`
	IPv6              *rawWidths        `yaml:"ipv6"`
	Private           *[]string         `yaml:"private"`
	ServiceTags       map[string]string `yaml:"service_tags"`
	DefaultServiceTag *string           `yaml:"default_service_tag"`
}

type rawWidths struct {
	World *int `yaml:"world"`
	Wide  *int `yaml:"wide"`
}

type rawSignature struct {
	ID    string   `yaml:"id"`
	Name  string   `yaml:"name"`
	Tag   string   `yaml:"tag"`
	Match rawMatch `yaml:"match"`
}

type rawMatch struct {
	UserAgent      []string `yaml:"user_agent"`
	Actor          []string `yaml:"actor"`
	ActorType      []string `yaml:"actor_type"`
	ViaService     []string `yaml:"via_service"`
	ResourcePrefix []string `yaml:"resource_prefix"`
}

type rawOperation struct {
	ID          string       `yaml:"id"`
	Cloud       string       `yaml:"cloud"`
	Keys        []string     `yaml:"keys"`
	Resource    string       `yaml:"resource"`
	Kind        string       `yaml:"kind"`
	Severity    string       `yaml:"severity"`
	AllowOnly   bool         `yaml:"allow_only"`
	Requires    []string     `yaml:"requires"`
	Service     *rawService  `yaml:"service"`
	Settings    []rawSetting `yaml:"settings"`
	Title       string       `yaml:"title"`
	Description string       `yaml:"description"`
	Guidance    rawGuidance  `yaml:"guidance"`
}

type rawService struct {
	Class string `yaml:"class"`
	Label string `yaml:"label"`
}

// doc is one decoded file with its node tree, used to put file:line on
// errors found after decoding.
type doc struct {
	name string
	root *yaml.Node // the top-level mapping, or nil for an empty file
}

// at returns "file:line" for n, or for the key field inside mapping n when
// keys are given and present.
func (d doc) at(n *yaml.Node, keys ...string) string {
	if n == nil {
		return d.name
	}
	line := n.Line
	for _, k := range keys {
		kn, v := lookup(n, k)
		if v == nil {
			break
		}
		line, n = kn.Line, v
	}
	return d.name + ":" + strconv.Itoa(line)
}

// items returns the element nodes of the top-level sequence section.
func (d doc) items(section string) []*yaml.Node {
	if d.root == nil {
		return nil
	}
	_, v := lookup(d.root, section)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	return v.Content
}

// node walks mapping keys from the root and returns the value node, or nil.
func (d doc) node(path ...string) *yaml.Node {
	n := d.root
	for _, k := range path {
		if n == nil {
			return nil
		}
		_, n = lookup(n, k)
	}
	return n
}

// lookup returns the key and value nodes of key in mapping n.
func lookup(n *yaml.Node, key string) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i], n.Content[i+1]
		}
	}
	return nil, nil
}

// itemAt returns the node of element i, tolerating a short list.
func itemAt(nodes []*yaml.Node, i int) *yaml.Node {
	if i < len(nodes) {
		return nodes[i]
	}
	return nil
}

// upsert replaces the first element of *list that same matches with v, or
// appends v: a later entry with the same key overrides an earlier one.
func upsert[T any](list *[]T, v T, same func(T) bool) {
	if j := slices.IndexFunc(*list, same); j >= 0 {
		(*list)[j] = v
	} else {
		*list = append(*list, v)
	}
}

// decode parses one file strictly.
func decode(s source) (rawFile, doc, error) {
	var raw rawFile
	d := doc{name: s.name}
	dec := yaml.NewDecoder(bytes.NewReader(s.data))
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return raw, d, nil // an empty file adds nothing
		}
		return raw, d, yamlError(s.name, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return raw, d, fmt.Errorf("%s: more than one YAML document (only one is read)", s.name)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(s.data, &root); err != nil {
		return raw, d, yamlError(s.name, err)
	}
	if len(root.Content) > 0 {
		d.root = root.Content[0]
	}
	return raw, d, nil
}

// yamlError rewrites the decoder's "line N: ..." messages as "file:N: ...",
// one error per message, and names unknown fields without Go type names.
func yamlError(name string, err error) error {
	var te *yaml.TypeError
	if errors.As(err, &te) {
		errs := make([]error, 0, len(te.Errors))
		for _, m := range te.Errors {
			errs = append(errs, errors.New(lineMessage(name, m)))
		}
		return errors.Join(errs...)
	}
	return errors.New(lineMessage(name, strings.TrimPrefix(err.Error(), "yaml: ")))
}

// lineMessage turns "line 7: field prots not found in type content.rawPort"
// into `file:7: unknown field "prots"`.
func lineMessage(name, m string) string {
	pos := name
	if rest, ok := strings.CutPrefix(m, "line "); ok {
		if n, msg, ok := strings.Cut(rest, ": "); ok {
			if _, err := strconv.Atoi(n); err == nil {
				pos, m = name+":"+n, msg
			}
		}
	}
	if f, ok := strings.CutPrefix(m, "field "); ok {
		if field, _, ok := strings.Cut(f, " not found in type "); ok {
			m = fmt.Sprintf("unknown field %q", field)
		}
	}
	// "cannot unmarshal !!map into []content.rawPort": name the schema
	// type, not the Go one.
	m = strings.ReplaceAll(m, "content.raw", "")
	return pos + ": " + m
}

// cell is a severity table value and where it was set.
type cell struct {
	sev    model.Severity
	origin string
}

// builder merges files in order and compiles the result.
type builder struct {
	c       Content
	ingress map[Scope]map[string]cell
	egress  map[Scope]map[string]cell
	// set records which scalar weights some file set, so a missing default
	// is reported instead of silently being info.
	set  map[string]string
	errs []error
}

func newBuilder() *builder {
	return &builder{
		ingress: map[Scope]map[string]cell{},
		egress:  map[Scope]map[string]cell{},
		set:     map[string]string{},
		c:       Content{Scopes: Scopes{ServiceTags: map[string]Scope{}}},
	}
}

// errorf records an error at pos.
func (b *builder) errorf(pos, format string, args ...any) {
	b.errs = append(b.errs, fmt.Errorf("%s: %s", pos, fmt.Sprintf(format, args...)))
}

// severity parses a severity name, recording an error at pos.
func (b *builder) severity(pos, what, s string) (model.Severity, bool) {
	v, err := model.ParseSeverity(strings.TrimSpace(s))
	if err != nil {
		b.errorf(pos, "%s: %v", what, err)
		return model.Info, false
	}
	return v, true
}

// add decodes one file and merges it.
func (b *builder) add(s source) error {
	raw, d, err := decode(s)
	if err != nil {
		return err
	}
	b.errs = nil
	b.addClasses(d, raw.Classes)
	b.addPorts(d, raw.Ports)
	if raw.Severity != nil {
		b.addSeverity(d, raw.Severity)
	}
	if raw.Scopes != nil {
		b.addScopes(d, raw.Scopes)
	}
	b.addSignatures(d, raw.Automation)
	b.addOperations(d, raw.Operations)
	b.addCloudGuidance(d, "attempts", raw.Attempts, &b.c.Attempts)
	b.addCloudGuidance(d, "closings", raw.Closings, &b.c.Closings)
	b.addCorrelations(d, raw.Correlations)
	return errors.Join(b.errs...)
}

func (b *builder) addClasses(d doc, raw []rawClass) {
	nodes := d.items("classes")
	for i, r := range raw {
		n := itemAt(nodes, i)
		name := strings.TrimSpace(r.Name)
		switch {
		case name == "":
			b.errorf(d.at(n), "class without a name")
			continue
		case reservedClass(name):
			b.errorf(d.at(n, "name"), "class name %q is reserved", name)
			continue
		}
		cl := Class{Name: name, Description: r.Description, Origin: d.at(n)}
		upsert(&b.c.Classes, cl, func(c Class) bool { return c.Name == name })
	}
}

func (b *builder) addPorts(d doc, raw []rawPort) {
	nodes := d.items("ports")
	for i, r := range raw {
		n := itemAt(nodes, i)
		p := Port{Name: strings.TrimSpace(r.Name), Class: strings.TrimSpace(r.Class), Origin: d.at(n)}
		if p.Name == "" {
			b.errorf(d.at(n), "port without a name")
			continue
		}
		rng, err := model.ParsePortRange(r.Ports)
		if err != nil || r.Ports == "" {
			b.errorf(d.at(n, "ports"), "port %q: ports %q: want a port or range such as 22 or 5985-5986", p.Name, r.Ports)
			continue
		}
		p.Range = rng
		for _, proto := range r.Protocols {
			proto = strings.ToLower(strings.TrimSpace(proto))
			if proto != "tcp" && proto != "udp" && proto != "sctp" {
				b.errorf(d.at(n, "protocols"), "port %q: protocol %q: want tcp, udp or sctp", p.Name, proto)
				continue
			}
			p.Protocols = append(p.Protocols, proto)
		}
		same := func(q Port) bool {
			return q.Name == p.Name || (q.Range == p.Range && slices.Equal(q.Protocols, p.Protocols))
		}
		upsert(&b.c.Ports, p, same)
	}
}

func (b *builder) addSeverity(d doc, r *rawSeverity) {
	b.addTable(d, "ingress", r.Ingress, b.ingress)
	b.addTable(d, "egress", r.Egress, b.egress)
	w := &b.c.Severity
	b.scalar(d, &w.Closing, r.Closing, "severity", "closing")
	b.scalar(d, &w.RemovedUnknown, r.RemovedUnknown, "severity", "removed_unknown")
	if r.RemovedDenyStep != nil {
		if *r.RemovedDenyStep < 0 || *r.RemovedDenyStep > 4 {
			b.errorf(d.at(d.node("severity"), "removed_deny_step"), "removed_deny_step %d: want 0 to 4", *r.RemovedDenyStep)
		}
		w.RemovedDenyStep = *r.RemovedDenyStep
		b.set["severity.removed_deny_step"] = d.name
	}
	if a := r.Attempt; a != nil {
		b.scalar(d, &w.Attempt.ContentUnknown, a.ContentUnknown, "severity", "attempt", "content_unknown")
		b.scalar(d, &w.Attempt.WouldBeHigh, a.WouldBeHigh, "severity", "attempt", "would_be_high")
		b.scalar(d, &w.Attempt.Otherwise, a.Otherwise, "severity", "attempt", "otherwise")
		b.scalar(d, &w.Attempt.Rejected, a.Rejected, "severity", "attempt", "rejected")
		b.scalar(d, &w.Attempt.DryRun, a.DryRun, "severity", "attempt", "dry_run")
		if a.Denied != nil {
			w.Attempt.Denied = lowerAll(*a.Denied)
		}
	}
	if a := r.Automation; a != nil {
		b.scalar(d, &w.Automation.WorldFloor, a.WorldFloor, "severity", "automation", "world_floor")
		if a.Step != nil {
			if *a.Step < 0 || *a.Step > 4 {
				b.errorf(d.at(d.node("severity", "automation"), "step"), "automation step %d: want 0 to 4", *a.Step)
			}
			w.Automation.Step = *a.Step
			b.set["severity.automation.step"] = d.name
		}
	}
	nodes := d.node("severity", "settings")
	var items []*yaml.Node
	if nodes != nil {
		items = nodes.Content
	}
	w.Settings = b.mergeSettings(d, w.Settings, r.Settings, items)
}

// scalar sets *dst from a severity name at path, when the file gives one.
func (b *builder) scalar(d doc, dst *model.Severity, v *string, path ...string) {
	if v == nil {
		return
	}
	parent := d.node(path[:len(path)-1]...)
	name := strings.Join(path, ".")
	if s, ok := b.severity(d.at(parent, path[len(path)-1]), name, *v); ok {
		*dst = s
		b.set[name] = d.name
	}
}

// addTable merges one exposure table cell by cell.
func (b *builder) addTable(d doc, dir string, raw map[string]map[string]string, dst map[Scope]map[string]cell) {
	for _, scope := range sortedKeys(raw) {
		row := raw[scope]
		sn := d.node("severity", dir)
		pos := d.at(sn, scope)
		sc := Scope(strings.ToLower(strings.TrimSpace(scope)))
		if sc != ScopeDefault && !knownScope(sc) {
			b.errorf(pos, "severity.%s: unknown scope %q (want default or one of %s)", dir, scope, joinScopes())
			continue
		}
		if dst[sc] == nil {
			dst[sc] = map[string]cell{}
		}
		for _, class := range sortedKeys(row) {
			v := row[class]
			cpos := d.at(d.node("severity", dir, scope), class)
			s, ok := b.severity(cpos, "severity."+dir+"."+scope+"."+class, v)
			if !ok {
				continue
			}
			dst[sc][strings.TrimSpace(class)] = cell{sev: s, origin: cpos}
		}
	}
}

// mergeSettings replaces rules with the same key and value, and appends
// the rest.
func (b *builder) mergeSettings(d doc, dst []SettingRule, raw []rawSetting, nodes []*yaml.Node) []SettingRule {
	for i, r := range raw {
		n := itemAt(nodes, i)
		key := strings.ToLower(strings.TrimSpace(r.Key))
		if !knownSetting(key) {
			b.errorf(d.at(n, "key"), "unknown setting key %q (want one of %s)", r.Key, strings.Join(settingKeys(), ", "))
			continue
		}
		if k, _ := lookup(n, "value"); n != nil && k == nil {
			b.errorf(d.at(n), "setting %s: value missing (use \"\" for an empty value, \"*\" for any)", key)
			continue
		}
		sev, ok := b.severity(d.at(n, "severity"), "setting "+key, r.Severity)
		if !ok {
			continue
		}
		if strings.TrimSpace(r.Change) == "" {
			b.errorf(d.at(n), "setting %s=%q: change (what it means, in words) missing", key, r.Value)
			continue
		}
		sr := SettingRule{Key: key, Value: strings.ToLower(strings.TrimSpace(r.Value)), Severity: sev,
			Change: strings.TrimSpace(r.Change), Created: r.Created, Reason: strings.TrimSpace(r.Reason), Origin: d.at(n)}
		for _, name := range r.Names {
			if name = strings.ToLower(strings.TrimSpace(name)); name != "" {
				sr.Names = append(sr.Names, name)
			}
		}
		same := func(o SettingRule) bool {
			return o.Key == sr.Key && o.Value == sr.Value && o.Created == sr.Created && slices.Equal(o.Names, sr.Names)
		}
		if j := slices.IndexFunc(dst, same); j >= 0 {
			dst[j] = sr
		} else {
			dst = append(dst, sr)
		}
	}
	return dst
}

func (b *builder) addScopes(d doc, r *rawScopes) {
	s := &b.c.Scopes
	sn := d.node("scopes")
	width := func(dst *Widths, w *rawWidths, fam string, max int) {
		if w == nil {
			return
		}
		for _, f := range []struct {
			v   *int
			dst *int
			key string
		}{{w.World, &dst.World, "world"}, {w.Wide, &dst.Wide, "wide"}} {
			if f.v == nil {
				continue
			}
			if *f.v < 0 || *f.v > max {
				b.errorf(d.at(d.node("scopes", fam), f.key), "scopes.%s.%s %d: want 0 to %d", fam, f.key, *f.v, max)
				continue
			}
			*f.dst = *f.v
			b.set["scopes."+fam+"."+f.key] = d.name
		}
	}
	width(&s.IPv4, r.IPv4, "ipv4", 32)
	width(&s.IPv6, r.IPv6, "ipv6", 128)
	if r.Private != nil {
		s.Private = nil
		for _, v := range *r.Private {
			p, err := netip.ParsePrefix(strings.TrimSpace(v))
			if err != nil {
				b.errorf(d.at(sn, "private"), "scopes.private: %v", err)
				continue
			}
			s.Private = append(s.Private, p.Masked())
		}
	}
	for _, tag := range sortedKeys(r.ServiceTags) {
		v := r.ServiceTags[tag]
		sc := Scope(strings.ToLower(strings.TrimSpace(v)))
		if !knownScope(sc) {
			b.errorf(d.at(d.node("scopes", "service_tags"), tag), "service tag %q: unknown scope %q (want one of %s)", tag, v, joinScopes())
			continue
		}
		s.ServiceTags[strings.ToLower(strings.TrimSpace(tag))] = sc
	}
	if r.DefaultServiceTag != nil {
		sc := Scope(strings.ToLower(strings.TrimSpace(*r.DefaultServiceTag)))
		if !knownScope(sc) {
			b.errorf(d.at(sn, "default_service_tag"), "default_service_tag: unknown scope %q", *r.DefaultServiceTag)
		} else {
			s.DefaultServiceTag = sc
			b.set["scopes.default_service_tag"] = d.name
		}
	}
}

func (b *builder) addSignatures(d doc, raw []rawSignature) {
	nodes := d.items("automation")
	for i, r := range raw {
		n := itemAt(nodes, i)
		sig := Signature{
			ID: strings.TrimSpace(r.ID), Name: strings.TrimSpace(r.Name), Tag: strings.TrimSpace(r.Tag),
			UserAgent: lowerAll(r.Match.UserAgent), Actor: lowerAll(r.Match.Actor),
			ActorType: lowerAll(r.Match.ActorType), ViaService: lowerAll(r.Match.ViaService),
			ResourcePrefix: lowerAll(r.Match.ResourcePrefix), Origin: d.at(n),
		}
		switch {
		case sig.ID == "":
			b.errorf(d.at(n), "signature without an id")
			continue
		case sig.Name == "":
			b.errorf(d.at(n), "signature %q: name missing", sig.ID)
			continue
		case sig.Tag != TagIaC && sig.Tag != TagServiceLinked:
			b.errorf(d.at(n, "tag"), "signature %q: tag %q: want %s or %s", sig.ID, sig.Tag, TagIaC, TagServiceLinked)
			continue
		case len(sig.UserAgent)+len(sig.Actor)+len(sig.ActorType)+len(sig.ViaService)+len(sig.ResourcePrefix) == 0:
			b.errorf(d.at(n), "signature %q: match is empty (it would match every caller)", sig.ID)
			continue
		case len(sig.ResourcePrefix) > 0 && len(sig.UserAgent)+len(sig.Actor)+len(sig.ActorType)+len(sig.ViaService) == 0:
			b.errorf(d.at(n, "match"), "signature %q: resource_prefix alone would let anyone pass as automation by naming a rule; add a caller condition", sig.ID)
			continue
		}
		upsert(&b.c.Automation, sig, func(s Signature) bool { return s.ID == sig.ID })
	}
}

func (b *builder) addOperations(d doc, raw []rawOperation) {
	nodes := d.items("operations")
	for i, r := range raw {
		n := itemAt(nodes, i)
		op, ok := b.operation(d, n, r)
		if !ok {
			continue
		}
		upsert(&b.c.Operations, op, func(o Operation) bool { return o.ID == op.ID })
	}
}

// operation translates and checks one catalogue entry. Checks that need
// other files (port classes) wait for compile.
func (b *builder) operation(d doc, n *yaml.Node, r rawOperation) (Operation, bool) {
	op := Operation{
		ID: strings.TrimSpace(r.ID), Cloud: model.Cloud(strings.ToLower(strings.TrimSpace(r.Cloud))),
		Resource: strings.TrimSpace(r.Resource), Kind: Kind(strings.ToLower(strings.TrimSpace(r.Kind))),
		AllowOnly: r.AllowOnly, Title: strings.TrimSpace(r.Title), Description: strings.TrimSpace(r.Description),
		Origin: d.at(n),
	}
	before := len(b.errs)
	if op.ID == "" {
		b.errorf(d.at(n), "operation without an id")
		return op, false
	}
	bad := func(key, format string, args ...any) {
		b.errorf(d.at(n, key), "operation %q: %s", op.ID, fmt.Sprintf(format, args...))
	}
	switch op.Cloud {
	case model.AWS, model.Azure, model.GCP:
	default:
		bad("cloud", "cloud %q: want aws, azure or gcp", r.Cloud)
	}
	if len(r.Keys) == 0 {
		bad("keys", "no keys")
	}
	for _, k := range r.Keys {
		k = strings.TrimSpace(k)
		if k == "" || k != strings.ToLower(k) || strings.ContainsAny(k, " \t") {
			bad("keys", "key %q: keys are lower case without spaces", k)
			continue
		}
		op.Keys = append(op.Keys, k)
	}
	if op.Resource == "" {
		bad("resource", "resource type missing")
	}
	if !op.Kind.Known() {
		bad("kind", "unknown kind %q (want one of %s)", r.Kind, joinKinds())
	}
	switch {
	case op.Kind == KindRemove && r.Severity != "":
		bad("severity", "kind remove takes no severity: it is closing (allow_only) or severity.removed_unknown")
	case op.Kind != KindRemove && r.Severity == "":
		bad("severity", "base severity missing")
	case r.Severity != "":
		if s, ok := b.severity(d.at(n, "severity"), "operation "+strconv.Quote(op.ID), r.Severity); ok {
			op.Severity = s
		}
	}
	for _, q := range r.Requires {
		switch rq := Requirement(strings.ToLower(strings.TrimSpace(q))); rq {
		case NeedChanges, NeedTargets, NeedSettings:
			op.Requires = append(op.Requires, rq)
		default:
			bad("requires", "requires %q: want changes, targets or settings", q)
		}
	}
	if r.Service != nil {
		op.Service = &Service{Class: strings.TrimSpace(r.Service.Class), Label: strings.TrimSpace(r.Service.Label)}
		if op.Service.Label == "" {
			bad("service", "service label missing")
		}
	}
	var sn []*yaml.Node
	if _, v := lookup(n, "settings"); v != nil {
		sn = v.Content
	}
	op.Settings = b.mergeSettings(d, nil, r.Settings, sn)
	if op.Title == "" {
		bad("title", "title missing")
	}
	op.Guidance = d.guidance(r.Guidance, func(line int, format string, args ...any) {
		b.errorf(d.name+":"+strconv.Itoa(line), "operation %q: %s", op.ID, fmt.Sprintf(format, args...))
	})
	if len(op.Guidance.Investigate) == 0 || len(op.Guidance.Respond) == 0 {
		bad("guidance", "guidance needs investigate and respond steps")
	}
	if p := unknownPlaceholder(op.Title); p != "" {
		bad("title", "unknown placeholder {%s} in %q", p, op.Title)
	}
	return op, len(b.errs) == before
}

// compile checks what spans files and returns the finished content.
func (b *builder) compile() (*Content, error) {
	b.errs = nil
	c := b.c
	c.classes = map[string]int{}
	for i, cl := range c.Classes {
		c.classes[cl.Name] = i
	}
	for _, p := range c.Ports {
		if _, ok := c.classes[p.Class]; !ok {
			b.errorf(p.Origin, "port %q: unknown class %q (declare it under classes:)", p.Name, p.Class)
		}
	}
	c.Severity.Ingress = b.table("ingress", b.ingress, c.classes)
	c.Severity.Egress = b.table("egress", b.egress, c.classes)
	for _, name := range []string{"severity.closing", "severity.removed_unknown", "severity.removed_deny_step",
		"severity.attempt.content_unknown", "severity.attempt.would_be_high", "severity.attempt.otherwise",
		"severity.attempt.rejected", "severity.attempt.dry_run", "severity.automation.step", "severity.automation.world_floor",
		"scopes.ipv4.world", "scopes.ipv4.wide", "scopes.ipv6.world", "scopes.ipv6.wide", "scopes.default_service_tag"} {
		if _, ok := b.set[name]; !ok {
			b.errs = append(b.errs, fmt.Errorf("content: %s is not set by any file", name))
		}
	}
	c.byKey = map[string]int{}
	for _, cr := range c.Correlations {
		for _, op := range c.Operations {
			if op.ID == cr.ID {
				b.errorf(cr.Origin, "correlation %q: the id is also an operation's (%s)", cr.ID, op.Origin)
			}
		}
	}
	for i, op := range c.Operations {
		if s := op.Service; s != nil && s.Class != ClassOther && s.Class != ClassAll && s.Class != ClassUnknown {
			if _, ok := c.classes[s.Class]; !ok {
				b.errorf(op.Origin, "operation %q: service class %q: want other, all, unknown or a declared class", op.ID, s.Class)
			}
		}
		for _, k := range op.Keys {
			if j, dup := c.byKey[k]; dup {
				b.errorf(op.Origin, "operation %q: key %q is also in operation %q (%s)", op.ID, k, c.Operations[j].ID, c.Operations[j].Origin)
				continue
			}
			c.byKey[k] = i
		}
	}
	if len(b.errs) > 0 {
		return nil, errors.Join(b.errs...)
	}
	return &c, nil
}

// table checks cells' class names and that a default row with a default
// cell exists, then drops the origins.
func (b *builder) table(dir string, cells map[Scope]map[string]cell, classes map[string]int) Table {
	t := Table{}
	for sc, row := range cells {
		t[sc] = map[string]model.Severity{}
		for class, v := range row {
			if _, declared := classes[class]; !declared && !reservedClass(class) {
				b.errorf(v.origin, "severity.%s.%s: unknown class %q (want a declared class or one of all, unknown, icmp, other, sensitive, default)", dir, sc, class)
				continue
			}
			t[sc][class] = v.sev
		}
	}
	if _, ok := t[ScopeDefault][ClassDefault]; !ok {
		b.errs = append(b.errs, fmt.Errorf("content: severity.%s needs a default row with a default cell", dir))
	}
	return t
}

// unknownPlaceholder returns the first {name} in s that is not a known
// placeholder, or "".
func unknownPlaceholder(s string) string {
	known := Placeholders()
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			return ""
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return ""
		}
		name := s[i+1 : i+j]
		if _, ok := known[name]; !ok && isIdent(name) {
			return name
		}
		s = s[i+j+1:]
	}
}

// isIdent reports whether s looks like a placeholder name; braces in
// commands (JMESPath queries, JSON) are left alone.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '_' {
			return false
		}
	}
	return true
}

// settingKeys are the Event.Settings keys content may weigh: the model's
// Setting* constants. A key outside them would never match an event.
func settingKeys() []string {
	return []string{model.SettingDeleteProtection, model.SettingDefaultAction, model.SettingPublicAccess,
		model.SettingThreatIntelMode, model.SettingIntrusionDetection, model.SettingWAFMode,
		model.SettingEnabled, model.SettingDisabled, model.SettingFailOpen, model.SettingPreview,
		model.SettingPolicy, model.SettingPublicIP, model.SettingEnforcementOrder, model.SettingRules, model.SettingLogging}
}

func knownSetting(k string) bool {
	for _, v := range settingKeys() {
		if k == v {
			return true
		}
	}
	return false
}

func joinKinds() string {
	var s []string
	for _, k := range Kinds() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func joinScopes() string {
	var s []string
	for _, k := range AllScopes() {
		s = append(s, string(k))
	}
	return strings.Join(s, ", ")
}

func lowerAll(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s = strings.ToLower(strings.TrimSpace(s)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// sortedKeys returns m's keys in order, so errors come out in a stable order.
func sortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
