package simulate

import (
	"fmt"
	"strings"
	"time"

	"cloudwall/internal/model"
)

// Kind says whether a planted operation must produce a finding.
type Kind string

const (
	// Attack is a real firewall weakening: a scan must report it.
	Attack Kind = "attack"
	// Decoy looks like one (same words, same CIDRs, same services) but is
	// not: a scan may report it at most at info severity.
	Decoy Kind = "decoy"
)

// fileKind is the kind of log object a record belongs in.
type fileKind string

const (
	kindTrail    fileKind = "cloudtrail"
	kindInsight  fileKind = "cloudtrail-insight"
	kindDigest   fileKind = "cloudtrail-digest"
	kindActivity fileKind = "azure-activity"
	kindGCPAdmin fileKind = "gcp-activity"
	kindGCPData  fileKind = "gcp-data-access"
)

// Scenario is one kind of planted operation.
type Scenario struct {
	Name      string      `json:"name"`
	Cloud     model.Cloud `json:"cloud"`
	Kind      Kind        `json:"kind"`
	Operation string      `json:"operation"`
	// What says in words what the records show.
	What string `json:"what"`
	file fileKind
}

// scenarios lists every planted operation the generator knows. A corpus
// with planting enabled holds each at least once.
var scenarios = []Scenario{
	// AWS attacks
	{Name: "aws-sg-ingress-ssh-world-flat", Cloud: model.AWS, Kind: Attack, Operation: "AuthorizeSecurityGroupIngress", What: "tcp/22 from 0.0.0.0/0, CLI flat form (cidrIp, ipPermissions {})"},
	{Name: "aws-sg-ingress-ssh-world-perms", Cloud: model.AWS, Kind: Attack, Operation: "AuthorizeSecurityGroupIngress", What: "tcp/22 from 0.0.0.0/0, ipPermissions.items form"},
	{Name: "aws-sg-ingress-rdp-ipv6-world", Cloud: model.AWS, Kind: Attack, Operation: "AuthorizeSecurityGroupIngress", What: "tcp/3389 from ::/0 (ipv6Ranges)"},
	{Name: "aws-sg-ingress-escaped-name", Cloud: model.AWS, Kind: Attack, Operation: "AuthorizeSecurityGroupIngress", What: `tcp/22 from 0.0.0.0/0 with eventName written as "\u0041uthorizeSecurityGroupIngress"`},
	{Name: "aws-sg-modify-rule-world", Cloud: model.AWS, Kind: Attack, Operation: "ModifySecurityGroupRules", What: "existing rule rewritten to tcp/3389 from 0.0.0.0/0"},
	{Name: "aws-nacl-allow-all-world", Cloud: model.AWS, Kind: Attack, Operation: "CreateNetworkAclEntry", What: "ingress allow all protocols from 0.0.0.0/0 at rule 1"},
	{Name: "aws-nacl-delete", Cloud: model.AWS, Kind: Attack, Operation: "DeleteNetworkAcl", What: "network ACL deleted"},
	{Name: "aws-netfw-delete", Cloud: model.AWS, Kind: Attack, Operation: "DeleteFirewall", What: "Network Firewall deleted"},
	{Name: "aws-wafv2-delete-webacl", Cloud: model.AWS, Kind: Attack, Operation: "DeleteWebACL", What: "WAFv2 web ACL deleted"},
	{Name: "aws-sg-ingress-unauthorized", Cloud: model.AWS, Kind: Attack, Operation: "AuthorizeSecurityGroupIngress", What: "denied attempt (Client.UnauthorizedOperation), request kept"},
	{Name: "aws-netfw-delete-denied", Cloud: model.AWS, Kind: Attack, Operation: "DeleteFirewall", What: "denied attempt (AccessDenied), requestParameters null"},
	// AWS decoys
	{Name: "aws-route-default-igw", Cloud: model.AWS, Kind: Decoy, Operation: "CreateRoute", What: "0.0.0.0/0 route to an internet gateway"},
	{Name: "aws-ssm-command-mentions-sg", Cloud: model.AWS, Kind: Decoy, Operation: "SendCommand", What: "SSM command text contains aws ec2 authorize-security-group-ingress --cidr 0.0.0.0/0"},
	{Name: "aws-sg-revoke-world", Cloud: model.AWS, Kind: Decoy, Operation: "RevokeSecurityGroupIngress", What: "removes tcp/22 from 0.0.0.0/0"},
	{Name: "aws-sg-describe", Cloud: model.AWS, Kind: Decoy, Operation: "DescribeSecurityGroups", What: "read-only"},
	{Name: "aws-instance-attribute-no-groupset", Cloud: model.AWS, Kind: Decoy, Operation: "ModifyInstanceAttribute", What: "disableApiTermination, no groupSet"},
	{Name: "aws-insight-authorize-sg", Cloud: model.AWS, Kind: Decoy, Operation: "AuthorizeSecurityGroupIngress", What: "CloudTrail Insights Start/End pair about the call rate of AuthorizeSecurityGroupIngress", file: kindInsight},
	// Azure attacks
	{Name: "azure-nsg-rule-any-rdp", Cloud: model.Azure, Kind: Attack, Operation: "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", What: "inbound allow tcp/3389 from *, Start (requestbody) + Success (responseBody)"},
	{Name: "azure-nsg-rule-internet-rdp", Cloud: model.Azure, Kind: Attack, Operation: "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", What: "inbound allow tcp/3389 from Internet (sourceAddressPrefixes)"},
	{Name: "azure-nsg-rule-escaped", Cloud: model.Azure, Kind: Attack, Operation: "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/SECURITYRULES/WRITE", What: `inbound allow */* from *, operationName and resourceId written with "\/" escapes`},
	{Name: "azure-nsg-delete", Cloud: model.Azure, Kind: Attack, Operation: "MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/DELETE", What: "NSG deleted (Start, Accept, Success)"},
	{Name: "azure-sql-firewall-all", Cloud: model.Azure, Kind: Attack, Operation: "MICROSOFT.SQL/SERVERS/FIREWALLRULES/WRITE", What: "SQL firewall rule 0.0.0.0-255.255.255.255"},
	{Name: "azure-storage-default-allow", Cloud: model.Azure, Kind: Attack, Operation: "MICROSOFT.STORAGE/STORAGEACCOUNTS/WRITE", What: "storage networkAcls.defaultAction Allow"},
	// Azure decoys
	{Name: "azure-route-default", Cloud: model.Azure, Kind: Decoy, Operation: "MICROSOFT.NETWORK/ROUTETABLES/ROUTES/WRITE", What: "0.0.0.0/0 route to a virtual appliance"},
	{Name: "azure-runcommand-netsh", Cloud: model.Azure, Kind: Decoy, Operation: "MICROSOFT.COMPUTE/VIRTUALMACHINES/RUNCOMMAND/ACTION", What: "VM run command mentioning netsh advfirewall (host firewall)"},
	// GCP attacks
	{Name: "gcp-fw-insert-ssh-world", Cloud: model.GCP, Kind: Attack, Operation: "v1.compute.firewalls.insert", What: "INGRESS allow tcp:22 from 0.0.0.0/0, first + last entries"},
	{Name: "gcp-fw-insert-no-source", Cloud: model.GCP, Kind: Attack, Operation: "v1.compute.firewalls.insert", What: "INGRESS allow tcp:3389 with no source (API default 0.0.0.0/0)"},
	{Name: "gcp-fw-insert-escaped", Cloud: model.GCP, Kind: Attack, Operation: "v1.compute.firewalls.insert", What: `INGRESS allow all from 0.0.0.0/0, methodName written as "v1.compute.firewalls.\u0069nsert"`},
	{Name: "gcp-fw-patch-disable", Cloud: model.GCP, Kind: Attack, Operation: "v1.compute.firewalls.patch", What: "deny rule switched off (disabled: true)"},
	{Name: "gcp-fw-delete", Cloud: model.GCP, Kind: Attack, Operation: "v1.compute.firewalls.delete", What: "firewall rule deleted"},
	{Name: "gcp-sql-authnet-world", Cloud: model.GCP, Kind: Attack, Operation: "cloudsql.instances.patch", What: "Cloud SQL authorizedNetworks 0.0.0.0/0"},
	{Name: "gcp-gke-authnets-off", Cloud: model.GCP, Kind: Attack, Operation: "google.container.v1.ClusterManager.UpdateCluster", What: "GKE master authorized networks turned off (the API endpoint admits every address)"},
	// GCP decoys
	{Name: "gcp-route-default", Cloud: model.GCP, Kind: Decoy, Operation: "v1.compute.routes.insert", What: "0.0.0.0/0 route to the default internet gateway"},
	{Name: "gcp-fw-list", Cloud: model.GCP, Kind: Decoy, Operation: "v1.compute.firewalls.list", What: "read in the data_access log", file: kindGCPData},
	{Name: "gcp-metadata-iptables", Cloud: model.GCP, Kind: Decoy, Operation: "v1.compute.instances.setMetadata", What: "startup script flushing iptables (host firewall)"},
}

