package output

import (
	"bufio"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/model"
)

// RuleHelp describes a rule for formats that carry rule metadata (SARIF):
// the scan's operation catalogue, or the audit and diff rules.
type RuleHelp struct {
	ID          string
	Description string
	// Help is longer advice (investigation and response steps).
	Help     string
	Severity model.Severity
}

// SARIF 2.1.0 (OASIS), the format code-scanning services import. One run;
// the tool's rules are the rules the findings name, with their catalogue
// text; each result points at the input file (artifactLocation.uri) and,
// as logical locations, at the record in it and the firewall resource.
const (
	sarifVersion = "2.1.0"
	sarifSchema  = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifInfoURI = "https://attack.mitre.org/techniques/T1562/007/"
	// sarifFingerprint is the partialFingerprints key: the finding id is
	// stable for the same input, so a code-scanning service can follow a
	// finding across runs.
	sarifFingerprint = "cloudwallFindingId/v1"
)

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text string `json:"text"`
	// Markdown is the same in Markdown, which code-scanning services
	// (GitHub) show in place of the text: a rule's help is its guide.
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifRuleLevel `json:"defaultConfiguration"`
	Properties           sarifProps     `json:"properties"`
}

type sarifRuleLevel struct {
	Level string `json:"level"`
}

type sarifProps struct {
	Tags []string `json:"tags,omitempty"`
	// SecuritySeverity is the 0-10 score code-scanning services rank by.
	SecuritySeverity string `json:"security-severity,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	// Suppressions marks a finding shown with --show-suppressed: a
	// code-scanning service keeps it out of the open alerts.
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   sarifResultProps   `json:"properties"`
}

// sarifSuppression is SARIF's suppression object (§3.35): cloudwall's
// suppressions live in cloudwall.yaml, outside the log, so kind external.
type sarifSuppression struct {
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Justification string `json:"justification,omitempty"`
}

type sarifResultProps struct {
	Severity  string             `json:"severity"`
	Cloud     model.Cloud        `json:"cloud"`
	Account   string             `json:"account,omitempty"`
	Region    string             `json:"region,omitempty"`
	Time      string             `json:"time,omitempty"`
	Operation string             `json:"operation,omitempty"`
	Actor     string             `json:"actor,omitempty"`
	SourceIP  string             `json:"source_ip,omitempty"`
	Exposure  []string           `json:"exposure,omitempty"`
	Reasons   []string           `json:"reasons,omitempty"`
	Changes   []model.RuleChange `json:"changes,omitempty"`
	Tags      []string           `json:"tags,omitempty"`
	Attack    []string           `json:"attack,omitempty"`
	Guidance  *model.Guidance    `json:"guidance,omitempty"`
	// Traffic is the --flows verdict on the opening: was it used?
	Traffic    *model.Traffic  `json:"traffic,omitempty"`
	Related    []model.Related `json:"related,omitempty"`
	SecuritySv string          `json:"security-severity"`
}

type sarifLocation struct {
	PhysicalLocation *sarifPhysical   `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical   `json:"logicalLocations,omitempty"`
	Message          *sarifText       `json:"message,omitempty"`
	Properties       *sarifRecordProp `json:"properties,omitempty"`
}

