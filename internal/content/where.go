package content

// PlaceholderWhere says, for each placeholder of Placeholders, where an
// analyst finds the value when the event lacks it and a printed command
// shows <NAME> instead. The guidance puts it beside the step, so a
// placeholder never stands without a way to fill it.
func PlaceholderWhere() map[string]string {
	return map[string]string{
		"resource":       "the resource is in the call's request (requestParameters, the Azure resource id, the GCP resourceName), or in the resource's earlier calls in the same logs",
		"resource_id":    "the resource id is in the call's request (requestParameters, the Azure resource id, the GCP resourceName), or in the resource's earlier calls in the same logs",
		"resource_name":  "the resource name is the last segment of its id in the call's request, or in the resource's earlier calls in the same logs",
		"resource_type":  "the resource type is named by the operation (the catalogue entry: cloudwall rules)",
		"account":        "the account is in the log's path (AWSLogs/ACCOUNT/…) or recipientAccountId, the Azure subscription in the resource id, the GCP project in logName",
		"region":         "the region is the record's awsRegion or the log's path (AWSLogs/ACCOUNT/CloudTrail/REGION/…), the Azure location, the GCP resource.labels.location",
		"actor":          "the caller is in userIdentity (AWS), caller and claims (Azure) or protoPayload.authenticationInfo.principalEmail (GCP) of this record or its request's other records",
		"actor_name":     "the caller is in userIdentity (AWS), caller and claims (Azure) or protoPayload.authenticationInfo.principalEmail (GCP) of this record or its request's other records",
		"actor_id":       "the caller's id is userIdentity.arn (AWS), the caller or claims' objectidentifier (Azure), protoPayload.authenticationInfo.principalEmail (GCP)",
		"source_ip":      "the caller's address is sourceIPAddress (AWS), callerIpAddress (Azure) or protoPayload.requestMetadata.callerIp (GCP)",
		"via_service":    "the service that acted for the caller is userIdentity.invokedBy (AWS)",
		"user_agent":     "the user agent is userAgent (AWS), claims or httpRequest (Azure), protoPayload.requestMetadata.callerSuppliedUserAgent (GCP)",
		"operation":      "the operation is eventName (AWS), operationName (Azure), protoPayload.methodName (GCP)",
		"time":           "the record has no time: use the log file's (its name or its delivery time)",
		"start":          "the record has no time: start an hour before the log file's time (its name or its delivery time)",
		"end":            "the record has no time: end an hour after the log file's time (its name or its delivery time)",
		"change":         "what changed is in the call's request (requestParameters, properties, protoPayload.request)",
		"rule":           "the rule ids are in the call's response (securityGroupRuleSet in responseElements), or listed by aws ec2 describe-security-group-rules --region REGION --filters Name=group-id,Values=GROUP_ID",
		"targets":        "the targets are in the call's request (requestParameters)",
		"error":          "the error code is errorCode (AWS), properties.statusCode (Azure), protoPayload.status (GCP)",
		"access_key":     "the access key is userIdentity.accessKeyId of this record; the user's keys are listed by aws iam list-access-keys --user-name USER",
		"user_name":      "the IAM user is userIdentity.userName, the last segment of userIdentity.arn",
		"role_name":      "the role is userIdentity.sessionContext.sessionIssuer.userName, the role in userIdentity.arn (assumed-role/ROLE/SESSION)",
		"session_name":   "the session is the last segment of userIdentity.arn (assumed-role/ROLE/SESSION)",
		"caller_lookup":  "use AttributeKey=AccessKeyId,AttributeValue=KEY with KEY the userIdentity.accessKeyId of this record, or AttributeKey=Username,AttributeValue=NAME with NAME the session or user name in userIdentity.arn",
		"key_id":         "the key id ends protoPayload.authenticationInfo.serviceAccountKeyName (…/keys/KEY_ID); the account's keys are listed by gcloud iam service-accounts keys list --iam-account SERVICE_ACCOUNT",
		"event_id":       "the record's id is eventID (AWS), eventDataId or correlationId (Azure), insertId (GCP)",
		"correlation_id": "the correlationId is on every record of the request in the Activity Log",
		"resource_group": "the resource group is the segment after resourceGroups/ in the resource id",
		"parent_id":      "the parent (NSG, server) is the resource id up to /securityRules/ or /firewallRules/",
		"parent_name":    "the parent's name is the segment before /securityRules/ or /firewallRules/ in the resource id",
		"zone":           "the zone is in the resource name (zones/ZONE/…) or resource.labels.zone",
		"scope":          "the scope is the call's requestParameters.scope: REGIONAL, or CLOUDFRONT for a CloudFront distribution's web ACL, IP set or rule group (served in us-east-1 only)",
		"scope_region":   "the region is us-east-1 for CLOUDFRONT scope (requestParameters.scope), else the record's awsRegion or the log's path (AWSLogs/ACCOUNT/CloudTrail/REGION/…)",
		"direction_flag": "--ingress or --egress: the entry's egress field in requestParameters",
		"priority":       "the rule number or priority is in the call's request (ruleNumber, priority)",
		"target_tags":    "the target tags are the rule's targetTags, space separated: gcloud compute firewall-rules describe RULE --project PROJECT --format='value(targetTags)' (prints them separated by ;)",
		"aws_service":    "the service is the record's eventSource without .amazonaws.com",
		"principal_arn":  "the role ARN is userIdentity.sessionContext.sessionIssuer.arn, a user's ARN userIdentity.arn",
		"from_port":      "the ports are in the call's request (fromPort, toPort, destinationPortRange)",
		"to_port":        "the ports are in the call's request (fromPort, toPort, destinationPortRange)",
		"protocol":       "the protocol is in the call's request (ipProtocol, protocol, IPProtocol)",
		"cidr":           "the address range is in the call's request (cidrIp, sourceAddressPrefix, sourceRanges)",
		"classic_source": "what the call let in is in its requestParameters: --cidrip CIDR from cIDRIP, or (RDS only) --ec2-security-group-id GROUP_ID --ec2-security-group-owner-id ACCOUNT from eC2SecurityGroupId and eC2SecurityGroupOwnerId, or --ec2-security-group-name GROUP_NAME --ec2-security-group-owner-id ACCOUNT from eC2SecurityGroupName and eC2SecurityGroupOwnerId",
		"ip_permissions": "the rules are the call's requestParameters.ipPermissions, written as the CLI's JSON: '[{\"IpProtocol\":\"tcp\",\"FromPort\":PORT,\"ToPort\":PORT,\"IpRanges\":[{\"CidrIp\":\"CIDR\"}]}]'",
		"log_scope":      "--project PROJECT with the project in logName, or --organization ORGANIZATION_ID or --folder FOLDER_ID with the id there for an organization's or folder's logs",
	}
}

