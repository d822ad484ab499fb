// Package model holds cloudwall's canonical types: the Event every cloud's
// parser produces, and the Finding every detection emits. It imports only the
// standard library and does no I/O, so every other stage can depend on it.
package model

import (
	"strconv"
	"strings"
	"time"
)

// Cloud names the provider an event came from.
type Cloud string

const (
	AWS   Cloud = "aws"
	Azure Cloud = "azure"
	GCP   Cloud = "gcp"
)

// Provider is the cloud's name as people and formats write it ("AWS",
// "Azure", "GCP"); an unknown cloud is returned as it is.
func (c Cloud) Provider() string {
	switch c {
	case AWS:
		return "AWS"
	case Azure:
		return "Azure"
	case GCP:
		return "GCP"
	}
	return string(c)
}

// Outcome says whether the logged call took effect.
type Outcome string

const (
	Success Outcome = "success"
	Failure Outcome = "failure"
	// Unknown is used when the log shows the request but not its result
	// (an Azure operation seen only as Started/Accepted, a GCP long-running
	// operation whose completion entry was not in the input).
	Unknown Outcome = "unknown"
)

// Event is one control-plane call, normalised across clouds. Parsers fill
// it; later stages read it and never need the raw record again.
type Event struct {
	Cloud   Cloud     `json:"cloud"`
	Time    time.Time `json:"time"`
	Account string    `json:"account,omitempty"` // AWS account, Azure subscription, GCP project
	Region  string    `json:"region,omitempty"`
	// Service is the native service name: eventSource, resource provider or
	// serviceName ("ec2.amazonaws.com", "Microsoft.Network", "compute.googleapis.com").
	Service string `json:"service,omitempty"`
	// Operation is the native operation name exactly as logged
	// ("AuthorizeSecurityGroupIngress", "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/WRITE",
	// "v1.compute.firewalls.insert").
	Operation string `json:"operation"`
	// OperationKey is Operation in the form the operation catalogue is keyed
	// by: lower case, with GCP API-version prefixes ("v1.", "beta.") removed.
	OperationKey string `json:"operation_key"`

	Outcome      Outcome `json:"outcome"`
	ErrorCode    string  `json:"error_code,omitempty"`
	ErrorMessage string  `json:"error_message,omitempty"`
	ReadOnly     bool    `json:"read_only,omitempty"`

	Actor     Actor  `json:"actor"`
	SourceIP  string `json:"source_ip,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
	// APIVersion is the REST api-version the call was made with (Azure:
	// the api-version of httpRequest.uri), when logged and well formed:
	// an undo through az rest uses it.
	APIVersion string   `json:"api_version,omitempty"`
	Resource   Resource `json:"resource"`
	// Network is the network the firewall belongs to when the call names
	// it (a GCP firewalls.insert's network URL): state remembers it to
	// recreate a rule deleted later.
	Network string `json:"network,omitempty"`

	// Changes lists each firewall rule the call added, removed or altered,
	// as far as the log shows it.
	Changes []RuleChange `json:"changes,omitempty"`
	// Settings holds non-rule firewall settings the call set, keyed by a
	// cloud-neutral name from the Setting* constants below; values are
	// lower-cased ("false", "off", "allow", "detection").
	Settings map[string]string `json:"settings,omitempty"`
	// Targets lists what a swap or association pointed at (security group
	// ids set on an instance, subnets detached from a firewall, ...).
	Targets []string `json:"targets,omitempty"`
	// ContentNotLogged says the record carries none of what the call
	// wrote (a GCP long-running operation's last entry, whose request
	// holds only its @type; an Azure write without a request or response
	// body): a create or a whole write then leaves the rules unknown, not
	// empty. Parsers set it only for calls that write content.
	ContentNotLogged bool `json:"content_not_logged,omitempty"`
	// Written is what the cloud's answer to a write said of its resource,
	// where a record of the operation logs it: WriteCreated (an Azure
	// statusCode Created, HTTP 201: the resource did not exist before) or
	// WriteUpdated (OK, HTTP 200: it did); "" when no record says. When
	// the records of one operation disagree, WriteUpdated wins: a write
	// to an existing resource can detach what a creation cannot.
	Written WriteStatus `json:"written,omitempty"`
	// Descriptive lists the fields a partial update (a GCP
	// firewalls.patch) sent when every one of them only describes the
	// rule (description, name, logConfig): the call is logged, and it
	// changed nothing the rule matches or does. Empty otherwise.
	Descriptive []string `json:"descriptive,omitempty"`
	// Sent lists the list fields of the written resource that the call's
	// body carried, by their REST names in lower case ("sourceranges",
	// "targettags", "authorizedipranges"), an empty list included; nil
	// when the parser did not list them. A partial update (a GCP
	// firewalls.patch) replaces those fields only, and an empty one sent
	// clears its field; a whole write (an AKS managedClusters PUT) resets
	// the fields it lacks. A cluster update also names the public endpoint
	// switch it sent ("endpointpublicaccess" for EKS; "enablepublicendpoint"
	// for GKE, sent true): a list sent with it is in force, one sent
	// without it waits while the endpoint is off.
	Sent []string `json:"sent,omitzero"` // omitzero: an empty list sent survives a spill to disk
	// Original is the rule as it was before the call, one added change per
	// protocol entry, where a record of the operation logs it (the
	// resourceOriginalState of a GCP firewalls.patch, update or delete
	// completion entry). A partial update sends only what it changes: the
	// rest of what the rule is after the call (its action, protocols and
	// ports) is read from here when judging; a judgement that rests on it
	// stays at least low, as one read from earlier records does: a record
	// written beside the real ones can claim any state.
	Original []RuleChange `json:"original,omitempty"`
	// OriginalAt is the record that logs Original.
	OriginalAt SourceRef `json:"original_at,omitzero"`
	// OriginalDisabled says Original was switched off (GCP disabled).
	OriginalDisabled bool `json:"original_disabled,omitempty"`

	// Notes are caveats the parser found while reading rule content
	// ("unparseable CIDR \"00.0.0.0/0\" read as world-open"); they are
	// carried into the finding's reasons.
	Notes []string `json:"notes,omitempty"`

	// EventID is the cloud's unique id for this record (eventID,
	// eventDataId, insertId).
	EventID string `json:"event_id,omitempty"`
	// OperationID groups records that the cloud writes for one logical
	// operation (Azure correlationId+operation+resource, GCP operation.id);
	// it equals EventID when the cloud logs each operation once.
	OperationID string `json:"operation_id,omitempty"`
	// Phase says which record of a multi-record operation this is.
	Phase Phase `json:"phase,omitempty"`

	Source SourceRef `json:"source"`
}

// WriteStatus says whether a write created its resource or updated it.
type WriteStatus string

const (
	WriteCreated WriteStatus = "created"
	WriteUpdated WriteStatus = "updated"
)

// Phase orders the records a cloud writes for one operation.
type Phase string

const (
	PhaseOnly  Phase = ""      // the operation is logged once
	PhaseStart Phase = "start" // Azure Started/BeginRequest, GCP operation.first
	PhaseEnd   Phase = "end"   // Azure Succeeded/Failed, GCP operation.last
)

// Settings keys: cloud-neutral names for non-rule firewall settings.
const (
	SettingDeleteProtection   = "delete_protection"     // "true"/"false"
	SettingDefaultAction      = "default_action"        // "allow"/"deny"
	SettingPublicAccess       = "public_network_access" // "enabled"/"disabled"
	SettingThreatIntelMode    = "threat_intel_mode"     // "off"/"alert"/"deny"
	SettingIntrusionDetection = "intrusion_detection"   // "off"/"alert"/"deny"
	SettingWAFMode            = "waf_mode"              // "prevention"/"detection"
	SettingEnabled            = "enabled"               // "true"/"false" for a WAF, policy or rule
	SettingDisabled           = "disabled"              // "true" when a rule or firewall was switched off
	SettingFailOpen           = "fail_open"             // "enabled"/"disabled"
	SettingPreview            = "preview"               // "true": a rule that only logs
	SettingPolicy             = "policy"                // the attached policy id; "" when detached
	SettingPublicIP           = "public_ip"             // "true"/"false" (Cloud SQL ipv4Enabled)
	SettingRules              = "rules"                 // "none": a write of the whole rule list left it empty
	SettingLogging            = "logging"               // "true"/"false": a rule logs the connections it decides (GCP logConfig.enable)
	// SettingEnforcementOrder is GCP's networkFirewallPolicyEnforcementOrder:
	// "before_classic_firewall" or "after_classic_firewall".
	SettingEnforcementOrder = "firewall_policy_enforcement_order"
)

// SettingIs reports whether settings hold key set to value, ignoring
// letter case and surrounding space.
func SettingIs(settings map[string]string, key, value string) bool {
	return strings.EqualFold(strings.TrimSpace(settings[key]), value)
}

// IdentityCenterSession reports whether an AWS principal ARN is a session
// of a role IAM Identity Center made for a permission set
// (assumed-role/AWSReservedSSO_<set>_<hash>/<person>), given the ARN of
// the role that issued it. Identity Center creates those roles under the
// path /aws-reserved/sso.amazonaws.com/; a role merely named
// AWSReservedSSO_... elsewhere is anyone's, and its session name, which
// the caller chose, is not a person. A session whose record omits the
// issuer ("") is taken at its role's name.
func IdentityCenterSession(principalARN, issuerARN string) bool {
	_, rest, ok := strings.Cut(principalARN, ":assumed-role/")
	if !ok || !strings.HasPrefix(rest, "AWSReservedSSO_") {
		return false
	}
	return issuerARN == "" || strings.Contains(issuerARN, ":role/aws-reserved/sso.amazonaws.com/")
}

// Actor is who made the call.
type Actor struct {
	// Type is the cloud's principal kind: IAMUser, AssumedRole, Root,
	// AWSService, User, ServicePrincipal, ServiceAccount ...
	Type string `json:"type,omitempty"`
	// ID is the most specific stable identifier: an ARN, object id or e-mail.
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Session is the access key, role session or token id the call used.
	Session string `json:"session,omitempty"`
	// AccessKey is the AWS access key id the call was signed with.
	AccessKey string `json:"access_key,omitempty"`
	// Role is the role the principal acted through: the assumed role, or
	// for an AWS IAM Identity Center user the permission set (the Name is
	// then the person).
	Role string `json:"role,omitempty"`
	// SessionIssuer is the ARN of the role or user that issued a temporary
	// session (CloudTrail sessionContext.sessionIssuer.arn).
	SessionIssuer string `json:"session_issuer,omitempty"`
	// SessionCreated is when the session was created.
	SessionCreated time.Time `json:"session_created,omitzero"`
	// MFA is true when the log says the session was MFA-authenticated.
	MFA bool `json:"mfa"`
	// ViaService names the service that acted for the principal
	// (invokedBy, CloudFormation, a delegating service account).
	ViaService string `json:"via_service,omitempty"`
	// OriginalCaller is who is behind the principal when the log says so
	// apart from it: an AWS source identity (sts:SourceIdentity, set when
	// the role was assumed and kept through role chaining), the IAM
	// Identity Center user a session acts for (onBehalfOf), the subject of
	// a SAML or web-identity federated session, the first caller of a GCP
	// service-account impersonation chain.
	OriginalCaller string `json:"original_caller,omitempty"`
	// Federation says how a federated session was authenticated:
	// "saml:<identity provider>" or "web-identity:<identity provider>".
	Federation string `json:"federation,omitempty"`
	// Delegation is a GCP service-account impersonation chain as logged
	// (serviceAccountDelegationInfo), the original caller first, joined
	// by ", " (a string, so that an Actor stays comparable); the
	// principal is the service account impersonated last.
	Delegation string `json:"delegation,omitempty"`
	// AppID is the Azure application (client) id the token was issued
	// to: the app of a service principal or managed identity, or the
	// client (Azure CLI, portal, a script's app) a user signed in with.
	AppID string `json:"app_id,omitempty"`
}

// Resource is what the call acted on.
type Resource struct {
	// Type is a cloud-neutral-ish resource kind such as "security_group",
	// "network_acl", "nsg", "nsg_rule", "firewall_rule", "firewall_policy".
	Type string `json:"type,omitempty"`
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	// Scope is where an AWS WAFv2 web ACL, IP set or rule group lives, as
	// its call logged it (requestParameters.scope): "REGIONAL", or
	// "CLOUDFRONT" for CloudFront distributions, which the API serves only
	// in us-east-1. Every wafv2 command needs it; "" elsewhere.
	Scope string `json:"scope,omitempty"`
	// Address is the Terraform address of the resource that declares it
	// (module.net.aws_security_group.web, aws_security_group_rule.ssh["a"])
	// when it was read from a Terraform plan or state; "" elsewhere.
	Address string `json:"address,omitempty"`
}

// OperationRef names the operation ev belongs to, for folding its records
// and for the ids of its findings: the operation id, else the record id;
// "" when the record has neither.
//
// An id is what a record says of itself, and an attacker who can write
// beside the real logs can reuse one: where the operation is named by the
// record's own id (a CloudTrail eventID, a GCP insertId outside an
// operation), the operation, resource and time are part of the name, so
// only copies of one record (in two trails or two sinks) share it.
// Operation ids (Azure's correlation, operation and resource; a GCP
// operation id and method) name the operation already.
func OperationRef(ev *Event) string {
	id := ev.OperationID
	if id == "" {
		id = ev.EventID
	}
	if id == "" || id != ev.EventID {
		return id
	}
	return id + "|" + strings.ToLower(ev.Operation) + "|" + strings.ToLower(ev.Resource.ID) +
		"|" + strconv.FormatInt(ev.Time.UnixNano(), 10)
}

// RecordPlace names a record for a reader: "path record 10", the tenth
// record of the file. Text counts records from 1 (in a JSON-lines file
// without blank lines, the line number); the JSON forms' index counts
// from 0, so record 10 is index 9.
func RecordPlace(file string, index int64) string {
	return file + " record " + strconv.FormatInt(index+1, 10)
}

// SourceRef points back at the record in its input.
type SourceRef struct {
	File string `json:"file"`
	// Index is the record's 0-based position in its file, counting every
	// record the file holds (also unreadable and skipped ones).
	Index int64 `json:"index"`
}
