package export

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"cloudwall/internal/content"
	"cloudwall/internal/model"
)

// spec is what every target renders for one rule: the operations it
// matches and, where the log carries rule content, how to read exposure
// from the raw request.
type spec struct {
	op *content.Operation
	// aws holds eventSource and eventName per AWS key.
	aws []awsOp
	// names are the Azure operationName or GCP method keys, lower case.
	names []string
	// exp is nil when the rule's exposure is not in the request (deletes,
	// detaches, settings) or when the queries cannot read it.
	exp *exposure
	// level is the base severity the engine gives the operation, or for
	// kind remove the severity of a removed rule of unknown action.
	level model.Severity
	// worldLevel and sensitiveLevel are what the severity table gives a
	// world-open opening on any port and on a sensitive port.
	worldLevel, sensitiveLevel model.Severity
	// egress says the rule's direction is outbound.
	egress bool
	// noSource lists request fields that, when all are absent, mean the
	// cloud's default source 0.0.0.0/0 (a GCP INGRESS firewall rule
	// inserted without one); nil when the rule has no such default.
	noSource []string
	// present must be in the request for noSource to apply.
	present string
}

// awsOp is one CloudTrail operation.
type awsOp struct {
	source string // eventSource, "ec2.amazonaws.com"
	name   string // eventName as the catalogue keys it, lower case
}

// field is a place in the request that holds peers or ports.
type field struct {
	// path is dotted from the request object (CloudTrail
	// requestParameters, GCP protoPayload.request); lists on the way are
	// crossed as if they were not there, as Sigma and the SIEMs flatten
	// them. For Azure, whose bodies are JSON text, only the last segment
	// is used.
	path string
	// list says the value itself is a list of strings.
	list bool
}

// key is the last segment of the path: the JSON key text queries look for.
func (f field) key() string {
	return f.path[strings.LastIndexByte(f.path, '.')+1:]
}

// exposure says where a rule's peers, ports and protocols are logged.
type exposure struct {
	peers     []field
	ports     []field
	protocols []field
	// allProtocols are the values of a protocol field that mean every
	// protocol (and so every sensitive port).
	allProtocols []string
	// noSource and noSourceKeys: on a call of one of noSourceKeys, these
	// request fields all absent mean the default source 0.0.0.0/0.
	noSource, noSourceKeys []string
	// present is a field that shows the request carries the rule (the
	// last entry of a GCP operation logs only its type).
	present string
	// world, when set, is the expression a peer value must match instead
	// of the world-open spellings.
	world string
	// limits lists what these fields do not cover, for the header.
	limits []string
}

