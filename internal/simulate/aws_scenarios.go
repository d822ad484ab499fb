package simulate

import (
	"fmt"
	"time"

	"cloudwall/internal/model"
)

// awsPlant builds the records of one planted AWS operation. The records go
// through the same envelope writer as background traffic, so only the
// operation differs from its neighbours.
func (g *awsGen) plant(sc *Scenario, t time.Time) ([]plantRec, PlantedEvent, error) {
	r := g.r
	ev := PlantedEvent{Cloud: model.AWS, Operation: sc.Operation, Kind: sc.Kind, Scenario: sc.Name, Time: t.UTC().Truncate(time.Second)}
	op := awsOp{src: "ec2", name: sc.Operation, actor: actHuman}
	c := awsCall{op: &op, t: t}
	sg := awsID(r, "sg-0")
	switch sc.Name {
	case "aws-sg-ingress-ssh-world-flat", "aws-sg-ingress-escaped-name":
		ev.Resource = sg
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("groupId", sg)
			w.kempty("ipPermissions")
			w.kstr("ipProtocol", "tcp")
			w.kint("fromPort", 22)
			w.kint("toPort", 22)
			w.kstr("cidrIp", "0.0.0.0/0")
			w.end()
			g.sgRuleResponse(w, c, sg, "tcp", 22, 22, "cidrIpv4", "0.0.0.0/0")
		}
		if sc.Name == "aws-sg-ingress-escaped-name" {
			c.nameRaw = `\u0041uthorizeSecurityGroupIngress`
			op.actor = actCI
		}
	case "aws-sg-ingress-ssh-world-perms", "aws-sg-ingress-unauthorized":
		ev.Resource = sg
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("groupId", sg)
			w.kobj("ipPermissions")
			w.karr("items")
			w.obj()
			w.kstr("ipProtocol", "tcp")
			w.kint("fromPort", 22)
			w.kint("toPort", 22)
			w.kempty("groups")
			w.kobj("ipRanges")
			w.karr("items")
			w.obj()
			w.kstr("cidrIp", "0.0.0.0/0")
			w.kstr("description", "temp access")
			w.end()
			w.endArr()
			w.end()
			w.kempty("ipv6Ranges")
			w.kempty("prefixListIds")
			w.end()
			w.endArr()
			w.end()
			w.end()
			g.sgRuleResponse(w, c, sg, "tcp", 22, 22, "cidrIpv4", "0.0.0.0/0")
		}
		if sc.Name == "aws-sg-ingress-unauthorized" {
			c.failed = true
		}
	case "aws-sg-ingress-rdp-ipv6-world":
		ev.Resource = sg
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("groupId", sg)
			w.kobj("ipPermissions")
			w.karr("items")
			w.obj()
			w.kstr("ipProtocol", "tcp")
			w.kint("fromPort", 3389)
			w.kint("toPort", 3389)
			w.kempty("groups")
			w.kempty("ipRanges")
			w.kobj("ipv6Ranges")
			w.karr("items")
			w.obj()
			w.kstr("cidrIpv6", "::/0")
			w.end()
			w.endArr()
			w.end()
			w.kempty("prefixListIds")
			w.end()
			w.endArr()
			w.end()
			w.end()
			g.sgRuleResponse(w, c, sg, "tcp", 3389, 3389, "cidrIpv6", "::/0")
		}
	case "aws-sg-modify-rule-world":
		ev.Resource = sg
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kobj("ModifySecurityGroupRulesRequest")
			w.kstr("GroupId", sg)
			w.kobj("SecurityGroupRule")
			w.kstr("SecurityGroupRuleId", awsID(g.r, "sgr-0"))
			w.kint("tag", 1)
			w.kobj("SecurityGroupRule")
			w.kstr("IpProtocol", "tcp")
			w.kint("FromPort", 3389)
			w.kint("ToPort", 3389)
			w.kstr("CidrIpv4", "0.0.0.0/0")
			w.kstr("Description", "")
			w.end()
			w.end()
			w.end()
			w.end()
			if g.resp(w, c) {
				w.obj()
				w.kobj("ModifySecurityGroupRulesResponse")
				w.kstr("xmlns", "http://ec2.amazonaws.com/doc/2016-11-15/")
				w.kstr("requestId", g.r.uuid())
				w.kbool("return", true)
				w.end()
				w.end()
			}
		}
	case "aws-nacl-allow-all-world":
		acl := awsID(r, "acl-0")
		ev.Resource = acl
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("networkAclId", acl)
			w.kint("ruleNumber", 1)
			w.kbool("egress", false)
			w.kstr("ruleAction", "allow")
			w.kempty("icmpTypeCode")
			w.kstr("aclProtocol", "-1")
			w.kempty("portRange")
			w.kstr("cidrBlock", "0.0.0.0/0")
			w.end()
			g.ec2Return(w, c)
		}
	case "aws-nacl-delete":
		acl := awsID(r, "acl-0")
		ev.Resource = acl
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("networkAclId", acl)
			w.end()
			g.ec2Return(w, c)
		}
	case "aws-netfw-delete", "aws-netfw-delete-denied":
		op.src = "network-firewall"
		name := pick(r, awsTeams) + "-" + pick(r, awsEnvs) + "-inspection-" + r.hex(6)
		arn := "arn:aws:network-firewall:" + g.region + ":" + g.acct.id + ":firewall/" + name
		ev.Resource = arn
		denied := sc.Name == "aws-netfw-delete-denied"
		c.failed = denied
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			if denied {
				w.knull("requestParameters")
				w.knull("responseElements")
				return
			}
			w.kobj("requestParameters")
			w.kstr("firewallArn", arn)
			w.end()
			w.kobj("responseElements")
			w.kobj("firewall")
			w.kstr("firewallName", name)
			w.kstr("firewallArn", arn)
			w.kstr("firewallPolicyArn", "arn:aws:network-firewall:"+g.region+":"+g.acct.id+":firewall-policy/"+name+"-policy")
			w.kstr("vpcId", pick(g.r, g.acct.vpcs))
			w.karr("subnetMappings")
			for i := 0; i < 2; i++ {
				w.obj()
				w.kstr("subnetId", pick(g.r, g.acct.subnets))
				w.kstr("iPAddressType", "IPV4")
				w.end()
			}
			w.endArr()
			w.kbool("deleteProtection", false)
			w.kbool("subnetChangeProtection", false)
			w.kbool("firewallPolicyChangeProtection", false)
			w.kstr("firewallId", g.r.uuid())
			w.end()
			w.kobj("firewallStatus")
			w.kstr("status", "DELETING")
			w.kstr("configurationSyncStateSummary", "IN_SYNC")
			w.end()
			w.end()
		}
	case "aws-wafv2-delete-webacl":
		op.src = "wafv2"
		id := r.uuid()
		ev.Resource = id
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("name", pick(g.r, awsTeams)+"-edge-acl")
			w.kstr("scope", "REGIONAL")
			w.kstr("id", id)
			w.kstr("lockToken", g.r.uuid())
			w.end()
			w.knull("responseElements")
		}
	case "aws-route-default-igw":
		rtb := awsID(r, "rtb-0")
		ev.Resource = rtb
		op.actor = actCI
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("routeTableId", rtb)
			w.kstr("destinationCidrBlock", "0.0.0.0/0")
			w.kstr("gatewayId", awsID(g.r, "igw-0"))
			w.end()
			g.ec2Return(w, c)
		}
	case "aws-ssm-command-mentions-sg":
		op.src = "ssm"
		inst := pick(r, g.acct.instances)
		ev.Resource = inst
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.strs("instanceIds", inst)
			w.kstr("documentName", "AWS-RunShellScript")
			w.kobj("parameters")
			w.strs("commands",
				"#!/bin/bash",
				"aws ec2 authorize-security-group-ingress --group-id "+sg+" --protocol tcp --port 22 --cidr 0.0.0.0/0",
				"aws ec2 describe-security-groups --group-ids "+sg)
			w.end()
			w.kbool("interactive", false)
			w.end()
			if g.resp(w, c) {
				g.ssmCommandResponse(w, c.t)
			}
		}
	case "aws-sg-revoke-world":
		ev.Resource = sg
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("groupId", sg)
			w.kempty("ipPermissions")
			w.kstr("ipProtocol", "tcp")
			w.kint("fromPort", 22)
			w.kint("toPort", 22)
			w.kstr("cidrIp", "0.0.0.0/0")
			w.end()
			if g.resp(w, c) {
				w.obj()
				w.kstr("requestId", g.r.uuid())
				w.kbool("_return", true)
				w.kobj("revokedSecurityGroupRuleSet")
				w.karr("items")
				w.obj()
				w.kstr("groupOwnerId", g.acct.id)
				w.kstr("groupId", sg)
				w.kstr("securityGroupRuleId", awsID(g.r, "sgr-0"))
				w.kbool("isEgress", false)
				w.kstr("ipProtocol", "tcp")
				w.kint("fromPort", 22)
				w.kint("toPort", 22)
				w.kstr("cidrIpv4", "0.0.0.0/0")
				w.end()
				w.endArr()
				w.end()
				w.end()
			}
		}
	case "aws-sg-describe":
		op.readOnly = true
		op.body = bDescribeSecurityGroups
	case "aws-instance-attribute-no-groupset":
		inst := pick(r, g.acct.instances)
		ev.Resource = inst
		op.body = func(g *awsGen, w *jw, c *awsCall) {
			w.kobj("requestParameters")
			w.kstr("instanceId", inst)
			w.kobj("disableApiTermination")
			w.kbool("value", true)
			w.end()
			w.end()
			g.ec2Return(w, c)
		}
	case "aws-insight-authorize-sg":
		return g.insightPair(t, ev)
	default:
		return nil, ev, fmt.Errorf("scenario %q is not an AWS scenario", sc.Name)
	}
	var w jw
	g.record(&w, &c)
	ev.EventID = c.eventID
	ev.IDs = []string{c.eventID}
	return []plantRec{{data: w.b}}, ev, nil
}

