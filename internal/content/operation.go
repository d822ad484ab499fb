package content

import (
	"slices"
	"strings"

	"cloudwall/internal/model"
)

// Kind says what the detector does with an operation. Kinds whose severity
// comes from logged content use Operation.Severity only when the log
// carries none of it; "floor" kinds are at least Operation.Severity because
// the operation itself is the risk, whatever else the log says.
type Kind string

const (
	// KindRules adds or replaces rules: severity follows the exposure the
	// Changes open. Operation.Severity applies when no rule is logged.
	KindRules Kind = "rules"
	// KindRemove removes rules: closing access when the resource only has
	// allow rules (Operation.AllowOnly), else a rule of unknown action was
	// removed (a deny may be gone). It has no base severity.
	KindRemove Kind = "remove"
	// KindDelete deletes a whole firewall, ACL, group, policy, WAF or list.
	// Floor kind.
	KindDelete Kind = "delete"
	// KindDetach takes a firewall or WAF off what it protected (subnets
	// disassociated, web ACL disassociated, policy association removed).
	// Floor kind.
	KindDetach Kind = "detach"
	// KindSwap replaces which firewall applies (security-group set of an
	// instance, network tags, ACL association); the previous set is
	// usually not logged. Floor kind.
	KindSwap Kind = "swap"
	// KindSettings changes non-rule settings (threat intelligence mode,
	// WAF mode, default action, public network access) read from
	// Event.Settings; Operation.Severity applies when none is logged.
	KindSettings Kind = "settings"
	// KindProtection switches delete or change protection; severity from
	// the delete_protection setting, Operation.Severity when not logged.
	KindProtection Kind = "protection"
	// KindCreate creates a firewall that exposes nothing by itself (a new
	// VPC security group has no ingress). Floor kind; inline rules in
	// Changes are judged like KindRules.
	KindCreate Kind = "create"
	// KindAllowlist changes a list that exempts addresses from detection
	// (GuardDuty trusted IP sets); the addresses are not in the log, so
	// severity comes from whether the list was activated, and
	// Operation.Severity applies when that is not logged either.
	KindAllowlist Kind = "allowlist"
)

// Kinds returns every kind the detector knows, in documentation order.
func Kinds() []Kind {
	return []Kind{KindRules, KindRemove, KindDelete, KindDetach, KindSwap,
		KindSettings, KindProtection, KindCreate, KindAllowlist}
}

// Known reports whether k is one of Kinds.
func (k Kind) Known() bool {
	for _, v := range Kinds() {
		if k == v {
			return true
		}
	}
	return false
}

// Floor reports whether Operation.Severity is a lower bound for k rather
// than a fallback for events without content.
func (k Kind) Floor() bool {
	switch k {
	case KindDelete, KindDetach, KindSwap, KindCreate:
		return true
	}
	return false
}

// Requirement names event content that makes a catalogued operation
// firewall-relevant. Some operations (ModifyInstanceAttribute, a storage
// account write) are firewall events only when the parser found firewall
// content in them.
type Requirement string

const (
	NeedChanges  Requirement = "changes"  // Event.Changes is not empty
	NeedTargets  Requirement = "targets"  // Event.Targets is not empty
	NeedSettings Requirement = "settings" // Event.Settings is not empty
)

// Service describes what a resource's rules admit traffic to when the rule
// names no ports itself: an Azure SQL firewall rule always opens 1433/tcp,
// a Cloud Armor rule HTTP(S) through a load balancer.
type Service struct {
	// Class is a port class name, or "other" for a non-sensitive service.
	Class string
	// Label is how exposures name it ("1433/tcp (Azure SQL)").
	Label string
}

// Operation is one catalogue entry: a family of operations that the
// detector treats alike.
type Operation struct {
	// ID is the stable rule id findings carry ("aws-sg-ingress-change").
	ID    string
	Cloud model.Cloud
	// Keys are the OperationKey values the entry covers, lower case.
	Keys []string
	// Resource is the model Resource.Type the operation acts on.
	Resource string
	Kind     Kind
	// Severity is the base severity; see Kind for how it is used. Unused
	// for KindRemove.
	Severity model.Severity
	// AllowOnly says the resource's rules can only allow traffic (security
	// groups, SQL firewall rules): a rule without a logged action is an
	// allow, and removing one closes access.
	AllowOnly bool
	// Requires lists content of which at least one must be present for the
	// event to be a firewall event; empty means always.
	Requires []Requirement
	// Service is what rules without ports reach; nil when rules carry ports.
	Service *Service
	// Settings are per-operation setting rules, consulted before the
	// global ones in Weights.Settings.
	Settings []SettingRule
	// Title is the finding title template; see Placeholders.
	Title string
	// Description says in one line what the operation does.
	Description string
	// Guidance is the investigation and response template; see Placeholders.
	Guidance Guidance
	// Origin is the file:line the entry was read from.
	Origin string
}