// exposures maps cloud and resource type to the request fields that hold
// the rule content, as the normalize parsers read them.
var exposures = map[string]*exposure{
	"aws/security_group": {
		peers: []field{
			{path: "ipPermissions.items.ipRanges.items.cidrIp"},
			{path: "ipPermissions.items.ipv6Ranges.items.cidrIpv6"},
			{path: "cidrIp"}, // the legacy flat form (boto, Stratus Red Team)
			{path: "ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv4"},
			{path: "ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.CidrIpv6"},
			{path: "cIDRIP"}, // RDS, Redshift and ElastiCache security groups (EC2-Classic)
		},
		ports: []field{
			{path: "ipPermissions.items.fromPort"},
			{path: "fromPort"},
			{path: "ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.FromPort"},
		},
		protocols: []field{
			{path: "ipPermissions.items.ipProtocol"},
			{path: "ipProtocol"},
			{path: "ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.IpProtocol"},
		},
		allProtocols: []string{"-1"},
		limits:       []string{"a port range is matched by its first port only", "a managed prefix list (pl-) or group reference is not resolved"},
	},
	"aws/prefix_list": {
		peers: []field{
			{path: "CreateManagedPrefixListRequest.Entry.Cidr"}, {path: "AddEntry.Cidr"},
			{path: "ModifyManagedPrefixListRequest.AddEntry.Cidr"}, {path: "addEntries.items.cidr"}, {path: "entries.items.cidr"},
		},
		limits: []string{"the rules that reference the list, and so the ports it opens, are not in this record"},
	},
	"aws/ip_set": {
		peers:  []field{{path: "addresses", list: true}, {path: "updates.iPSetDescriptor.value"}},
		limits: []string{"a WAF Classic update that deletes a world-wide descriptor matches like one that inserts it"},
	},
	"aws/rule_group": {
		peers: []field{
			{path: "ruleGroup.rulesSource.statelessRulesAndCustomActions.statelessRules.ruleDefinition.matchAttributes.sources.addressDefinition"},
			{path: "ruleGroup.rulesSource.statefulRules.header.source"},
		},
		ports: []field{
			{path: "ruleGroup.rulesSource.statelessRulesAndCustomActions.statelessRules.ruleDefinition.matchAttributes.destinationPorts.fromPort"},
			{path: "ruleGroup.rulesSource.statefulRules.header.destinationPort"},
		},
		protocols:    []field{{path: "ruleGroup.rulesSource.statefulRules.header.protocol"}},
		allProtocols: []string{"ip"},
		limits: []string{"Suricata-format rules (rulesString) are not parsed", "a stateless rule with no source (every address) is not seen",
			"a rule's action (pass, drop, alert) is not read"},
	},
	"aws/network_acl": {
		peers:        []field{{path: "cidrBlock"}, {path: "ipv6CidrBlock"}},
		ports:        []field{{path: "portRange.from"}},
		protocols:    []field{{path: "aclProtocol"}},
		allProtocols: []string{"-1"},
		limits:       []string{"a deny entry to the world matches like an allow", "a port range is matched by its first port only"},
	},
	"aws/lightsail_instance": {
		peers:        []field{{path: "portInfo.cidrs", list: true}, {path: "portInfos.cidrs", list: true}, {path: "portInfo.ipv6Cidrs", list: true}, {path: "portInfos.ipv6Cidrs", list: true}},
		ports:        []field{{path: "portInfo.fromPort"}, {path: "portInfos.fromPort"}},
		protocols:    []field{{path: "portInfo.protocol"}, {path: "portInfos.protocol"}},
		allProtocols: []string{"all"},
		limits:       []string{"a port range is matched by its first port only"},
	},
	"aws/eks_cluster": {
		peers: []field{{path: "resourcesVpcConfig.publicAccessCidrs", list: true}},
		limits: []string{"a cluster created without publicAccessCidrs gets 0.0.0.0/0 (the engine reads it from the response)",
			"publicAccessCidrs sent with the public endpoint turned off match too"},
	},
	"azure/aks_cluster": {
		peers:  []field{{path: "authorizedIPRanges", list: true}},
		limits: []string{"an empty authorizedIPRanges (every address admitted) is not seen"},
	},
	"azure/nsg":      azureNSG,
	"azure/nsg_rule": azureNSG,
	"azure/rule_collection_group": {
		peers:        []field{{path: "sourceAddresses", list: true}},
		ports:        []field{{path: "destinationPorts", list: true}},
		protocols:    []field{{path: "ipProtocols", list: true}},
		allProtocols: []string{"any"},
		limits:       []string{"a DNAT or network rule's action and collection priority are not read"},
	},
	"azure/azure_firewall": {
		peers:  []field{{path: "sourceAddresses", list: true}},
		ports:  []field{{path: "destinationPorts", list: true}},
		limits: []string{"a rule's action and its collection's priority are not read"},
	},
	"azure/waf_policy": {
		peers:  []field{{path: "matchValues", list: true}},
		limits: []string{"the match variable and the custom rule's action (allow, block, log) are not read; WAF mode and state are left to the engine"},
	},
	"azure/storage_account": azureIPRules,
	"azure/key_vault":       azureIPRules,
	"azure/cosmosdb_account": {
		peers:  []field{{path: "ipAddressOrRange"}},
		limits: []string{"an emptied IP rule list (every network allowed) is left to the engine: only a world-wide address in the IP rules is matched"},
	},
	"azure/sql_firewall_rule": {
		// endIP: Azure Cache for Redis rules (startIP/endIP).
		peers:  []field{{path: "endIpAddress"}, {path: "endIP"}},
		world:  `255\.255\.255\.255`,
		limits: []string{"a range is judged by its end address 255.255.255.255 alone: the engine counts its addresses"},
	},
	"gcp/vpc_firewall_rule": {
		peers:        []field{{path: "sourceRanges", list: true}, {path: "destinationRanges", list: true}},
		ports:        []field{{path: "alloweds.ports", list: true}, {path: "allowed.ports", list: true}},
		protocols:    []field{{path: "alloweds.IPProtocol"}, {path: "allowed.IPProtocol"}},
		allProtocols: []string{"all"},
		noSource:     []string{"sourceRanges", "sourceTags", "sourceServiceAccounts"},
		noSourceKeys: []string{"compute.firewalls.insert"},
		present:      "name",
		limits:       []string{"a port range (\"20-30\") is matched only when it starts at a sensitive port"},
	},
	"gcp/firewall_policy":         gcpPolicy,
	"gcp/network_firewall_policy": gcpPolicy,
	"gcp/cloud_armor_policy": {
		peers:  []field{{path: "match.config.srcIpRanges", list: true}, {path: "rules.match.config.srcIpRanges", list: true}},
		limits: []string{"a rule's action (allow or deny) is not read"},
	},
	"gcp/cloudsql_instance": {
		peers:  []field{{path: "body.settings.ipConfiguration.authorizedNetworks.value"}, {path: "settings.ipConfiguration.authorizedNetworks.value"}},
		limits: []string{"the engine also reads the instance's database port from its version"},
	},
	"gcp/gke_cluster": {
		peers: []field{
			{path: "update.desiredMasterAuthorizedNetworksConfig.cidrBlocks.cidrBlock"},
			{path: "update.desiredControlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig.cidrBlocks.cidrBlock"},
			{path: "cluster.masterAuthorizedNetworksConfig.cidrBlocks.cidrBlock"},
			{path: "cluster.controlPlaneEndpointsConfig.ipEndpointsConfig.authorizedNetworksConfig.cidrBlocks.cidrBlock"},
		},
		limits: []string{"authorized networks turned off (enabled false, which the log leaves out) admit every address and are not seen",
			"a cluster created without authorized networks admits every address and is not seen"},
	},
	"gcp/appengine_firewall_rule": {
		peers: []field{{path: "rule.sourceRange"}, {path: "ingressRules.sourceRange"}},
	},
}

