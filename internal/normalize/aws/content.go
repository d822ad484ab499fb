package aws

import (
	"strings"

	"cloudwall/internal/model"
)

// content fills Resource, Changes, Settings and Targets for the operations
// of the catalogue. Other operations keep only the common fields: whether
// they matter is for the detect stage to decide. Failed calls go through
// the same readers, which cope with the null requestParameters most of
// them log.
func (p *parser) content() {
	svc, op, _ := strings.Cut(p.ev.OperationKey, ":")
	switch svc {
	case "ec2":
		p.ec2(op)
	case "network-firewall":
		p.networkFirewall(op)
	case "wafv2", "waf", "waf-regional":
		p.waf(svc, op)
	case "cloudfront":
		p.cloudFront(op)
	case "route53resolver":
		p.dnsFirewall(op)
	case "lightsail":
		p.lightsail(op)
	case "eks":
		p.eks(op)
	case "guardduty":
		p.guardDuty(op)
	case "rds", "redshift", "elasticache":
		p.classicGroups(op)
	}
}

// ec2 dispatches the EC2 operations: security groups, the group sets of
// instances and interfaces, network ACLs and managed prefix lists.
func (p *parser) ec2(op string) {
	switch op {
	case "authorizesecuritygroupingress":
		p.sgRules(model.Added, model.Ingress)
	case "authorizesecuritygroupegress":
		p.sgRules(model.Added, model.Egress)
	case "revokesecuritygroupingress":
		p.sgRules(model.Removed, model.Ingress)
	case "revokesecuritygroupegress":
		p.sgRules(model.Removed, model.Egress)
	case "modifysecuritygrouprules":
		p.modifySGRules()
	case "createsecuritygroup", "deletesecuritygroup",
		"updatesecuritygroupruledescriptionsingress", "updatesecuritygroupruledescriptionsegress":
		p.sgResource()
	case "modifyinstanceattribute":
		p.groupSet("instance", "instanceId")
	case "modifynetworkinterfaceattribute":
		p.groupSet("network_interface", "networkInterfaceId")
	case "createnetworkaclentry":
		p.naclEntry(model.Added)
	case "replacenetworkaclentry":
		p.naclEntry(model.Altered)
	case "deletenetworkaclentry":
		p.naclEntry(model.Removed)
	case "createnetworkacl", "deletenetworkacl":
		p.naclResource()
	case "replacenetworkaclassociation":
		p.naclAssociation()
	case "modifymanagedprefixlist":
		p.prefixList()
	case "createmanagedprefixlist":
		p.prefixListCreate()
	}
}