// sgRuleResponse writes the Authorize* response with the canonical rule.
func (g *awsGen) sgRuleResponse(w *jw, c *awsCall, sg, proto string, from, to int64, peerKey, peer string) {
	if !g.resp(w, c) {
		return
	}
	rule := awsID(g.r, "sgr-0")
	w.obj()
	w.kstr("requestId", g.r.uuid())
	w.kbool("_return", true)
	w.kobj("securityGroupRuleSet")
	w.karr("items")
	w.obj()
	w.kstr("groupOwnerId", g.acct.id)
	w.kstr("groupId", sg)
	w.kstr("securityGroupRuleId", rule)
	w.kstr("securityGroupRuleArn", "arn:aws:ec2:"+g.region+":"+g.acct.id+":security-group-rule/"+rule)
	w.kbool("isEgress", false)
	w.kstr("ipProtocol", proto)
	w.kint("fromPort", from)
	w.kint("toPort", to)
	w.kstr(peerKey, peer)
	w.end()
	w.endArr()
	w.end()
	w.end()
}

// insightPair writes the Start and End records CloudTrail Insights logs
// for an unusual call rate. They name AuthorizeSecurityGroupIngress but
// change nothing.
func (g *awsGen) insightPair(t time.Time, ev PlantedEvent) ([]plantRec, PlantedEvent, error) {
	r := g.r
	shared := r.uuid()
	var recs []plantRec
	for i, state := range []string{"Start", "End"} {
		var w jw
		id := r.uuid()
		w.obj()
		w.kstr("eventVersion", "1.08")
		w.kstr("eventTime", fmtTime(t.Add(time.Duration(i)*time.Minute*time.Duration(r.between(5, 30))), awsTime))
		w.kstr("awsRegion", g.region)
		w.kstr("eventID", id)
		w.kstr("eventType", "AwsCloudTrailInsight")
		w.kstr("recipientAccountId", g.acct.id)
		w.kstr("sharedEventID", shared)
		w.kobj("insightDetails")
		w.kstr("state", state)
		w.kstr("eventSource", "ec2.amazonaws.com")
		w.kstr("eventName", "AuthorizeSecurityGroupIngress")
		w.kstr("insightType", "ApiCallRateInsight")
		w.kobj("insightContext")
		w.kobj("statistics")
		w.kobj("baseline")
		w.kfloat("average", 0.0125)
		w.end()
		w.kobj("insight")
		w.kfloat("average", float64(r.between(3, 40)))
		w.end()
		if state == "End" {
			w.kint("insightDuration", int64(r.between(1, 30)))
			w.kint("baselineDuration", 10079)
		}
		w.end()
		w.karr("attributions")
		for _, a := range []string{"userIdentityArn", "userAgent", "errorCode"} {
			w.obj()
			w.kstr("attribute", a)
			w.karr("insight")
			w.obj()
			switch a {
			case "userIdentityArn":
				w.kstr("value", "arn:aws:sts::"+g.acct.id+":assumed-role/TerraformExecution/terraform-run")
			case "userAgent":
				w.kstr("value", awsUserAgentsCI[0])
			default:
				w.kstr("value", "null")
			}
			w.kfloat("average", 4.0)
			w.end()
			w.endArr()
			w.karr("baseline")
			w.endArr()
			w.end()
		}
		w.endArr()
		w.end()
		w.end()
		w.kstr("eventCategory", "Insight")
		w.end()
		recs = append(recs, plantRec{data: w.b})
		ev.IDs = append(ev.IDs, id)
		if i == 0 {
			ev.EventID = id
		}
	}
	ev.IDs = append(ev.IDs, shared)
	return recs, ev, nil
}