// Scenarios returns the catalogue of planted operations.
func Scenarios() []Scenario {
	out := make([]Scenario, len(scenarios))
	copy(out, scenarios)
	return out
}

func scenarioByName(name string) (*Scenario, error) {
	for i := range scenarios {
		if scenarios[i].Name == name {
			return &scenarios[i], nil
		}
	}
	return nil, fmt.Errorf("unknown scenario %q", name)
}

func (s *Scenario) fileKind() fileKind {
	if s.file != "" {
		return s.file
	}
	switch s.Cloud {
	case model.AWS:
		return kindTrail
	case model.Azure:
		return kindActivity
	}
	return kindGCPAdmin
}

// PlantedEvent is one line of planted.jsonl: an operation the generator
// put in the corpus on purpose, and where.
//
// Matching rule (see Match): a finding is about this event when its cloud
// is Cloud and either
//   - its event.event_id equals, or contains, one of IDs (case-insensitive;
//     "contains" covers composite keys such as "<correlationId>|<op>|<res>"), or
//   - its event.file ends with File and its event.index is one of Records.
//
// IDs holds every identifier the records of the operation carry: AWS
// eventID; Azure correlationId (the resource-log form has no eventDataId);
// GCP insertId of each entry and the shared operation.id.
type PlantedEvent struct {
	Cloud     model.Cloud `json:"cloud"`
	EventID   string      `json:"event_id"`
	Operation string      `json:"operation"`
	Kind      Kind        `json:"kind"`
	File      string      `json:"file"`
	Scenario  string      `json:"scenario"`
	IDs       []string    `json:"ids"`
	// Records are the 0-based positions, within File, of the records that
	// make up the operation (Records[] index for CloudTrail, line for JSON
	// lines).
	Records []int64 `json:"records"`
	// Resource is the changed resource's unique identifier as logged
	// (security group id, ACL id, NSG rule resourceId, firewall rule name).
	Resource string    `json:"resource,omitempty"`
	Time     time.Time `json:"time"`
}