var azureNSG = &exposure{
	peers:        []field{{path: "sourceAddressPrefix"}, {path: "sourceAddressPrefixes", list: true}},
	ports:        []field{{path: "destinationPortRange"}, {path: "destinationPortRanges", list: true}},
	protocols:    []field{{path: "protocol"}},
	allProtocols: []string{"*"},
	limits:       []string{"a deny rule or an outbound rule to the world matches like an inbound allow (access and direction are not read)"},
}

var azureIPRules = &exposure{
	peers:  []field{{path: "value"}},
	limits: []string{"the default action is left to the engine: only a world-wide address in the IP rules is matched"},
}

var gcpPolicy = &exposure{
	peers:        []field{{path: "match.srcIpRanges", list: true}, {path: "firewallPolicyRule.match.srcIpRanges", list: true}},
	ports:        []field{{path: "match.layer4Configs.ports", list: true}, {path: "firewallPolicyRule.match.layer4Configs.ports", list: true}},
	protocols:    []field{{path: "match.layer4Configs.ipProtocol"}, {path: "firewallPolicyRule.match.layer4Configs.ipProtocol"}},
	allProtocols: []string{"all"},
	limits:       []string{"a deny or goto_next rule to the world matches like an allow"},
}

// singleEventKinds are the kinds the engine judges from one event; any
// other kind (a correlation of several events) has no single query.
var singleEventKinds = []content.Kind{content.KindRules, content.KindRemove, content.KindDelete, content.KindDetach,
	content.KindSwap, content.KindSettings, content.KindProtection, content.KindCreate, content.KindAllowlist}

