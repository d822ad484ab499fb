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
	Content         []str             `yaml:"content"`
	TrustedNetworks []rawTrusted      `yaml:"trusted_networks"`
	Automation      []rawAutomation   `yaml:"automation"`
	Approvals       *rawApprovals     `yaml:"approvals"`
	Suppressions    []rawSuppression  `yaml:"suppressions"`
	NetworkClasses  []rawNetworkClass `yaml:"network_classes"`
	Identities      []rawIdentity     `yaml:"identities"`
}

type rawIdentity struct {
	Name  str   `yaml:"name"`
	Match []str `yaml:"match"`
}

type rawTrusted struct {
	Name  str   `yaml:"name"`
	CIDRs []str `yaml:"cidrs"`
}

type rawAutomation struct {
	Name            str   `yaml:"name"`
	Kind            str   `yaml:"kind"`
	Roles           []str `yaml:"roles"`
	Users           []str `yaml:"users"`
	ServiceAccounts []str `yaml:"service_accounts"`
	AzureAppIDs     []str `yaml:"azure_app_ids"`
	InvokedBy       []str `yaml:"invoked_by"`
	UserAgents      []str `yaml:"user_agents"`
}

type rawApprovals struct {
	Files   []str         `yaml:"files"`
	Changes []rawApproval `yaml:"changes"`
}

type rawApproval struct {
	Ticket    str   `yaml:"ticket" json:"ticket"`
	Who       []str `yaml:"who" json:"who"`
	Accounts  []str `yaml:"accounts" json:"accounts"`
	Resources []str `yaml:"resources" json:"resources"`
	Ports     []str `yaml:"ports" json:"ports"`
	Peers     []str `yaml:"peers" json:"peers"`
	From      str   `yaml:"from" json:"from"`
	Until     str   `yaml:"until" json:"until"`
}

type rawSuppression struct {
	ID      str      `yaml:"id"`
	Owner   str      `yaml:"owner"`
	Reason  str      `yaml:"reason"`
	Expires str      `yaml:"expires"`
	Match   rawScope `yaml:"match"`
}

type rawScope struct {
	Rules     []str `yaml:"rules"`
	Findings  []str `yaml:"findings"`
	Clouds    []str `yaml:"clouds"`
	Accounts  []str `yaml:"accounts"`
	Resources []str `yaml:"resources"`
	Actors    []str `yaml:"actors"`
}

type rawNetworkClass struct {
	Name     str   `yaml:"name"`
	File     str   `yaml:"file"`
	Services []str `yaml:"services"`
	Regions  []str `yaml:"regions"`
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