// FindingRef is the part of a finding that Match needs; model.Finding
// converts with RefOf.
type FindingRef struct {
	Cloud   model.Cloud
	File    string
	Index   int64
	EventID string
}

// RefOf extracts the matching key of a finding.
func RefOf(f *model.Finding) FindingRef {
	return FindingRef{Cloud: f.Cloud, File: f.Event.File, Index: f.Event.Index, EventID: f.Event.EventID}
}

// Matches applies the matching rule documented on PlantedEvent.
func (p *PlantedEvent) Matches(f FindingRef) bool {
	if f.Cloud != p.Cloud {
		return false
	}
	if id := strings.ToLower(f.EventID); id != "" {
		for _, want := range p.IDs {
			w := strings.ToLower(want)
			if id == w || strings.Contains(id, w) {
				return true
			}
		}
	}
	if f.File == "" || !pathHasSuffix(f.File, p.File) {
		return false
	}
	for _, i := range p.Records {
		if i == f.Index {
			return true
		}
	}
	return false
}

// pathHasSuffix reports whether path ends with the slash-separated rel at
// a path-element boundary.
func pathHasSuffix(path, rel string) bool {
	path = strings.ReplaceAll(path, `\`, "/")
	if path == rel {
		return true
	}
	return strings.HasSuffix(path, "/"+rel)
}

// plantRec is one record of a planted operation; wait is how many
// background records to write before it (after the previous record of the
// same operation), so multi-record operations interleave with traffic as
// they do in real logs.
type plantRec struct {
	data []byte
	wait int
}

// Env places a built record: when, and in which account and region.
type Env struct {
	Time time.Time
	// Account is the AWS account id, Azure subscription id or GCP project id.
	Account string
	// Region is the AWS region, Azure location or GCP region.
	Region string
}