// Placeholders returns the names that Title and Guidance templates may use
// in braces ("{resource}"), with what each is replaced by. In a step's
// command each value is quoted for the shell as needed, and {rule} gives
// one word per rule (AWS CLI lists are space separated); a value the event
// lacks becomes <NAME>, in a command outside quotes '<NAME>' (one word
// the shell reads literally). The names after "error" are for guidance
// only.
func Placeholders() map[string]string {
	return map[string]string{
		"resource":      "the resource's short name: its id, or its name when the id is a path",
		"resource_id":   "Resource.ID as logged",
		"resource_name": "Resource.Name, or the last segment of Resource.ID",
		"resource_type": "Resource.Type",
		"account":       "AWS account, Azure subscription or GCP project",
		"region":        "region or location",
		"actor":         "Actor.ID, else Actor.Name",
		"actor_name":    "Actor.Name, else Actor.ID",
		"source_ip":     "the caller's address",
		"user_agent":    "the caller's user agent",
		"via_service":   "the service that made the call for the caller (AWS invokedBy: cloudformation.amazonaws.com)",
		"operation":     "the native operation name",
		"time":          "event time, RFC 3339 UTC",
		"start":         "one hour before the event, RFC 3339 UTC",
		"end":           "one hour after the event, RFC 3339 UTC",
		"change":        "what the call did, in words (title only): \"opened to the internet on 22/tcp (ssh)\"",
		"rule":          "names or ids of the changed rules (sgr- id, NACL rule number, NSG rule name)",
		"targets":       "Event.Targets, comma separated",
		"error":         "the error code of a failed call",
		// Guidance only: values taken apart for commands.
		"actor_id":       "Actor.ID as logged (ARN, Entra object id, e-mail)",
		"access_key":     "AWS: the access key id the call was signed with",
		"user_name":      "AWS: the IAM user's name, for an IAM user caller",
		"role_name":      "AWS: the role of an assumed-role caller",
		"session_name":   "AWS: the role session name of an assumed-role caller (CloudTrail's Username for its calls)",
		"caller_lookup":  "AWS: the lookup-events attribute that finds the caller's calls (AccessKeyId, else Username)",
		"key_id":         "GCP: the service-account key id the call used",
		"event_id":       "the record's id as logged (CloudTrail eventID, Azure eventDataId else correlationId, GCP insertId)",
		"correlation_id": "Azure: the correlationId shared by the records of one request",
		"resource_group": "Azure: the resource group in Resource.ID",
		"parent_id":      "Azure: the id of the parent resource (the NSG of a rule, the server of a firewall rule)",
		"parent_name":    "Azure: the parent resource's name",
		"zone":           "GCP: the zone in Resource.ID",
		"scope":          "AWS WAFv2: the scope of the web ACL, IP set or rule group as its call logged it (Resource.Scope): REGIONAL or CLOUDFRONT",
		"scope_region":   "AWS WAFv2: the region that serves the scope: us-east-1 for CLOUDFRONT (the only region its API answers in, whatever the record says), else region",
		"direction_flag": "--ingress or --egress, from the first changed rule's direction (NACL entries)",
		"priority":       "the priority (rule number) of the first changed rule that has one",
		"target_tags":    "GCP: the network tags the changed rules (or a setTags call) target, space separated",
		"aws_service":    "AWS: the service the call went to, as the CLI names it (waf, waf-regional, ec2)",
		"principal_arn":  "AWS: the caller's IAM user or role ARN (not the session ARN)",
		"from_port":      "the first port of the first changed rule that has ports",
		"to_port":        "the last port of that range",
		"protocol":       "that rule's protocol",
		"cidr":           "the first address range among the changed rules' peers",
		"classic_source": "AWS: the flags of an RDS or Redshift security group revoke that name what the call let in (--cidrip, or --ec2-security-group-id / --ec2-security-group-name with --ec2-security-group-owner-id)",
		"ip_permissions": "AWS: the added security group rules as the JSON of --ip-permissions, when the response names no rule ids and the request gives every rule whole (condition ip-permissions)",
		"log_scope":      "GCP: where the audit logs are, as gcloud logging flags: --project P, or --organization N / --folder N for an organization's or folder's logs",
	}
}

// SettingRule gives the severity of one value of one Event.Settings key.
type SettingRule struct {
	// Key is a model.Setting* name.
	Key string
	// Value is the lower-case value, "" for an empty value, "*" for any.
	Value string
	// Severity is what setting Key to Value is worth.
	Severity model.Severity
	// Change says what it means, for titles and reasons ("threat
	// intelligence turned off").
	Change string
	// Created limits the rule to writes that created their resource
	// (model.WriteCreated), Names to resources of these names (lower
	// case, compared without case). A rule with a condition the event
	// meets is chosen before one without.
	Created bool
	Names   []string
	// Reason, when set, says why the rule's severity applies.
	Reason string
	Origin string
}

// Matches reports whether the rule applies to key=value.
func (r SettingRule) Matches(key, value string) bool {
	return r.Key == key && (r.Value == "*" || r.Value == value)
}

// Conditional reports whether the rule has a condition on the event.
func (r SettingRule) Conditional() bool { return r.Created || len(r.Names) > 0 }

// Holds reports whether the event meets the rule's conditions.
func (r SettingRule) Holds(ev *model.Event) bool {
	if r.Created && ev.Written != model.WriteCreated {
		return false
	}
	return len(r.Names) == 0 || slices.ContainsFunc(r.Names, func(n string) bool { return strings.EqualFold(n, ev.Resource.Name) })
}