// contentKinds are the kinds whose requests carry rules.
var contentKinds = []content.Kind{content.KindRules, content.KindCreate, content.KindSettings}

// buildSpec derives one rule's spec from the catalogue, or says why a
// single query cannot express it.
func buildSpec(c *content.Content, op *content.Operation) (*spec, string) {
	if len(op.Keys) == 0 {
		return nil, "no operation of its own: it correlates several events"
	}
	if !slices.Contains(singleEventKinds, op.Kind) {
		return nil, fmt.Sprintf("kind %q: not a single-event rule", op.Kind)
	}
	s := &spec{op: op, level: op.Severity}
	if op.Kind == content.KindRemove {
		s.level = c.Severity.RemovedUnknown
		if op.AllowOnly {
			s.level = c.Severity.Closing
		}
	}
	for _, k := range op.Keys {
		s.egress = s.egress || strings.Contains(k, "egress")
		switch op.Cloud {
		case model.AWS:
			svc, name, ok := strings.Cut(k, ":")
			if !ok {
				return nil, fmt.Sprintf("key %q is not service:eventname", k)
			}
			s.aws = append(s.aws, awsOp{source: svc + ".amazonaws.com", name: name})
		case model.Azure, model.GCP:
			s.names = append(s.names, k)
		default:
			return nil, fmt.Sprintf("cloud %q has no log the targets read", op.Cloud)
		}
	}
	if slices.Contains(contentKinds, op.Kind) {
		s.exp = exposures[string(op.Cloud)+"/"+op.Resource]
	}
	if s.exp != nil && slices.ContainsFunc(op.Keys, func(k string) bool { return slices.Contains(s.exp.noSourceKeys, k) }) {
		s.noSource, s.present = s.exp.noSource, s.exp.present
	}
	table := c.Severity.Ingress
	if s.egress {
		table = c.Severity.Egress
	}
	s.worldLevel, _ = table.Lookup(content.World, content.ClassOther, false)
	s.sensitiveLevel, _ = table.Lookup(content.World, content.ClassAll, false)
	for _, cl := range c.Classes {
		if v, _ := table.Lookup(content.World, cl.Name, true); v > s.sensitiveLevel {
			s.sensitiveLevel = v
		}
	}
	if op.Service != nil {
		_, declared := c.Class(op.Service.Class)
		s.worldLevel, _ = table.Lookup(content.World, op.Service.Class, declared)
		s.sensitiveLevel = s.worldLevel
	}
	s.worldLevel = max(s.worldLevel, s.level)
	s.sensitiveLevel = max(s.sensitiveLevel, s.worldLevel)
	return s, ""
}

// maxExpand bounds how many ports a sensitive range is spelled out as.
const maxExpand = 16

// sensitivePorts lists the sensitive ports as text, each port of a range
// of up to maxExpand ports spelled out, sorted numerically.
func sensitivePorts(c *content.Content) []string {
	seen := map[int]bool{}
	for _, p := range c.Ports {
		if p.Range.To-p.Range.From >= maxExpand {
			seen[p.Range.From] = true
			continue
		}
		for n := p.Range.From; n <= p.Range.To; n++ {
			seen[n] = true
		}
	}
	var ns []int
	for n := range seen {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = strconv.Itoa(n)
	}
	return out
}

// worldSpellings are the peer values that mean every address without a
// prefix length: the Azure wildcards and the service tags the content
// scores as world, and the full IPv4 range as Azure SQL writes it.
func worldSpellings(c *content.Content) []string {
	out := []string{"*", "any", "0.0.0.0-255.255.255.255"}
	var tags []string
	for tag, sc := range c.Scopes.ServiceTags {
		if sc == content.World {
			tags = append(tags, tag)
		}
	}
	slices.Sort(tags)
	return append(out, tags...)
}

// prefixBits returns the text of every prefix length up to n ("0", "1").
func prefixBits(n int) []string {
	var out []string
	for i := 0; i <= n; i++ {
		out = append(out, strconv.Itoa(i))
	}
	return out
}
