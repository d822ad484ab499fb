package attack

import (
	"fmt"
	"path/filepath"
	"time"
)

const (
	awsAccount = "111122223333"
	awsRegion  = "us-east-1"
)

type awsRenderer struct{}

func (awsRenderer) identity(actor string) (map[string]any, string) {
	switch actor {
	case "terraform", "terraform-stolen":
		return map[string]any{
			"type": "AssumedRole", "principalId": "AROAEXAMPLETERRAFORM:ci-run-4821",
			"arn": "arn:aws:sts::" + awsAccount + ":assumed-role/terraform-deployer/ci-run-4821", "accountId": awsAccount,
			"accessKeyId": "ASIAEXAMPLETFDEPLOY1",
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAEXAMPLETERRAFORM", "arn": "arn:aws:iam::" + awsAccount + ":role/terraform-deployer", "accountId": awsAccount, "userName": "terraform-deployer"},
				"attributes":    map[string]any{"creationDate": "2026-03-14T09:45:00Z", "mfaAuthenticated": "false"},
			},
		}, "APN/1.0 HashiCorp/1.0 Terraform/1.7.4 (+https://www.terraform.io) terraform-provider-aws/5.40.0"
	case "engineer", "engineer-stolen":
		return map[string]any{
			"type": "AssumedRole", "principalId": "AROAEXAMPLEPLATFORM:alice", "arn": "arn:aws:sts::" + awsAccount + ":assumed-role/PlatformEngineer/alice",
			"accountId": awsAccount, "accessKeyId": "ASIAEXAMPLEALICE0001",
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{"type": "Role", "principalId": "AROAEXAMPLEPLATFORM", "arn": "arn:aws:iam::" + awsAccount + ":role/PlatformEngineer", "accountId": awsAccount, "userName": "PlatformEngineer"},
				"attributes":    map[string]any{"creationDate": "2026-03-14T08:00:00Z", "mfaAuthenticated": "true"},
			},
		}, "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22 prompt/off command/ec2.authorize-security-group-ingress"
	}
	return map[string]any{
		"type": "IAMUser", "principalId": "AIDAEXAMPLEINTERN001", "arn": "arn:aws:iam::" + awsAccount + ":user/dev-intern",
		"accountId": awsAccount, "accessKeyId": "AKIAEXAMPLEINTERN001", "userName": "dev-intern",
	}, "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.kali.2024 prompt/off"
}