type sarifRecordProp struct {
	// Record is the record's 0-based index in its file, as in
	// Finding.Event.Index.
	Record int64 `json:"record"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

// writeSARIF writes one SARIF 2.1.0 log. Results keep the caller's order
// (ranked); rules are listed in order of first use.
func writeSARIF(w *bufio.Writer, findings []model.Finding, sum model.Summary, opts Options) error {
	help := map[string]RuleHelp{}
	for _, r := range opts.Rules {
		help[r.ID] = r
	}
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "cloudwall", Version: opts.Version, InformationURI: sarifInfoURI, Rules: []sarifRule{}}},
		// A scan stopped by a signal did not finish: its results are
		// partial, which SARIF says with executionSuccessful false.
		Invocations: []sarifInvocation{{ExecutionSuccessful: !sum.Interrupted}},
		Results:     []sarifResult{},
	}
	if sum.Interrupted {
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, sarifNotification{
			Level: "error", Message: sarifText{Text: "scan interrupted before it read every input: the results are those found before the stop"}})
	}
	index := map[string]int{}
	for _, f := range findings {
		i, ok := index[f.Rule]
		if !ok {
			i = len(run.Tool.Driver.Rules)
			index[f.Rule] = i
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRuleFor(f, help, opts.Guide))
		}
		raiseRuleSeverity(&run.Tool.Driver.Rules[i], f.Severity)
		run.Results = append(run.Results, sarifResultFor(f, i))
	}
	for _, p := range sum.Problems {
		n := sarifNotification{Level: "warning", Message: sarifText{Text: cleanText(p.Message)}}
		if p.File != "" {
			loc := sarifLocation{PhysicalLocation: &sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(p.File)}}}
			if p.Index >= 0 {
				loc.Properties = &sarifRecordProp{Record: p.Index}
			}
			n.Locations = []sarifLocation{loc}
		}
		run.Invocations[0].ToolExecutionNotifications = append(run.Invocations[0].ToolExecutionNotifications, n)
	}
	enc := newJSONEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: sarifVersion, Runs: []sarifRun{run}})
}

func sarifRuleFor(f model.Finding, help map[string]RuleHelp, guide func(io.Writer, string) error) sarifRule {
	h, ok := help[f.Rule]
	if !ok {
		h = RuleHelp{ID: f.Rule, Description: "cloudwall rule " + f.Rule, Severity: f.Severity}
	}
	desc := cleanText(h.Description)
	if desc == "" {
		desc = "cloudwall rule " + f.Rule
	}
	text := desc
	if h.Help != "" {
		text += "\n\n" + cleanText(h.Help)
	}
	var md strings.Builder
	if guide != nil && guide(&md, f.Rule) != nil {
		md.Reset() // no guide for the rule: the text stands alone
	}
	return sarifRule{
		ID:                   f.Rule,
		Name:                 ruleName(f.Rule),
		ShortDescription:     sarifText{Text: firstSentence(desc)},
		FullDescription:      sarifText{Text: desc},
		Help:                 sarifText{Text: text, Markdown: escapeText(md.String(), "\n")},
		DefaultConfiguration: sarifRuleLevel{Level: sarifLevel(h.Severity)},
		Properties: sarifProps{
			Tags:             []string{"security", "firewall", "T1562.007", "T1686.001"},
			SecuritySeverity: securitySeverity(h.Severity),
		},
	}
}

// raiseRuleSeverity lifts a rule's security-severity and default level to
// a result's when the result is worse. Code-scanning services (GitHub)
// rank an alert by its rule's security-severity, not the result's: a
// critical finding of a rule whose catalogue default is medium would
// otherwise be listed as a medium alert.
func raiseRuleSeverity(r *sarifRule, s model.Severity) {
	cur, _ := strconv.ParseFloat(r.Properties.SecuritySeverity, 64)
	if next, _ := strconv.ParseFloat(securitySeverity(s), 64); next > cur {
		r.Properties.SecuritySeverity = securitySeverity(s)
		r.DefaultConfiguration.Level = sarifLevel(s)
	}
}

func sarifResultFor(f model.Finding, ruleIndex int) sarifResult {
	msg := cleanText(f.Title)
	if len(f.Exposure) > 0 {
		msg += ". Exposure: " + cleanText(strings.Join(f.Exposure, "; "))
	}
	loc := sarifLocation{Properties: &sarifRecordProp{Record: f.Event.Index}}
	if f.Event.File != "" {
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: sarifArtifact{URI: sarifURI(f.Event.File)}}
	}
	record := fmt.Sprintf("%s[%d]", f.Event.File, f.Event.Index)
	if f.Event.EventID != "" {
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: cleanText(f.Event.EventID), FullyQualifiedName: cleanText(record + "/" + f.Event.EventID), Kind: "element"})
	} else {
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: "record " + strconv.FormatInt(f.Event.Index, 10), FullyQualifiedName: cleanText(record), Kind: "element"})
	}
	if f.Resource.ID != "" || f.Resource.Name != "" {
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{
			Name: cleanText(resourceLabel(f.Resource)), FullyQualifiedName: cleanText(firstNonEmpty(f.Resource.ID, f.Resource.Name)), Kind: "resource"})
	}
	if a := f.Resource.Address; a != "" {
		// The Terraform resource declaring the rule: where the code is fixed.
		loc.LogicalLocations = append(loc.LogicalLocations, sarifLogical{Name: cleanText(a), FullyQualifiedName: cleanText(a), Kind: "declaration"})
	}
	props := sarifResultProps{
		Severity:   f.Severity.String(),
		Cloud:      f.Cloud,
		Account:    f.Account,
		Region:     f.Region,
		Operation:  f.Operation,
		Actor:      firstNonEmpty(f.Actor.ID, f.Actor.Name),
		SourceIP:   f.SourceIP,
		Exposure:   f.Exposure,
		Reasons:    f.Reasons,
		Changes:    f.Changes,
		Tags:       f.Tags,
		Attack:     f.Attack,
		Guidance:   f.Guidance,
		Traffic:    f.Traffic,
		Related:    f.Related,
		SecuritySv: securitySeverity(f.Severity),
	}
	if f.Traffic != nil {
		msg += ". Flow logs: " + f.Traffic.Verdict
	}
	if !f.Time.IsZero() {
		props.Time = f.Time.UTC().Format("2006-01-02T15:04:05.999999999Z")
	}
	res := sarifResult{
		RuleID:              f.Rule,
		RuleIndex:           ruleIndex,
		Level:               sarifLevel(f.Severity),
		Message:             sarifText{Text: msg},
		Locations:           []sarifLocation{loc},
		PartialFingerprints: map[string]string{sarifFingerprint: f.ID},
		Properties:          props,
	}
	if sp := f.Suppression; sp != nil {
		just := sp.ID + ": " + sp.Reason
		if sp.Owner != "" {
			just += " (owner " + sp.Owner + ")"
		}
		if !sp.Expires.IsZero() {
			just += ", expires " + sp.Expires.UTC().Format("2006-01-02")
		}
		res.Suppressions = []sarifSuppression{{Kind: "external", Status: "accepted", Justification: cleanText(just)}}
	}
	return res
}

// sarifLevel maps severity to SARIF's levels: critical and high are
// errors, medium a warning, low and info notes.
func sarifLevel(s model.Severity) string {
	switch {
	case s >= model.High:
		return "error"
	case s == model.Medium:
		return "warning"
	}
	return "note"
}

// securitySeverity is the 0-10 score code-scanning services rank by
// (GitHub: 9.0+ critical, 7.0+ high, 4.0+ medium, below low).
func securitySeverity(s model.Severity) string {
	return [...]string{"0.0", "2.0", "5.0", "8.0", "9.5"}[min(max(int(s), 0), 4)]
}

// sarifURI turns an input name into a URI reference: relative paths stay
// relative with forward slashes, absolute ones become file URIs, every
// segment is percent-encoded; "-" (stdin) is named "stdin".
func sarifURI(name string) string {
	if name == "-" {
		return "stdin"
	}
	p := filepath.ToSlash(name)
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	out := strings.Join(segs, "/")
	if strings.HasPrefix(p, "/") {
		return "file://" + out
	}
	return out
}

// ruleName turns a rule id into the PascalCase name SARIF viewers show.
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i > 0 {
		return s[:i+1]
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	i := slices.IndexFunc(ss, func(s string) bool { return s != "" })
	if i < 0 {
		return ""
	}
	return ss[i]
}
