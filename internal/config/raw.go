package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The raw* types mirror the YAML schema; they are decoded strictly and
// then compiled. Scalars are read as str so that every value keeps its
// line for the errors found after decoding.

type rawFile struct {
	Version         str               `yaml:"version"`
	Content         strs              `yaml:"content"`
	TrustedNetworks []rawTrusted      `yaml:"trusted_networks"`
	Automation      []rawAutomation   `yaml:"automation"`
	Approvals       *rawApprovals     `yaml:"approvals"`
	Suppressions    []rawSuppression  `yaml:"suppressions"`
	NetworkClasses  []rawNetworkClass `yaml:"network_classes"`
	Identities      []rawIdentity     `yaml:"identities"`
}

type rawIdentity struct {
	Name  str  `yaml:"name"`
	Match strs `yaml:"match"`
}

type rawTrusted struct {
	Name  str  `yaml:"name"`
	CIDRs strs `yaml:"cidrs"`
}

type rawAutomation struct {
	Name            str  `yaml:"name"`
	Kind            str  `yaml:"kind"`
	Roles           strs `yaml:"roles"`
	Users           strs `yaml:"users"`
	ServiceAccounts strs `yaml:"service_accounts"`
	AzureAppIDs     strs `yaml:"azure_app_ids"`
	InvokedBy       strs `yaml:"invoked_by"`
	UserAgents      strs `yaml:"user_agents"`
}

type rawApprovals struct {
	Files   strs          `yaml:"files"`
	Changes []rawApproval `yaml:"changes"`
}

type rawApproval struct {
	Ticket    str  `yaml:"ticket" json:"ticket"`
	Who       strs `yaml:"who" json:"who"`
	Accounts  strs `yaml:"accounts" json:"accounts"`
	Resources strs `yaml:"resources" json:"resources"`
	Ports     strs `yaml:"ports" json:"ports"`
	Peers     strs `yaml:"peers" json:"peers"`
	From      str  `yaml:"from" json:"from"`
	Until     str  `yaml:"until" json:"until"`
}

type rawSuppression struct {
	ID      str      `yaml:"id"`
	Owner   str      `yaml:"owner"`
	Reason  str      `yaml:"reason"`
	Expires str      `yaml:"expires"`
	Match   rawScope `yaml:"match"`
}

type rawScope struct {
	Rules     strs `yaml:"rules"`
	Findings  strs `yaml:"findings"`
	Clouds    strs `yaml:"clouds"`
	Accounts  strs `yaml:"accounts"`
	Resources strs `yaml:"resources"`
	Actors    strs `yaml:"actors"`
}

type rawNetworkClass struct {
	Name     str  `yaml:"name"`
	File     str  `yaml:"file"`
	Services strs `yaml:"services"`
	Regions  strs `yaml:"regions"`
}

// str is a scalar with the line it was read from (0 when absent).
type str struct {
	V    string
	Line int
}

// UnmarshalYAML accepts any scalar and keeps its line.
func (s *str) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		// A TypeError lets the decoder go on and report every error.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a single value, not a %s", n.Line, kindName(n.Kind))}}
	}
	s.V, s.Line = n.Value, n.Line
	return nil
}

// strs is a list of values. A single value where the list belongs is an
// error that shows the list to write, not the decoder's Go type names.
type strs []str

// UnmarshalYAML reads a sequence of scalars; null is an empty list.
func (l *strs) UnmarshalYAML(n *yaml.Node) error {
	switch {
	case n.Kind == yaml.ScalarNode && n.Tag == "!!null":
		*l = nil
		return nil
	case n.Kind == yaml.ScalarNode:
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a list, not the single value %q (write [%s])", n.Line, n.Value, n.Value)}}
	case n.Kind != yaml.SequenceNode:
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: want a list, not a %s", n.Line, kindName(n.Kind))}}
	}
	var v []str
	err := n.Decode(&v)
	*l = v
	return err
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "mapping"
	}
	return "value"
}

// lineOf returns the first known line among values.
func lineOf(vs ...str) int {
	for _, v := range vs {
		if v.Line > 0 {
			return v.Line
		}
	}
	return 0
}

// firstLine returns the line of the first element of the first non-empty list.
func firstLine(lists ...[]str) int {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0].Line
		}
	}
	return 0
}