func (a awsRenderer) step(s Scenario, i int, st Step, at time.Time) ([]record, string, string) {
	sg := "sg-0" + id(16, s.Name, target(st))
	perm := func(peer string) map[string]any {
		p := map[string]any{"ipProtocol": "tcp", "fromPort": st.Port, "toPort": st.Port, "groups": map[string]any{},
			"ipRanges": map[string]any{"items": []any{map[string]any{"cidrIp": peer}}}, "ipv6Ranges": map[string]any{}, "prefixListIds": map[string]any{}}
		if st.Port == 0 {
			p["ipProtocol"], p["fromPort"], p["toPort"] = "-1", -1, -1
		}
		return map[string]any{"groupId": sg, "ipPermissions": map[string]any{"items": []any{p}}}
	}
	source, name, resource := "ec2.amazonaws.com", "", sg
	var req, resp map[string]any
	readOnly := false
	switch st.Action {
	case OpenIngress, Benign:
		name, req = "AuthorizeSecurityGroupIngress", perm(peerOf(st))
		resp = map[string]any{"requestId": uuid(s.Name, i, "req"), "_return": true}
	case CloseIngress:
		name, req = "RevokeSecurityGroupIngress", perm(peerOf(st))
		resp = map[string]any{"requestId": uuid(s.Name, i, "req"), "_return": true}
	case OpenEgress:
		st.Port = 0
		name, req = "AuthorizeSecurityGroupEgress", perm("0.0.0.0/0")
		resp = map[string]any{"requestId": uuid(s.Name, i, "req"), "_return": true}
	case RestrictEgress:
		// The group is created (its rules known from then on) and its
		// default egress rule revoked.
		st.Port = 0
		create := a.record(s, i, st, at, "ec2.amazonaws.com", "CreateSecurityGroup", false,
			map[string]any{"groupName": "cloudwall-sim-" + target(st), "groupDescription": "cloudwall simulation", "vpcId": "vpc-0" + id(16, s.Name, "vpc")},
			map[string]any{"requestId": uuid(s.Name, i, "create-req"), "_return": true, "groupId": sg}, "create")
		revoke := a.record(s, i, st, at.Add(time.Second), "ec2.amazonaws.com", "RevokeSecurityGroupEgress", false, perm("0.0.0.0/0"),
			map[string]any{"requestId": uuid(s.Name, i, "req"), "_return": true}, "")
		return []record{create, revoke}, "ec2:revokesecuritygroupegress", sg
	case AllowAll:
		acl := "acl-0" + id(16, s.Name, "acl")
		resource = acl
		name = "CreateNetworkAclEntry"
		req = map[string]any{"networkAclId": acl, "ruleNumber": 1, "egress": false, "ruleAction": "allow", "icmpTypeCode": map[string]any{}, "portRange": map[string]any{}, "aclProtocol": "-1", "cidrBlock": "0.0.0.0/0"}
		resp = map[string]any{"requestId": uuid(s.Name, i, "req"), "_return": true}
	case Delete:
		source, name, resource = "network-firewall.amazonaws.com", "DeleteFirewall", "arn:aws:network-firewall:"+awsRegion+":"+awsAccount+":firewall/prod-egress-fw"
		req = map[string]any{"firewallName": "prod-egress-fw"}
		resp = map[string]any{"firewall": map[string]any{"firewallName": "prod-egress-fw", "firewallArn": resource}}
	case Describe:
		name, readOnly, resource = "DescribeSecurityGroups", true, ""
		req = map[string]any{"securityGroupSet": map[string]any{}, "securityGroupIdSet": map[string]any{}, "filterSet": map[string]any{}}
	}
	ident, _ := a.identity(st.Actor)
	rec := a.fields(s, i, st, at, source, name, readOnly, req, resp, "")
	if st.Denied {
		rec["errorCode"] = "Client.UnauthorizedOperation"
		rec["errorMessage"] = fmt.Sprintf("You are not authorized to perform this operation. User: %s is not authorized to perform: ec2:%s on resource: arn:aws:ec2:%s:%s:security-group/%s because no identity-based policy allows the ec2:%s action.",
			ident["arn"], name, awsRegion, awsAccount, sg, name)
		rec["responseElements"] = nil
	}
	service := source[:len(source)-len(".amazonaws.com")]
	return []record{{at: at, data: mustJSON(rec)}}, service + ":" + lowerASCII(name), resource
}

// fields is one CloudTrail record of the step's actor; salt tells the
// ids of a step's second record from its first.
func (a awsRenderer) fields(s Scenario, i int, st Step, at time.Time, source, name string, readOnly bool, req, resp map[string]any, salt string) map[string]any {
	ident, ua := a.identity(st.Actor)
	return map[string]any{
		"eventVersion": "1.09", "userIdentity": ident, "eventTime": at.Format(time.RFC3339),
		"eventSource": source, "eventName": name, "awsRegion": awsRegion,
		"sourceIPAddress": callerIP[st.Actor], "userAgent": ua,
		"requestParameters": req, "responseElements": resp,
		"requestID": uuid(s.Name, i, salt+"request"), "eventID": uuid(s.Name, i, salt+"event"),
		"readOnly": readOnly, "eventType": "AwsApiCall", "managementEvent": true,
		"recipientAccountId": awsAccount, "eventCategory": "Management",
	}
}

func (a awsRenderer) record(s Scenario, i int, st Step, at time.Time, source, name string, readOnly bool, req, resp map[string]any, salt string) record {
	return record{at: at, data: mustJSON(a.fields(s, i, st, at, source, name, readOnly, req, resp, salt))}
}

func (awsRenderer) write(dir string, recs []record) ([]string, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	var items []any
	for _, r := range recs {
		items = append(items, jsonRaw(r.data))
	}
	t := recs[0].at
	rel := filepath.Join("AWSLogs", awsAccount, "CloudTrail", awsRegion, t.Format("2006/01/02"),
		fmt.Sprintf("%s_CloudTrail_%s_%s_%s.json.gz", awsAccount, awsRegion, t.Format("20060102T1504Z"), id(16, t)))
	return []string{rel}, writeGzip(filepath.Join(dir, rel), mustJSON(map[string]any{"Records": items}))
}

func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
