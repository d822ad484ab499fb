package model

import "time"

// Firewall is one firewall object and the rules in force on it at one
// instant: read from a configuration snapshot, or built by replaying audit
// events. The same vocabulary as the scan (RuleChange, Peer, PortList) is
// used, so one detector judges a rule whether a call added it or a snapshot
// shows it.
type Firewall struct {
	Cloud    Cloud    `json:"cloud"`
	Account  string   `json:"account,omitempty"`
	Region   string   `json:"region,omitempty"`
	Resource Resource `json:"resource"` // Type uses the Resource.Type names of docs/architecture.md
	// Network is the VPC, VNet or GCP network the firewall belongs to.
	Network string `json:"network,omitempty"`
	// Rules are the rules in force (Effect empty). Order is not meaning:
	// evaluation order comes from Priority and the firewall's Type.
	Rules []Rule `json:"rules"`
	// Settings are non-rule settings, keyed like Event.Settings.
	Settings map[string]string `json:"settings,omitempty"`
	// AttachedTo lists what the firewall protects where the snapshot says:
	// ENI, subnet, NIC or instance ids.
	AttachedTo []string `json:"attached_to,omitempty"`
	// GUID is the cloud's fixed id of the firewall besides Resource.ID,
	// where the snapshot gives it: an Azure NSG's resourceGuid, which
	// VNet flow logs name (aclID) instead of the NSG.
	GUID string `json:"guid,omitempty"`
	// Default marks a cloud-created default object (AWS "default" group,
	// the default NACL of a VPC, GCP default-allow-* rules).
	Default bool `json:"default,omitempty"`
	// Tags are the firewall's labels where the source has them,
	// "key=value" (AWS tags, Azure tags, GCP labels).
	Tags []string `json:"tags,omitempty"`
	// Partial says Rules are only some of the firewall's rules: the source
	// showed single rules (a Terraform aws_security_group_rule, an Azure
	// Firewall rule collection group) rather than the whole object.
	Partial bool `json:"partial,omitempty"`
	// AsOf is when the snapshot was taken, where it says; zero if unknown.
	AsOf time.Time `json:"as_of,omitzero"`
	// Source points at the snapshot file and record this came from.
	Source SourceRef `json:"source"`
}

// Rule is one rule in force: a RuleChange without an Effect, plus what a
// snapshot knows about it that an audit event rarely carries.
type Rule struct {
	RuleChange
	// ID is the cloud's id for the rule where it has one apart from Name
	// (sgr- id, NSG rule resource id).
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	// Address is the Terraform address of the resource that declares the
	// rule (its own for a rule resource, the firewall's for an inline
	// rule), when read from a Terraform plan or state.
	Address string `json:"address,omitempty"`
	// Disabled marks a rule present but not in force (GCP disabled: true).
	Disabled bool `json:"disabled,omitempty"`
	// Created is when the rule was made, where the data has dates.
	Created time.Time `json:"created,omitzero"`
	// Builtin marks a rule the cloud puts in every firewall of its kind
	// and that cannot be removed (Azure NSG default rules 65000-65500, the
	// NACL catch-all denies 32767/32768).
	Builtin bool `json:"builtin,omitempty"`
	// Tags are the rule's own labels where the source has them (AWS
	// security group rule tags), "key=value".
	Tags []string `json:"tags,omitempty"`
	// Notes are caveats from reading the rule (an unparseable CIDR kept as
	// written), as Event.Notes are for a call.
	Notes []string `json:"notes,omitempty"`
}