// PlaceholderForm is one form a hint of PlaceholderWhere shows.
type PlaceholderForm struct {
	// Text is the form exactly as the hint writes it.
	Text string
	// Only limits a value form to the commands that start with it
	// ("aws rds "), when the hint says it is for those alone; "" for all.
	Only string
}

// PlaceholderForms lists, for each hint of PlaceholderWhere that shows
// what to type, every form it gives: a value to put where the placeholder
// stands, or a whole command (aws ..., gcloud ...) that finds the value.
// Its upper-case words (KEY, NAME, GROUP_ID) are what the analyst fills
// in. Tests check that each form is in its hint and that, filled in, it
// parses with the real CLI.
func PlaceholderForms() map[string][]PlaceholderForm {
	all := func(texts ...string) []PlaceholderForm {
		out := make([]PlaceholderForm, len(texts))
		for i, t := range texts {
			out[i] = PlaceholderForm{Text: t}
		}
		return out
	}
	return map[string][]PlaceholderForm{
		"rule":           all("aws ec2 describe-security-group-rules --region REGION --filters Name=group-id,Values=GROUP_ID"),
		"access_key":     all("aws iam list-access-keys --user-name USER"),
		"caller_lookup":  all("AttributeKey=AccessKeyId,AttributeValue=KEY", "AttributeKey=Username,AttributeValue=NAME"),
		"key_id":         all("gcloud iam service-accounts keys list --iam-account SERVICE_ACCOUNT"),
		"direction_flag": all("--ingress", "--egress"),
		"target_tags":    all("gcloud compute firewall-rules describe RULE --project PROJECT --format='value(targetTags)'"),
		"log_scope":      all("--project PROJECT", "--organization ORGANIZATION_ID", "--folder FOLDER_ID"),
		"classic_source": {
			{Text: "--cidrip CIDR"},
			{Text: "--ec2-security-group-id GROUP_ID --ec2-security-group-owner-id ACCOUNT", Only: "aws rds "},
			{Text: "--ec2-security-group-name GROUP_NAME --ec2-security-group-owner-id ACCOUNT"},
		},
		"ip_permissions": all(`'[{"IpProtocol":"tcp","FromPort":PORT,"ToPort":PORT,"IpRanges":[{"CidrIp":"CIDR"}]}]'`),
	}
}
